#pragma once

#include <QLabel>

namespace ui {

// The line beneath a setup field that says what is wrong with it. Errors are red, warnings amber
// and hints in the muted placeholder colour, each shade picked for the current palette so it stays
// readable on light and dark themes. The label keeps one line of height while empty so the form does
// not jump when a message comes and goes as the user types.
class SetupMessageLabel final : public QLabel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SetupMessageLabel)
public:
    enum class Kind { None, Hint, Warning, Error };

    explicit SetupMessageLabel(QWidget *parent = nullptr);
    ~SetupMessageLabel() override;

    // An empty text clears the label whatever the kind.
    void showMessage(Kind kind, const QString &message);
    void clearMessage() { showMessage(Kind::None, QString()); }

    Kind kind() const { return m_kind; }
    QString message() const { return m_message; }

    // The colour used for a kind on a palette; public so a page can draw other text in the same shade.
    static QColor colorFor(Kind kind, const QPalette &palette);

    // The height of the text wrapped at the current width: QFormLayout sizes rows by the size hint,
    // and QLabel's own hint wraps at an arbitrary narrow width, leaving gaps under short messages.
    QSize sizeHint() const override;

protected:
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void render();

    Kind m_kind = Kind::None;
    QString m_message;
};

} // namespace ui
