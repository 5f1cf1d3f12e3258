#include "store/PostgresJournal.h"

#include "store/PostgresSchema.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QVariant>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <thread>

namespace store {

namespace {

// Bounds one transaction so a huge backlog still reports progress and keeps latency even.
constexpr size_t kMaxPostgresBatch = 2048;
// Deliveries per INSERT: one round trip for many rows. Chunks are powers of two from kMaxRows
// down to kMinRows (a prepared statement each); fewer rows left go one by one.
constexpr size_t kMaxRows = 64;
constexpr size_t kMinRows = 4;
// Each chunk is a subtransaction (a savepoint); a batch stays under the 64 a PostgreSQL backend
// tracks without overflowing to disk (32 of kMaxRows, then at most 32, 16, 8 and 4 rows).
static_assert(kMaxPostgresBatch / kMaxRows + 4 < 64);

std::atomic<quint64> g_journalConnectionSerial{0};

// The columns are NOT NULL (an absent value is ''), and PostgreSQL text cannot hold U+0000, which
// a JSON body may spell as \u0000: it would fail the whole batch, again at every retry.
QString text(const QString &value) {
    if (value.isNull())
        return QLatin1String("");
    if (!value.contains(QChar(0)))
        return value;
    QString cleaned = value;
    cleaned.replace(QChar(0), QChar::ReplacementCharacter);
    return cleaned;
}

QByteArray bytes(const QByteArray &value) {
    return value.isNull() ? QByteArray("") : value;
}

QString errorOf(const QSqlQuery &q) {
    return q.lastError().text();
}

} // namespace

struct PostgresJournal::Private {
    struct Pending {
        quint64 ticket = 0;
        model::Delivery delivery;
    };

    // The statements of one connection, prepared once (the server keeps their plans) and gone
    // before the connection closes.
    struct Statements {
        explicit Statements(QSqlDatabase &connection)
            : db(connection)
            , lock(db)
            , claim(db)
            , insert(db)
            , notify(db)
            , savepoint(db) {}
        QSqlDatabase &db;
        QSqlQuery lock;   // the commit-order lock, first in every transaction
        QSqlQuery claim;  // an Accepted delivery with an eventId: stored unless one is already
        QSqlQuery insert; // every other delivery, and the duplicate a failed claim turns into
        QSqlQuery notify;
        QSqlQuery savepoint; // SAVEPOINT cannot be prepared: sent as text
        // Multi-row inserts by row count (powers of two up to kMaxRows), prepared when first needed.
        std::map<int, std::unique_ptr<QSqlQuery>> many;

        static QString columns() {
            return QStringLiteral(
                "received_at, event_id, event_type, vehicle_id, verdict, status, headers, body, node");
        }
        static bool prepared(QSqlQuery &q, const QString &sql, QString *error) {
            if (q.prepare(sql))
                return true;
            *error = QStringLiteral("preparing the journal's statements failed: %1").arg(errorOf(q));
            return false;
        }

        bool prepare(QString *error) {
            return prepared(lock,
                            QStringLiteral("SELECT pg_advisory_xact_lock(%1)")
                                .arg(PostgresSchema::kCommitOrderLock),
                            error) &&
                   prepared(claim,
                            QStringLiteral("INSERT INTO deliveries (%1, accepted_event_id) VALUES "
                                           "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
                                           "(accepted_event_id) DO NOTHING RETURNING id")
                                .arg(columns()),
                            error) &&
                   prepared(insert,
                            QStringLiteral("INSERT INTO deliveries (%1) VALUES "
                                           "(?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")
                                .arg(columns()),
                            error) &&
                   prepared(notify,
                            QStringLiteral("SELECT pg_notify('%1', ?)")
                                .arg(QLatin1String(PostgresSchema::kDeliveriesChannel)),
                            error);
        }

