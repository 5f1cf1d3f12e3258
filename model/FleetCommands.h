#pragma once

#include <QString>
#include <QStringList>

namespace model {

// What the GUI may ask of the ingest pipeline. Implemented by the composition root over the
// pipeline's thread; every call returns at once and its effect comes back through the
// FleetUpdateQueue (changed alerts, a replayed delivery in the log, vehicle details).
class FleetCommands {
public:
    virtual ~FleetCommands() = default;

    virtual void acknowledgeAlert(qint64 alertId, const QString &by) = 0;
    virtual void acknowledgeAllAlerts(const QString &by) = 0;
    // Feeds a journaled delivery through the same pipeline again; it is journaled as a replay.
    virtual void replayDelivery(qint64 journalId) = 0;
    // The vehicles whose full detail the GUI shows; their VehicleDetail is pushed now and on change.
    virtual void watchVehicles(const QStringList &vehicleIds) = 0;
};

} // namespace model
