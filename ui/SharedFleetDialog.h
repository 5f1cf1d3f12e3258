#pragma once

#include <QDialog>

#include <functional>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;

namespace ui {

class SetupMessageLabel;

// File → Connect to a shared fleet…: where this desktop takes its fleet from. Either a shared fleet
// on PostgreSQL, given by its URL (what --database takes), or this workstation's own endpoint and
// journal. The dialog only asks: whoever opens it checks the URL (a validator, so this layer needs no
// knowledge of database URLs), saves the choice and restarts the app.
class SharedFleetDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SharedFleetDialog)
public:
    // What is wrong with a URL, or an empty text when it is usable.
    using Validator = std::function<QString(const QString &url)>;

    // `currentUrl`: the shared fleet followed now (empty: the workstation's own endpoint).
    SharedFleetDialog(const QString &currentUrl, Validator validator, QWidget *parent = nullptr);
    ~SharedFleetDialog() override;

    // The choice once accepted: the URL as typed (trimmed), or empty for the own endpoint.
    QString chosenUrl() const;

    QLineEdit *urlEdit() const { return m_url; }
    QRadioButton *sharedButton() const { return m_shared; }
    QRadioButton *ownEndpointButton() const { return m_own; }
    QPushButton *saveButton() const;
    SetupMessageLabel *messageLabel() const { return m_message; }
    SetupMessageLabel *passwordLabel() const { return m_passwordNote; }

public Q_SLOTS:
    void accept() override; // only with a usable URL; otherwise says why and stays

private:
    bool validate(); // shows what is wrong; true when the choice can be saved
    void updatePasswordNote();

    Validator m_validator;
    bool m_judged = false; // the URL was judged once: from then on, at every key
    QRadioButton *m_shared;
    QRadioButton *m_own;
    QLabel *m_urlLabel;
    QLineEdit *m_url;
    SetupMessageLabel *m_message;
    SetupMessageLabel *m_passwordNote;
    QDialogButtonBox *m_buttons;
};

} // namespace ui
