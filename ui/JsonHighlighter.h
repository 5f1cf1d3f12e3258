#pragma once

#include <QRegularExpression>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>

namespace ui {

// Colours pretty-printed JSON (keys, strings, numbers, literals) so a long delivery body can be
// scanned by eye. It only tokenizes each line with one regular expression; it never parses, so text
// that is not JSON is harmless and costs no more.
class JsonHighlighter final : public QSyntaxHighlighter {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(JsonHighlighter)
public:
    explicit JsonHighlighter(QTextDocument *document);
    ~JsonHighlighter() override;

protected:
    void highlightBlock(const QString &text) override;

private:
    QRegularExpression m_token;
    QTextCharFormat m_key;
    QTextCharFormat m_string;
    QTextCharFormat m_number;
    QTextCharFormat m_literal;
};

} // namespace ui
