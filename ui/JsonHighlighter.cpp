#include "ui/JsonHighlighter.h"

namespace ui {

JsonHighlighter::JsonHighlighter(QTextDocument *document)
    : QSyntaxHighlighter(document)
    // One alternation, matched left to right, so a number or "true" inside a string stays a string.
    , m_token(QStringLiteral(
          R"re(("(?:[^"\\]|\\.)*")(\s*:)?|(-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b)|\b(true|false|null)\b)re")) {
    // Muted colours readable on a white background; keys darkest, since they are what eyes look for.
    m_key.setForeground(QColor(0x1a, 0x23, 0x7e));
    m_key.setFontWeight(QFont::DemiBold);
    m_string.setForeground(QColor(0x2e, 0x6b, 0x30));
    m_number.setForeground(QColor(0x0d, 0x5f, 0x8a));
    m_literal.setForeground(QColor(0x9c, 0x3d, 0x00));
}

JsonHighlighter::~JsonHighlighter() = default;

void JsonHighlighter::highlightBlock(const QString &text) {
    QRegularExpressionMatchIterator it = m_token.globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch match = it.next();
        if (match.capturedStart(1) >= 0) {
            const bool isKey = match.capturedLength(2) > 0;
            setFormat(int(match.capturedStart(1)), int(match.capturedLength(1)), isKey ? m_key : m_string);
        } else if (match.capturedStart(3) >= 0) {
            setFormat(int(match.capturedStart(3)), int(match.capturedLength(3)), m_number);
        } else if (match.capturedStart(4) >= 0) {
            setFormat(int(match.capturedStart(4)), int(match.capturedLength(4)), m_literal);
        }
    }
}

} // namespace ui
