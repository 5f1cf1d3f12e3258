// The desktop's live view of a shared fleet against a real, throwaway PostgreSQL server. The node
// side is played by the test itself, writing rows the way PostgresSchema says every writer does
// (commit-order lock, NOTIFY with the highest id inside the transaction): catch-up from any cursor
// with every field intact, live rows within a second, a burst of notifications answered by one
// read, a missing notification made up by the poll, a server restart survived without a row lost
// or doubled, acknowledgements written once even when written while the server was away, refused,
// or committed without the answer arriving, a slow consumer that paces the reads, and a stop that
// does not wait for a long catch-up.

#include "model/Delivery.h"
#include "store/PostgresLocation.h"
#include "store/PostgresSchema.h"
#include "store/SharedFleetFeed.h"
#include "support/PostgresCluster.h"
#include "support/PostgresLocationOf.h"

#include <QElapsedTimer>
#include <QMutex>
#include <QScopeGuard>
#include <QSemaphore>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <algorithm>
#include <atomic>

using Feed = store::SharedFleetFeed;
using State = Feed::State;

namespace {

// Everything a feed hands out, collected from its thread for the test thread to look at.
class Recorder final {
public:
    void attach(Feed &feed) {
        feed.setDeliveriesListener([this](const QList<Feed::SharedDelivery> &page) {
            const qint64 at = m_clock.nsecsElapsed();
            {
                QMutexLocker lock(&m_mutex);
                m_pages.append(page.size());
                for (const auto &d : page) {
                    m_deliveries.append(d);
                    m_receivedAtNs.insert(d.delivery.id, at);
                }
            }
            if (onPage)
                onPage(page);
        });
        feed.setAcknowledgementsListener([this](const QList<Feed::Acknowledgement> &acks) {
            QMutexLocker lock(&m_mutex);
            m_acks.append(acks);
        });
        feed.setStatusListener([this](const Feed::Status &status) {
            QMutexLocker lock(&m_mutex);
            m_statuses.append(status);
        });
    }

    QList<Feed::SharedDelivery> deliveries() const {
        QMutexLocker lock(&m_mutex);
        return m_deliveries;
    }
    qsizetype deliveryCount() const {
        QMutexLocker lock(&m_mutex);
        return m_deliveries.size();
    }
    QList<int> pages() const {
        QMutexLocker lock(&m_mutex);
        return m_pages;
    }
    QList<Feed::Acknowledgement> acks() const {
        QMutexLocker lock(&m_mutex);
        return m_acks;
    }
    QList<Feed::Status> statuses() const {
        QMutexLocker lock(&m_mutex);
        return m_statuses;
    }
    State state() const {
        QMutexLocker lock(&m_mutex);
        return m_statuses.isEmpty() ? State::Connecting : m_statuses.last().state;
    }
    qint64 receivedAtNs(qint64 id) const {
        QMutexLocker lock(&m_mutex);
        return m_receivedAtNs.value(id, -1);
    }
    QList<qint64> ids() const {
        QList<qint64> ids;
        for (const auto &d : deliveries())
            ids.append(d.delivery.id);
        return ids;
    }

