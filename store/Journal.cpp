#include "store/Journal.h"

#include "store/Database.h"
#include "store/HistoryRollup.h"
#include "store/JournalWriter.h"
#include "store/SqliteStatement.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>

#include <sqlite3.h>

namespace store {

namespace {
// Bounds one transaction so a huge backlog still reports progress and keeps latency even.
constexpr size_t kMaxJournalBatch = 2048;
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

void Journal::setHealthListener(HealthListener listener) {
    m_healthListener = std::move(listener);
}

quint64 Journal::append(model::Delivery delivery) {
    quint64 ticket;
    {
        std::lock_guard lock(m_mutex);
        ticket = m_nextTicket++;
        m_queue.push_back({ticket, std::move(delivery), {}, {}, 0, {}, {}, 0, {}});
    }
    m_wake.notify_one();
    return ticket;
}

void Journal::enqueue(Pending p) {
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(std::move(p));
    }
    m_wake.notify_one();
}

void Journal::saveAlerts(const QList<model::Alert> &alerts) {
    if (alerts.isEmpty())
        return;
    Pending p;
    p.alerts = alerts;
    enqueue(std::move(p));
}

void Journal::saveProgress(const QString &name, qint64 value) {
    Pending p;
    p.progress.insert(name, value);
    enqueue(std::move(p));
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
    Pending p;
    p.snapshotCoveredId = std::max<qint64>(coveredId, 1);
    p.snapshot = std::move(entries);
    enqueue(std::move(p));
}

void Journal::planSnapshot(qint64 coveredId, QList<SnapshotVehicle> vehicles) {
    Pending p;
    p.snapshotCoveredId = std::max<qint64>(coveredId, 1);
    p.planned = std::move(vehicles);
    enqueue(std::move(p));
}

void Journal::setSliceSupplier(SliceSupplier supplier) {
    m_sliceSupplier = std::move(supplier);
}

void Journal::supplySnapshotSlice(quint64 plan, FleetSnapshot::EncodedRows rows) {
    Pending p;
    p.suppliedPlan = plan;
    p.supplied = std::move(rows);
    enqueue(std::move(p));
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
    // SQLite rolls a failed transaction back, but after a full disk or an I/O error the one state
    // known to be sound is a fresh connection: the file is closed and opened again.
    while (!serve(db)) {
        if (!recover(db))
            return;
    }
}

bool Journal::serve(Database &db) {
    // The writer's page cache holds the upper levels and the recently touched leaves of the
    // history and event_ids indexes: with SQLite's 2 MB default, every insert into a journal of a
    // few hundred thousand deliveries re-read its pages from the OS (a pread each).
    QSqlQuery cache(db.connection());
    if (!cache.exec(QStringLiteral("PRAGMA cache_size=-%1").arg(kWriterCacheKiB)))
        qWarning("fleetmon: setting the journal cache failed: %s", qPrintable(cache.lastError().text()));
    // The statements live as long as the thread's connection: preparing them per transaction cost
    // more than some of the inserts.
    JournalWriter writer(db);
    QString prepareError;
    if (!writer.prepare(&prepareError))
        qWarning("fleetmon: preparing the journal's statements failed: %s", qPrintable(prepareError));
    // Checkpoints off the commit path; if that cannot start, SQLite's own stay in the commits.
    QString checkpointError;
    if (!m_walCheckpointer.start(db.path(), SqliteStatement::handleOf(db.connection()), m_walLimits,
                                 &checkpointError))
        qWarning("fleetmon: checkpointing the journal on its own thread failed, commits do it: %s",
                 qPrintable(checkpointError));
    struct StopCheckpointer {
        WalCheckpointer &checkpointer;
        ~StopCheckpointer() { checkpointer.stop(); } // before the connection closes
    } stopCheckpointer{m_walCheckpointer};
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
            m_walCheckpointer.writerCommitted();
            nextPrune = std::chrono::steady_clock::now() + kPruneInterval;
        }
        if (m_episodeOpen && std::chrono::steady_clock::now() >= m_confirmAt)
            confirmRecovery();
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait_until(lock, m_episodeOpen ? std::min(nextPrune, m_confirmAt) : nextPrune, [this] {
                return m_stopping || m_pruneRequested || !m_queue.empty() || snapshotWritable();
            });
            if (m_queue.empty()) {
                if (snapshotWritable()) {
                    lock.unlock();
                    writeSnapshotChunk(db); // idle: the snapshot goes on
                    continue;
                }
                if (m_stopping && !m_pruneRequested) {
                    // A planned snapshot still waiting for a slice is not waited for: its vehicles
                    // go to what no checkpoint covered, which the owner saves at its stop.
                    for (const SnapshotInProgress &left : m_snapshotBacklog) {
                        for (const SnapshotVehicle &v : left.unasked)
                            m_uncheckpointed.vehicles.insert(v.id);
                        for (const SnapshotVehicle &v : left.inFlight)
                            m_uncheckpointed.vehicles.insert(v.id);
                        for (const FleetSnapshot::EncodedRows::Row &row : left.supplied.rows())
                            m_uncheckpointed.vehicles.insert(row.vehicleId);
                        for (const FleetSnapshot::Entry &e : left.remaining)
                            m_uncheckpointed.vehicles.insert(e.vehicle.id);
                    }
                    m_snapshotBacklog.clear();
                    return true; // everything queued was written, every asked prune done
                }
                continue; // time to prune, or asked to
            }
            while (!m_queue.empty() && batch.size() < kMaxJournalBatch) {
                batch.push_back(std::move(m_queue.front()));
                m_queue.pop_front();
            }
        }
        const bool written = writeBatch(batch, db, writer);
        batch.clear();
        if (!written)
            return false;
    }
}

