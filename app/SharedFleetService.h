#pragma once

#include "app/AppOptions.h"
#include "model/FleetCommands.h"
#include "model/SharedFleetStatus.h"

#include <QString>
#include <chrono>
#include <functional>
#include <memory>

namespace model {
class FleetUpdateQueue;
}
namespace smartcar {
class FleetProcessor;
}

namespace app {

// The desktop app as a live client of a shared fleet on PostgreSQL (--database): it runs no
// endpoint. Everything the ingest nodes store is copied, in shared-id order, into a local replica
// (an ordinary SQLite journal under the data folder, one per database), so the table, charts,
// alerts, inspector and exports work as on a workstation of its own and a restart resumes from
// where the replica stands instead of reading the whole database again. Alerts are computed here
// from the same deliveries; acknowledgements are written to the database and applied from it, so
// one made on any desktop shows on every desktop.
class SharedFleetService final : public model::FleetCommands {
    Q_DISABLE_COPY_MOVE(SharedFleetService)
public:
    SharedFleetService();
    ~SharedFleetService() override; // stop()

    // model::FleetCommands
    void acknowledgeAlert(qint64 alertId, const QString &by) override;
    void acknowledgeAllAlerts(const QString &by) override;
    void replayDelivery(qint64 journalId) override; // nothing: only ingest nodes take deliveries
    void watchVehicles(const QStringList &vehicleIds) override;

    // Told of every change of the connection (on a thread of the service's: queue it to the GUI),
    // and while catching up, of how far it got (taken of latest) at most every kProgressInterval.
    // Before start().
    void setStatusListener(std::function<void(const model::SharedFleetStatus &)> listener);

    // Opens (or creates) the replica for options.databaseUrl under options.dataDir, restores the
    // fleet from it into `updates`, then follows the database. Fails only when the replica cannot be
    // opened; an unreachable database is reported through the status listener and retried.
    bool start(const AppOptions &options, model::FleetUpdateQueue *updates, QString *error);
    void stop();

    // The replica's SQLite file: what the history and delivery-detail readers open.
    QString replicaPath() const;
    // The database as shown to people (no password).
    QString displayName() const;
    smartcar::FleetProcessor *processor() const;
    qsizetype restoredVehicles() const;

    static constexpr auto kProgressInterval = std::chrono::milliseconds(250);

    // The replica for `databaseUrl` under `dataDir`: one folder per database (host, port, name).
    static QString replicaPathFor(const QString &dataDir, const QString &databaseUrl);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace app
