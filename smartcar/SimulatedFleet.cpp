#include "smartcar/SimulatedFleet.h"

#include "smartcar/SimulatedBodyWriter.h"
#include "smartcar/SimulatedVehicle.h"

#include <algorithm>

namespace smartcar {

SimulatedFleet::SimulatedFleet(int vehicles, quint64 seed)
    : m_rng(seed) {
    sim::Rng &rng = m_rng;
    m_webhookId = sim::makeUuid(rng);
    const size_t count = size_t(std::max(0, vehicles));
    m_vehicles.reserve(count);
    QByteArray previousUserId;
    for (size_t i = 0; i < count; ++i) {
        m_vehicles.push_back(sim::makeVehicle(rng, previousUserId));
        previousUserId = m_vehicles.back().userId;
    }
}

SimulatedFleet::~SimulatedFleet() = default;

qsizetype SimulatedFleet::vehicleCount() const {
    return qsizetype(m_vehicles.size());
}

bool SimulatedFleet::firstDeliveriesDone() const {
    return m_nextFirst >= vehicleCount();
}

QString SimulatedFleet::vehicleId(int index) const {
    return QString::fromLatin1(m_vehicles.at(size_t(index)).id);
}

QString SimulatedFleet::vin(int index) const {
    return QString::fromLatin1(m_vehicles.at(size_t(index)).vin);
}

QString SimulatedFleet::make(int index) const {
    return QString::fromLatin1(m_vehicles.at(size_t(index)).spec->make);
}

QString SimulatedFleet::model(int index) const {
    return QString::fromLatin1(m_vehicles.at(size_t(index)).spec->model);
}

int SimulatedFleet::year(int index) const {
    return m_vehicles.at(size_t(index)).year;
}

QByteArray SimulatedFleet::nextDelivery(qint64 nowMs) {
    if (m_vehicles.empty())
        return {};
    sim::Rng &rng = m_rng;
    const bool first = m_nextFirst < vehicleCount();
    sim::VehicleState &v = m_vehicles[size_t(first ? m_nextFirst++ : qsizetype(rng() % m_vehicles.size()))];

    quint64 changed = 0;
    if (first) {
        // What the car last reported for each signal, some of it hours old.
        for (int s = 0; s < sim::SigCount; ++s) {
            if (!sim::kSignals[size_t(s)].attribute)
                v.oemUpdatedAt[size_t(s)] =
                    (nowMs - qint64(sim::uniform(rng, 0, 6 * 3600 * 1000))) / 1000 * 1000;
        }
    } else {
        // A step for a signal the OEM does not report has nothing to announce: take another one.
        for (int attempt = 0; attempt < 16 && (changed & ~v.unavailable()) == 0; ++attempt)
            changed |= sim::lifeStep(v, rng);
        changed &= ~v.unavailable();
        if (changed == 0)
            changed = sim::bit(sim::Soc); // re-reported unchanged, as OEMs sometimes do
        // One report from the car: the changed signals share its timestamp (whole seconds, a few
        // seconds before the delivery), and per signal time never runs backwards.
        const qint64 oem = (nowMs - sim::uniformInt(rng, 1000, 10000)) / 1000 * 1000;
        for (int s = 0; s < sim::SigCount; ++s) {
            if ((changed & sim::bit(sim::Sig(s))) && !sim::kSignals[size_t(s)].attribute)
                v.oemUpdatedAt[size_t(s)] = std::max(oem, v.oemUpdatedAt[size_t(s)] + 1);
        }
    }
    // Smartcar fetches every signal just before it delivers, however old the value: in the captures
    // retrievedAt sits within a second of deliveredAt while oemUpdatedAt may be days behind.
    for (int s = 0; s < sim::SigCount; ++s) {
        if (!sim::kSignals[size_t(s)].attribute) {
            v.retrievedAt[size_t(s)] =
                std::max(v.oemUpdatedAt[size_t(s)], nowMs - sim::uniformInt(rng, 80, 900));
        }
    }

    sim::Delivery delivery;
    delivery.eventId = sim::makeUuid(rng);
    delivery.deliveryId = sim::makeUuid(rng);
    delivery.webhookId = m_webhookId;
    delivery.deliveredAtMs = nowMs;
    delivery.firstDelivery = first;
    delivery.changedSignals = changed;
    ++m_deliveries;
    return sim::writeVehicleStateBody(v, delivery);
}

} // namespace smartcar