bool Journal::recover(Database &db) {
    const QString path = db.path();
    db.close();
    const auto downSince = std::chrono::steady_clock::now();
    // A checkpoint not written now is written whole later: every vehicle, as of a later id.
    if (!m_snapshotBacklog.empty()) {
        m_snapshotBacklog.clear();
        m_uncheckpointed.everyVehicle = true;
    }
    // Writing more into a malformed file can only spread the damage, and no retry mends it.
    const bool damaged = m_failureCode == SQLITE_CORRUPT || m_failureCode == SQLITE_NOTADB;
    // A failure again soon after the last recovery (a disk at the edge of full: the probe fits,
    // a batch does not) continues that episode instead of reporting a new one.
    if (!m_episodeOpen || (damaged && !m_health.damaged)) {
        if (!m_episodeOpen)
            m_downSince = downSince;
        m_episodeOpen = true;
        m_health.writable = false;
        m_health.damaged = damaged;
        m_health.error = damaged ? QStringLiteral("%1 is damaged: %2. Deliveries are refused until Fleet "
                                                  "Monitor is restarted on a sound journal. %3")
                                       .arg(path, m_failure, Database::recoveryHint(path))
                                 : m_failure;
        m_health.downMs = 0;
        if (m_healthListener)
            m_healthListener(m_health);
    }
    QString lastError = damaged ? QStringLiteral("the journal is damaged: %1").arg(m_failure) : m_failure;
    auto delay = std::chrono::milliseconds(kRetryFirst);
    for (;;) {
        const auto retryAt = std::chrono::steady_clock::now() + delay;
        for (;;) {
            std::deque<Pending> arrived;
            bool stopping = false;
            {
                std::unique_lock lock(m_mutex);
                const auto due = [this] { return m_stopping || !m_queue.empty(); };
                if (damaged)
                    m_wake.wait(lock, due); // never tried again
                else
                    m_wake.wait_until(lock, retryAt, due);
                arrived.swap(m_queue);
                stopping = m_stopping;
            }
            // Answered at once: Smartcar retries a refused delivery, it must not wait for a timeout.
            if (!arrived.empty())
                refuse(arrived, lastError);
            if (stopping)
                return false;
            if (!damaged && std::chrono::steady_clock::now() >= retryAt)
                break;
        }
        QString error;
        if (db.open(path, Database::Mode::ReadWrite, &error) && probeWrite(db, &error))
            break;
        db.close();
        lastError = error;
        delay = std::min<std::chrono::milliseconds>(delay * 2, kRetryMax);
    }
    // Said once writes have gone on working for a while (see confirmRecovery()).
    m_writableAgainAt = std::chrono::steady_clock::now();
    m_confirmAt = m_writableAgainAt + kRecoveryConfirm;
    if (!m_heldAlerts.isEmpty() || !m_heldProgress.isEmpty()) {
        // Older than anything queued now, so they go first.
        Pending held;
        held.alerts = std::exchange(m_heldAlerts, {});
        held.progress = std::exchange(m_heldProgress, {});
        std::lock_guard lock(m_mutex);
        m_queue.push_front(std::move(held));
    }
    return true;
}

