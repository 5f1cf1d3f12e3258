#pragma once

#include "model/Alert.h"
#include "model/FleetState.h"
#include "store/FleetSnapshot.h"
#include "store/Journal.h"

#include <QSet>
#include <QString>

namespace smartcar {
class FleetProcessor;
}

namespace app {

// The fleet a SQLite journal keeps, for whoever runs a FleetProcessor on one: the workstation's
// ingest and a shared fleet's replica. restore() rebuilds the fleet and its alerts from the file
// (snapshot, then the deliveries after it), attach() has the journal's fleet checkpoints answered
// with the processor's fleet, and writeLastSnapshot() saves what no checkpoint covered at the stop.
class JournalFleet final {
    Q_DISABLE_COPY_MOVE(JournalFleet)
public:
    JournalFleet() = default;

    // On the thread the processor is to live on, with `journal` open on `journalPath`: the fleet
    // and the alerts to restore (every active one, the latest kRestoredClearedAlerts cleared ones).
    // What had to be replayed is saved as a snapshot at once, so the next start does not replay it.
    bool restore(const QString &journalPath, store::Journal *journal, model::FleetState *fleet,
                 QList<model::Alert> *alerts, QString *error);
    // The processor made from that fleet (on the same thread), for checkpoints and the last snapshot.
    void attach(smartcar::FleetProcessor *processor);
    // On the processor's thread, after the journal closed. `damaged`: nothing more is written.
    void writeLastSnapshot(bool damaged);

    // Deliveries the start replayed (those after the fleet snapshot) and the vehicles restored.
    qint64 restoredDeliveries() const { return m_restoredDeliveries; }
    qsizetype restoredVehicles() const { return m_restoredVehicles; }

    // A start restores every active alert and at most this many of the latest cleared ones.
    static constexpr int kRestoredClearedAlerts = 1000;

    // Copies of the vehicles a checkpoint covers, with their place in the fleet's order.
    static QList<store::FleetSnapshot::Entry> snapshotEntries(const model::FleetState &fleet,
                                                              const QSet<QString> &ids, bool everyVehicle);
    // The same vehicles as ids and places only: a checkpoint under load asks for their entries a
    // slice at a time (store::Journal::planSnapshot).
    static QList<store::Journal::SnapshotVehicle>
    snapshotVehicles(const model::FleetState &fleet, const QSet<QString> &ids, bool everyVehicle);
    // A slice's rows, encoded here, on the fleet's thread: nothing of them shares the fleet's
    // containers, so the fleet changing a vehicle before the store thread wrote its row copies
    // nothing (see store::FleetSnapshot::EncodedRows).
    // `into`: a buffer to fill again (its rows dropped, its room kept).
    static store::FleetSnapshot::EncodedRows sliceRows(const model::FleetState &fleet,
                                                       const QList<store::Journal::SnapshotVehicle> &slice,
                                                       store::FleetSnapshot::EncodedRows into = {});

private:
    QString m_journalPath;
    store::Journal *m_journal = nullptr;
    smartcar::FleetProcessor *m_processor = nullptr;
    qint64 m_restoredDeliveries = 0;
    qsizetype m_restoredVehicles = 0;
};

} // namespace app
