#include "store/Journal.h"

#include "store/Database.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QThread>

namespace store {

namespace {
// Bounds one transaction so a huge backlog still reports progress and keeps latency even.
constexpr size_t kMaxBatch = 2048;
} // namespace

Journal::Journal() = default;

Journal::~Journal() {
    close();
}

bool Journal::open(const QString &path, QString *error) {
    m_thread = QThread::create([this, path] { run(path); });
    m_thread->setObjectName(QStringLiteral("store"));
    m_thread->start();
    std::unique_lock lock(m_mutex);
    m_opened.wait(lock, [this] { return m_openState != 0; });
    if (m_openState < 0) {
        *error = m_openError;
        lock.unlock();
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
        return false;
    }
    return true;
}

void Journal::setCommitListener(CommitListener listener) {
    m_listener = std::move(listener);
}

quint64 Journal::append(model::Delivery delivery) {
    quint64 ticket;
    {
        std::lock_guard lock(m_mutex);
        ticket = m_nextTicket++;
        m_queue.push_back({ticket, std::move(delivery)});
    }
    m_wake.notify_one();
    return ticket;
}

void Journal::close() {
    if (!m_thread)
        return;
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
}

void Journal::run(const QString &path) {
    Database db;
    QString error;
    const bool ok = db.open(path, Database::Mode::ReadWrite, &error);
    {
        std::lock_guard lock(m_mutex);
        m_openState = ok ? 1 : -1;
        m_openError = error;
    }
    m_opened.notify_all();
    if (!ok)
        return;

    std::deque<Pending> batch;
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
            if (m_queue.empty())
                return; // stopping, and everything queued was written
            while (!m_queue.empty() && batch.size() < kMaxBatch) {
                batch.push_back(std::move(m_queue.front()));
                m_queue.pop_front();
            }
        }
        writeBatch(batch, db);
        batch.clear();
    }
}

void Journal::writeBatch(std::deque<Pending> &batch, Database &db) {
    QSqlDatabase &sql = db.connection();
    QList<AppendResult> results;
    results.reserve(qsizetype(batch.size()));
    QString error;

    bool ok = sql.transaction();
    if (!ok)
        error = sql.lastError().text();
    if (ok) {
        QSqlQuery claim(sql);
        QSqlQuery insert(sql);
        ok = claim.prepare(QStringLiteral("INSERT OR IGNORE INTO event_ids(event_id) VALUES(?)")) &&
             insert.prepare(QStringLiteral("INSERT INTO deliveries(received_at, event_id, event_type, "
                                           "vehicle_id, verdict, status, headers,"
                                           " body, replay) VALUES(?,?,?,?,?,?,?,?,?)"));
        if (!ok)
            error = claim.lastError().text() + insert.lastError().text();
        for (Pending &p : batch) {
            if (!ok)
                break;
            model::Delivery &d = p.delivery;
            if (d.verdict == model::Verdict::Accepted && !d.eventId.isEmpty()) {
                claim.addBindValue(d.eventId);
                if (!claim.exec()) {
                    ok = false;
                    error = claim.lastError().text();
                    break;
                }
                if (claim.numRowsAffected() == 0)
                    d.verdict = model::Verdict::Duplicate;
            }
            insert.addBindValue(d.receivedAtMs);
            insert.addBindValue(d.eventId.isEmpty() ? QVariant(QMetaType(QMetaType::QString))
                                                    : QVariant(d.eventId));
            insert.addBindValue(d.eventType);
            insert.addBindValue(d.vehicleId);
            insert.addBindValue(model::verdictName(d.verdict));
            insert.addBindValue(d.status);
            insert.addBindValue(QString::fromUtf8(d.headers));
            insert.addBindValue(d.body.isNull() ? QVariant(QMetaType(QMetaType::QByteArray))
                                                : QVariant(d.body));
            insert.addBindValue(d.replay ? 1 : 0);
            if (!insert.exec()) {
                ok = false;
                error = insert.lastError().text();
                break;
            }
            AppendResult r;
            r.ticket = p.ticket;
            r.committed = true;
            r.verdict = d.verdict;
            r.id = insert.lastInsertId().toLongLong();
            results.append(r);
        }
        if (ok && !sql.commit()) {
            ok = false;
            error = sql.lastError().text();
        }
        if (!ok)
            sql.rollback();
    }

    if (!ok) {
        results.clear();
        for (const Pending &p : batch) {
            AppendResult r;
            r.ticket = p.ticket;
            r.committed = false;
            r.error = error;
            r.verdict = p.delivery.verdict;
            results.append(r);
        }
    }
    ++m_batches;
    if (m_listener)
        m_listener(results);
}

} // namespace store
