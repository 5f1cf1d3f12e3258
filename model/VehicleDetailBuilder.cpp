#include "model/VehicleDetailBuilder.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace model {

namespace {

QString scalar(const QJsonValue &v) {
    if (v.isBool())
        return v.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 10);
    if (v.isString())
        return v.toString();
    if (v.isNull())
        return QStringLiteral("—");
    return QString::fromUtf8(v.isObject() ? QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact)
                                          : QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
}

} // namespace

QString VehicleDetailBuilder::readableValue(const QJsonObject &body) {
    if (body.isEmpty())
        return {};
    if (body.contains(QLatin1String("latitude")) && body.contains(QLatin1String("longitude"))) {
        QString text = QStringLiteral("%1, %2").arg(scalar(body.value(QLatin1String("latitude"))),
                                                    scalar(body.value(QLatin1String("longitude"))));
        if (body.value(QLatin1String("heading")).isDouble())
            text += QStringLiteral(" (heading %1°)").arg(scalar(body.value(QLatin1String("heading"))));
        return text;
    }
    const QJsonValue values = body.value(QLatin1String("values"));
    if (values.isArray()) {
        const QJsonArray list = values.toArray();
        int open = 0, known = 0;
        for (const QJsonValue &entry : list) {
            const QJsonValue isOpen = entry.toObject().value(QLatin1String("isOpen"));
            if (isOpen.isBool()) {
                ++known;
                open += isOpen.toBool() ? 1 : 0;
            }
        }
        if (known > 0)
            return QStringLiteral("%1 of %2 open").arg(open).arg(known);
        QStringList parts;
        for (const QJsonValue &entry : list)
            parts << scalar(entry);
        return parts.join(QStringLiteral(", "));
    }
    if (body.contains(QLatin1String("value")))
        return scalar(body.value(QLatin1String("value")));
    // Trunks, sunroof, charge port: {"isOpen": false, "isLocked": true} reads "closed, locked".
    if (body.value(QLatin1String("isOpen")).isBool()) {
        QString text =
            body.value(QLatin1String("isOpen")).toBool() ? QStringLiteral("open") : QStringLiteral("closed");
        const QJsonValue locked = body.value(QLatin1String("isLocked"));
        if (locked.isBool())
            text += locked.toBool() ? QStringLiteral(", locked") : QStringLiteral(", unlocked");
        return text;
    }
    // Diagnostics: {"status": "ALERT", "description": "..."}: the status is the news.
    if (body.value(QLatin1String("status")).isString()) {
        const QString description = body.value(QLatin1String("description")).toString();
        return description.isEmpty() ? body.value(QLatin1String("status")).toString()
                                     : QStringLiteral("%1 — %2").arg(
                                           body.value(QLatin1String("status")).toString(), description);
    }
    // Any other shape: its fields, in order, without the unit (shown in its own column).
    QStringList parts;
    for (auto it = body.constBegin(); it != body.constEnd(); ++it) {
        if (it.key() != QLatin1String("unit"))
            parts << QStringLiteral("%1: %2").arg(it.key(), scalar(it.value()));
    }
    return parts.join(QStringLiteral(", "));
}

VehicleDetail VehicleDetailBuilder::build(const Vehicle &vehicle, const VehicleRow &row) {
    VehicleDetail detail;
    detail.row = row;
    detail.openErrors = vehicle.openErrors;
    for (const SignalValue &s : vehicle.signalsByCode) {
        SignalDetail d;
        d.code = s.code;
        d.group = s.group;
        d.name = s.name;
        d.value = readableValue(s.body);
        d.unit = s.body.value(QLatin1String("unit")).toString();
        d.oemUpdatedAt = s.oemUpdatedAt;
        if (s.isInError()) {
            d.error = QStringList{scalar(s.error.value(QLatin1String("type"))),
                                  scalar(s.error.value(QLatin1String("code")))}
                          .join(QStringLiteral(" / "));
        }
        detail.signalDetails.append(d);
    }
    std::sort(detail.signalDetails.begin(), detail.signalDetails.end(),
              [](const SignalDetail &a, const SignalDetail &b) {
                  return std::tie(a.group, a.name, a.code) < std::tie(b.group, b.name, b.code);
              });
    return detail;
}

} // namespace model