void Journal::confirmRecovery() {
    m_episodeOpen = false;
    m_health.writable = true;
    m_health.downMs =
        std::chrono::duration_cast<std::chrono::milliseconds>(m_writableAgainAt - m_downSince).count();
    if (m_healthListener)
        m_healthListener(m_health);
    m_health = {};
}

// A write that needs what a delivery needs (a writable file, room for a WAL frame) and changes
// nothing: the schema version, set to what it is.
bool Journal::probeWrite(Database &db, QString *error) {
    sqlite3 *handle = SqliteStatement::handleOf(db.connection());
    const QByteArray setVersion = "PRAGMA user_version=" + QByteArray::number(Database::kSchemaVersion);
    if (!SqliteStatement::exec(handle, "BEGIN IMMEDIATE", error))
        return false;
    if (SqliteStatement::exec(handle, setVersion.constData(), error) &&
        SqliteStatement::exec(handle, "COMMIT", error))
        return true;
    SqliteStatement::exec(handle, "ROLLBACK", nullptr);
    return false;
}

QList<AppendResult> Journal::refusedResults(const std::deque<Pending> &batch, const QString &error) {
    QList<AppendResult> results;
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
    return results;
}

void Journal::refuse(std::deque<Pending> &batch, const QString &error) {
    for (const Pending &p : batch) {
        if (p.ticket != 0)
            continue;
        m_heldAlerts += p.alerts;
        m_heldProgress.insert(p.progress);
        if (p.snapshotCoveredId > 0)
            m_uncheckpointed.everyVehicle = true;
    }
    const QList<AppendResult> results = refusedResults(batch, error);
    m_health.refused += results.size();
    if (m_listener && !results.isEmpty())
        m_listener(results);
}

bool Journal::writeTransaction(Database &db, JournalWriter &writer,
                               const std::function<bool(JournalWriter &)> &write, QString *error) {
    QSqlDatabase &sql = db.connection();
    // Deliveries and alerts are answered as durable: their commit syncs (see writeSnapshotChunk).
    if (m_snapshotSyncRelaxed) {
        if (!SqliteStatement::exec(SqliteStatement::handleOf(sql), "PRAGMA synchronous=FULL", error))
            return false;
        m_snapshotSyncRelaxed = false;
    }
    if (!sql.transaction()) {
        *error = sql.lastError().text();
        return false;
    }
    bool ok = write(writer);
    if (!ok)
        *error = writer.error();
    // The charted readings this transaction inserted join the min/max pyramid before it commits.
    if (ok && !db.historyRollup()->applyPending(error))
        ok = false;
    if (ok && !sql.commit()) {
        ok = false;
        *error = sql.lastError().text();
    }
    if (!ok) {
        // Before the rollback, which would report its own outcome instead.
        m_failureCode = sqlite3_extended_errcode(SqliteStatement::handleOf(sql)) & 0xff; // primary code
        sql.rollback();
        db.historyRollup()->discardPending(); // none of the readings it was told of are stored
    }
    return ok;
}