        // `rows` deliveries in one statement; a row whose eventId is taken is left out.
        QSqlQuery *insertMany(int rows, QString *error) {
            std::unique_ptr<QSqlQuery> &q = many[rows];
            if (q)
                return q.get();
            QStringList values;
            for (int i = 0; i < rows; ++i)
                values.append(QStringLiteral("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
            auto query = std::make_unique<QSqlQuery>(db);
            if (!prepared(
                    *query,
                    QStringLiteral("INSERT INTO deliveries (%1, accepted_event_id) VALUES %2 ON CONFLICT "
                                   "(accepted_event_id) DO NOTHING RETURNING id, event_id")
                        .arg(columns(), values.join(QStringLiteral(", "))),
                    error))
                return nullptr;
            q = std::move(query);
            return q.get();
        }
    };

    PostgresLocation location;
    QString node;
    QString connectionName;
    CommitListener listener;
    HealthListener healthListener;
    QThread *thread = nullptr;

    std::mutex mutex;
    std::condition_variable wake;
    std::deque<Pending> queue;
    quint64 nextTicket = 1;
    bool stopping = false;
    bool probeDone = false; // the reconnect attempt's thread has finished

    // Store thread only.
    JournalHealth health;
    QString failure; // the error that ended the last serve()

    QString where() const { return location.displayName(); }

    // Open + schema; false with `error` (which names the database, never its password).
    bool connect(QSqlDatabase &db, QString *error) {
        if (!db.open()) {
            *error = QStringLiteral("cannot connect to %1: %2").arg(where(), db.lastError().text().trimmed());
            db.close();
            return false;
        }
        if (!PostgresSchema::ensure(db, error)) {
            *error = QStringLiteral("cannot use %1: %2").arg(where(), error->trimmed());
            db.close();
            return false;
        }
        return true;
    }

    void run(const std::shared_ptr<std::promise<QString>> &opened) {
        {
            QSqlDatabase db = location.addConnection(connectionName);
            QString error;
            const bool ok = connect(db, &error);
            opened->set_value(ok ? QString() : error);
            if (ok) {
                while (!serve(db)) {
                    if (!recover(db))
                        break;
                }
            }
            db.close();
        }
        QSqlDatabase::removeDatabase(connectionName);
    }

    // Writes until told to stop with nothing queued (true) or until a write fails (false: the
    // connection must go).
    bool serve(QSqlDatabase &db) {
        Statements statements(db);
        if (!statements.prepare(&failure))
            return false;
        std::deque<Pending> batch;
        for (;;) {
            {
                std::unique_lock lock(mutex);
                wake.wait(lock, [this] { return stopping || !queue.empty(); });
                if (queue.empty())
                    return true; // stopping, and everything queued was written
                while (!queue.empty() && batch.size() < kMaxPostgresBatch) {
                    batch.push_back(std::move(queue.front()));
                    queue.pop_front();
                }
            }
            const bool written = writeBatch(batch, db, statements);
            batch.clear();
            if (!written)
                return false;
        }
    }

    static bool exec(QSqlQuery &q, QString *error) {
        if (q.exec())
            return true;
        *error = errorOf(q);
        return false;
    }

    void bindDelivery(QSqlQuery &q, const model::Delivery &d, model::Verdict verdict) {
        q.bindValue(0, d.receivedAtMs);
        q.bindValue(1, text(d.eventId));
        q.bindValue(2, text(d.eventType));
        q.bindValue(3, text(d.vehicleId));
        q.bindValue(4, model::verdictName(verdict));
        q.bindValue(5, d.status);
        q.bindValue(6, bytes(d.headers));
        q.bindValue(7, bytes(d.body));
        q.bindValue(8, text(node));
    }

    // Stores one delivery of the open transaction; its id and final verdict in `r`.
    bool writeDelivery(const model::Delivery &d, Statements &s, AppendResult *r, QString *error) {
        r->verdict = d.verdict;
        if (claims(d)) {
            bindDelivery(s.claim, d, d.verdict);
            s.claim.bindValue(9, text(d.eventId));
            if (!exec(s.claim, error))
                return false;
            if (s.claim.next()) {
                r->id = s.claim.value(0).toLongLong();
                s.claim.finish();
                return true;
            }
            s.claim.finish();
            r->verdict = model::Verdict::Duplicate; // any node stored it as accepted already
        }
        bindDelivery(s.insert, d, r->verdict);
        if (!exec(s.insert, error))
            return false;
        if (!s.insert.next()) {
            *error = QStringLiteral("storing a delivery returned no id");
            return false;
        }
        r->id = s.insert.value(0).toLongLong();
        s.insert.finish();
        return true;
    }

    bool writeOne(const Pending &p, Statements &s, QList<AppendResult> *results, QString *error) {
        AppendResult r;
        r.ticket = p.ticket;
        r.committed = true;
        if (!writeDelivery(p.delivery, s, &r, error))
            return false;
        results->append(r);
        return true;
    }

    static bool claims(const model::Delivery &d) {
        // A replay is asked for by the user: it is applied again on purpose, never a duplicate.
        // Without an eventId there is nothing to tell a duplicate by.
        return d.verdict == model::Verdict::Accepted && !d.eventId.isEmpty() && !d.replay;
    }

    // `rows` deliveries from `first` in one round trip. When any of them turns out to be a
    // duplicate (rare: Smartcar retrying), the chunk is undone and written one by one, so ids stay
    // in the order of the appends and each duplicate is stored where it arrived.
    bool writeMany(const std::deque<Pending> &batch, size_t first, int rows, Statements &s,
                   QList<AppendResult> *results, QString *error) {
        QSqlQuery *q = s.insertMany(rows, error);
        if (!q)
            return false;
        bool ok = s.savepoint.exec(QStringLiteral("SAVEPOINT chunk"));
        if (!ok)
            *error = errorOf(s.savepoint);
        s.savepoint.finish();
        if (!ok)
            return false;
        const QVariant noClaim{QMetaType::fromType<QString>()};
        for (int i = 0; i < rows; ++i) {
            const model::Delivery &d = batch.at(first + size_t(i)).delivery;
            const int base = i * 10;
            q->bindValue(base + 0, d.receivedAtMs);
            q->bindValue(base + 1, text(d.eventId));
            q->bindValue(base + 2, text(d.eventType));
            q->bindValue(base + 3, text(d.vehicleId));
            q->bindValue(base + 4, model::verdictName(d.verdict));
            q->bindValue(base + 5, d.status);
            q->bindValue(base + 6, bytes(d.headers));
            q->bindValue(base + 7, bytes(d.body));
            q->bindValue(base + 8, text(node));
            q->bindValue(base + 9, claims(d) ? QVariant(text(d.eventId)) : noClaim);
        }
        if (!exec(*q, error))
            return false;
        // Rows come back in the order of VALUES, ids increasing; checked rather than assumed, so a
        // mismatch can never hand one delivery another's id.
        QList<AppendResult> stored;
        stored.reserve(rows);
        bool complete = true;
        while (q->next()) {
            const qsizetype i = stored.size();
            const qint64 id = q->value(0).toLongLong();
            if (i >= rows || (i > 0 && id <= stored.last().id) ||
                q->value(1).toString() != text(batch.at(first + size_t(i)).delivery.eventId)) {
                complete = false;
                break;
            }
            AppendResult r;
            r.ticket = batch.at(first + size_t(i)).ticket;
            r.committed = true;
            r.verdict = batch.at(first + size_t(i)).delivery.verdict;
            r.id = id;
            stored.append(r);
        }
        q->finish();
        if (complete && stored.size() == rows) {
            results->append(stored);
            return true;
        }
        ok = s.savepoint.exec(QStringLiteral("ROLLBACK TO SAVEPOINT chunk"));
        if (!ok)
            *error = errorOf(s.savepoint);
        s.savepoint.finish();
        for (int i = 0; ok && i < rows; ++i)
            ok = writeOne(batch.at(first + size_t(i)), s, results, error);
        return ok;
    }

    bool writeTransaction(std::deque<Pending> &batch, QSqlDatabase &db, Statements &s,
                          QList<AppendResult> *results, QString *error) {
        if (!db.transaction()) {
            *error = db.lastError().text();
            return false;
        }
        // Ids are handed out in lock order, so a reader never sees a higher id before a lower one.
        bool ok = exec(s.lock, error);
        s.lock.finish();
        size_t next = 0;
        while (ok && next < batch.size()) {
            const size_t left = batch.size() - next;
            size_t rows = kMaxRows;
            while (rows > left)
                rows /= 2;
            ok = rows >= kMinRows ? writeMany(batch, next, int(rows), s, results, error)
                                  : writeOne(batch.at(next), s, results, error);
            next += rows >= kMinRows ? rows : 1;
        }
        const qint64 highest = results->isEmpty() ? 0 : results->last().id;
        if (ok) {
            // Delivered by the server at COMMIT, exactly when the rows become visible.
            s.notify.bindValue(0, QString::number(highest));
            ok = exec(s.notify, error);
            s.notify.finish();
        }
        if (ok && !db.commit()) {
            *error = db.lastError().text();
            ok = false;
        }
        if (!ok && db.isOpen()) // a lost connection has nothing to roll back
            db.rollback();
        return ok;
    }

    QList<AppendResult> refusedResults(const std::deque<Pending> &batch, const QString &error) {
        QList<AppendResult> results;
        results.reserve(qsizetype(batch.size()));
        for (const Pending &p : batch) {
            AppendResult r;
            r.ticket = p.ticket;
            r.committed = false;
            r.error = error;
            r.verdict = p.delivery.verdict;
            results.append(r);
        }
        return results;
    }

    void refuse(const std::deque<Pending> &batch, const QString &error) {
        const QList<AppendResult> results = refusedResults(batch, error);
        health.refused += results.size();
        if (listener && !results.isEmpty())
            listener(results);
    }

    bool writeBatch(std::deque<Pending> &batch, QSqlDatabase &db, Statements &s) {
        QList<AppendResult> results;
        results.reserve(qsizetype(batch.size()));
        QString error;
        if (writeTransaction(batch, db, s, &results, &error)) {
            if (listener)
                listener(results);
            return true;
        }
        // Nothing of the batch is stored: every delivery in it is told so.
        failure = error.trimmed(); // the owner names the database when it reports it
        refuse(batch, failure);
        return false;
    }

    // After a failed write: reconnects with backoff until the schema checks out and a write
    // commits (true) or the journal is told to stop (false). Deliveries arriving meanwhile are
    // refused at once: Smartcar retries a refused delivery, it must not wait for a timeout.
    bool recover(QSqlDatabase &db) {
        db.close();
        const auto downSince = std::chrono::steady_clock::now();
        health.writable = false;
        health.error = failure;
        health.downMs = 0;
        if (healthListener)
            healthListener(health);
        QString lastError = failure;
        auto delay = std::chrono::milliseconds(kRetryFirst);
        for (;;) {
            const auto retryAt = std::chrono::steady_clock::now() + delay;
            for (;;) {
                std::deque<Pending> arrived;
                bool stop = false;
                {
                    std::unique_lock lock(mutex);
                    wake.wait_until(lock, retryAt, [this] { return stopping || !queue.empty(); });
                    arrived.swap(queue);
                    stop = stopping;
                }
                if (!arrived.empty())
                    refuse(arrived, lastError);
                if (stop)
                    return false;
                if (std::chrono::steady_clock::now() >= retryAt)
                    break;
            }
            QString error;
            bool stop = false;
            if (reachable(lastError, &error, &stop) && connect(db, &error) && probeWrite(db, &error))
                break;
            db.close();
            if (stop)
                return false;
            lastError = error;
            delay = std::min<std::chrono::milliseconds>(delay * 2, kRetryMax);
        }
        health.writable = true;
        health.downMs = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - downSince)
                            .count();
        if (healthListener)
            healthListener(health);
        health = {};
        return true;
    }

