#include "store/SharedFleetFeed.h"

#include "store/PostgresSchema.h"

#include <QAtomicInteger>
#include <QMutex>
#include <QSocketNotifier>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlField>
#include <QSqlQuery>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <atomic>

#include <cerrno>
#include <fcntl.h>
#include <libpq-fe.h>
#include <sys/socket.h>
#include <unistd.h>

namespace store {

namespace {

// Connection names are process-wide in Qt SQL: every connection of every feed gets its own.
QAtomicInteger<quint64> g_feedConnectionSerial;

QString deliveriesChannel() {
    return QString::fromLatin1(PostgresSchema::kDeliveriesChannel);
}
QString acksChannel() {
    return QString::fromLatin1(PostgresSchema::kAcksChannel);
}

} // namespace

// An acknowledgement waiting to be written. `uncertain`: an earlier write failed at a point where
// the server may still have committed it, so the next write first looks whether it is there.
struct PendingAck {
    SharedFleetFeed::Acknowledgement ack;
    bool uncertain = false;
};

struct SharedFleetFeed::Private {
    PostgresLocation location;
    DeliveriesListener deliveriesListener;
    AcknowledgementsListener acknowledgementsListener;
    StatusListener statusListener;

    class Worker;
    class Thread;
    std::unique_ptr<QThread> thread;
    std::atomic<bool> stopping{false};

    QMutex mutex;             // guards the two below; acknowledge() runs on any thread
    QList<PendingAck> acks;   // in the order acknowledge() was called
    Worker *worker = nullptr; // while the feed thread runs
};

// Lives on the feed thread and owns everything the connection touches.
class SharedFleetFeed::Private::Worker final {
    Q_DISABLE_COPY_MOVE(Worker)
public:
    Worker(Private *d, Cursor from)
        : m_d(d)
        , m_cursor(from) {
        m_status.cursor = from.deliveries;
        m_poll.setInterval(kPollInterval);
        QObject::connect(&m_poll, &QTimer::timeout, &m_context, [this] { scheduleRead(); });
        m_retry.setSingleShot(true);
        QObject::connect(&m_retry, &QTimer::timeout, &m_context, [this] { connectNow(); });
        QMutexLocker lock(&m_d->mutex);
        m_d->worker = this;
    }

    ~Worker() {
        {
            QMutexLocker lock(&m_d->mutex);
            m_d->worker = nullptr;
        }
        disconnect();
    }

    void begin() {
        setState(State::Connecting);
        QMetaObject::invokeMethod(
            &m_context, [this] { connectNow(); }, Qt::QueuedConnection);
    }

    QObject *context() { return &m_context; }

    // Called on the feed thread after acknowledge() queued one.
    void acknowledgementQueued() {
        if (m_connected)
            scheduleRead(); // writes the queue first, then reads it back with the rest
    }

private:
    bool stopping() const { return m_d->stopping.load(); }

    void connectNow() {
        if (stopping())
            return;
        if (m_status.state == State::Lost)
            setState(State::Connecting);
        m_connectionName = QStringLiteral("fleetmon-feed-%1").arg(++g_feedConnectionSerial);
        m_db = m_d->location.addConnection(m_connectionName);
        if (!m_db.open())
            return fail(QStringLiteral("cannot connect to %1: %2")
                            .arg(m_d->location.displayName(), m_db.lastError().text()));
        QString error;
        if (!PostgresSchema::ensure(m_db, &error))
            return fail(error);
        // LISTEN before the first read: a row committed in between is then both read and
        // notified, never neither.
        QSqlDriver *driver = m_db.driver();
        QObject::connect(driver, &QSqlDriver::notification, &m_context,
                         [this](const QString &channel, QSqlDriver::NotificationSource,
                                const QVariant &payload) { notified(channel, payload); });
        for (const QString &channel : {deliveriesChannel(), acksChannel()})
            if (!driver->subscribeToNotification(channel))
                return fail(
                    QStringLiteral("cannot LISTEN on %1: %2").arg(channel, driver->lastError().text()));
        watchConnection(driver);
        m_connected = true;

        QSqlQuery latest(m_db);
        if (!latest.exec(QStringLiteral("SELECT coalesce(max(id), 0) FROM deliveries")) || !latest.next())
            return fail(latest.lastError().text());
        m_status.latestId = std::max(m_status.latestId, latest.value(0).toLongLong());
        m_status.error.clear();
        setState(State::CatchingUp);
        if (!readAll())
            return;
        m_failures = 0;
        setState(State::Live);
        m_poll.start();
    }

