#include "app/RecordWriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>
#include <QtNumeric>

namespace app {

namespace {
constexpr qsizetype kBufferBytes = 1 << 20;
}

RecordWriter::RecordWriter(QIODevice &out, Format format, const QStringList &columns)
    : m_out(out)
    , m_format(format)
    , m_columns(columns) {
    m_buffer.reserve(kBufferBytes + 4096);
    if (m_format == Format::Csv)
        m_buffer += m_columns.join(QLatin1Char(',')).toUtf8() + '\n';
    else
        m_buffer += '[';
}

RecordWriter::~RecordWriter() {
    finish();
}

void RecordWriter::flushIfFull() {
    if (m_buffer.size() >= kBufferBytes)
        flush();
}

void RecordWriter::flush() {
    if (!m_buffer.isEmpty())
        m_out.write(m_buffer);
    m_buffer.resize(0); // keeps the capacity
}

void RecordWriter::appendCsvText(QByteArray &out, QByteArrayView utf8) {
    bool quote = false;
    for (char c : utf8)
        if (c == ',' || c == '"' || c == '\n' || c == '\r') {
            quote = true;
            break;
        }
    if (!quote) {
        out += utf8;
        return;
    }
    out += '"';
    for (char c : utf8) {
        if (c == '"')
            out += '"';
        out += c;
    }
    out += '"';
}

void RecordWriter::appendCsvNumber(QByteArray &out, double value) {
    out += QByteArray::number(value, 'g', 15);
}

void RecordWriter::appendJsonText(QByteArray &out, QByteArrayView utf8) {
    for (char c : utf8) {
        // Anything QJsonDocument escapes or re-encodes goes the slow, identical way.
        if (c == '"' || c == '\\' || uchar(c) < 0x20 || uchar(c) >= 0x7f) {
            const QByteArray array =
                QJsonDocument(QJsonArray{QString::fromUtf8(utf8)}).toJson(QJsonDocument::Compact);
            out += QByteArrayView(array).sliced(1, array.size() - 2); // without [ and ]
            return;
        }
    }
    out += '"';
    out += utf8;
    out += '"';
}

void RecordWriter::appendJsonNumber(QByteArray &out, double value) {
    if (!qIsFinite(value)) {
        out += "null"; // what QJsonDocument writes for them
        return;
    }
    out += QByteArray::number(value, 'g', QLocale::FloatingPointShortest);
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
        m_buffer += line;
        m_buffer += '\n';
    } else {
        m_buffer += m_first ? "\n" : ",\n";
        m_buffer += QJsonDocument(record).toJson(QJsonDocument::Compact);
    }
    m_first = false;
    flushIfFull();
}

void RecordWriter::writeFormatted(QByteArrayView record) {
    if (m_format == Format::Csv) {
        m_buffer += record;
        m_buffer += '\n';
    } else {
        m_buffer += m_first ? "\n" : ",\n";
        m_buffer += record;
    }
    m_first = false;
    flushIfFull();
}

void RecordWriter::finish() {
    if (m_finished)
        return;
    m_finished = true;
    if (m_format == Format::Json)
        m_buffer += m_first ? "]\n" : "\n]\n";
    flush();
}

} // namespace app
