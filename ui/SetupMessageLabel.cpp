#include "ui/SetupMessageLabel.h"

#include <QEvent>
#include <QResizeEvent>

#include <algorithm>

namespace ui {

namespace {

bool isDarkMessagePalette(const QPalette &palette) {
    return palette.color(QPalette::Window).lightness() < 128;
}

} // namespace

SetupMessageLabel::SetupMessageLabel(QWidget *parent)
    : QLabel(parent) {
    setWordWrap(true);
    // A row taller than the text (forms size wrapped labels roughly) must not float it away from its field.
    setAlignment(Qt::AlignLeft | Qt::AlignTop);
    setTextFormat(Qt::RichText); // only to colour the text; the message itself is escaped
    setTextInteractionFlags(Qt::TextSelectableByMouse);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

SetupMessageLabel::~SetupMessageLabel() = default;

QColor SetupMessageLabel::colorFor(Kind kind, const QPalette &palette) {
    // Shades with at least 4.5:1 contrast against typical light and dark window colours.
    switch (kind) {
    case Kind::Error:
        return isDarkMessagePalette(palette) ? QColor(0xff, 0x8a, 0x80) : QColor(0xc6, 0x28, 0x28);
    case Kind::Warning:
        return isDarkMessagePalette(palette) ? QColor(0xff, 0xc8, 0x57) : QColor(0x8d, 0x5a, 0x00);
    case Kind::Hint: {
        // Qt's default placeholder colour is the text colour at half opacity, and rich text drops
        // alpha: blend it onto the window colour here instead.
        const QColor hint = palette.color(QPalette::PlaceholderText);
        const QColor window = palette.color(QPalette::Window);
        const double a = hint.alphaF();
        return QColor::fromRgbF(float(hint.redF() * a + window.redF() * (1 - a)),
                                float(hint.greenF() * a + window.greenF() * (1 - a)),
                                float(hint.blueF() * a + window.blueF() * (1 - a)));
    }
    case Kind::None:
        break;
    }
    return palette.color(QPalette::WindowText);
}

void SetupMessageLabel::showMessage(Kind kind, const QString &message) {
    m_kind = message.isEmpty() ? Kind::None : kind;
    m_message = m_kind == Kind::None ? QString() : message;
    render();
}

QSize SetupMessageLabel::sizeHint() const {
    QSize hint = QLabel::sizeHint();
    const int oneLine = fontMetrics().height();
    if (text().isEmpty())
        hint.setHeight(oneLine);
    else if (width() > 0)
        hint.setHeight(std::max(oneLine, heightForWidth(width())));
    return hint;
}

void SetupMessageLabel::resizeEvent(QResizeEvent *event) {
    QLabel::resizeEvent(event);
    if (event->size().width() != event->oldSize().width())
        updateGeometry(); // the wrapped height changed with the width
}

void SetupMessageLabel::changeEvent(QEvent *event) {
    QLabel::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        render();
}

void SetupMessageLabel::render() {
    if (m_kind == Kind::None) {
        setText(QString());
        setAccessibleName(QString());
        return;
    }
    // The sign makes a warning tell from an error without relying on colour alone.
    const QString prefix = m_kind == Kind::Warning ? QStringLiteral("\u26a0 ") : QString();
    setText(QStringLiteral("<span style=\"color:%1\">%2</span>")
                .arg(colorFor(m_kind, palette()).name(), (prefix + m_message).toHtmlEscaped()));
    setAccessibleName(m_message);
}

} // namespace ui
