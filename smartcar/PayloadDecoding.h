#pragma once

#include "model/VehicleEvent.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonValue>
#include <QString>

namespace smartcar {

// What PayloadDecoder (simdjson) and QtPayloadDecoder (Qt's parser, its fallback and reference)
// share, so that the two read a value the same way by construction: the result they give and the
// readings of JSON scalars as text, epoch milliseconds and signal codes. The fast path turns its
// scalars into QJsonValue before reading them here. Defined in the header so that each decoder can
// inline them into its walk, as it could when both lived in one file.
class PayloadDecoding final {
public:
    struct Result {
        bool ok = false;
        QString error; // why the body is not a JSON object; empty when ok
        model::VehicleEvent event;
        QByteArray challenge; // VERIFY only: the string to answer
    };

    enum class SmallNumbers { AreMillis, AreSeconds };

    // A string as it is, a number as text with 17 significant digits (enough to tell any two doubles
    // apart); anything else is no text.
    static QString stringOf(const QJsonValue &v) {
        if (v.isString())
            return v.toString();
        if (v.isDouble())
            return QString::number(v.toDouble(), 'g', 17);
        return {};
    }

    // Epoch milliseconds from a number or an ISO string. One documented deliveredAt reads
    // 1700000000, seconds by the look of it; where that quirk was seen, numbers too small to be ms
    // are seconds.
    static qint64 millisOf(const QJsonValue &v, SmallNumbers small = SmallNumbers::AreMillis) {
        if (v.isDouble()) {
            const double d = v.toDouble();
            if (d <= 0 || d > 1e15)
                return 0;
            return (small == SmallNumbers::AreSeconds && d < 1e11) ? qint64(d * 1000.0) : qint64(d);
        }
        if (v.isString()) {
            const QDateTime t = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
            return t.isValid() ? t.toMSecsSinceEpoch() : 0;
        }
        return 0;
    }

    // "Group.Name" -> "group-name", the code form used everywhere else.
    static QString codeFromDotted(const QString &dotted) {
        const qsizetype dot = dotted.indexOf(QLatin1Char('.'));
        if (dot <= 0)
            return dotted.toLower();
        return (dotted.left(dot) + QLatin1Char('-') + dotted.mid(dot + 1)).toLower();
    }
};

} // namespace smartcar
