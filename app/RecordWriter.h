#pragma once

#include <QIODevice>
#include <QJsonObject>
#include <QStringList>

namespace app {

// Streams records as a JSON array (one compact object per line) or as CSV with a header row, so
// an export of millions of rows never holds more than one in memory. Columns fix the CSV order;
// JSON objects carry every key they have.
class RecordWriter final {
public:
    enum class Format { Json, Csv };

    RecordWriter(QIODevice &out, Format format, const QStringList &columns);
    ~RecordWriter(); // finishes
    void write(const QJsonObject &record);
    // A record already formatted by the caller: one CSV line without its newline, or one compact
    // JSON object. For exports of millions of rows, which cannot afford a QJsonObject each.
    void writeFormatted(QByteArrayView record);
    void finish(); // closes the JSON array and writes out what is buffered

    static QByteArray csvField(const QJsonValue &value);
    // The same bytes as csvField() and QJsonDocument's compact form give, without building values.
    static void appendCsvText(QByteArray &out, QByteArrayView utf8);
    static void appendCsvNumber(QByteArray &out, double value);
    static void appendJsonText(QByteArray &out, QByteArrayView utf8);
    static void appendJsonNumber(QByteArray &out, double value);

private:
    void flushIfFull();
    void flush();

    QIODevice &m_out;
    QByteArray m_buffer; // records gathered into large writes: one write per record is a syscall
    Format m_format;
    QStringList m_columns;
    bool m_first = true;
    bool m_finished = false;
};

} // namespace app
