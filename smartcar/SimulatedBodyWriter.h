#pragma once

#include "smartcar/SimulatedVehicle.h"

#include <QByteArray>
#include <QtGlobal>

// Writes a simulated vehicle's state as the VEHICLE_STATE webhook body Smartcar delivers (meta.version
// "4.0"): compact JSON with the keys in the order of the real captures, every signal in Sig order, the
// signals the model does not report as ERROR entries without body or meta, and the triggers sorted by
// signal code. Pure: the same state and delivery give the same bytes, and nothing is drawn at random.
namespace smartcar::sim {

// What a body says besides the vehicle's state: who delivers it, when, and why.
struct Delivery {
    QByteArray eventId;
    QByteArray deliveryId;
    QByteArray webhookId;
    qint64 deliveredAtMs = 0;
    bool firstDelivery = false; // a FIRST_DELIVERY trigger instead of one per changed signal
    quint64 changedSignals = 0; // bit(Sig) mask, one SIGNAL_UPDATED trigger each
};

QByteArray writeVehicleStateBody(const VehicleState &vehicle, const Delivery &delivery);

} // namespace smartcar::sim