    // QPSQL does not report a connection the server dropped: libpq notices the end of the stream
    // while the driver looks for notifications, closes its socket and nobody is told (the poll
    // would find out up to kPollInterval later). A second descriptor on the same socket, watched
    // here, sees the end of the stream too and ends the connection at once.
    void watchConnection(QSqlDriver *driver) {
        const QVariant handle = driver->handle();
        // Qt names the type after libpq's struct (pg_conn*); older drivers used the typedef.
        if (!handle.isValid() ||
            (qstrcmp(handle.typeName(), "pg_conn*") != 0 && qstrcmp(handle.typeName(), "PGconn*") != 0))
            return;
        PGconn *connection = *static_cast<PGconn *const *>(handle.constData());
        if (!connection)
            return;
        // The server says why it ends a connection in a message libpq would print on stderr.
        PQsetNoticeProcessor(connection, &Worker::noticed, this);
        const int socket = PQsocket(connection);
        m_watchFd = socket < 0 ? -1 : fcntl(socket, F_DUPFD_CLOEXEC, 0);
        if (m_watchFd < 0)
            return;
        m_watch = new QSocketNotifier(m_watchFd, QSocketNotifier::Read);
        QObject::connect(m_watch, &QSocketNotifier::activated, &m_context, [this] { checkConnection(); });
    }

    void checkConnection() {
        char byte = 0;
        const ssize_t peeked = ::recv(m_watchFd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        // Bytes waiting are the driver's to read (a notification); nothing waiting is a spurious wake.
        if (peeked > 0 || (peeked < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)))
            return;
        const QString why = peeked == 0
                                ? QStringLiteral("the server closed the connection")
                                : QStringLiteral("the connection failed: %1").arg(qt_error_string(errno));
        fail(why);
    }

    static void noticed(void *worker, const char *message) {
        const QString text = QString::fromUtf8(message).trimmed();
        if (text.startsWith(QLatin1String("FATAL")))
            static_cast<Worker *>(worker)->m_serverNotice = text.simplified();
    }

    void notified(const QString &channel, const QVariant &payload) {
        // The payload is the highest id the writer committed: nothing to read when already taken
        // (a notification handled late, or our own acknowledgement read back already).
        bool ok = false;
        const qint64 id = payload.toString().toLongLong(&ok);
        if (ok && channel == deliveriesChannel()) {
            m_status.latestId = std::max(m_status.latestId, id);
            if (id <= m_cursor.deliveries)
                return;
        } else if (ok && channel == acksChannel() && id <= m_cursor.acknowledgements) {
            return;
        }
        scheduleRead();
    }

    // A burst of notifications costs one read: the first marks the feed dirty, the read runs on
    // the next turn of the event loop and takes everything committed up to then.
    void scheduleRead() {
        if (m_readScheduled)
            return;
        m_readScheduled = true;
        QMetaObject::invokeMethod(
            &m_context,
            [this] {
                m_readScheduled = false;
                if (m_connected && !stopping())
                    readAll();
            },
            Qt::QueuedConnection);
    }

    // Writes what is queued, then reads both tables from the cursor. False when the connection
    // failed (already handled) or the feed is stopping.
    bool readAll() { return writeAcks() && readDeliveries() && readAcks(); }

