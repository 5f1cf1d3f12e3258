#pragma once

#include <QSqlDatabase>
#include <QString>

namespace store {

// The shared fleet's tables in PostgreSQL, created and migrated by whichever node or desktop
// connects first. Migrations run under a session advisory lock, so nodes starting together take
// turns; each step and its version row commit together. A database whose schema is newer than this
// build knows is refused, never written to.
//
// Version 1:
//   fleetmon_schema(version)        one row: the version the tables are at
//   deliveries                      every delivery any node stored, in commit order of `id`
//     id bigserial                  the cursor desktops catch up from (ids are handed out while the
//                                   writer holds kCommitOrderLock, so they become visible in order)
//     received_at bigint            epoch ms at the node
//     event_id, event_type, vehicle_id text
//     verdict text, status integer  as model::verdictName and the HTTP status sent
//     headers bytea, body bytea     the kept headers (compact JSON) and the raw body
//     node text                     which ingest node stored it (host:port of its endpoint)
//     accepted_event_id text UNIQUE the eventId of an accepted delivery, NULL for every other
//                                   verdict: the cross-node dedupe is this constraint
//   alert_acks                      acknowledgements made on any desktop, in commit order of `id`
//     id bigserial, vehicle_id, kind (model::alertKindName), subject text,
//     acknowledged_at bigint (epoch ms), acknowledged_by text
//
// Writers NOTIFY kDeliveriesChannel / kAcksChannel with the highest new id inside the transaction
// that stored the rows, so a listener hears of them exactly when they become visible.
class PostgresSchema final {
public:
    static constexpr int kVersion = 1;
    static constexpr const char *kDeliveriesChannel = "fleetmon_deliveries";
    static constexpr const char *kAcksChannel = "fleetmon_acks";
    // pg_advisory_lock keys: schema migration (session), and the id order of committed rows
    // (transaction: taken by every writer of deliveries or acks right before it inserts).
    static constexpr qint64 kMigrationLock = 0x666c65'65746d01;
    static constexpr qint64 kCommitOrderLock = 0x666c65'65746d02;

    // Creates or migrates the tables on an open QPSQL connection. False with `error` when the
    // database cannot be used (unreachable, no rights, a newer schema).
    static bool ensure(QSqlDatabase &db, QString *error);
    // The version the database is at (0: no Fleet Monitor tables); -1 on error.
    static int version(QSqlDatabase &db, QString *error);
};

} // namespace store
