#include "model/SignalUnits.h"

namespace model {

std::optional<double> SignalUnits::percent(const QJsonObject &body) {
    if (body.value(QLatin1String("percentage")).isDouble())
        return body.value(QLatin1String("percentage")).toDouble();
    const QJsonValue v = body.value(QLatin1String("value"));
    if (!v.isDouble())
        return std::nullopt;
    const double value = v.toDouble();
    return (value > 0.0 && value < 1.0) ? value * 100.0 : value;
}

std::optional<double> SignalUnits::kilometres(const QJsonObject &body) {
    const QJsonValue v = body.value(QLatin1String("value"));
    if (!v.isDouble())
        return std::nullopt;
    const QString unit = body.value(QLatin1String("unit")).toString().toLower();
    if (unit == QLatin1String("miles") || unit == QLatin1String("mi") || unit == QLatin1String("mile"))
        return v.toDouble() * kKilometresPerMile;
    if (unit == QLatin1String("m") || unit == QLatin1String("meters") || unit == QLatin1String("metres"))
        return v.toDouble() / 1000.0;
    return v.toDouble();
}

bool SignalUnits::isPercentSignal(const QString &code) {
    return code == QLatin1String("tractionbattery-stateofcharge") ||
           code == QLatin1String("internalcombustionengine-fuellevel");
}

bool SignalUnits::isDistanceSignal(const QString &code) {
    return code == QLatin1String("odometer-traveleddistance") ||
           code == QLatin1String("tractionbattery-range") ||
           code == QLatin1String("internalcombustionengine-range");
}

} // namespace model