    bool readDeliveries() {
        while (!stopping()) {
            QSqlQuery q(m_db);
            q.setForwardOnly(true);
            if (!q.exec(QStringLiteral(
                            "SELECT id, received_at, event_id, event_type, vehicle_id, verdict, status, "
                            "headers, body, node FROM deliveries WHERE id > %1 ORDER BY id LIMIT %2")
                            .arg(m_cursor.deliveries)
                            .arg(kPageSize))) {
                fail(q.lastError().text());
                return false;
            }
            QList<SharedDelivery> page;
            int rows = 0;
            qint64 last = m_cursor.deliveries;
            while (q.next()) {
                ++rows;
                last = q.value(0).toLongLong();
                SharedDelivery shared;
                model::Delivery &delivery = shared.delivery;
                delivery.id = last;
                delivery.receivedAtMs = q.value(1).toLongLong();
                delivery.eventId = q.value(2).toString();
                delivery.eventType = q.value(3).toString();
                delivery.vehicleId = q.value(4).toString();
                const QString verdict = q.value(5).toString();
                if (!model::verdictFromName(verdict, &delivery.verdict)) {
                    if (!m_warnedVerdict)
                        qWarning(
                            "shared fleet: skipping delivery %lld with unknown verdict \"%s\" (written by a "
                            "newer Fleet Monitor?); further ones are skipped silently",
                            last, qPrintable(verdict));
                    m_warnedVerdict = true;
                    continue;
                }
                delivery.status = q.value(6).toInt();
                delivery.headers = q.value(7).toByteArray();
                delivery.body = q.value(8).toByteArray();
                shared.node = q.value(9).toString();
                page.append(std::move(shared));
            }
            if (q.lastError().isValid()) {
                fail(q.lastError().text());
                return false;
            }
            q.finish();
            m_cursor.deliveries = last;
            m_status.cursor = last;
            m_status.latestId = std::max(m_status.latestId, last);
            // Synchronously: the next page is read only after the listener is done with this one.
            if (!page.isEmpty() && m_d->deliveriesListener)
                m_d->deliveriesListener(page);
            if (rows < kPageSize)
                return !stopping();
        }
        return false;
    }

    bool readAcks() {
        while (!stopping()) {
            QSqlQuery q(m_db);
            q.setForwardOnly(true);
            if (!q.exec(
                    QStringLiteral("SELECT id, vehicle_id, kind, subject, acknowledged_at, acknowledged_by "
                                   "FROM alert_acks WHERE id > %1 ORDER BY id LIMIT %2")
                        .arg(m_cursor.acknowledgements)
                        .arg(kPageSize))) {
                fail(q.lastError().text());
                return false;
            }
            QList<Acknowledgement> page;
            int rows = 0;
            qint64 last = m_cursor.acknowledgements;
            while (q.next()) {
                ++rows;
                last = q.value(0).toLongLong();
                Acknowledgement ack;
                ack.id = last;
                ack.vehicleId = q.value(1).toString();
                const QString kind = q.value(2).toString();
                if (!model::alertKindFromName(kind, &ack.kind)) {
                    if (!m_warnedKind)
                        qWarning("shared fleet: skipping acknowledgement %lld of unknown alert kind \"%s\" "
                                 "(written by a newer Fleet Monitor?); further ones are skipped silently",
                                 last, qPrintable(kind));
                    m_warnedKind = true;
                    continue;
                }
                ack.subject = q.value(3).toString();
                ack.acknowledgedAt = q.value(4).toLongLong();
                ack.acknowledgedBy = q.value(5).toString();
                page.append(std::move(ack));
            }
            if (q.lastError().isValid()) {
                fail(q.lastError().text());
                return false;
            }
            q.finish();
            m_cursor.acknowledgements = last;
            if (!page.isEmpty() && m_d->acknowledgementsListener)
                m_d->acknowledgementsListener(page);
            if (rows < kPageSize)
                return !stopping();
        }
        return false;
    }