    // Whether a connection can be made at all, tried on a thread of its own: a server that does not
    // answer (a network gone, not a port closed) holds an attempt for libpq's connect_timeout, and
    // the deliveries arriving meanwhile must still be refused at once. `stop`: close() was called.
    bool reachable(const QString &refusal, QString *error, bool *stop) {
        const QString name =
            QStringLiteral("fleetmon-postgres-probe-%1").arg(g_journalConnectionSerial.fetch_add(1) + 1);
        {
            std::lock_guard lock(mutex);
            probeDone = false;
        }
        bool ok = false;
        QString why;
        std::thread attempt([&, name] {
            {
                QSqlDatabase probe = location.addConnection(name);
                ok = probe.open();
                if (!ok)
                    why = probe.lastError().text().trimmed();
                probe.close();
            }
            QSqlDatabase::removeDatabase(name);
            {
                std::lock_guard lock(mutex);
                probeDone = true;
            }
            wake.notify_all();
        });
        for (bool done = false; !done;) {
            std::deque<Pending> arrived;
            {
                std::unique_lock lock(mutex);
                wake.wait(lock, [this] { return probeDone || stopping || !queue.empty(); });
                arrived.swap(queue);
                *stop = stopping;
                done = probeDone;
            }
            if (!arrived.empty())
                refuse(arrived, refusal);
            if (*stop)
                break; // the attempt is waited for below, but nothing more is tried
        }
        attempt.join();
        if (*stop)
            return false;
        if (!ok)
            *error = why;
        return ok;
    }

