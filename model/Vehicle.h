#pragma once

#include "model/SignalMap.h"
#include "model/SignalValue.h"
#include "model/VehicleError.h"

#include <QHash>
#include <QList>
#include <QString>

namespace model {

// Everything the fleet knows about one vehicle. Owned by FleetState on the ingest thread.
struct Vehicle {
    QString id;
    QString make;
    QString model;
    int year = 0;
    QString vin;      // when delivered (data.vehicle.vin or the vehicleidentification-vin signal)
    QString nickname; // the owner's name for the car, when delivered
    // Webhook subscription as the Smartcar account knows it; filled by the account client.
    enum class Subscription { Unknown, Subscribed, NotSubscribed, Pending, Failed };
    Subscription subscription = Subscription::Unknown;
    SignalMap signalsByCode;        // sorted by code
    QList<VehicleError> openErrors; // VEHICLE_ERROR entries in state ERROR, until RESOLVED
    qint64 lastDeliveryAt = 0;      // receive time (epoch ms) of the newest accepted delivery

    const SignalValue *signal(const QString &code) const {
        auto it = signalsByCode.constFind(code);
        return it == signalsByCode.constEnd() ? nullptr : &*it;
    }
};

} // namespace model