    // Writes the queued acknowledgements, oldest first, each in a transaction of its own: one that
    // fails stays at the head of the queue for the next connection, and nothing else depended on it.
    bool writeAcks() {
        for (;;) {
            PendingAck pending;
            {
                QMutexLocker lock(&m_d->mutex);
                if (m_d->acks.isEmpty())
                    return true;
                pending = m_d->acks.first();
            }
            if (stopping())
                return false;  // kept: a feed stopped with acks unwritten cannot write them anyway
            bool sent = false; // whether COMMIT went out: after that the outcome is unknown on failure
            const QString error = writeAck(pending, &sent);
            QMutexLocker lock(&m_d->mutex);
            if (error.isEmpty()) {
                m_d->acks.removeFirst();
                continue;
            }
            if (sent)
                m_d->acks.first().uncertain = true;
            lock.unlock();
            fail(QStringLiteral("cannot store an acknowledgement: %1").arg(error));
            return false;
        }
    }

    QString writeAck(const PendingAck &pending, bool *sent) {
        if (!m_db.transaction())
            return m_db.lastError().text();
        QSqlQuery q(m_db);
        auto abandon = [&] {
            const QString error = q.lastError().text();
            m_db.rollback();
            return error;
        };
        if (!q.exec(QStringLiteral("SELECT pg_advisory_xact_lock(%1)").arg(PostgresSchema::kCommitOrderLock)))
            return abandon();
        // Values as literals the driver escapes, not prepared statements: one round trip each, and
        // nothing left on the server to free when the connection breaks in between.
        const Acknowledgement &ack = pending.ack;
        const QString vehicle = literal(ack.vehicleId), kind = literal(model::alertKindName(ack.kind)),
                      subject = literal(ack.subject), by = literal(ack.acknowledgedBy);
        // An earlier attempt may have committed before its connection broke: the same
        // acknowledgement (same vehicle, alert, person and millisecond) is then not written twice.
        // Every writer holds the commit-order lock, so nothing can slip in between look and write.
        if (pending.uncertain) {
            if (!q.exec(QStringLiteral("SELECT 1 FROM alert_acks WHERE vehicle_id = %1 AND kind = %2 AND "
                                       "subject = %3 AND acknowledged_at = %4 AND acknowledged_by = %5")
                            .arg(vehicle, kind, subject)
                            .arg(ack.acknowledgedAt)
                            .arg(by)))
                return abandon();
            if (q.next()) {
                q.finish();
                m_db.rollback();
                return {};
            }
        }
        if (!q.exec(QStringLiteral("INSERT INTO alert_acks (vehicle_id, kind, subject, acknowledged_at, "
                                   "acknowledged_by) VALUES (%1, %2, %3, %4, %5) RETURNING id")
                        .arg(vehicle, kind, subject)
                        .arg(ack.acknowledgedAt)
                        .arg(by)) ||
            !q.next())
            return abandon();
        const qint64 id = q.value(0).toLongLong();
        if (!q.exec(QStringLiteral("SELECT pg_notify('%1', '%2')").arg(acksChannel()).arg(id)))
            return abandon();
        q.finish();
        *sent = true;
        // A failed COMMIT ends the transaction (or the connection) by itself: nothing to roll back.
        if (!m_db.commit())
            return m_db.lastError().text();
        return {};
    }

    // PostgreSQL text cannot hold U+0000: it becomes U+FFFD rather than failing the write at
    // every retry and holding up every acknowledgement queued after it.
    QString literal(QString text) const {
        text.replace(QChar(0), QChar(0xfffd));
        QSqlField field(QString(), QMetaType(QMetaType::QString));
        field.setValue(text);
        return m_db.driver()->formatValue(field);
    }

    // Any failed query lands here: drop the connection and try again after the backoff.
    void fail(const QString &error) {
        // libpq's messages span lines; the server's reason, when it gave one, may have come as a
        // notice before the query that failed on the closed connection.
        QString reason = error.simplified();
        if (reason.isEmpty())
            reason = QStringLiteral("the connection to the server failed");
        if (!m_serverNotice.isEmpty() && !reason.contains(m_serverNotice))
            reason += QStringLiteral(" (%1)").arg(m_serverNotice);
        disconnect();
        if (stopping())
            return;
        ++m_failures;
        const qint64 delay =
            std::min<qint64>(qint64(kRetryFirst.count()) << std::min(m_failures - 1, 16),
                             std::chrono::duration_cast<std::chrono::milliseconds>(kRetryMax).count());
        m_status.error = reason;
        m_status.retryInMs = delay;
        setState(State::Lost);
        m_retry.start(int(delay));
    }

