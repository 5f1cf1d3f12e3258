#include "store/Journal.h"

#include "store/Database.h"
#include "store/HistoryRollup.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>

namespace store {

namespace {
// Bounds one transaction so a huge backlog still reports progress and keeps latency even.
constexpr size_t kMaxBatch = 2048;
// Pruning is cheap when there is nothing to prune; when there is, it runs between batches.
constexpr auto kPruneInterval = std::chrono::minutes(10);
// The store thread's SQLite page cache, in KiB (memory is spent only as pages are touched).
constexpr int kWriterCacheKiB = 32 * 1024;
} // namespace

Journal::Journal() = default;

Journal::~Journal() {
    close();
}

bool Journal::open(const QString &path, QString *error) {
    return m_worker.start(
        QStringLiteral("store"), path, Database::Mode::ReadWrite, [this](Database &db) { run(db); }, error);
}

void Journal::setCommitListener(CommitListener listener) {
    m_listener = std::move(listener);
}

quint64 Journal::append(model::Delivery delivery) {
    quint64 ticket;
    {
        std::lock_guard lock(m_mutex);
        ticket = m_nextTicket++;
        m_queue.push_back({ticket, std::move(delivery), {}, 0, {}});
    }
    m_wake.notify_one();
    return ticket;
}

void Journal::saveAlerts(const QList<model::Alert> &alerts) {
    if (alerts.isEmpty())
        return;
    {
        std::lock_guard lock(m_mutex);
        Pending p;
        p.alerts = alerts;
        m_queue.push_back(std::move(p));
    }
    m_wake.notify_one();
}

void Journal::setHistoryRetentionDays(int days) {
    m_retentionDays = std::max(0, days);
    {
        std::lock_guard lock(m_mutex);
        m_pruneRequested = true; // a changed setting takes effect now, not at the next round
    }
    m_wake.notify_one();
}

void Journal::setCheckpointRequester(CheckpointRequester requester) {
    m_checkpointRequester = std::move(requester);
    m_nextCheckpoint = std::chrono::steady_clock::now() + kCheckpointInterval;
}

void Journal::saveSnapshot(qint64 coveredId, QList<FleetSnapshot::Entry> entries) {
    {
        std::lock_guard lock(m_mutex);
        Pending p;
        p.snapshotCoveredId = std::max<qint64>(coveredId, 1);
        p.snapshot = std::move(entries);
        m_queue.push_back(std::move(p));
    }
    m_wake.notify_one();
}

Journal::Checkpoint Journal::uncheckpointed() const {
    return m_uncheckpointed;
}

void Journal::close() {
    if (!m_worker.isRunning())
        return;
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    m_worker.join();
}

void Journal::run(Database &db) {
    // The writer's page cache holds the upper levels and the recently touched leaves of the
    // history and event_ids indexes: with SQLite's 2 MB default, every insert into a journal of a
    // few hundred thousand deliveries re-read its pages from the OS (a pread each).
    QSqlQuery cache(db.connection());
    if (!cache.exec(QStringLiteral("PRAGMA cache_size=-%1").arg(kWriterCacheKiB)))
        qWarning("fleetmon: setting the journal cache failed: %s", qPrintable(cache.lastError().text()));
    std::deque<Pending> batch;
    auto nextPrune = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
        bool pruneNow = false;
        {
            std::lock_guard lock(m_mutex);
            pruneNow = std::exchange(m_pruneRequested, false);
        }
        if (pruneNow || std::chrono::steady_clock::now() >= nextPrune) {
            pruneHistory(db);
            nextPrune = std::chrono::steady_clock::now() + kPruneInterval;
        }
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait_until(lock, nextPrune,
                              [this] { return m_stopping || m_pruneRequested || !m_queue.empty(); });
            if (m_queue.empty()) {
                if (m_stopping && !m_pruneRequested)
                    return; // everything queued was written, every asked prune done
                continue;   // time to prune, or asked to
            }
            while (!m_queue.empty() && batch.size() < kMaxBatch) {
                batch.push_back(std::move(m_queue.front()));
                m_queue.pop_front();
            }
        }
        writeBatch(batch, db);
        batch.clear();
    }
}

// The statements of one batch, prepared once per transaction.
class BatchWriter {
public:
    explicit BatchWriter(QSqlDatabase &db)
        : m_claim(db)
        , m_insert(db)
        , m_sample(db)
        , m_alert(db) {}

