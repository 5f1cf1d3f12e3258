#pragma once

#include "model/SignalValue.h"
#include "model/Vehicle.h"
#include "model/VehicleError.h"

#include <QByteArray>
#include <QJsonObject>
#include <QLatin1String>
#include <QString>

#include <array>
#include <optional>

namespace model {

// What the alert rules read from a vehicle's signals: the closure signals and their shapes, whether
// an airbag reading says deployed, how many openings a closure reading reports open, and the
// evidence that tells a new reading from one seen before. Pure functions of their arguments, so
// model::AlertEngine keeps only the rules' state.
class AlertReadings final {
public:
    AlertReadings() = delete;

    // The closure signals that raise "open" alerts, in the order their alerts are created. The
    // engine cover and the charge port flap are deliberately absent: the cabin and cargo openings
    // are what a manager acts on.
    enum class ClosureShape { Grid, Single };
    struct ClosureRule {
        QLatin1String code;
        ClosureShape shape;
    };
    static constexpr std::array<ClosureRule, 5> kClosureRules = {{
        {QLatin1String("closure-doors"), ClosureShape::Grid},
        {QLatin1String("closure-windows"), ClosureShape::Grid},
        {QLatin1String("closure-fronttrunk"), ClosureShape::Single},
        {QLatin1String("closure-reartrunk"), ClosureShape::Single},
        {QLatin1String("closure-sunroof"), ClosureShape::Single},
    }};
    // The closure codes as strings, made once: alerts and messages take them by value.
    static const std::array<QString, 5> &closureCodes();

    // Whether a signal code names an airbag: "airbag" anywhere in it, in any case.
    static bool isAirbagCode(QStringView code);
    // std::nullopt when the reading says nothing about deployment (no body, unknown shape).
    static std::optional<bool> airbagDeployed(const SignalValue &signal);
    // Open count of a closure reading; std::nullopt when no entry says whether it is open (null
    // values are common, e.g. a sunroof the car does not have).
    static std::optional<int> openCount(const QJsonObject &body, ClosureShape shape);
    // The same for the vehicle's current reading of the rule's signal; a failed read says nothing.
    static std::optional<int> openCount(const Vehicle &vehicle, const ClosureRule &rule);

    // What a reading was: a new delivery of the signal changes at least its retrievedAt.
    static QByteArray signalEvidence(const SignalValue *signal);
    // VEHICLE_ERROR entries carry no time of their own; an identical repeat is not new evidence.
    static QByteArray errorEvidence(const VehicleError &e);
};

} // namespace model
