#include "store/Database.h"

#include "store/FleetSnapshot.h"
#include "store/HistoryRollup.h"

#include <QAtomicInteger>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>

#include <sqlite3.h>

namespace store {

namespace {
QAtomicInteger<quint64> g_connectionCounter;

bool execSqlite(QSqlDatabase &db, const QString &sql, QString *error) {
    QSqlQuery q(db);
    if (q.exec(sql))
        return true;
    if (error)
        *error = q.lastError().text();
    return false;
}
} // namespace

Database::Database()
    : m_connectionName(QStringLiteral("fleetmon-%1").arg(g_connectionCounter.fetchAndAddRelaxed(1))) {}

Database::~Database() {
    close();
}

void Database::close() {
    m_historyRollup.reset();
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

bool Database::open(const QString &path, Mode mode, QString *error) {
    close(); // a failed open leaves the connection half made: starting over must not add a second one
    m_path = path;
    const QFileInfo info(path);
    if (mode == Mode::ReadOnly && !info.exists()) {
        *error =
            QStringLiteral("no journal at %1 (has Fleet Monitor received anything with this data folder?)")
                .arg(path);
        return false;
    }
    if (info.exists() && !info.isFile()) {
        *error = QStringLiteral("%1 is not a file").arg(path);
        return false;
    }
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_db.setDatabaseName(path);
    // Readers (an export while the app runs) wait for the writer instead of failing at once.
    m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    if (!m_db.open()) {
        *error = QStringLiteral("cannot open %1: %2").arg(path, m_db.lastError().text());
        return false;
    }
    // The first read fails on a file that is not SQLite ("file is not a database").
    QSqlQuery probe(m_db);
    if (!probe.exec(QStringLiteral("PRAGMA user_version")) || !probe.next()) {
        *error = QStringLiteral("%1 is not a readable Fleet Monitor journal: %2. %3")
                     .arg(path, probe.lastError().text(), recoveryHint(path));
        return false;
    }
    const int version = probe.value(0).toInt();
    probe.finish();
    if (version > kSchemaVersion) {
        *error = QStringLiteral("%1 was written by a newer Fleet Monitor (schema %2, this build knows %3)")
                     .arg(path)
                     .arg(version)
                     .arg(kSchemaVersion);
        return false;
    }
    if (mode == Mode::ReadOnly) {
        if (version < kSchemaVersion) {
            *error =
                version == 0
                    ? QStringLiteral("%1 holds no Fleet Monitor journal").arg(path)
                    : QStringLiteral("%1 is from an older Fleet Monitor; start the app once to upgrade it")
                          .arg(path);
            return false;
        }
        return true;
    }
    // WAL lets exports read while the app writes; FULL makes a commit survive power loss, which is
    // what a 2xx to Smartcar promises. Group commit pays for the fsync.
    QString pragmaError;
    QSqlQuery wal(m_db);
    if (!wal.exec(QStringLiteral("PRAGMA journal_mode=WAL")) || !wal.next() ||
        wal.value(0).toString().compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0) {
        *error = QStringLiteral("cannot write %1 (is the data folder writable?): %2")
                     .arg(path, wal.lastError().text().isEmpty() ? QStringLiteral("WAL mode refused")
                                                                 : wal.lastError().text());
        return false;
    }
    wal.finish();
    if (!execSqlite(m_db, QStringLiteral("PRAGMA synchronous=FULL"), &pragmaError)) {
        *error = QStringLiteral("cannot configure %1: %2").arg(path, pragmaError);
        return false;
    }
    if (version < kSchemaVersion && !migrate(version, error))
        return false;
    m_historyRollup = std::make_unique<HistoryRollup>(m_db);
    QString feedError;
    if (!m_historyRollup->prepare(&feedError)) {
        *error = QStringLiteral("cannot prepare %1 for writing: %2").arg(path, feedError);
        m_historyRollup.reset();
        return false;
    }
    return true;
}

bool Database::pruneHistory(qint64 cutoffMs, QString *error) {
    // The readings and their pyramid go together, or neither does.
    if (!m_db.transaction()) {
        *error = m_db.lastError().text();
        return false;
    }
    QSqlQuery prune(m_db);
    prune.prepare(QStringLiteral("DELETE FROM history WHERE t < ?"));
    prune.addBindValue(cutoffMs);
    bool ok = prune.exec();
    if (!ok)
        *error = prune.lastError().text();
    if (ok && !m_historyRollup->prune(cutoffMs, error))
        ok = false;
    if (ok && !m_db.commit()) {
        ok = false;
        *error = m_db.lastError().text();
    }
    if (!ok)
        m_db.rollback();
    return ok;
}

bool Database::isDamage(const QString &error) {
    for (int code : {SQLITE_CORRUPT, SQLITE_NOTADB})
        if (error.contains(QString::fromUtf8(sqlite3_errstr(code)), Qt::CaseInsensitive))
            return true;
    return false;
}

QString Database::recoveryHint(const QString &path) {
    return QStringLiteral("The file was left as it is. To go on, stop Fleet Monitor, move the file aside "
                          "with its -wal file if there is one (mv %1 %1.damaged; mv %1-wal "
                          "%1.damaged-wal) and start again: a new journal is created. What the old "
                          "file still holds can be salvaged with the sqlite3 shell; see \"Recovering a "
                          "damaged database\" in the README.")
        .arg(path);
}

bool Database::migrate(int fromVersion, QString *error) {
    // Each step brings the schema from version i to i + 1; all run in one transaction.
    const QList<QStringList> steps = {
        {
            QStringLiteral("CREATE TABLE deliveries ("
                           " id INTEGER PRIMARY KEY,"
                           " received_at INTEGER NOT NULL,"
                           " event_id TEXT, event_type TEXT, vehicle_id TEXT,"
                           " verdict TEXT NOT NULL, status INTEGER NOT NULL,"
                           " headers TEXT, body BLOB,"
                           " replay INTEGER NOT NULL DEFAULT 0)"),
            // The idempotency key: a unique constraint, so a retry racing its original cannot slip in.
            QStringLiteral("CREATE TABLE event_ids (event_id TEXT PRIMARY KEY) WITHOUT ROWID"),
            QStringLiteral("CREATE INDEX deliveries_verdict ON deliveries(verdict, id)"),
        },
        {
            // One row per reading: the key makes a re-delivered or out-of-order reading one point.
            QStringLiteral("CREATE TABLE history ("
                           " vehicle_id TEXT NOT NULL, code TEXT NOT NULL, field TEXT NOT NULL,"
                           " t INTEGER NOT NULL, value REAL NOT NULL,"
                           " PRIMARY KEY (vehicle_id, code, field, t)) WITHOUT ROWID"),
            QStringLiteral(
                "CREATE TABLE alerts ("
                " id INTEGER PRIMARY KEY, vehicle_id TEXT NOT NULL, kind TEXT NOT NULL,"
                " subject TEXT NOT NULL, severity TEXT NOT NULL, message TEXT NOT NULL,"
                " first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL, fire_count INTEGER NOT NULL,"
                " cleared_at INTEGER NOT NULL, cleared_by TEXT NOT NULL,"
                " acknowledged_at INTEGER NOT NULL, acknowledged_by TEXT NOT NULL)"),
        },
        // The min/max pyramid of the charted signals, built from the history already stored.
        HistoryRollup::migrationSql(),
        // The fleet's latest state per vehicle, so a start need not replay the whole journal.
        FleetSnapshot::migrationSql(),
        // How far the journal has followed something kept elsewhere (a shared fleet's replica:
        // the acknowledgements it applied), saved in order with the alerts it changed.
        {
            QStringLiteral("CREATE TABLE progress (name TEXT PRIMARY KEY, value INTEGER NOT NULL)"),
        },
        // Nearly every delivery is accepted, so the verdict index saved no read (a replay after the
        // snapshot's cover walks the ids either way) and cost every commit a page of the WAL.
        {
            QStringLiteral("DROP INDEX IF EXISTS deliveries_verdict"),
        },
    };
    static_assert(kSchemaVersion == 6, "add a migration step for the new version");
    if (!execSqlite(m_db, QStringLiteral("BEGIN IMMEDIATE"), error)) {
        *error = QStringLiteral("cannot write %1: %2").arg(m_path, *error);
        return false;
    }
    for (int version = fromVersion; version < kSchemaVersion; ++version) {
        for (const QString &sql : steps.at(version)) {
            if (!execSqlite(m_db, sql, error)) {
                execSqlite(m_db, QStringLiteral("ROLLBACK"), nullptr);
                *error = QStringLiteral("cannot upgrade the journal %1 to schema %2: %3")
                             .arg(m_path)
                             .arg(version + 1)
                             .arg(*error);
                return false;
            }
        }
    }
    if (!execSqlite(m_db, QStringLiteral("PRAGMA user_version=%1").arg(kSchemaVersion), error) ||
        !execSqlite(m_db, QStringLiteral("COMMIT"), error)) {
        execSqlite(m_db, QStringLiteral("ROLLBACK"), nullptr);
        *error = QStringLiteral("cannot write %1: %2").arg(m_path, *error);
        return false;
    }
    return true;
}

} // namespace store
