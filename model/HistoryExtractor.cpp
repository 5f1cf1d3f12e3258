#include "model/HistoryExtractor.h"

#include "model/SignalUnits.h"

#include <QJsonArray>

namespace model {

QList<HistorySample> HistoryExtractor::samples(const QString &vehicleId, const SignalValue &signal) {
    QList<HistorySample> out;
    append(out, vehicleId, signal);
    return out;
}

void HistoryExtractor::append(QList<HistorySample> &out, const QString &vehicleId,
                              const SignalValue &signal) {
    if (signal.oemUpdatedAt <= 0 || !signal.hasBody() || signal.isInError())
        return;
    auto add = [&](const QString &field, double value) {
        out.append(HistorySample{vehicleId, signal.code, field, signal.oemUpdatedAt, value});
    };
    const QJsonObject &body = signal.body;
    const bool percent = SignalUnits::isPercentSignal(signal.code);
    const bool distance = !percent && SignalUnits::isDistanceSignal(signal.code);
    for (auto it = body.constBegin(); it != body.constEnd(); ++it) {
        const QString key = it.key(); // built from the object's storage on each call: once
        const QJsonValue v = it.value();
        if (key == QLatin1String("rowCount") || key == QLatin1String("columnCount"))
            continue; // the shape of a door or window array, not a reading
        if (key == QLatin1String("value") && percent) {
            if (auto p = SignalUnits::percent(body))
                add(key, *p);
        } else if (key == QLatin1String("value") && distance) {
            if (auto km = SignalUnits::kilometres(body))
                add(key, *km);
        } else if (v.isDouble()) {
            add(key, v.toDouble());
        } else if (v.isBool()) {
            add(key, v.toBool() ? 1.0 : 0.0);
        } else if (key == QLatin1String("values") && v.isArray()) {
            // Doors and windows: how many are open is what a chart or report needs.
            const QJsonArray entries = v.toArray();
            bool any = false;
            int open = 0;
            for (const QJsonValue &e : entries) {
                const QJsonValue isOpen = e.toObject().value(QLatin1String("isOpen"));
                if (isOpen.isBool()) {
                    any = true;
                    open += isOpen.toBool() ? 1 : 0;
                }
            }
            if (any)
                add(QStringLiteral("openCount"), open);
        }
    }
}

QList<HistorySample> HistoryExtractor::samples(const QString &vehicleId,
                                               const QList<SignalValue> &signalValues) {
    QList<HistorySample> out;
    out.reserve(signalValues.size() * 2);
    for (const SignalValue &s : signalValues)
        append(out, vehicleId, s);
    return out;
}

} // namespace model