    bool prepare() {
        return check(m_claim, m_claim.prepare(
                                  QStringLiteral("INSERT OR IGNORE INTO event_ids(event_id) VALUES(?)"))) &&
               check(m_insert,
                     m_insert.prepare(QStringLiteral(
                         "INSERT INTO deliveries(received_at, event_id, event_type, vehicle_id, verdict,"
                         " status, headers, body, replay) VALUES(?,?,?,?,?,?,?,?,?)"))) &&
               check(m_sample,
                     m_sample.prepare(QStringLiteral("INSERT OR IGNORE INTO history(vehicle_id, code,"
                                                     " field, t, value) VALUES(?,?,?,?,?)"))) &&
               check(m_alert,
                     m_alert.prepare(QStringLiteral(
                         "INSERT OR REPLACE INTO alerts(id, vehicle_id, kind, subject, severity, message,"
                         " first_seen, last_seen, fire_count, cleared_at, cleared_by, acknowledged_at,"
                         " acknowledged_by) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)")));
    }

    // Decides Accepted or Duplicate against the unique eventId, then stores the delivery and,
    // when accepted, its history points.
    bool writeDelivery(model::Delivery &d, qint64 *id) {
        // A replay is asked for by the user: it is applied again on purpose, never a duplicate.
        if (d.verdict == model::Verdict::Accepted && !d.eventId.isEmpty() && !d.replay) {
            m_claim.addBindValue(d.eventId);
            if (!check(m_claim, m_claim.exec()))
                return false;
            if (m_claim.numRowsAffected() == 0)
                d.verdict = model::Verdict::Duplicate;
        }
        m_insert.addBindValue(d.receivedAtMs);
        m_insert.addBindValue(d.eventId.isEmpty() ? QVariant(QMetaType(QMetaType::QString))
                                                  : QVariant(d.eventId));
        m_insert.addBindValue(d.eventType);
        m_insert.addBindValue(d.vehicleId);
        m_insert.addBindValue(model::verdictName(d.verdict));
        m_insert.addBindValue(d.status);
        m_insert.addBindValue(QString::fromUtf8(d.headers));
        m_insert.addBindValue(d.body.isNull() ? QVariant(QMetaType(QMetaType::QByteArray))
                                              : QVariant(d.body));
        m_insert.addBindValue(d.replay ? 1 : 0);
        if (!check(m_insert, m_insert.exec()))
            return false;
        *id = m_insert.lastInsertId().toLongLong();
        if (d.verdict != model::Verdict::Accepted)
            return true;
        for (const model::HistorySample &h : std::as_const(d.samples)) {
            m_sample.addBindValue(h.vehicleId);
            m_sample.addBindValue(h.code);
            m_sample.addBindValue(h.field);
            m_sample.addBindValue(h.oemUpdatedAt);
            m_sample.addBindValue(h.value);
            if (!check(m_sample, m_sample.exec()))
                return false;
        }
        return true;
    }

    bool writeAlerts(const QList<model::Alert> &alerts) {
        for (const model::Alert &a : alerts) {
            // Qt SQL binds a null QString as NULL; the columns hold "" for "none".
            auto text = [](const QString &v) { return v.isNull() ? QString(QLatin1String("")) : v; };
            const QVariantList values = {a.id,
                                         text(a.vehicleId),
                                         model::alertKindName(a.kind),
                                         text(a.subject),
                                         model::alertSeverityName(a.severity),
                                         text(a.message),
                                         a.firstSeenAt,
                                         a.lastSeenAt,
                                         a.fireCount,
                                         a.clearedAt,
                                         text(a.clearedBy),
                                         a.acknowledgedAt,
                                         text(a.acknowledgedBy)};
            for (const QVariant &v : values)
                m_alert.addBindValue(v);
            if (!check(m_alert, m_alert.exec()))
                return false;
        }
        return true;
    }

    const QString &error() const { return m_error; }

private:
    bool check(const QSqlQuery &q, bool ok) {
        if (!ok)
            m_error = q.lastError().text();
        return ok;
    }

    QSqlQuery m_claim, m_insert, m_sample, m_alert;
    QString m_error;
};

bool Journal::writeTransaction(Database &db, const std::function<bool(BatchWriter &)> &write,
                               QString *error) {
    QSqlDatabase &sql = db.connection();
    if (!sql.transaction()) {
        *error = sql.lastError().text();
        return false;
    }
    BatchWriter writer(sql);
    bool ok = writer.prepare() && write(writer);
    if (!ok)
        *error = writer.error();
    // The charted readings this transaction inserted join the min/max pyramid before it commits.
    if (ok && !db.historyRollup()->applyPending(error))
        ok = false;
    if (ok && !sql.commit()) {
        ok = false;
        *error = sql.lastError().text();
    }
    if (!ok)
        sql.rollback();
    return ok;
}

