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
    void write(const QJsonObject &record);
    void finish();

    static QByteArray csvField(const QJsonValue &value);

private:
    QIODevice &m_out;
    Format m_format;
    QStringList m_columns;
    bool m_first = true;
    bool m_finished = false;
};

} // namespace app
