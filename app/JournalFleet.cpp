#include "app/JournalFleet.h"

#include "smartcar/FleetLoader.h"
#include "smartcar/FleetProcessor.h"
#include "store/Database.h"
#include "store/Journal.h"
#include "store/JournalReader.h"

#include <QSettings>
#include <QSqlError>

namespace app {

QList<store::FleetSnapshot::Entry>
JournalFleet::snapshotEntries(const model::FleetState &fleet, const QSet<QString> &ids, bool everyVehicle) {
    // Cheap on the processor's thread: Qt containers are shared, not copied, until the fleet next
    // changes them.
    QList<store::FleetSnapshot::Entry> entries;
    const QStringList &order = fleet.vehicleIds();
    entries.reserve(everyVehicle ? order.size() : ids.size());
    for (qsizetype i = 0; i < order.size(); ++i)
        if (everyVehicle || ids.contains(order.at(i)))
            entries.append({*fleet.vehicle(order.at(i)), i});
    return entries;
}

QList<store::Journal::SnapshotVehicle>
JournalFleet::snapshotVehicles(const model::FleetState &fleet, const QSet<QString> &ids, bool everyVehicle) {
    QList<store::Journal::SnapshotVehicle> vehicles;
    const QStringList &order = fleet.vehicleIds();
    vehicles.reserve(everyVehicle ? order.size() : ids.size());
    for (qsizetype i = 0; i < order.size(); ++i)
        if (everyVehicle || ids.contains(order.at(i)))
            vehicles.append({order.at(i), i});
    return vehicles;
}

store::FleetSnapshot::EncodedRows JournalFleet::sliceRows(const model::FleetState &fleet,
                                                          const QList<store::Journal::SnapshotVehicle> &slice,
                                                          store::FleetSnapshot::EncodedRows into) {
    store::FleetSnapshot::EncodedRows rows = std::move(into);
    rows.clear();
    for (const store::Journal::SnapshotVehicle &v : slice) {
        const model::Vehicle *vehicle = fleet.vehicle(v.id);
        if (!vehicle)
            continue;
        rows.append(*vehicle, v.position);
        // The buffer is sized once, by the first row (a fleet's vehicles carry about the same
        // signals), instead of doubling its way up to the slice's size (~2.8 KB a vehicle).
        if (rows.size() == 1)
            rows.reserve(slice.size(), rows.byteSize() + rows.byteSize() / 8);
    }
    return rows;
}

bool JournalFleet::restore(const QString &journalPath, store::Journal *journal, model::FleetState *fleet,
                           QList<model::Alert> *alerts, QString *error) {
    m_journalPath = journalPath;
    m_journal = journal;
    store::JournalReader reader;
    const auto keep = [alerts](const model::Alert &a) {
        alerts->append(a);
        return true;
    };
    smartcar::FleetLoader::Outcome restored;
    if (!reader.open(journalPath, error) || !smartcar::FleetLoader::load(reader, fleet, &restored, error) ||
        !reader.forEachAlertToRestore(kRestoredClearedAlerts, keep, error))
        return false;
    m_restoredDeliveries = restored.replayed;
    m_restoredVehicles = fleet->vehicleCount();
    // What the start had to replay goes into the snapshot now, before any new delivery, so the
    // next start does not replay it again.
    if (restored.replayed > 0)
        m_journal->saveSnapshot(restored.lastReplayedId,
                                snapshotEntries(*fleet, restored.replayedVehicles, false));
    m_journal->setHistoryRetentionDays(QSettings().value(QStringLiteral("history/retentionDays"), 0).toInt());
    return true;
}

void JournalFleet::attach(smartcar::FleetProcessor *processor) {
    m_processor = processor;
    // Checkpoints: the store thread asks right after handing a batch to its commit listener, which
    // hands the batch to the processor's thread; this request, queued behind it, sees the fleet as
    // of coveredId and names the vehicles it covers. Their entries are asked for a slice at a
    // time, each as the fleet is then (see store::Journal::planSnapshot).
    m_journal->setSliceSupplier([this](quint64 plan, const QList<store::Journal::SnapshotVehicle> &slice,
                                       store::FleetSnapshot::EncodedRows spare) {
        QMetaObject::invokeMethod(
            m_processor,
            [this, plan, slice, spare = std::move(spare)]() mutable {
                m_journal->supplySnapshotSlice(plan,
                                               sliceRows(m_processor->fleet(), slice, std::move(spare)));
            },
            Qt::QueuedConnection);
    });
    m_journal->setCheckpointRequester(
        [this](qint64 coveredId, const QSet<QString> &vehicles, bool everyVehicle) {
            QMetaObject::invokeMethod(
                m_processor,
                [this, coveredId, vehicles, everyVehicle] {
                    m_journal->planSnapshot(coveredId,
                                            snapshotVehicles(m_processor->fleet(), vehicles, everyVehicle));
                },
                Qt::QueuedConnection);
        });
}

void JournalFleet::writeLastSnapshot(bool damaged) {
    // The journal is closed and every committed delivery applied: a snapshot as of its last id
    // makes the next start read the fleet instead of replaying what came since the last checkpoint.
    if (damaged || !m_processor)
        return; // nothing more is written into a damaged file
    const store::Journal::Checkpoint left = m_journal->uncheckpointed();
    if (left.vehicles.isEmpty() && !left.everyVehicle)
        return;
    store::Database db;
    QString error;
    bool ok =
        db.open(m_journalPath, store::Database::Mode::ReadWrite, &error) && db.connection().transaction();
    if (ok && !store::FleetSnapshot::write(
                  db.connection(), left.coveredId,
                  snapshotEntries(m_processor->fleet(), left.vehicles, left.everyVehicle), &error))
        ok = false;
    if (ok && !db.connection().commit())
        ok = false;
    if (!ok)
        qWarning("fleetmon: the fleet snapshot at stop was not stored (the next start replays more): %s",
                 qPrintable(error.isEmpty() ? db.connection().lastError().text() : error));
}

} // namespace app
