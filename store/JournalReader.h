#pragma once

#include "model/Alert.h"
#include "model/Delivery.h"
#include "model/HistorySample.h"
#include "model/Vehicle.h"
#include "store/Database.h"

#include <functional>
#include <limits>

namespace store {

// Reads the journal on the calling thread through its own connection, streaming rows in order,
// never loading a table whole. Used to rebuild the fleet on start and by `fleetmon export`, which
// may run while the app writes (WAL).
class JournalReader final {
    Q_DISABLE_COPY_MOVE(JournalReader)
public:
    JournalReader() = default;

    bool open(const QString &path, QString *error);

    struct Filter {
        bool acceptedOnly = false; // only deliveries that changed (or may change) the fleet
        bool withBodies = true;
        QString vehicleId;  // empty: every vehicle
        qint64 sinceMs = 0; // received at or after; 0: from the start
        qint64 afterId = 0; // journal ids above this one only
    };
    // Calls visit for each delivery in journal order; visit returns false to stop early.
    bool forEach(const Filter &filter, const std::function<bool(const model::Delivery &)> &visit,
                 QString *error);

    // One delivery by its journal id, body included; false with an error when there is none.
    bool read(qint64 id, model::Delivery *delivery, QString *error);

    struct HistoryFilter {
        QString vehicleId; // empty: every vehicle
        QString code;      // empty: every signal
        qint64 sinceMs = 0;
        qint64 untilMs = std::numeric_limits<qint64>::max();
    };
    // History points ordered by vehicle, signal, field and time.
    bool forEachSample(const HistoryFilter &filter,
                       const std::function<bool(const model::HistorySample &)> &visit, QString *error);

    // The same points as views into the database's own UTF-8 text, valid during the call only: an
    // export of millions of rows converts nothing it does not have to.
    struct SampleRow {
        QByteArrayView vehicleId;
        QByteArrayView code;
        QByteArrayView field;
        qint64 oemUpdatedAt = 0;
        double value = 0;
    };
    bool forEachSampleRow(const HistoryFilter &filter, const std::function<bool(const SampleRow &)> &visit,
                          QString *error);

    // The highest journal id stored; 0 for an empty journal.
    bool lastDeliveryId(qint64 *id, QString *error);
    // What Journal::saveProgress() last stored under `name`; 0 when nothing was.
    bool progress(const QString &name, qint64 *value, QString *error);

    // The fleet snapshot (see FleetSnapshot::read): coveredId 0 when there is none to use.
    bool readSnapshot(qint64 *coveredId, const std::function<void(model::Vehicle &&)> &visit, QString *error);

    // What a start restores: every active alert plus the most recent cleared ones, ordered by id.
    bool forEachAlertToRestore(int recentCleared, const std::function<bool(const model::Alert &)> &visit,
                               QString *error);

    // Alerts ordered by id; sinceMs keeps those last seen at or after it.
    bool forEachAlert(const QString &vehicleId, qint64 sinceMs,
                      const std::function<bool(const model::Alert &)> &visit, QString *error);

private:
    bool forEachAlertWhere(const QString &sql, const QVariantMap &bindings,
                           const std::function<bool(const model::Alert &)> &visit, QString *error);

    Database m_db;
};

} // namespace store
