#pragma once

#include "model/Vehicle.h"
#include "model/VehicleEvent.h"
#include "model/VehicleRow.h"

#include <QHash>
#include <QSet>
#include <QStringList>

namespace model {

// The fleet as the deliveries describe it. Applying the same accepted deliveries in the same order
// always yields the same state, which is how a restart rebuilds it from the journal.
// Not thread-safe: it lives on the ingest thread (or in a command-line export).
class FleetState final {
public:
    // Applies an accepted delivery. Signals older than what is known (by oemUpdatedAt) are ignored,
    // VEHICLE_ERROR entries open or resolve errors. Returns true when the vehicle's state changed.
    bool apply(const VehicleEvent &event, qint64 receivedAtMs);

    const Vehicle *vehicle(const QString &id) const;
    const QStringList &vehicleIds() const { return m_order; } // in first-seen order
    qsizetype vehicleCount() const { return m_order.size(); }

    // The table's digest of one vehicle: units normalised to percent and kilometres.
    static VehicleRow rowFor(const Vehicle &vehicle);

    // At most this many distinct names are shared; past it (hostile or broken input) text is kept
    // as delivered, so the pool cannot grow without bound.
    static constexpr qsizetype kMaxSharedNames = 4096;

private:
    static bool isNewer(const SignalValue &incoming, const SignalValue &known);
    // The same few hundred signal codes, names, groups, makes and models repeat in every vehicle;
    // each decoded delivery (and each snapshot row at start) brings its own copies. One implicitly
    // shared copy of each is kept instead (4-5 MB less resident memory with 10,000 vehicles).
    QString shared(const QString &text);
    SignalValue sharedNames(const SignalValue &value);

    QHash<QString, Vehicle> m_vehicles;
    QStringList m_order;
    QSet<QString> m_names;
};

} // namespace model
