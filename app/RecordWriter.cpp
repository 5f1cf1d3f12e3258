#include "app/RecordWriter.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace app {

RecordWriter::RecordWriter(QIODevice &out, Format format, const QStringList &columns)
    : m_out(out)
    , m_format(format)
    , m_columns(columns) {
    if (m_format == Format::Csv)
        m_out.write(m_columns.join(QLatin1Char(',')).toUtf8() + '\n');
    else
        m_out.write("[");
}

QByteArray RecordWriter::csvField(const QJsonValue &value) {
    QByteArray v;
    if (value.isBool())
        v = value.toBool() ? "true" : "false";
    else if (value.isDouble())
        v = QByteArray::number(value.toDouble(), 'g', 15);
    else if (value.isString())
        v = value.toString().toUtf8();
    else if (value.isObject() || value.isArray())
        v = (value.isObject() ? QJsonDocument(value.toObject()) : QJsonDocument(value.toArray()))
                .toJson(QJsonDocument::Compact);
    if (v.contains(',') || v.contains('"') || v.contains('\n') || v.contains('\r'))
        return '"' + v.replace("\"", "\"\"") + '"';
    return v;
}

void RecordWriter::write(const QJsonObject &record) {
    if (m_format == Format::Csv) {
        QByteArray line;
        for (qsizetype i = 0; i < m_columns.size(); ++i) {
            if (i > 0)
                line += ',';
            line += csvField(record.value(m_columns.at(i)));
        }
        m_out.write(line + '\n');
    } else {
        m_out.write(m_first ? "\n" : ",\n");
        m_out.write(QJsonDocument(record).toJson(QJsonDocument::Compact));
    }
    m_first = false;
}

void RecordWriter::finish() {
    if (m_finished)
        return;
    m_finished = true;
    if (m_format == Format::Json)
        m_out.write(m_first ? "]\n" : "\n]\n");
}

} // namespace app
