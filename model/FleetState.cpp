#include "model/FleetState.h"

#include "model/SignalUnits.h"

#include <QJsonArray>

namespace model {

namespace {

std::optional<bool> boolValue(const Vehicle &vehicle, const QString &code) {
    const SignalValue *s = vehicle.signal(code);
    if (!s || !s->body.value(QLatin1String("value")).isBool())
        return std::nullopt;
    return s->body.value(QLatin1String("value")).toBool();
}

std::optional<double> batteryPercent(const Vehicle &vehicle) {
    const SignalValue *s = vehicle.signal(QStringLiteral("tractionbattery-stateofcharge"));
    return s ? SignalUnits::percent(s->body) : std::nullopt;
}

std::optional<double> odometerKm(const Vehicle &vehicle) {
    const SignalValue *s = vehicle.signal(QStringLiteral("odometer-traveleddistance"));
    return s ? SignalUnits::kilometres(s->body) : std::nullopt;
}

std::optional<int> openDoors(const Vehicle &vehicle) {
    bool known = false;
    int open = 0;
    if (const SignalValue *doors = vehicle.signal(QStringLiteral("closure-doors"));
        doors && doors->body.value(QLatin1String("values")).isArray()) {
        known = true;
        const QJsonArray values = doors->body.value(QLatin1String("values")).toArray();
        for (const QJsonValue &door : values)
            open += door.toObject().value(QLatin1String("isOpen")).toBool() ? 1 : 0;
    }
    for (const char *code : {"closure-reartrunk", "closure-fronttrunk"}) {
        const SignalValue *s = vehicle.signal(QString::fromLatin1(code));
        if (s && s->body.value(QLatin1String("isOpen")).isBool()) {
            known = true;
            open += s->body.value(QLatin1String("isOpen")).toBool() ? 1 : 0;
        }
    }
    return known ? std::optional<int>(open) : std::nullopt;
}

} // namespace

bool FleetState::isNewer(const SignalValue &incoming, const SignalValue &known) {
    // 0 marks static attributes (VIN, colour) that carry no OEM time; the latest delivery wins.
    return incoming.oemUpdatedAt == 0 || incoming.oemUpdatedAt >= known.oemUpdatedAt;
}

QString FleetState::shared(const QString &text) {
    if (text.isEmpty())
        return text;
    if (const auto it = m_names.constFind(text); it != m_names.constEnd())
        return *it;
    if (m_names.size() >= kMaxSharedNames)
        return text;
    return *m_names.insert(text);
}

SignalValue FleetState::sharedNames(const SignalValue &value) {
    SignalValue copy = value;
    copy.code = shared(value.code);
    copy.name = shared(value.name);
    copy.group = shared(value.group);
    return copy;
}

bool FleetState::apply(const VehicleEvent &event, qint64 receivedAtMs) {
    if (event.vehicleId.isEmpty() ||
        (event.kind != VehicleEvent::Kind::State && event.kind != VehicleEvent::Kind::Error))
        return false;

    auto it = m_vehicles.find(event.vehicleId);
    if (it == m_vehicles.end()) {
        it = m_vehicles.insert(event.vehicleId, Vehicle{});
        it->id = event.vehicleId;
        // A first delivery (or a restored snapshot row) brings all the signals the vehicle has:
        // room for exactly those, where growing one at a time leaves up to half the list unused.
        it->signalsByCode.reserve(event.signalValues.size());
        m_order.append(event.vehicleId);
    }
    Vehicle &vehicle = *it;
    if (!event.make.isEmpty())
        vehicle.make = shared(event.make);
    if (!event.model.isEmpty())
        vehicle.model = shared(event.model);
    if (event.year > 0)
        vehicle.year = event.year;
    if (!event.vin.isEmpty())
        vehicle.vin = event.vin;
    vehicle.lastDeliveryAt = std::max(vehicle.lastDeliveryAt, receivedAtMs);

    for (const SignalValue &incoming : event.signalValues) {
        auto known = vehicle.signalsByCode.find(incoming.code);
        if (known == vehicle.signalsByCode.end()) {
            SignalValue value = sharedNames(incoming);
            vehicle.signalsByCode.insert(value.code, value);
            continue;
        }
        if (incoming.isInError()) {
            // A failed read says nothing about the value: keep the last good body, record the error.
            known->error = incoming.error;
            continue;
        }
        if (isNewer(incoming, *known))
            *known = sharedNames(incoming);
    }

    // Identity delivered as attribute signals.
    if (const SignalValue *vin = vehicle.signal(QStringLiteral("vehicleidentification-vin")))
        if (vin->body.value(QLatin1String("value")).isString())
            vehicle.vin = vin->body.value(QLatin1String("value")).toString();
    if (const SignalValue *name = vehicle.signal(QStringLiteral("vehicleidentification-nickname")))
        if (name->body.value(QLatin1String("value")).isString())
            vehicle.nickname = name->body.value(QLatin1String("value")).toString();

    for (const VehicleError &error : event.errors) {
        auto open = std::find_if(vehicle.openErrors.begin(), vehicle.openErrors.end(),
                                 [&](const VehicleError &e) { return e.key() == error.key(); });
        if (error.isResolved()) {
            if (open != vehicle.openErrors.end())
                vehicle.openErrors.erase(open);
        } else if (open != vehicle.openErrors.end()) {
            *open = error;
        } else {
            vehicle.openErrors.append(error);
        }
    }
    return true;
}

const Vehicle *FleetState::vehicle(const QString &id) const {
    auto it = m_vehicles.constFind(id);
    return it == m_vehicles.constEnd() ? nullptr : &*it;
}

VehicleRow FleetState::rowFor(const Vehicle &vehicle) {
    VehicleRow row;
    row.id = vehicle.id;
    row.make = vehicle.make;
    row.model = vehicle.model;
    row.year = vehicle.year;
    row.vin = vehicle.vin;
    row.nickname = vehicle.nickname;
    row.batteryPercent = batteryPercent(vehicle);
    row.pluggedIn = boolValue(vehicle, QStringLiteral("charge-ischargingcableconnected"));
    row.charging = boolValue(vehicle, QStringLiteral("charge-ischarging"));
    if (!row.charging) {
        const SignalValue *detailed = vehicle.signal(QStringLiteral("charge-detailedchargingstatus"));
        if (detailed && detailed->body.value(QLatin1String("value")).isString())
            row.charging =
                detailed->body.value(QLatin1String("value")).toString() == QLatin1String("CHARGING");
    }
    row.odometerKm = odometerKm(vehicle);
    row.openDoors = openDoors(vehicle);
    row.openErrorCount = int(vehicle.openErrors.size());
    row.lastUpdateAt = vehicle.lastDeliveryAt;
    return row;
}

} // namespace model
