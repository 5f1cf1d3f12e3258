#pragma once

#include "model/Vehicle.h"

#include <QByteArray>
#include <QList>
#include <QSqlDatabase>
#include <QStringList>
#include <functional>

namespace store {

// The fleet's latest state, one row per vehicle, and the journal id it covers: every accepted
// delivery up to that id is in it, none after. A start reads it and replays only the deliveries
// after that id, instead of decoding the whole journal. Rows are written for the vehicles that
// changed since the last checkpoint; a vehicle keeps its position (the fleet's first-seen order).
class FleetSnapshot final {
public:
    struct Entry {
        model::Vehicle vehicle;
        qint64 position = 0;
    };

    // The schema step that adds the snapshot tables (and the index that bounds the alerts a
    // start loads).
    static QStringList migrationSql();

    static QByteArray encode(const model::Vehicle &vehicle);
    static bool decode(const QByteArray &bytes, model::Vehicle *vehicle);

    // Upserts the entries and records coveredId (none when coveredId is 0: a slice of a snapshot
    // written in several transactions); runs inside the caller's transaction.
    static bool write(QSqlDatabase &db, qint64 coveredId, const QList<Entry> &entries, QString *error);
    // Forgets the snapshot (rows stay, the cover goes): the next start replays the whole journal.
    static bool invalidate(QSqlDatabase &db, QString *error);
    // Vehicles in position order; coveredId 0 (and no visit) when there is no usable snapshot.
    static bool read(QSqlDatabase &db, qint64 *coveredId, const std::function<void(model::Vehicle &&)> &visit,
                     QString *error);
};

} // namespace store