    void disconnect() {
        m_poll.stop();
        m_connected = false;
        m_serverNotice.clear();
        if (m_watch) {
            // Possibly called from its own signal: disabled now, deleted once that has returned.
            m_watch->setEnabled(false);
            m_watch->deleteLater();
            m_watch = nullptr;
        }
        if (m_watchFd >= 0) {
            ::close(m_watchFd);
            m_watchFd = -1;
        }
        if (m_connectionName.isEmpty())
            return;
        m_db.close(); // also deletes the driver's socket notifier
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
        m_connectionName.clear();
    }

    void setState(State state) {
        m_status.state = state;
        switch (state) {
        case State::Connecting:
            m_status.attempt = m_failures;
            break;
        case State::Lost:
            m_status.attempt = m_failures;
            break;
        case State::CatchingUp:
        case State::Live:
            m_status.attempt = 0;
            m_status.retryInMs = 0;
            m_status.error.clear();
            break;
        }
        m_status.cursor = m_cursor.deliveries;
        if (m_d->statusListener)
            m_d->statusListener(m_status);
    }

    Private *m_d;
    QObject m_context; // receiver of timers, notifications and queued calls on the feed thread
    Cursor m_cursor;
    Status m_status;
    QTimer m_poll;
    QTimer m_retry;
    QSqlDatabase m_db;
    QString m_connectionName;
    QSocketNotifier *m_watch = nullptr; // on m_watchFd, a duplicate of the connection's socket
    int m_watchFd = -1;
    QString m_serverNotice; // the server's last word on this connection ("FATAL: terminating ...")
    bool m_connected = false;
    bool m_readScheduled = false;
    int m_failures = 0; // consecutive; reset once live again
    bool m_warnedVerdict = false;
    bool m_warnedKind = false;
};

class SharedFleetFeed::Private::Thread final : public QThread {
public:
    Thread(Private *d, Cursor from)
        : m_d(d)
        , m_from(from) {}

protected:
    void run() override {
        Worker worker(m_d, m_from);
        worker.begin();
        exec(); // returns at once when stop() came first
    }

private:
    Private *m_d;
    Cursor m_from;
};

SharedFleetFeed::SharedFleetFeed(PostgresLocation location)
    : d(std::make_unique<Private>()) {
    d->location = std::move(location);
}

SharedFleetFeed::~SharedFleetFeed() {
    stop();
}

void SharedFleetFeed::setDeliveriesListener(DeliveriesListener listener) {
    d->deliveriesListener = std::move(listener);
}

void SharedFleetFeed::setAcknowledgementsListener(AcknowledgementsListener listener) {
    d->acknowledgementsListener = std::move(listener);
}

void SharedFleetFeed::setStatusListener(StatusListener listener) {
    d->statusListener = std::move(listener);
}

void SharedFleetFeed::start(Cursor from) {
    if (d->thread)
        return;
    d->stopping = false;
    d->thread = std::make_unique<Private::Thread>(d.get(), from);
    d->thread->setObjectName(QStringLiteral("SharedFleetFeed"));
    d->thread->start();
}

void SharedFleetFeed::stop() {
    if (!d->thread)
        return;
    // The flag ends a catch-up between pages; quit() ends the event loop.
    d->stopping = true;
    d->thread->quit();
    d->thread->wait();
    d->thread.reset();
}

void SharedFleetFeed::acknowledge(const Acknowledgement &acknowledgement) {
    QMutexLocker lock(&d->mutex);
    d->acks.append(PendingAck{acknowledgement, false});
    // Posted under the lock, so the worker cannot go away in between; a call posted to its
    // context is dropped with it.
    if (Private::Worker *worker = d->worker)
        QMetaObject::invokeMethod(
            worker->context(), [worker] { worker->acknowledgementQueued(); }, Qt::QueuedConnection);
}

} // namespace store
