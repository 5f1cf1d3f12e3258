#include "store/PostgresSchema.h"

#include <QSqlError>
#include <QSqlQuery>

namespace store {

namespace {

bool execMigration(QSqlDatabase &db, const QString &sql, QString *error) {
    QSqlQuery q(db);
    if (q.exec(sql))
        return true;
    *error = q.lastError().text();
    return false;
}

// Each entry takes the schema from version (index) to version (index + 1).
const char *const kMigrations[] = {
    R"SQL(
CREATE TABLE deliveries (
    id bigserial PRIMARY KEY,
    received_at bigint NOT NULL,
    event_id text NOT NULL DEFAULT '',
    event_type text NOT NULL DEFAULT '',
    vehicle_id text NOT NULL DEFAULT '',
    verdict text NOT NULL,
    status integer NOT NULL,
    headers bytea NOT NULL DEFAULT '',
    body bytea NOT NULL DEFAULT '',
    node text NOT NULL DEFAULT '',
    accepted_event_id text UNIQUE
);
CREATE TABLE alert_acks (
    id bigserial PRIMARY KEY,
    vehicle_id text NOT NULL,
    kind text NOT NULL,
    subject text NOT NULL DEFAULT '',
    acknowledged_at bigint NOT NULL,
    acknowledged_by text NOT NULL DEFAULT ''
);
)SQL",
};
static_assert(std::size(kMigrations) == PostgresSchema::kVersion);

} // namespace

int PostgresSchema::version(QSqlDatabase &db, QString *error) {
    QSqlQuery q(db);
    if (!q.exec(QStringLiteral("SELECT to_regclass('fleetmon_schema') IS NOT NULL")) || !q.next()) {
        *error = q.lastError().text();
        return -1;
    }
    if (!q.value(0).toBool())
        return 0;
    if (!q.exec(QStringLiteral("SELECT max(version) FROM fleetmon_schema")) || !q.next()) {
        *error = q.lastError().text();
        return -1;
    }
    return q.value(0).toInt();
}

bool PostgresSchema::ensure(QSqlDatabase &db, QString *error) {
    // Fast path without the lock: a database already at this version is the common case.
    const int seen = version(db, error);
    if (seen < 0)
        return false;
    if (seen > kVersion) {
        *error = QStringLiteral("the database holds Fleet Monitor schema version %1, this build knows "
                                "up to %2: update Fleet Monitor")
                     .arg(seen)
                     .arg(kVersion);
        return false;
    }
    if (seen == kVersion)
        return true;
    if (!execMigration(db, QStringLiteral("SELECT pg_advisory_lock(%1)").arg(kMigrationLock), error))
        return false;
    int at = version(db, error); // again, under the lock: another node may have done it meanwhile
    bool ok = at >= 0;
    if (ok && at == 0)
        ok = execMigration(db, QStringLiteral("CREATE TABLE fleetmon_schema (version integer NOT NULL)"),
                           error);
    if (ok && at > kVersion) {
        *error = QStringLiteral("the database holds Fleet Monitor schema version %1, this build knows "
                                "up to %2: update Fleet Monitor")
                     .arg(at)
                     .arg(kVersion);
        ok = false;
    }
    while (ok && at < kVersion) {
        ok = db.transaction();
        if (!ok) {
            *error = db.lastError().text();
            break;
        }
        ok = execMigration(db, QString::fromUtf8(kMigrations[at]), error) &&
             execMigration(db, QStringLiteral("DELETE FROM fleetmon_schema"), error) &&
             execMigration(
                 db, QStringLiteral("INSERT INTO fleetmon_schema (version) VALUES (%1)").arg(at + 1), error);
        if (ok && !db.commit()) {
            *error = db.lastError().text();
            ok = false;
        }
        if (!ok) {
            db.rollback();
            *error = QStringLiteral("migrating the shared fleet's tables to version %1 failed: %2")
                         .arg(at + 1)
                         .arg(*error);
            break;
        }
        ++at;
    }
    QString unlockError;
    execMigration(db, QStringLiteral("SELECT pg_advisory_unlock(%1)").arg(kMigrationLock), &unlockError);
    return ok;
}

} // namespace store