bool Journal::writeBatch(std::deque<Pending> &batch, Database &db, JournalWriter &writer) {
    QList<AppendResult> results;
    results.reserve(qsizetype(batch.size()));
    QList<model::Alert> alerts;
    QHash<QString, qint64> progress; // the latest value of each name in the batch

    // Deliveries first, in one transaction: their answers wait for it. Alert snapshots follow in
    // a transaction of their own, so a problem with them can never cost a delivery its 2xx.
    QString error;
    const bool ok = writeTransaction(
        db, writer,
        [&](JournalWriter &w) {
            for (Pending &p : batch) {
                if (p.ticket == 0) {
                    if (p.snapshotCoveredId > 0) {
                        SnapshotInProgress snapshot;
                        snapshot.coveredId = p.snapshotCoveredId;
                        snapshot.remaining = std::move(p.snapshot);
                        m_largestSnapshotHeld =
                            std::max(m_largestSnapshotHeld.load(), snapshot.remaining.size());
                        if (!p.planned.isEmpty()) {
                            snapshot.plan = m_nextPlan++;
                            snapshot.unasked = std::move(p.planned);
                        }
                        m_snapshotBacklog.push_back(std::move(snapshot));
                    }
                    if (p.suppliedPlan > 0) {
                        // A slice of a snapshot given up since (a failed write) has nowhere to go.
                        for (SnapshotInProgress &snapshot : m_snapshotBacklog)
                            if (snapshot.plan == p.suppliedPlan && snapshot.asked) {
                                snapshot.supplied = std::move(p.supplied);
                                snapshot.asked = false;
                                snapshot.inFlight.clear();
                                m_largestSnapshotHeld =
                                    std::max(m_largestSnapshotHeld.load(), snapshot.supplied.size());
                            }
                    }
                    alerts += p.alerts;
                    progress.insert(p.progress);
                    continue;
                }
                AppendResult r;
                r.ticket = p.ticket;
                if (!w.writeDelivery(p.delivery, &r.id))
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
        results = refusedResults(batch, error);
        m_health.refused += results.size();
        m_failure = error;
    }
    // The deliveries are durable: their answers go out now, not after the alert and snapshot
    // writes below (a snapshot of thousands of vehicles takes long enough to show in latency).
    if (m_listener && !results.isEmpty())
        m_listener(results);
    if (!ok) {
        m_heldAlerts += alerts; // written once the journal can be written again
        m_heldProgress.insert(progress);
        return false;
    }
    QString alertError;
    if ((!alerts.isEmpty() || !progress.isEmpty()) &&
        !writeTransaction(
            db, writer, [&](JournalWriter &w) { return w.writeAlerts(alerts) && w.writeProgress(progress); },
            &alertError)) {
        m_heldAlerts += alerts;
        m_heldProgress.insert(progress);
        m_failure = alertError;
        if (m_checkpointRequester)
            noteCommitted(batch, results);
        return false;
    }
    // One slice of a pending fleet snapshot per batch: 10,000 vehicles in one go held the store
    // thread (and so the next batch's answers) for most of a second.
    if (snapshotWritable())
        writeSnapshotChunk(db);
    if (m_checkpointRequester)
        noteCommitted(batch, results);
    m_walCheckpointer.writerCommitted(); // the answers are out: a checkpoint may start now
    return true;
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

bool Journal::snapshotWritable() const {
    if (m_snapshotBacklog.empty())
        return false;
    const SnapshotInProgress &current = m_snapshotBacklog.front();
    return !current.asked; // else the slice asked for comes through the queue
}

// A planned snapshot's next slice is asked for as soon as the one before is written: it arrives
// while the next batch is, and the entries of one slice at most wait in between.
void Journal::askNextSlice() {
    SnapshotInProgress &current = m_snapshotBacklog.front();
    if (!m_sliceSupplier) {
        // Nobody to ask (so nothing was asked): what it covers waits for the next checkpoint or
        // the owner's last one.
        for (const SnapshotVehicle &v : current.unasked)
            m_uncheckpointed.vehicles.insert(v.id);
        m_snapshotBacklog.pop_front();
        return;
    }
    const qsizetype take = std::min<qsizetype>(kSnapshotChunk, current.unasked.size());
    const QList<SnapshotVehicle> slice = current.unasked.first(take);
    current.unasked.remove(0, take);
    current.asked = true;
    current.inFlight = slice;
    m_sliceSupplier(current.plan, slice, std::exchange(m_spareRows, {}));
}

// Writes the next slice of the oldest pending snapshot in a transaction of its own; the slice
// that completes it also records the journal id it covers. Until then the cover still names the
// previous snapshot: rows already rewritten are newer than it, which a start handles like any
// snapshot, by replaying the deliveries after the cover (applying a delivery again changes nothing).
void Journal::writeSnapshotChunk(Database &db) {
    SnapshotInProgress &current = m_snapshotBacklog.front();
    if (current.plan > 0 && current.supplied.isEmpty() && !current.unasked.isEmpty()) {
        askNextSlice();
        return;
    }
    // A planned snapshot's slice arrives encoded; a whole one is taken a slice at a time.
    FleetSnapshot::EncodedRows rows = std::exchange(current.supplied, {});
    const qsizetype take = std::min<qsizetype>(kSnapshotChunk, current.remaining.size());
    const QList<FleetSnapshot::Entry> slice = current.remaining.first(take);
    current.remaining.remove(0, take);
    const bool completes = current.remaining.isEmpty() && current.unasked.isEmpty();
    const qint64 coveredId = current.coveredId;
    if (completes)
        m_snapshotBacklog.pop_front();

    QSqlDatabase &sql = db.connection();
    // A snapshot only saves a start the replay of what the journal holds, so its commit need not
    // wait for the disk: the next delivery's commit syncs the WAL with these frames in it, and a
    // crash before that loses a slice, never a delivery (the start replays from the older cover).
    // Its own sync (1-20 ms) held up the batches queued behind it.
    if (SqliteStatement::exec(SqliteStatement::handleOf(sql), "PRAGMA synchronous=NORMAL", nullptr))
        m_snapshotSyncRelaxed = true; // back to FULL before the next delivery (writeTransaction)
    QString error;
    bool ok = sql.transaction();
    if (!ok)
        error = sql.lastError().text();
    if (ok && !(rows.isEmpty() ? FleetSnapshot::write(sql, completes ? coveredId : 0, slice, &error)
                               : FleetSnapshot::write(sql, completes ? coveredId : 0, rows, &error)))
        ok = false;
    if (ok && !sql.commit()) {
        ok = false;
        error = sql.lastError().text();
    }
    m_walCheckpointer.writerCommitted();
    // Emptied, its room kept, for the next slice asked for (this checkpoint's or the next one's).
    if (!rows.isEmpty()) {
        rows.clear();
        m_spareRows = std::move(rows);
    }
    if (ok) {
        if (!completes && m_snapshotBacklog.front().remaining.isEmpty() &&
            m_snapshotBacklog.front().supplied.isEmpty() && !m_snapshotBacklog.front().unasked.isEmpty())
            askNextSlice();
        return;
    }
    sql.rollback();
    // Rows of the vehicles in this checkpoint may be stale now: the next start replays
    // everything, and the next checkpoint rewrites every vehicle.
    if (!completes)
        m_snapshotBacklog.pop_front();
    QString invalidateError;
    FleetSnapshot::invalidate(sql, &invalidateError);
    m_uncheckpointed.everyVehicle = true;
    qWarning("fleetmon: storing the fleet snapshot failed: %s", qPrintable(error));
}

void Journal::pruneHistory(Database &db) {
    const int days = m_retentionDays.load();
    if (days <= 0)
        return;
    QString error;
    if (!db.pruneHistory(QDateTime::currentMSecsSinceEpoch() - qint64(days) * 24 * 3600 * 1000, &error))
        qWarning("fleetmon: pruning history failed: %s", qPrintable(error));
}

} // namespace store