void Journal::writeBatch(std::deque<Pending> &batch, Database &db) {
    QList<AppendResult> results;
    results.reserve(qsizetype(batch.size()));
    QList<model::Alert> alerts;
    QList<Pending *> snapshots;

    // Deliveries first, in one transaction: their answers wait for it. Alert snapshots follow in
    // a transaction of their own, so a problem with them can never cost a delivery its 2xx.
    QString error;
    const bool ok = writeTransaction(
        db,
        [&](BatchWriter &writer) {
            for (Pending &p : batch) {
                if (p.ticket == 0) {
                    if (p.snapshotCoveredId > 0)
                        snapshots.append(&p);
                    alerts += p.alerts;
                    continue;
                }
                AppendResult r;
                r.ticket = p.ticket;
                if (!writer.writeDelivery(p.delivery, &r.id))
                    return false;
                r.committed = true;
                r.verdict = p.delivery.verdict;
                results.append(r);
            }
            return true;
        },
        &error);
    if (!ok) {
        // Nothing of the batch is stored: every waiting delivery is told so.
        results.clear();
        for (const Pending &p : batch) {
            if (p.ticket == 0)
                continue;
            AppendResult r;
            r.ticket = p.ticket;
            r.committed = false;
            r.error = error;
            r.verdict = p.delivery.verdict;
            results.append(r);
        }
    }
    QString alertError;
    if (!alerts.isEmpty() &&
        !writeTransaction(
            db, [&](BatchWriter &writer) { return writer.writeAlerts(alerts); }, &alertError))
        qWarning("fleetmon: storing %lld alert changes failed: %s", qint64(alerts.size()),
                 qPrintable(alertError));
    if (!snapshots.isEmpty())
        writeSnapshots(snapshots, db);
    if (m_listener && !results.isEmpty())
        m_listener(results);
    if (m_checkpointRequester && ok)
        noteCommitted(batch, results);
}

// Runs after the listener was called for the batch: whoever answers the request on the thread the
// listener hands results to sees the fleet exactly as of the last id reported.
void Journal::noteCommitted(const std::deque<Pending> &batch, const QList<AppendResult> &results) {
    qsizetype r = 0;
    for (const Pending &p : batch) {
        if (p.ticket == 0)
            continue;
        const AppendResult &result = results.at(r++);
        m_uncheckpointed.coveredId = std::max(m_uncheckpointed.coveredId, result.id);
        if (result.verdict == model::Verdict::Accepted && !p.delivery.vehicleId.isEmpty()) {
            m_uncheckpointed.vehicles.insert(p.delivery.vehicleId);
            ++m_acceptedSinceCheckpoint;
        }
    }
    if (m_uncheckpointed.vehicles.isEmpty() && !m_uncheckpointed.everyVehicle)
        return;
    if (m_acceptedSinceCheckpoint < kCheckpointDeliveries &&
        std::chrono::steady_clock::now() < m_nextCheckpoint)
        return;
    m_checkpointRequester(m_uncheckpointed.coveredId, m_uncheckpointed.vehicles,
                          m_uncheckpointed.everyVehicle);
    m_uncheckpointed.vehicles.clear();
    m_uncheckpointed.everyVehicle = false;
    m_acceptedSinceCheckpoint = 0;
    m_nextCheckpoint = std::chrono::steady_clock::now() + kCheckpointInterval;
}

void Journal::writeSnapshots(const QList<Pending *> &snapshots, Database &db) {
    QSqlDatabase &sql = db.connection();
    for (Pending *p : snapshots) {
        QString error;
        bool ok = sql.transaction();
        if (!ok)
            error = sql.lastError().text();
        if (ok && !FleetSnapshot::write(sql, p->snapshotCoveredId, p->snapshot, &error))
            ok = false;
        if (ok && !sql.commit()) {
            ok = false;
            error = sql.lastError().text();
        }
        if (ok)
            continue;
        sql.rollback();
        // Rows of the vehicles in this checkpoint may be stale now: the next start replays
        // everything, and the next checkpoint rewrites every vehicle.
        QString invalidateError;
        FleetSnapshot::invalidate(sql, &invalidateError);
        m_uncheckpointed.everyVehicle = true;
        qWarning("fleetmon: storing the fleet snapshot failed: %s", qPrintable(error));
    }
}

void Journal::pruneHistory(Database &db) {
    const int days = m_retentionDays.load();
    if (days <= 0)
        return;
    const qint64 cutoff = QDateTime::currentMSecsSinceEpoch() - qint64(days) * 24 * 3600 * 1000;
    // The readings and their pyramid go together, or neither does.
    QSqlDatabase &sql = db.connection();
    QString error;
    bool ok = sql.transaction();
    if (ok) {
        QSqlQuery prune(sql);
        prune.prepare(QStringLiteral("DELETE FROM history WHERE t < ?"));
        prune.addBindValue(cutoff);
        ok = prune.exec();
        if (!ok)
            error = prune.lastError().text();
        if (ok && !db.historyRollup()->prune(cutoff, &error))
            ok = false;
        if (ok && !sql.commit()) {
            ok = false;
            error = sql.lastError().text();
        }
        if (!ok)
            sql.rollback();
    } else {
        error = sql.lastError().text();
    }
    if (!ok)
        qWarning("fleetmon: pruning history failed: %s", qPrintable(error));
}

} // namespace store