    // What a delivery needs (a server that takes writes, room for them) without changing anything.
    bool probeWrite(QSqlDatabase &db, QString *error) {
        if (!db.transaction()) {
            *error = db.lastError().text().trimmed();
            return false;
        }
        QSqlQuery probe(db);
        bool ok = probe.exec(QStringLiteral("UPDATE fleetmon_schema SET version = version"));
        QString why = ok ? QString() : errorOf(probe);
        if (ok && !db.commit()) {
            ok = false;
            why = db.lastError().text();
        }
        if (!ok) {
            db.rollback();
            *error = why.trimmed();
        }
        return ok;
    }
};

PostgresJournal::PostgresJournal(PostgresLocation location, QString node)
    : d(std::make_unique<Private>()) {
    d->location = std::move(location);
    d->node = std::move(node);
    d->connectionName =
        QStringLiteral("fleetmon-postgres-journal-%1").arg(g_journalConnectionSerial.fetch_add(1) + 1);
}

PostgresJournal::~PostgresJournal() {
    close();
}

bool PostgresJournal::open(QString *error) {
    if (d->thread) {
        *error = QStringLiteral("the journal on %1 is already open").arg(d->where());
        return false;
    }
    QString driverError;
    if (!PostgresLocation::driverAvailable(&driverError)) {
        *error = QStringLiteral("cannot use %1: %2").arg(d->where(), driverError);
        return false;
    }
    {
        std::lock_guard lock(d->mutex);
        d->stopping = false;
    }
    // Shared, so neither thread can destroy it while the other still uses it. Empty string: open.
    auto opened = std::make_shared<std::promise<QString>>();
    std::future<QString> outcome = opened->get_future();
    d->thread = QThread::create([this, opened] { d->run(opened); });
    d->thread->setObjectName(QStringLiteral("store"));
    d->thread->start();
    const QString result = outcome.get();
    if (result.isEmpty())
        return true;
    *error = result;
    d->thread->wait();
    delete d->thread;
    d->thread = nullptr;
    return false;
}

void PostgresJournal::setCommitListener(CommitListener listener) {
    d->listener = std::move(listener);
}

void PostgresJournal::setHealthListener(HealthListener listener) {
    d->healthListener = std::move(listener);
}

quint64 PostgresJournal::append(model::Delivery delivery) {
    quint64 ticket;
    {
        std::lock_guard lock(d->mutex);
        ticket = d->nextTicket++;
        d->queue.push_back({ticket, std::move(delivery)});
    }
    d->wake.notify_one();
    return ticket;
}

// The shared database keeps no alerts of a node: desktops derive them from the deliveries.
void PostgresJournal::saveAlerts(const QList<model::Alert> &) {}

void PostgresJournal::close() {
    if (!d->thread)
        return;
    {
        std::lock_guard lock(d->mutex);
        d->stopping = true;
    }
    d->wake.notify_one();
    d->thread->wait();
    delete d->thread;
    d->thread = nullptr;
}

} // namespace store