    std::function<void(const QList<Feed::SharedDelivery> &)> onPage; // on the feed thread
    QElapsedTimer m_clock;                                           // shared with the writer

private:
    mutable QMutex m_mutex;
    QList<Feed::SharedDelivery> m_deliveries;
    QList<int> m_pages;
    QHash<qint64, qint64> m_receivedAtNs;
    QList<Feed::Acknowledgement> m_acks;
    QList<Feed::Status> m_statuses;
};

// Stands between a feed and the server, passing bytes both ways and counting the queries the feed
// sends; on a thread of its own, so the test thread may block while the feed talks. Armed, it
// passes the next COMMIT on to the server and, once the server answers (so the transaction is
// committed), cuts the client off instead of passing the answer: a commit whose outcome the client
// cannot know, as when the network fails at that moment.
class ServerProxy final {
public:
    explicit ServerProxy(quint16 serverPort) {
        m_thread.start();
        m_relay = new QObject;
        m_relay->moveToThread(&m_thread);
        QMetaObject::invokeMethod(
            m_relay,
            [this, serverPort] {
                auto *listener = new QTcpServer(m_relay);
                listener->listen(QHostAddress::LocalHost, 0);
                m_port = listener->serverPort();
                QObject::connect(listener, &QTcpServer::newConnection, m_relay, [this, listener, serverPort] {
                    while (QTcpSocket *client = listener->nextPendingConnection())
                        relay(client, serverPort);
                });
            },
            Qt::BlockingQueuedConnection);
    }
    ~ServerProxy() {
        QMetaObject::invokeMethod(
            m_relay, [this] { delete m_relay; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    quint16 port() const { return m_port; }
    void armCommitCut() { m_armed = true; }
    int cuts() const { return m_cuts; }
    int deliveryReads() const { return m_deliveryReads; } // SELECTs of deliveries sent so far

private:
    void relay(QTcpSocket *client, quint16 serverPort) {
        auto *server = new QTcpSocket(client);
        server->connectToHost(QHostAddress::LocalHost, serverPort); // writes wait for the connection
        auto committing = std::make_shared<bool>(false);
        QObject::connect(client, &QTcpSocket::readyRead, m_relay, [this, client, server, committing] {
            const QByteArray data = client->readAll();
            m_deliveryReads += int(data.count("FROM deliveries WHERE id >"));
            // QPSQL commits with a simple query message: 'Q', length, "COMMIT\0".
            if (data.contains("COMMIT") && m_armed.exchange(false))
                *committing = true;
            server->write(data);
        });
        QObject::connect(server, &QTcpSocket::readyRead, m_relay, [this, client, server, committing] {
            const QByteArray data = server->readAll();
            if (*committing) {
                ++m_cuts;
                *committing = false;
                client->abort();
                server->abort();
                return;
            }
            client->write(data);
        });
        QObject::connect(client, &QTcpSocket::disconnected, m_relay, [client, server] {
            server->disconnectFromHost();
            client->deleteLater();
        });
        QObject::connect(server, &QTcpSocket::disconnected, client,
                         [client] { client->disconnectFromHost(); });
    }

    QThread m_thread;
    QObject *m_relay = nullptr; // lives on m_thread with everything it owns
    quint16 m_port = 0;
    std::atomic<bool> m_armed{false};
    std::atomic<int> m_cuts{0};
    std::atomic<int> m_deliveryReads{0};
};

QList<qint64> range(qint64 first, qint64 last) {
    QList<qint64> ids;
    for (qint64 id = first; id <= last; ++id)
        ids.append(id);
    return ids;
}

QString verdictOf(qint64 id) {
    static const model::Verdict kVerdicts[] = {model::Verdict::Accepted, model::Verdict::Duplicate,
                                               model::Verdict::BadSignature, model::Verdict::Malformed,
                                               model::Verdict::Verify};
    return model::verdictName(kVerdicts[id % 5]);
}

} // namespace

class tst_SharedFleetFeed : public QObject {
    Q_OBJECT

    testsupport::PostgresCluster m_cluster;

    store::PostgresLocation location(const QString &database) const {
        return testsupport::postgresLocationOf(m_cluster.url(database));
    }

    QString psql(const QString &sql, const QString &database) {
        QString error;
        const QString out = m_cluster.psql(sql, &error, database);
        if (!error.isEmpty())
            qFatal("%s", qPrintable(error));
        return out;
    }

    // A fresh database with the shared fleet's tables.
    bool createDatabase(const QString &name) {
        QString error;
        if (!m_cluster.createDatabase(name, &error))
            return false;
        bool ok = false;
        {
            QSqlDatabase db = location(name).addConnection(QStringLiteral("setup"));
            ok = db.open() && store::PostgresSchema::ensure(db, &error);
        }
        QSqlDatabase::removeDatabase(QStringLiteral("setup"));
        return ok;
    }

    // `count` deliveries in one transaction as a node writes them; each row's fields follow from
    // its id (see checkGenerated).
    void insertGenerated(const QString &database, int count, const QString &node = QStringLiteral("node-a")) {
        // Ids drawn from the sequence under the commit-order lock, like a node's bigserial inserts.
        psql(QStringLiteral(
                 "BEGIN; SELECT pg_advisory_xact_lock(%1); "
                 "WITH ins AS (INSERT INTO deliveries (id, received_at, event_id, event_type, vehicle_id, "
                 "verdict, "
                 "status, headers, body, node) SELECT id, 1700000000000 + id, 'evt-' || id, 'VEHICLE_STATE', "
                 "'veh-' || (id % 7), (ARRAY['%4','%5','%6','%7','%8'])[1 + id % 5], 200, "
                 "convert_to('{\"sc-signature\":\"' || id || '\"}', 'UTF8'), "
                 "convert_to('{\"n\":' || id || '}', 'UTF8'), '%3' "
                 "FROM (SELECT nextval(pg_get_serial_sequence('deliveries', 'id')) AS id "
                 "FROM generate_series(1, %2)) s RETURNING id) "
                 "SELECT pg_notify('fleetmon_deliveries', max(id)::text) FROM ins; COMMIT")
                 .arg(store::PostgresSchema::kCommitOrderLock)
                 .arg(count)
                 .arg(node, verdictOf(0), verdictOf(1), verdictOf(2), verdictOf(3), verdictOf(4)),
             database);
    }

    static void checkGenerated(const Feed::SharedDelivery &shared,
                               const QString &node = QStringLiteral("node-a")) {
        const model::Delivery &d = shared.delivery;
        const qint64 id = d.id;
        QCOMPARE(d.receivedAtMs, 1700000000000 + id);
        QCOMPARE(d.eventId, QStringLiteral("evt-%1").arg(id));
        QCOMPARE(d.eventType, QStringLiteral("VEHICLE_STATE"));
        QCOMPARE(d.vehicleId, QStringLiteral("veh-%1").arg(id % 7));
        QCOMPARE(model::verdictName(d.verdict), verdictOf(id));
        QCOMPARE(d.status, 200);
        QCOMPARE(d.headers, QStringLiteral("{\"sc-signature\":\"%1\"}").arg(id).toUtf8());
        QCOMPARE(d.body, QStringLiteral("{\"n\":%1}").arg(id).toUtf8());
        QCOMPARE(shared.node, node);
    }

    void insertAck(const QString &database, const QString &vehicle, const QString &kind, qint64 at) {
        psql(
            QStringLiteral("BEGIN; SELECT pg_advisory_xact_lock(%1); "
                           "WITH ins AS (INSERT INTO alert_acks (vehicle_id, kind, subject, acknowledged_at, "
                           "acknowledged_by) VALUES ('%2', '%3', 'closure-doors', %4, 'ops') RETURNING id) "
                           "SELECT pg_notify('fleetmon_acks', id::text) FROM ins; COMMIT")
                .arg(store::PostgresSchema::kCommitOrderLock)
                .arg(vehicle, kind)
                .arg(at),
            database);
    }

    static store::PostgresLocation throughProxy(const ServerProxy &proxy, const QString &database) {
        store::PostgresLocation l;
        QString error;
        if (!store::PostgresLocation::parse(
                QStringLiteral("postgresql://fleetmon@127.0.0.1:%1/%2").arg(proxy.port()).arg(database), &l,
                &error))
            qFatal("%s", qPrintable(error));
        return l;
    }

    static Feed::Acknowledgement ack(const QString &vehicle, model::AlertKind kind, qint64 at,
                                     const QString &by) {
        Feed::Acknowledgement a;
        a.vehicleId = vehicle;
        a.kind = kind;
        a.subject = QStringLiteral("closure-doors");
        a.acknowledgedAt = at;
        a.acknowledgedBy = by;
        return a;
    }

    static bool sameAck(const Feed::Acknowledgement &a, const Feed::Acknowledgement &b) {
        return a.vehicleId == b.vehicleId && a.kind == b.kind && a.subject == b.subject &&
               a.acknowledgedAt == b.acknowledgedAt && a.acknowledgedBy == b.acknowledgedBy;
    }

private slots:
    void initTestCase() {
        QString error;
        QVERIFY2(store::PostgresLocation::driverAvailable(&error), qPrintable(error));
        QVERIFY2(m_cluster.start(&error, false), qPrintable(error));
    }

    void catchesUpFromZeroInOrderWithEveryField() {
        QVERIFY(createDatabase(QStringLiteral("catchup")));
        const QString db = QStringLiteral("catchup");
        insertGenerated(db, 2500); // two and a half pages
        // Bytes that are not text: NULs, invalid UTF-8, a lone continuation byte.
        const QByteArray binaryBody = QByteArray("\x00\xff\xfe{\"a\":\x00}\xc3\x28\x80", 13);
        const QByteArray binaryHeaders = QByteArray("{\"x\":\"\xe2\x82\"}\x00", 12);
        {
            QSqlDatabase conn = location(db).addConnection(QStringLiteral("writer"));
            QVERIFY(conn.open());
            QVERIFY(conn.transaction());
            QSqlQuery q(conn);
            QVERIFY(q.exec(QStringLiteral("SELECT pg_advisory_xact_lock(%1)")
                               .arg(store::PostgresSchema::kCommitOrderLock)));
            QVERIFY(q.prepare(QStringLiteral(
                "INSERT INTO deliveries (received_at, event_id, event_type, vehicle_id, verdict, status, "
                "headers, "
                "body, node) VALUES (42, 'evt-bin', 'ERROR', 'veh-bin', :verdict, 401, :headers, :body, "
                "'node-b') RETURNING id")));
            q.bindValue(QStringLiteral(":verdict"), model::verdictName(model::Verdict::BadSignature));
            q.bindValue(QStringLiteral(":headers"), binaryHeaders);
            q.bindValue(QStringLiteral(":body"), binaryBody);
            QVERIFY2(q.exec() && q.next(), qPrintable(q.lastError().text()));
            QCOMPARE(q.value(0).toLongLong(), 2501);
            QVERIFY(conn.commit());
        }
        QSqlDatabase::removeDatabase(QStringLiteral("writer"));
        // What the server holds, independently of Qt's reading of it.
        QCOMPARE(psql(QStringLiteral("SELECT encode(body, 'hex') FROM deliveries WHERE id = 2501"), db),
                 QString::fromLatin1(binaryBody.toHex()));
        // A row from a newer writer this build cannot read, then one more it can.
        psql(QStringLiteral(
                 "INSERT INTO deliveries (received_at, verdict, status) VALUES (1, 'teleported', 200)"),
             db);
        insertGenerated(db, 1);
        insertAck(db, QStringLiteral("veh-1"), model::alertKindName(model::AlertKind::Airbag), 1000);
        insertAck(db, QStringLiteral("veh-2"), QStringLiteral("meteor-strike"), 2000);
        insertAck(db, QStringLiteral("veh-3"), model::alertKindName(model::AlertKind::LowBattery), 3000);

        Recorder rec;
        Feed feed(location(db));
        rec.attach(feed);
        feed.start({});
        QTRY_COMPARE_WITH_TIMEOUT(rec.state(), State::Live, 20000);

        const QList<Feed::SharedDelivery> got = rec.deliveries();
        QList<qint64> expected = range(1, 2503);
        expected.removeAll(2502);
        QCOMPARE(rec.ids(), expected);
        for (const auto &d : got) {
            if (d.delivery.id == 2501) {
                QCOMPARE(d.delivery.body, binaryBody);
                QCOMPARE(d.delivery.headers, binaryHeaders);
                QCOMPARE(d.delivery.verdict, model::Verdict::BadSignature);
                QCOMPARE(d.delivery.status, 401);
                QCOMPARE(d.delivery.receivedAtMs, 42);
                QCOMPARE(d.delivery.eventType, QStringLiteral("ERROR"));
                QCOMPARE(d.node, QStringLiteral("node-b"));
            } else {
                checkGenerated(d);
                if (QTest::currentTestFailed())
                    return;
            }
        }
        for (int size : rec.pages())
            QVERIFY(size <= Feed::kPageSize);

        const QList<Feed::Acknowledgement> acks = rec.acks();
        QCOMPARE(acks.size(), 2);
        QCOMPARE(acks[0].id, 1);
        QCOMPARE(acks[0].kind, model::AlertKind::Airbag);
        QCOMPARE(acks[0].vehicleId, QStringLiteral("veh-1"));
        QCOMPARE(acks[0].subject, QStringLiteral("closure-doors"));
        QCOMPARE(acks[0].acknowledgedAt, 1000);
        QCOMPARE(acks[0].acknowledgedBy, QStringLiteral("ops"));
        QCOMPARE(acks[1].id, 3);
        QCOMPARE(acks[1].kind, model::AlertKind::LowBattery);

        // One report per change of state, not one per page.
        const QList<Feed::Status> statuses = rec.statuses();
        QCOMPARE(statuses.size(), 3);
        QCOMPARE(statuses[0].state, State::Connecting);
        QCOMPARE(statuses[1].state, State::CatchingUp);
        QCOMPARE(statuses[1].latestId, 2503);
        QCOMPARE(statuses[1].cursor, 0);
        QCOMPARE(statuses[2].state, State::Live);
        QCOMPARE(statuses[2].cursor, 2503);
        QVERIFY(statuses[2].error.isEmpty());
    }

    void liveRowsArriveWithinASecond() {
        const QString db = QStringLiteral("live");
        QVERIFY(createDatabase(db));
        Recorder rec;
        QSemaphore arrived;
        rec.onPage = [&](const QList<Feed::SharedDelivery> &page) { arrived.release(int(page.size())); };
        Feed feed(location(db));
        rec.attach(feed);
        rec.m_clock.start();
        feed.start({});
        QTRY_COMPARE_WITH_TIMEOUT(rec.state(), State::Live, 20000);

        // One row at a time, each waited for, so every figure is the latency of an idle feed.
        QList<double> latenciesMs;
        int slow = 0;
        {
            QSqlDatabase conn = location(db).addConnection(QStringLiteral("node"));
            QVERIFY(conn.open());
            for (int i = 0; i < 200; ++i) {
                QVERIFY(conn.transaction());
                QSqlQuery q(conn);
                QVERIFY(q.exec(QStringLiteral("SELECT pg_advisory_xact_lock(%1)")
                                   .arg(store::PostgresSchema::kCommitOrderLock)));
                QVERIFY(
                    q.exec(QStringLiteral("INSERT INTO deliveries (received_at, event_id, verdict, status) "
                                          "VALUES (%1, 'evt-%1', 'accepted', 200) RETURNING id")
                               .arg(i)));
                QVERIFY(q.next());
                const qint64 id = q.value(0).toLongLong();
                QVERIFY(q.exec(QStringLiteral("SELECT pg_notify('fleetmon_deliveries', '%1')").arg(id)));
                q.finish();
                const qint64 committing = rec.m_clock.nsecsElapsed();
                QVERIFY(conn.commit());
                QVERIFY2(arrived.tryAcquire(1, 5000),
                         qPrintable(QStringLiteral("row %1 never arrived").arg(id)));
                latenciesMs.append(double(rec.receivedAtNs(id) - committing) / 1e6);
                // The poll comes every 2 s: rows that take over a second were not brought by their
                // notification. A loaded machine may stall a few; more than 1 % fails at once.
                if (latenciesMs.last() >= 1000)
                    ++slow;
                QVERIFY2(slow <= 2, qPrintable(QStringLiteral("%1 rows took over a second").arg(slow)));
            }
        }
        QSqlDatabase::removeDatabase(QStringLiteral("node"));
        QCOMPARE(rec.ids(), range(1, 200));

        std::sort(latenciesMs.begin(), latenciesMs.end());
        const double p50 = latenciesMs[latenciesMs.size() / 2];
        const double p99 = latenciesMs[latenciesMs.size() * 99 / 100];
        qInfo("commit-to-listener latency over %lld rows: p50 %.2f ms, p99 %.2f ms, max %.2f ms",
              qint64(latenciesMs.size()), p50, p99, latenciesMs.last());
        QVERIFY2(p99 < 1000, qPrintable(QString::number(p99)));
    }

    void burstOfNotificationsCostsOneRead() {
        const QString db = QStringLiteral("burst");
        QVERIFY(createDatabase(db));
        ServerProxy proxy(m_cluster.port());
        Recorder rec;
        QSemaphore entered, proceed;
        std::atomic<int> calls{0};
        rec.onPage = [&](const QList<Feed::SharedDelivery> &) {
            if (calls++ == 0) {
                entered.release();
                proceed.tryAcquire(1, 30000);
            }
        };
        Feed feed(throughProxy(proxy, db));
        rec.attach(feed);
        feed.start({});
        QTRY_COMPARE_WITH_TIMEOUT(rec.state(), State::Live, 20000);
        auto release = qScopeGuard([&] { proceed.release(); }); // a failed check must not hang stop()
        insertGenerated(db, 1);
        QVERIFY(entered.tryAcquire(1, 10000));
        // 200 transactions of one row, each with its notification, while the feed is busy.
        QString burst;
        for (int i = 0; i < 200; ++i)
            burst += QStringLiteral(
                         "BEGIN; SELECT pg_advisory_xact_lock(%1); "
                         "INSERT INTO deliveries (received_at, verdict, status) VALUES (%2, 'accepted', "
                         "200); SELECT pg_notify('fleetmon_deliveries', currval(pg_get_serial_sequence("
                         "'deliveries', 'id'))::text); COMMIT; ")
                         .arg(store::PostgresSchema::kCommitOrderLock)
                         .arg(i);
        psql(burst, db);
        const int readsBefore = proxy.deliveryReads();
        release.dismiss();
        proceed.release();
        QTRY_COMPARE_WITH_TIMEOUT(rec.ids(), range(1, 201), 10000);
        QTest::qWait(300);
        // One read takes the whole burst (a poll may add one); one read per notification would be 200.
        const int reads = proxy.deliveryReads() - readsBefore;
        qInfo("200 notifications answered with %d reads", reads);
        QVERIFY2(reads <= 4, qPrintable(QString::number(reads)));
    }

    void missedNotificationIsMadeUpByThePoll() {
        const QString db = QStringLiteral("unnotified");
        QVERIFY(createDatabase(db));
        Recorder rec;
        Feed feed(location(db));
        rec.attach(feed);
        feed.start({});
        QTRY_COMPARE_WITH_TIMEOUT(rec.state(), State::Live, 20000);
        // A writer that forgets its NOTIFY (or one lost on the way).
        psql(QStringLiteral(
                 "INSERT INTO deliveries (received_at, verdict, status) VALUES (1, 'accepted', 200)"),
             db);
        QElapsedTimer timer;
        timer.start();
        QTRY_COMPARE_WITH_TIMEOUT(rec.ids(), range(1, 1), 10000);
        qInfo("an unnotified row arrived after %lld ms", timer.elapsed());
    }

    void startsFromACursorInTheMiddle() {
        const QString db = QStringLiteral("middle");
        QVERIFY(createDatabase(db));
        insertGenerated(db, 100);
        for (int i = 1; i <= 4; ++i)
            insertAck(db, QStringLiteral("veh-%1").arg(i), model::alertKindName(model::AlertKind::Silent), i);
        Recorder rec;
        Feed feed(location(db));
        rec.attach(feed);
        feed.start({60, 2});
        QTRY_COMPARE_WITH_TIMEOUT(rec.state(), State::Live, 20000);
        QCOMPARE(rec.ids(), range(61, 100));
        QCOMPARE(rec.acks().size(), 2);
        QCOMPARE(rec.acks()[0].id, 3);
        QCOMPARE(rec.acks()[1].id, 4);
        insertGenerated(db, 1);
        QTRY_COMPARE_WITH_TIMEOUT(rec.ids(), range(61, 101), 10000);
        checkGenerated(rec.deliveries().last());
    }

    void serverRestartLosesNothingAndDoublesNothing() {
        const QString db = QStringLiteral("restart");
        QVERIFY(createDatabase(db));
        insertGenerated(db, 3);
        Recorder rec;
        Feed feed(location(db));
        rec.attach(feed);
        feed.start({});
        QTRY_COMPARE_WITH_TIMEOUT(rec.state(), State::Live, 20000);
        QCOMPARE(rec.ids(), range(1, 3));

        // Rows committed just before the server goes: the feed may or may not have read them.
        insertGenerated(db, 5);
        QString error;
        QElapsedTimer stopping;
        stopping.start();
        QVERIFY2(m_cluster.stopServer(&error), qPrintable(error));
        const qint64 stoppedMs = stopping.elapsed();
        QTRY_COMPARE_WITH_TIMEOUT(rec.state(), State::Lost, 10000);
        qInfo("the server stopped in %lld ms; lost reported %lld ms after it began stopping", stoppedMs,
              stopping.elapsed());
        const qsizetype reportsBeforeRestart = rec.statuses().size();

        // Acknowledged on this desktop while the server is away: kept, written once it is back.
        const Feed::Acknowledgement mine =
            ack(QStringLiteral("veh-9"), model::AlertKind::Airbag, 1234, QStringLiteral("desk-1"));
        feed.acknowledge(mine);
        QTest::qWait(600); // at least one more failed attempt, so the backoff shows
        QVERIFY2(m_cluster.startServer(&error), qPrintable(error));
        insertGenerated(db, 5); // right after the server is back, maybe before the feed is

        QTRY_COMPARE_WITH_TIMEOUT(rec.ids(), range(1, 13), 30000);
        QTRY_COMPARE_WITH_TIMEOUT(rec.state(), State::Live, 10000);
        for (const auto &d : rec.deliveries())
            checkGenerated(d);
        QTRY_COMPARE_WITH_TIMEOUT(rec.acks().size(), 1, 10000);
        QVERIFY(sameAck(rec.acks()[0], mine));
        QVERIFY(rec.acks()[0].id > 0);
        QCOMPARE(psql(QStringLiteral("SELECT count(*) FROM alert_acks"), db), QStringLiteral("1"));

        // Lost with a reason and a retry, attempts counted up, then back through catching up.
        const QList<Feed::Status> statuses = rec.statuses();
        auto lost = std::find_if(statuses.begin(), statuses.end(),
                                 [](const Feed::Status &s) { return s.state == State::Lost; });
        QVERIFY(lost != statuses.end());
        QVERIFY(!lost->error.isEmpty());
        QCOMPARE(lost->attempt, 1);
        QCOMPARE(lost->retryInMs, qint64(Feed::kRetryFirst.count()));
        int maxAttempt = 0;
        for (const auto &s : statuses)
            maxAttempt = std::max(maxAttempt, s.attempt);
        QVERIFY(maxAttempt >= 2);
        QVERIFY(statuses.size() > reportsBeforeRestart);
        QCOMPARE(statuses[statuses.size() - 2].state, State::CatchingUp);
        QCOMPARE(statuses.last().attempt, 0);

        // Still live on the new connection.
        insertGenerated(db, 1);
        QTRY_COMPARE_WITH_TIMEOUT(rec.ids(), range(1, 14), 10000);
        QTest::qWait(300);
        QCOMPARE(rec.acks().size(), 1);
    }

    void droppedConnectionIsNoticedAtOnce() {
        const QString db = QStringLiteral("dropped");
        QVERIFY(createDatabase(db));
        Recorder rec;
        Feed feed(location(db));
        rec.attach(feed);
        feed.start({});
        QTRY_COMPARE_WITH_TIMEOUT(rec.state(), State::Live, 20000);
        // The server ends the idle connection (as an administrator or a restart does). QPSQL says
        // nothing about it; the feed must still know before its next poll, and say why.
        QElapsedTimer timer;
        timer.start();
        QCOMPARE(psql(QStringLiteral("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                                     "datname = 'dropped' AND pid <> pg_backend_pid()"),
                      db),
                 QStringLiteral("1"));
        QTRY_COMPARE_WITH_TIMEOUT(rec.state(), State::Lost, 10000);
        qInfo("a dropped connection was reported lost after %lld ms", timer.elapsed());
        const QString error = rec.statuses().last().error;
        QVERIFY2(error.contains(QLatin1String("terminating connection due to administrator command")),
                 qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(rec.state(), State::Live, 10000);
        insertGenerated(db, 1);
        QTRY_COMPARE_WITH_TIMEOUT(rec.ids(), range(1, 1), 10000);
    }

    void refusedAcknowledgementIsKeptInOrder() {
        const QString db = QStringLiteral("refused");
        QVERIFY(createDatabase(db));
        // A server that refuses acknowledgements for a while (as a full disk or a revoked right
        // would): the write fails, the feed reconnects and writes them once it can.
        psql(QStringLiteral("CREATE TABLE refuse (reason text);"
                            "INSERT INTO refuse VALUES ('acknowledgements closed for maintenance');"
                            "CREATE FUNCTION refuse_acks() RETURNS trigger LANGUAGE plpgsql AS $$ "
                            "BEGIN IF EXISTS (SELECT 1 FROM refuse) THEN RAISE EXCEPTION '%', "
                            "(SELECT reason FROM refuse LIMIT 1); END IF; RETURN NEW; END $$;"
                            "CREATE TRIGGER refuse_acks BEFORE INSERT ON alert_acks FOR EACH ROW "
                            "EXECUTE FUNCTION refuse_acks()"),
             db);
        Recorder rec;
        Feed feed(location(db));
        rec.attach(feed);
        feed.start({});
        QTRY_COMPARE_WITH_TIMEOUT(rec.state(), State::Live, 20000);
        const Feed::Acknowledgement first =
            ack(QStringLiteral("veh-1"), model::AlertKind::OpenClosure, 1, QStringLiteral("desk"));
        const Feed::Acknowledgement second =
            ack(QStringLiteral("veh-2"), model::AlertKind::VehicleError, 2, QStringLiteral("desk"));
        feed.acknowledge(first);
        feed.acknowledge(second);
        QTRY_COMPARE_WITH_TIMEOUT(rec.state(), State::Lost, 10000);
        QVERIFY2(rec.statuses().last().error.contains(QLatin1String("closed for maintenance")),
                 qPrintable(rec.statuses().last().error));
        psql(QStringLiteral("DELETE FROM refuse"), db);
        QTRY_COMPARE_WITH_TIMEOUT(rec.acks().size(), 2, 20000);
        QVERIFY(sameAck(rec.acks()[0], first));
        QVERIFY(sameAck(rec.acks()[1], second));
        QVERIFY(rec.acks()[0].id < rec.acks()[1].id);
        QTRY_COMPARE_WITH_TIMEOUT(rec.state(), State::Live, 10000);
        QCOMPARE(psql(QStringLiteral("SELECT count(*) FROM alert_acks"), db), QStringLiteral("2"));
    }

    void acknowledgementWithAnUnansweredCommitIsNotDoubled() {
        const QString db = QStringLiteral("unanswered");
        QVERIFY(createDatabase(db));
        ServerProxy proxy(m_cluster.port());
        Recorder rec;
        Feed feed(throughProxy(proxy, db));
        rec.attach(feed);
        feed.start({});
        QTRY_COMPARE_WITH_TIMEOUT(rec.state(), State::Live, 20000);

        proxy.armCommitCut();
        const Feed::Acknowledgement mine =
            ack(QStringLiteral("veh-7"), model::AlertKind::OpenClosure, 77, QStringLiteral("desk"));
        feed.acknowledge(mine);
        QTRY_COMPARE_WITH_TIMEOUT(proxy.cuts(), 1, 10000);
        // Committed on the server although the feed never heard so.
        QCOMPARE(psql(QStringLiteral("SELECT count(*) FROM alert_acks"), db), QStringLiteral("1"));
        QTRY_VERIFY_WITH_TIMEOUT(rec.statuses().size() >= 4, 10000);
        QCOMPARE(rec.statuses()[3].state, State::Lost);

        // Back through the (now harmless) proxy: the acknowledgement is found there, not written again.
        QTRY_COMPARE_WITH_TIMEOUT(rec.acks().size(), 1, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(rec.state(), State::Live, 10000);
        QVERIFY(sameAck(rec.acks()[0], mine));
        QTest::qWait(300);
        QCOMPARE(rec.acks().size(), 1);
        QCOMPARE(psql(QStringLiteral("SELECT count(*) FROM alert_acks"), db), QStringLiteral("1"));
        // A later one with the same content at another moment is a new acknowledgement.
        Feed::Acknowledgement again = mine;
        again.acknowledgedAt = 78;
        feed.acknowledge(again);
        QTRY_COMPARE_WITH_TIMEOUT(rec.acks().size(), 2, 10000);
    }

    void twoDesktopsSeeEachOthersAcknowledgements() {
        const QString db = QStringLiteral("desks");
        QVERIFY(createDatabase(db));
        Recorder recA, recB;
        Feed a(location(db)), b(location(db));
        recA.attach(a);
        recB.attach(b);
        a.start({});
        b.start({});
        QTRY_COMPARE_WITH_TIMEOUT(recA.state(), State::Live, 20000);
        QTRY_COMPARE_WITH_TIMEOUT(recB.state(), State::Live, 20000);
        // Text that must be escaped, and a NUL PostgreSQL text cannot hold (it becomes U+FFFD).
        Feed::Acknowledgement fromA =
            ack(QStringLiteral("veh-1"), model::AlertKind::Airbag, 100, QStringLiteral("Zoë O'Brien"));
        fromA.subject = QStringLiteral("it's a \\ '; DROP TABLE alert_acks; --");
        Feed::Acknowledgement fromB =
            ack(QStringLiteral("veh-2"), model::AlertKind::LowBattery, 200, QStringLiteral("bob"));
        fromB.acknowledgedBy.append(QChar(0)).append(QLatin1Char('x'));
        a.acknowledge(fromA);
        b.acknowledge(fromB);
        QTRY_COMPARE_WITH_TIMEOUT(recA.acks().size(), 2, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(recB.acks().size(), 2, 10000);
        QTest::qWait(300); // nothing more comes
        const auto seenA = recA.acks(), seenB = recB.acks();
        QCOMPARE(seenA.size(), 2);
        QCOMPARE(seenB.size(), 2);
        for (int i = 0; i < 2; ++i) {
            QCOMPARE(seenA[i].id, seenB[i].id);
            QVERIFY(sameAck(seenA[i], seenB[i]));
        }
        QVERIFY(seenA[0].id < seenA[1].id);
        fromB.acknowledgedBy = QStringLiteral("bob\ufffdx");
        QVERIFY((sameAck(seenA[0], fromA) && sameAck(seenA[1], fromB)) ||
                (sameAck(seenA[0], fromB) && sameAck(seenA[1], fromA)));
    }

    void slowListenerPacesTheReads() {
        const QString db = QStringLiteral("slow");
        QVERIFY(createDatabase(db));
        insertGenerated(db, 2500);
        Recorder rec;
        QSemaphore entered, proceed;
        std::atomic<int> calls{0};
        rec.onPage = [&](const QList<Feed::SharedDelivery> &) {
            if (calls++ == 0) {
                entered.release();
                proceed.tryAcquire(1, 30000);
            }
            QThread::msleep(50);
        };
        Feed feed(location(db));
        rec.attach(feed);
        feed.start({});
        QVERIFY(entered.tryAcquire(1, 20000));
        QCOMPARE(rec.deliveryCount(), qsizetype(Feed::kPageSize));
        // While the listener holds the first page the second must still be on the server: take it
        // away there, and a feed that read ahead would still hand it out.
        psql(QStringLiteral("DELETE FROM deliveries WHERE id BETWEEN %1 AND %2")
                 .arg(Feed::kPageSize + 1)
                 .arg(2 * Feed::kPageSize),
             db);
        QCOMPARE(rec.deliveryCount(), qsizetype(Feed::kPageSize));
        proceed.release();
        QTRY_COMPARE_WITH_TIMEOUT(rec.state(), State::Live, 20000);
        QCOMPARE(rec.ids(), range(1, Feed::kPageSize) + range(2 * Feed::kPageSize + 1, 2500));
        for (int size : rec.pages())
            QVERIFY(size <= Feed::kPageSize);
    }

    void stopDuringCatchUpReturnsPromptly() {
        const QString db = QStringLiteral("stopping");
        QVERIFY(createDatabase(db));
        insertGenerated(db, 5 * Feed::kPageSize);
        Recorder rec;
        QSemaphore entered;
        std::atomic<int> calls{0};
        rec.onPage = [&](const QList<Feed::SharedDelivery> &) {
            ++calls;
            entered.release();
            QThread::msleep(300); // a consumer busy with the page
        };
        auto feed = std::make_unique<Feed>(location(db));
        rec.attach(*feed);
        feed->start({});
        QVERIFY(entered.tryAcquire(1, 20000));
        QElapsedTimer timer;
        timer.start();
        feed->stop();
        const qint64 stopMs = timer.elapsed();
        qInfo("stop() during catch-up returned after %lld ms", stopMs);
        QVERIFY2(stopMs < 5000, qPrintable(QString::number(stopMs)));
        // The page in hand was finished, no further page was read, and nothing runs afterwards.
        QCOMPARE(calls.load(), 1);
        const qsizetype reports = rec.statuses().size();
        QTest::qWait(200);
        QCOMPARE(calls.load(), 1);
        QCOMPARE(rec.statuses().size(), reports);
        QCOMPARE(rec.state(), State::CatchingUp);
        feed.reset();
        QCOMPARE(calls.load(), 1);
    }

    void stopBeforeTheServerAnswers() {
        // An unreachable server is retried, not an error, and stop() ends the retrying.
        store::PostgresLocation unreachable;
        QString error;
        QVERIFY(store::PostgresLocation::parse(QStringLiteral("postgresql://fleetmon@127.0.0.1:1/none"),
                                               &unreachable, &error));
        Recorder rec;
        Feed feed(unreachable);
        rec.attach(feed);
        feed.start({});
        QTRY_VERIFY_WITH_TIMEOUT(rec.statuses().size() >= 3, 10000); // connecting, lost, connecting...
        const Feed::Status lost = rec.statuses()[1];
        QCOMPARE(lost.state, State::Lost);
        QCOMPARE(lost.attempt, 1);
        QVERIFY(!lost.error.isEmpty());
        feed.acknowledge(ack(QStringLiteral("veh-1"), model::AlertKind::Silent, 1, QStringLiteral("desk")));
        QElapsedTimer timer;
        timer.start();
        feed.stop();
        QVERIFY(timer.elapsed() < 5000);
        const qsizetype reports = rec.statuses().size();
        QTest::qWait(600);
        QCOMPARE(rec.statuses().size(), reports);
    }
};

QTEST_GUILESS_MAIN(tst_SharedFleetFeed)
#include "tst_SharedFleetFeed.moc"
