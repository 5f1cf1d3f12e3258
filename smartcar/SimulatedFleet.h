#pragma once

#include <QByteArray>
#include <QString>
#include <QtGlobal>
#include <random>
#include <vector>

namespace smartcar {

namespace sim {
struct VehicleState;
}

// A fleet of simulated electric vehicles that produces Smartcar VEHICLE_STATE webhook bodies in the
// shape Smartcar actually delivers (meta.version "4.0": vehicle only in data.vehicle, top-level
// triggers with signal objects, signal meta with retrievedAt, per-signal status), compact JSON of
// 3-5 KB with 16 signals each. Feeds the demo mode, the load generator and the tests.
//
// Deterministic: the same seed and the same sequence of nowMs values give byte-identical bodies.
// The first delivery of every vehicle (in index order) is a FIRST_DELIVERY; after that each call
// advances one randomly chosen vehicle by one step of its life (a stretch of driving, charging or
// something happening while parked) and reports the signals that changed as SIGNAL_UPDATED
// triggers. Battery stays within 0-100 %, odometers never go back, every body has a fresh eventId.
// nowMs only stamps the bodies (deliveredAt, oemUpdatedAt, retrievedAt); per signal oemUpdatedAt
// never decreases, even if nowMs does.
class SimulatedFleet final {
    // A copy would replay the same eventIds, which a receiver rightly treats as duplicates.
    Q_DISABLE_COPY_MOVE(SimulatedFleet)
public:
    explicit SimulatedFleet(int vehicles, quint64 seed = 1);
    ~SimulatedFleet();

    QByteArray nextDelivery(qint64 nowMs);

    qsizetype vehicleCount() const;
    QString vehicleId(int index) const;
    QString vin(int index) const;
    QString make(int index) const;
    QString model(int index) const;
    int year(int index) const;

    qint64 deliveryCount() const { return m_deliveries; }
    // True once every vehicle had its FIRST_DELIVERY; from then on bodies carry changes.
    bool firstDeliveriesDone() const;

private:
    std::mt19937_64 m_rng;
    std::vector<sim::VehicleState> m_vehicles;
    QByteArray m_webhookId;
    qsizetype m_nextFirst = 0;
    qint64 m_deliveries = 0;
};

} // namespace smartcar
