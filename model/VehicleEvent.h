#pragma once

#include "model/SignalValue.h"
#include "model/VehicleError.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace model {

// A decoded webhook delivery, independent of the wire format that carried it.
struct VehicleEvent {
    enum class Kind { State, Error, Verify, Unknown };

    Kind kind = Kind::Unknown;
    QString eventId;   // idempotency key; empty when the delivery carried none
    QString eventType; // as delivered ("VEHICLE_STATE", "eventBased", ...)
    QString vehicleId; // empty when the delivery names no vehicle
    QString make;
    QString model;
    int year = 0;
    QString vin;            // data.vehicle.vin, seen in older payload versions
    QString mode;           // meta.mode, e.g. "LIVE" or "TEST"
    qint64 deliveredAt = 0; // meta.deliveredAt as epoch ms, 0 when absent or unreadable
    QStringList triggers;   // signal codes (or "FIRST_DELIVERY") that caused the delivery
    QList<SignalValue> signalValues;
    QList<VehicleError> errors;
};

} // namespace model
