#pragma once

#include "model/FleetState.h"
#include "store/FleetSnapshot.h"

#include <QSet>
#include <QString>

namespace model {
class FleetUpdateQueue;
}
namespace smartcar {
class FleetProcessor;
}
namespace store {
class Journal;
}

namespace app {

// The fleet a SQLite journal keeps, for whoever runs a FleetProcessor on one: the workstation's
// ingest and a shared fleet's replica. restore() rebuilds the fleet and its alerts from the file
// (snapshot, then the deliveries after it), creates the processor and has the journal's fleet
// checkpoints answered; writeLastSnapshot() saves what no checkpoint covered when it stops.
class JournalFleet final {
    Q_DISABLE_COPY_MOVE(JournalFleet)
public:
    JournalFleet() = default;

    // On the thread the processor is to live on, with `journal` open on `journalPath`. The
    // processor (no parent) belongs to the caller, who deletes it on that thread.
    bool restore(const QString &journalPath, store::Journal *journal, model::FleetUpdateQueue *updates,
                 QString *error);
    // On the processor's thread, after the journal closed. `damaged`: nothing more is written.
    void writeLastSnapshot(bool damaged);

    smartcar::FleetProcessor *processor() const { return m_processor; }
    // Deliveries the start replayed (those after the fleet snapshot) and the vehicles restored.
    qint64 restoredDeliveries() const { return m_restoredDeliveries; }
    qsizetype restoredVehicles() const { return m_restoredVehicles; }

    // A start restores every active alert and at most this many of the latest cleared ones.
    static constexpr int kRestoredClearedAlerts = 1000;

    // Copies of the vehicles a checkpoint covers, with their place in the fleet's order.
    static QList<store::FleetSnapshot::Entry> snapshotEntries(const model::FleetState &fleet,
                                                              const QSet<QString> &ids, bool everyVehicle);

private:
    QString m_journalPath;
    store::Journal *m_journal = nullptr;
    smartcar::FleetProcessor *m_processor = nullptr;
    qint64 m_restoredDeliveries = 0;
    qsizetype m_restoredVehicles = 0;
};

} // namespace app
