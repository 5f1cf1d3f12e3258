#pragma once

#include <QJsonObject>
#include <QString>
#include <optional>

namespace model {

// Unit normalisation for charts, rules and the table. Delivered bodies are never changed; these
// read a value out of them in the unit the app computes with.
class SignalUnits final {
public:
    // Percent 0-100 from {"value": 78} / {"value": 0.78} / {"percentage": 78}. A value strictly
    // between 0 and 1 is a fraction (seen for fuel levels); 0 and 1 themselves read as percent.
    static std::optional<double> percent(const QJsonObject &body);
    // Kilometres from {"value": v, "unit": "km"|"kilometers"|"miles"|"mi"|"m"|"meters"}; no unit is km.
    static std::optional<double> kilometres(const QJsonObject &body);
    static double milesFromKilometres(double km) { return km / kKilometresPerMile; }

    static bool isPercentSignal(const QString &code);
    static bool isDistanceSignal(const QString &code);

    static constexpr double kKilometresPerMile = 1.609344;
};

} // namespace model
