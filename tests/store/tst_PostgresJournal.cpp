// The ingest node's journal on a real, throwaway PostgreSQL server: group commit in id order with a
// NOTIFY per batch, the cross-node dedupe decided by the unique constraint (two nodes racing on the
// same eventIds), the verdicts that never claim an eventId, the server going away mid-stream and
// coming back, and the errors open() gives.

#include "store/PostgresJournal.h"
#include "store/PostgresLocation.h"
#include "store/PostgresSchema.h"
#include "support/PostgresCluster.h"
#include "support/PostgresLocationOf.h"

#include <QElapsedTimer>
#include <QHash>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTest>
#include <QThread>
#include <atomic>
#include <chrono>
#include <mutex>

namespace {

using Clock = std::chrono::steady_clock;

// What a journal's listeners were told, from the store thread.
class Collector final {
public:
    void attach(store::PostgresJournal &journal) {
        journal.setCommitListener([this](const QList<store::AppendResult> &results) {
            std::lock_guard lock(m_mutex);
            QList<quint64> tickets;
            for (const store::AppendResult &r : results) {
                m_results.append(r);
                m_reportedAt.insert(r.ticket, Clock::now());
                tickets.append(r.ticket);
            }
            m_batches.append(tickets);
        });
        journal.setHealthListener([this](const store::JournalHealth &health) {
            std::lock_guard lock(m_mutex);
            m_health.append(health);
        });
    }
    qsizetype count() const {
        std::lock_guard lock(m_mutex);
        return m_results.size();
    }
    qsizetype committedCount() const {
        std::lock_guard lock(m_mutex);
        return std::count_if(m_results.begin(), m_results.end(), [](const auto &r) { return r.committed; });
    }
    QList<store::AppendResult> results() const {
        std::lock_guard lock(m_mutex);
        return m_results;
    }
    QList<QList<quint64>> batches() const {
        std::lock_guard lock(m_mutex);
        return m_batches;
    }
    QList<store::JournalHealth> health() const {
        std::lock_guard lock(m_mutex);
        return m_health;
    }
    Clock::time_point reportedAt(quint64 ticket) const {
        std::lock_guard lock(m_mutex);
        return m_reportedAt.value(ticket);
    }

private:
    mutable std::mutex m_mutex;
    QList<store::AppendResult> m_results;
    QHash<quint64, Clock::time_point> m_reportedAt;
    QList<QList<quint64>> m_batches;
    QList<store::JournalHealth> m_health;
};

model::Delivery delivery(const QString &eventId, model::Verdict verdict = model::Verdict::Accepted) {
    model::Delivery d;
    d.receivedAtMs = 1'700'000'000'000;
    d.eventId = eventId;
    d.eventType = QStringLiteral("VEHICLE_STATE");
    d.vehicleId = QStringLiteral("veh-1");
    d.verdict = verdict;
    d.status = verdict == model::Verdict::Accepted ? 200 : 401;
    d.headers = R"({"sc-signature":"abc"})";
    if (verdict == model::Verdict::Accepted)
        d.body =
            R"({"eventId":")" + eventId.toUtf8() + R"("})" + QByteArray("\0 raw", 5); // bytes kept as sent
    return d;
}

} // namespace

class tst_PostgresJournal : public QObject {
    Q_OBJECT

    testsupport::PostgresCluster m_cluster;

    store::PostgresLocation location(const QString &database) const {
        return testsupport::postgresLocationOf(m_cluster.url(database));
    }
    bool createDatabase(const QString &name) {
        QString error;
        if (!m_cluster.createDatabase(name, &error))
            qWarning("%s", qPrintable(error));
        return error.isEmpty();
    }
    QString sql(const QString &database, const QString &statement) {
        QString error;
        const QString out = m_cluster.psql(statement, &error, database);
        if (!error.isEmpty())
            qWarning("%s", qPrintable(error));
        return out;
    }

private slots:
    void initTestCase() {
        QString error;
        QVERIFY2(store::PostgresLocation::driverAvailable(&error), qPrintable(error));
        QVERIFY2(m_cluster.start(&error), qPrintable(error));
    }

    void commitsInIdOrderAndNotifies() {
        QVERIFY(createDatabase(QStringLiteral("notify")));
        QStringList payloads;
        {
            // A desktop's connection, LISTENing on this thread's event loop.
            QSqlDatabase listen = location(QStringLiteral("notify")).addConnection(QStringLiteral("listen"));
            QVERIFY2(listen.open(), qPrintable(listen.lastError().text()));
            QVERIFY(listen.driver()->subscribeToNotification(
                QLatin1String(store::PostgresSchema::kDeliveriesChannel)));
            connect(listen.driver(), &QSqlDriver::notification, this,
                    [&](const QString &name, QSqlDriver::NotificationSource, const QVariant &payload) {
                        if (name == QLatin1String(store::PostgresSchema::kDeliveriesChannel))
                            payloads.append(payload.toString());
                    });

            Collector collector;
            store::PostgresJournal journal(location(QStringLiteral("notify")), QStringLiteral("node-a:8787"));
            collector.attach(journal);
            QString error;
            QVERIFY2(journal.open(&error), qPrintable(error));
            constexpr int kCount = 100;
            for (int i = 0; i < kCount; ++i)
                QCOMPARE(journal.append(delivery(QStringLiteral("n-%1").arg(i))), quint64(i + 1));
            QTRY_COMPARE_WITH_TIMEOUT(collector.count(), kCount, 30000);
            const QList<store::AppendResult> results = collector.results();
            qint64 previous = 0;
            for (int i = 0; i < kCount; ++i) {
                const store::AppendResult &r = results.at(i);
                QVERIFY2(r.committed, qPrintable(r.error));
                QCOMPARE(r.ticket, quint64(i + 1)); // reported in the order appended
                QCOMPARE(r.verdict, model::Verdict::Accepted);
                QVERIFY(r.id > previous);
                previous = r.id;
            }
            // The listener hears the highest id of the last batch, and only ever ids going up.
            QTRY_VERIFY_WITH_TIMEOUT(!payloads.isEmpty() && payloads.last() == QString::number(previous),
                                     20000);
            for (qsizetype i = 1; i < payloads.size(); ++i)
                QVERIFY(payloads.at(i).toLongLong() > payloads.at(i - 1).toLongLong());
            QVERIFY(payloads.size() <= collector.batches().size()); // one per transaction at most
            journal.close();
            listen.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("listen"));
        // The rows as a desktop reads them: ids in append order, every column kept.
        QCOMPARE(
            sql(QStringLiteral("notify"), QStringLiteral("SELECT string_agg(event_id, ',' ORDER BY id) = "
                                                         "(SELECT string_agg('n-' || g, ',' ORDER BY g) "
                                                         "FROM generate_series(0, 99) g) FROM deliveries")),
            QStringLiteral("t"));
        QCOMPARE(sql(QStringLiteral("notify"),
                     QStringLiteral("SELECT received_at, event_type, vehicle_id, verdict, status, "
                                    "convert_from(headers, 'UTF8'), position('\\x00'::bytea IN body) > 0, "
                                    "node, accepted_event_id FROM deliveries WHERE event_id = 'n-7'")),
                 QStringLiteral("1700000000000|VEHICLE_STATE|veh-1|accepted|200|{\"sc-signature\":\"abc\"}|t|"
                                "node-a:8787|n-7"));
    }

    // A batch is what queued while the previous one committed: held back here by taking the
    // commit-order lock from outside, so the appends after the first must share one transaction.
    void dedupesInsideOneBatch() {
        QVERIFY(createDatabase(QStringLiteral("batch")));
        Collector collector;
        store::PostgresJournal journal(location(QStringLiteral("batch")), QStringLiteral("node-a"));
        collector.attach(journal);
        QString error;
        QVERIFY2(journal.open(&error), qPrintable(error));
        QVERIFY(!sql(QStringLiteral("batch"),
                     QStringLiteral("INSERT INTO deliveries (received_at, event_id, verdict, "
                                    "status, accepted_event_id) VALUES (1, 'old', "
                                    "'accepted', 200, 'old') RETURNING id"))
                     .isEmpty());
        {
            QSqlDatabase blocker = location(QStringLiteral("batch")).addConnection(QStringLiteral("blocker"));
            QVERIFY2(blocker.open(), qPrintable(blocker.lastError().text()));
            QVERIFY(blocker.transaction());
            QSqlQuery q(blocker);
            QVERIFY2(q.exec(QStringLiteral("SELECT pg_advisory_xact_lock(%1)")
                                .arg(store::PostgresSchema::kCommitOrderLock)),
                     qPrintable(q.lastError().text()));
            journal.append(delivery(QStringLiteral("first")));
            // The store thread waits for the lock with the first batch.
            QTRY_VERIFY_WITH_TIMEOUT(q.exec(QStringLiteral("SELECT count(*) FROM pg_locks WHERE "
                                                           "locktype = 'advisory' AND NOT granted")) &&
                                         q.next() && q.value(0).toInt() == 1,
                                     20000);
            model::Delivery replay = delivery(QStringLiteral("A"));
            // PostgreSQL text cannot hold U+0000 (a JSON body may spell it): stored as U+FFFD
            // instead of failing the batch at every retry.
            model::Delivery noEventId = delivery(QString());
            noEventId.vehicleId = QStringLiteral("veh") + QChar(0) + QStringLiteral("x");
            replay.replay = true;
            const QList<model::Delivery> second = {
                delivery(QStringLiteral("A")),
                delivery(QStringLiteral("A")),
                delivery(QString()),
                noEventId,
                delivery(QStringLiteral("B"), model::Verdict::BadSignature),
                delivery(QStringLiteral("A"), model::Verdict::Malformed),
                replay,
                delivery(QStringLiteral("old")),
                delivery(QStringLiteral("B")),
            };
            for (const model::Delivery &d : second)
                journal.append(d);
            QVERIFY(blocker.commit());
            q.finish();
            blocker.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("blocker"));
        QTRY_COMPARE_WITH_TIMEOUT(collector.count(), 10, 20000);
        // Two transactions, one listener call each.
        QCOMPARE(collector.batches(), (QList<QList<quint64>>{{1}, {2, 3, 4, 5, 6, 7, 8, 9, 10}}));
        using V = model::Verdict;
        const QList<V> expected = {V::Accepted,     V::Accepted,  V::Duplicate, V::Accepted,  V::Accepted,
                                   V::BadSignature, V::Malformed, V::Accepted,  V::Duplicate, V::Accepted};
        const QList<store::AppendResult> results = collector.results();
        QStringList stored;
        for (qsizetype i = 0; i < results.size(); ++i) {
            QVERIFY2(results.at(i).committed, qPrintable(results.at(i).error));
            QCOMPARE(results.at(i).verdict, expected.at(i));
            stored.append(
                QStringLiteral("%1|%2").arg(results.at(i).id).arg(model::verdictName(expected.at(i))));
        }
        QCOMPARE(sql(QStringLiteral("batch"),
                     QStringLiteral("SELECT id || '|' || verdict FROM deliveries WHERE event_id <> 'old' OR "
                                    "accepted_event_id IS NULL ORDER BY id"))
                     .split(QLatin1Char('\n')),
                 stored);
        // Only the accepted deliveries with an eventId claim it; the replay, the rejected ones, the
        // duplicates and those without an eventId keep NULL.
        QCOMPARE(sql(QStringLiteral("batch"),
                     QStringLiteral("SELECT string_agg(accepted_event_id, ',' ORDER BY id) FROM deliveries")),
                 QStringLiteral("old,first,A,B"));
        QCOMPARE(sql(QStringLiteral("batch"),
                     QStringLiteral("SELECT count(*) FROM deliveries WHERE event_id = ''")),
                 QStringLiteral("2"));
        QCOMPARE(sql(QStringLiteral("batch"),
                     QStringLiteral(
                         "SELECT count(*) FROM deliveries WHERE vehicle_id = 'veh' || chr(65533) || 'x'")),
                 QStringLiteral("1"));
        journal.close();
    }

    // A batch of deliveries of every kind and no duplicate goes in multi-row inserts: each
    // delivery must get the id of its own row, claiming its eventId only when it should.
    void mixedBatchKeepsEachRowsId() {
        QVERIFY(createDatabase(QStringLiteral("mixed")));
        Collector collector;
        store::PostgresJournal journal(location(QStringLiteral("mixed")), QStringLiteral("node-a"));
        collector.attach(journal);
        QString error;
        QVERIFY2(journal.open(&error), qPrintable(error));
        constexpr int kCount = 101; // 64 + 32 + 4 rows, then one alone
        QStringList expected;       // "eventId|verdict|claimed eventId" by ticket
        {
            QSqlDatabase blocker = location(QStringLiteral("mixed")).addConnection(QStringLiteral("blocker"));
            QVERIFY2(blocker.open(), qPrintable(blocker.lastError().text()));
            QVERIFY(blocker.transaction());
            QSqlQuery q(blocker);
            QVERIFY(q.exec(QStringLiteral("SELECT pg_advisory_xact_lock(%1)")
                               .arg(store::PostgresSchema::kCommitOrderLock)));
            journal.append(delivery(QStringLiteral("first")));
            expected.append(QStringLiteral("first|accepted|first"));
            QTRY_VERIFY_WITH_TIMEOUT(q.exec(QStringLiteral("SELECT count(*) FROM pg_locks WHERE "
                                                           "locktype = 'advisory' AND NOT granted")) &&
                                         q.next() && q.value(0).toInt() == 1,
                                     20000);
            for (int i = 0; i < kCount; ++i) {
                const QString eventId = QStringLiteral("m-%1").arg(i);
                model::Delivery d;
                QString claimed;
                switch (i % 5) {
                case 0:
                    d = delivery(eventId), claimed = eventId;
                    break;
                case 1:
                    d = delivery(eventId, model::Verdict::BadSignature);
                    break;
                case 2:
                    d = delivery(QString());
                    break;
                case 3:
                    d = delivery(eventId, model::Verdict::Malformed);
                    break;
                default:
                    d = delivery(eventId), d.replay = true;
                    break;
                }
                journal.append(d);
                expected.append(
                    QStringLiteral("%1|%2|%3").arg(d.eventId, model::verdictName(d.verdict), claimed));
            }
            QVERIFY(blocker.commit());
            q.finish();
            blocker.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("blocker"));
        QTRY_COMPARE_WITH_TIMEOUT(collector.count(), kCount + 1, 20000);
        QCOMPARE(collector.batches().size(), 2);
        QHash<qint64, QString> stored;
        for (const QString &row :
             sql(QStringLiteral("mixed"),
                 QStringLiteral("SELECT id || '|' || event_id || '|' || verdict || '|' || "
                                "coalesce(accepted_event_id, '') FROM deliveries"))
                 .split(QLatin1Char('\n')))
            stored.insert(row.section(QLatin1Char('|'), 0, 0).toLongLong(), row.section(QLatin1Char('|'), 1));
        QCOMPARE(stored.size(), kCount + 1);
        qint64 previous = 0;
        for (const store::AppendResult &r : collector.results()) {
            QVERIFY2(r.committed, qPrintable(r.error));
            QVERIFY(r.id > previous);
            previous = r.id;
            QCOMPARE(stored.value(r.id), expected.at(qsizetype(r.ticket - 1)));
        }
        journal.close();
    }

    // Two ingest nodes given the same eventIds at the same moment (Smartcar retrying against a
    // load balancer): each stored once as accepted, and each node told what the database decided.
    void twoNodesStoreEachEventOnce() {
        QVERIFY(createDatabase(QStringLiteral("nodes")));
        constexpr int kEvents = 400;
        // Tickets follow the appends of each node.
        const auto eventOf = [](int node, quint64 ticket) {
            return node == 0 ? int(ticket) - 1 : kEvents - int(ticket);
        };
        Collector collectors[2];
        std::unique_ptr<store::PostgresJournal> journals[2];
        for (int n = 0; n < 2; ++n) {
            journals[n] = std::make_unique<store::PostgresJournal>(location(QStringLiteral("nodes")),
                                                                   QStringLiteral("node-%1").arg(n));
            collectors[n].attach(*journals[n]);
            QString error;
            QVERIFY2(journals[n]->open(&error), qPrintable(error));
        }
        std::atomic<int> ready{0};
        QList<QThread *> threads;
        for (int n = 0; n < 2; ++n) {
            threads.append(QThread::create([&, n] {
                ++ready;
                while (ready.load() < 2)
                    QThread::yieldCurrentThread();
                // Paced, and in opposite orders: the nodes meet in the middle, where both get
                // the same eventIds at the same moment, and each is first to some of them.
                for (int i = 0; i < kEvents; ++i) {
                    journals[n]->append(delivery(QStringLiteral("ev-%1").arg(eventOf(n, i + 1))));
                    QThread::usleep(500);
                }
            }));
            threads.last()->start();
        }
        for (QThread *t : threads) {
            QVERIFY(t->wait(60000));
            delete t;
        }
        for (int n = 0; n < 2; ++n)
            QTRY_COMPARE_WITH_TIMEOUT(collectors[n].count(), kEvents, 30000);
        QHash<qint64, QString> told; // id -> "eventId|verdict|node" as each node reported it
        for (int n = 0; n < 2; ++n) {
            for (const store::AppendResult &r : collectors[n].results()) {
                QVERIFY2(r.committed, qPrintable(r.error));
                const QString eventId = QStringLiteral("ev-%1").arg(eventOf(n, r.ticket));
                told.insert(
                    r.id, QStringLiteral("%1|%2|node-%3").arg(eventId, model::verdictName(r.verdict)).arg(n));
            }
        }
        QCOMPARE(told.size(), 2 * kEvents);
        const QStringList rows =
            sql(QStringLiteral("nodes"),
                QStringLiteral(
                    "SELECT id || '|' || event_id || '|' || verdict || '|' || node FROM deliveries"))
                .split(QLatin1Char('\n'));
        QCOMPARE(rows.size(), 2 * kEvents);
        for (const QString &row : rows) {
            const qint64 id = row.section(QLatin1Char('|'), 0, 0).toLongLong();
            QCOMPARE(row.section(QLatin1Char('|'), 1), told.value(id));
        }
        // Every eventId once as accepted (claiming it), once as duplicate (claiming nothing).
        QCOMPARE(
            sql(QStringLiteral("nodes"),
                QStringLiteral("SELECT count(*) FROM (SELECT event_id FROM deliveries GROUP BY event_id "
                               "HAVING count(*) FILTER (WHERE verdict = 'accepted' AND accepted_event_id "
                               "= event_id) = 1 AND count(*) FILTER (WHERE verdict = 'duplicate' AND "
                               "accepted_event_id IS NULL) = 1 AND count(*) = 2) ok")),
            QString::number(kEvents));
        // The nodes really raced: each won some of the eventIds.
        const QString winners =
            sql(QStringLiteral("nodes"),
                QStringLiteral("SELECT count(DISTINCT node) FROM deliveries WHERE verdict = 'accepted'"));
        QCOMPARE(winners, QStringLiteral("2"));
        for (auto &journal : journals)
            journal->close();
    }

    void closeDrainsTheQueue() {
        QVERIFY(createDatabase(QStringLiteral("drain")));
        Collector collector;
        store::PostgresJournal journal(location(QStringLiteral("drain")), QStringLiteral("node-a"));
        collector.attach(journal);
        QString error;
        QVERIFY2(journal.open(&error), qPrintable(error));
        constexpr int kCount = 3000;
        for (int i = 0; i < kCount; ++i)
            journal.append(delivery(QStringLiteral("d-%1").arg(i)));
        journal.close();
        QCOMPARE(collector.count(), kCount); // all of them reported before close() returned
        QCOMPARE(collector.committedCount(), kCount);
        QCOMPARE(sql(QStringLiteral("drain"), QStringLiteral("SELECT count(*) FROM deliveries")),
                 QString::number(kCount));
        journal.append(delivery(QStringLiteral("late")));
        QTest::qWait(200);
        QCOMPARE(collector.count(), kCount); // no listener call after close
    }

    // Deliveries per second through one journal, from one appending thread, ~1 KB bodies.
    void throughput() {
        QVERIFY(createDatabase(QStringLiteral("throughput")));
        Collector collector;
        store::PostgresJournal journal(location(QStringLiteral("throughput")), QStringLiteral("node-a"));
        collector.attach(journal);
        QString error;
        QVERIFY2(journal.open(&error), qPrintable(error));
        constexpr int kCount = 10000;
        model::Delivery d = delivery(QStringLiteral("t"));
        d.body.append(QByteArray(1000, 'x'));
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < kCount; ++i) {
            d.eventId = QStringLiteral("t-%1").arg(i);
            journal.append(d);
        }
        QTRY_COMPARE_WITH_TIMEOUT(collector.count(), kCount, 60000);
        const qint64 ms = std::max<qint64>(1, timer.elapsed());
        QCOMPARE(collector.committedCount(), kCount);
        qInfo("throughput: %d deliveries in %lld ms = %lld deliveries/s, %lld transactions", kCount, ms,
              kCount * 1000 / ms, qint64(collector.batches().size()));
        journal.close();
    }

    void refusesNewerSchema() {
        QVERIFY(createDatabase(QStringLiteral("newer")));
        sql(QStringLiteral("newer"),
            QStringLiteral("CREATE TABLE fleetmon_schema (version integer NOT NULL); "
                           "INSERT INTO fleetmon_schema VALUES (99)"));
        store::PostgresJournal journal(location(QStringLiteral("newer")), QStringLiteral("node-a"));
        QString error;
        QVERIFY(!journal.open(&error));
        QVERIFY2(error.contains(QLatin1String("version 99")), qPrintable(error));
        QVERIFY2(error.contains(location(QStringLiteral("newer")).displayName()), qPrintable(error));
        QCOMPARE(sql(QStringLiteral("newer"), QStringLiteral("SELECT to_regclass('deliveries') IS NULL")),
                 QStringLiteral("t"));
    }

    void unreachableServerFailsInTime() {
        QTcpServer probe; // a port nobody listens on once the probe is gone
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        const quint16 port = probe.serverPort();
        probe.close();
        store::PostgresLocation l;
        QString error;
        QVERIFY(store::PostgresLocation::parse(
            QStringLiteral("postgresql://fleetmon:s3cret@127.0.0.1:%1/fleet").arg(port), &l, &error));
        store::PostgresJournal journal(l, QStringLiteral("node-a"));
        QElapsedTimer timer;
        timer.start();
        QVERIFY(!journal.open(&error));
        QVERIFY(timer.elapsed() < 10000);
        QVERIFY2(error.contains(QStringLiteral("postgresql://fleetmon@127.0.0.1:%1/fleet").arg(port)),
                 qPrintable(error));
        QVERIFY2(!error.contains(QLatin1String("s3cret")), qPrintable(error));
    }

    // Last: it stops the shared server. Deliveries keep coming while it is gone; each is answered
    // at once, the health listener hears of the outage once each way, and after the restart what
    // was reported committed is stored exactly once and nothing else is.
    void serverStopMidStream() {
        QVERIFY(createDatabase(QStringLiteral("stream")));
        Collector collector;
        store::PostgresJournal journal(location(QStringLiteral("stream")), QStringLiteral("node-a"));
        collector.attach(journal);
        QString error;
        QVERIFY2(journal.open(&error), qPrintable(error));

        std::atomic<bool> streaming{true};
        std::mutex timesMutex;
        QList<Clock::time_point> appendedAt; // index: ticket - 1
        QThread *stream = QThread::create([&] {
            for (int i = 0; streaming.load(); ++i) {
                {
                    std::lock_guard lock(timesMutex);
                    appendedAt.append(Clock::now());
                }
                journal.append(delivery(QStringLiteral("s-%1").arg(i)));
                QThread::msleep(3);
            }
        });
        stream->start();
        QTRY_VERIFY_WITH_TIMEOUT(collector.committedCount() >= 50, 20000);
        QVERIFY2(m_cluster.stopServer(&error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(collector.health().size(), 1, 20000);
        QTest::qWait(1500); // down for a while: refusals pile up over several reconnect attempts
        const qsizetype committedBefore = collector.committedCount();
        QVERIFY2(m_cluster.startServer(&error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(collector.health().size(), 2, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(collector.committedCount() >= committedBefore + 50, 20000);
        streaming = false;
        QVERIFY(stream->wait(20000));
        delete stream;
        journal.close();

        const QList<store::AppendResult> results = collector.results();
        QCOMPARE(results.size(), appendedAt.size()); // every append reported once
        const QList<store::JournalHealth> health = collector.health();
        QVERIFY(!health.at(0).writable);
        QVERIFY(!health.at(0).error.isEmpty());
        QVERIFY(health.at(1).writable);
        QVERIFY(health.at(1).downMs >= 1500);
        QSet<quint64> seen;
        QStringList committed;
        qint64 refused = 0;
        qint64 previousId = 0;
        for (const store::AppendResult &r : results) {
            QVERIFY(!seen.contains(r.ticket));
            seen.insert(r.ticket);
            if (r.committed) {
                QVERIFY(r.id > previousId);
                previousId = r.id;
                committed.append(QStringLiteral("%1|s-%2").arg(r.id).arg(r.ticket - 1));
                continue;
            }
            ++refused;
            QVERIFY(!r.error.isEmpty());
            // Answered at once, not after a reconnect attempt or a timeout.
            const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
                collector.reportedAt(r.ticket) - appendedAt.at(qsizetype(r.ticket - 1)));
            QVERIFY2(waited.count() < 1000, qPrintable(QString::number(waited.count())));
        }
        QVERIFY(refused > 10);
        QCOMPARE(health.at(1).refused, refused);
        QCOMPARE(sql(QStringLiteral("stream"),
                     QStringLiteral("SELECT id || '|' || event_id FROM deliveries ORDER BY id"))
                     .split(QLatin1Char('\n')),
                 committed);
    }

    // The server gone without a word (a network partition): its port takes connections and never
    // answers, so each reconnect attempt hangs for libpq's connect_timeout (5 s). Deliveries are
    // still refused at once meanwhile, and the journal comes back once the server does.
    void unansweringServerStillRefusesAtOnce() {
        QVERIFY(createDatabase(QStringLiteral("silent")));
        Collector collector;
        store::PostgresJournal journal(location(QStringLiteral("silent")), QStringLiteral("node-a"));
        collector.attach(journal);
        QString error;
        QVERIFY2(journal.open(&error), qPrintable(error));
        journal.append(delivery(QStringLiteral("before")));
        QTRY_COMPARE_WITH_TIMEOUT(collector.committedCount(), 1, 20000);

        QVERIFY2(m_cluster.stopServer(&error), qPrintable(error));
        auto silent = std::make_unique<QTcpServer>();
        QVERIFY2(silent->listen(QHostAddress(QStringLiteral("127.0.0.1")), m_cluster.port()),
                 qPrintable(silent->errorString()));
        QElapsedTimer down;
        down.start();
        int appended = 1;
        while (down.elapsed() < 3000) { // the first attempt starts after 250 ms and hangs for 5 s
            QElapsedTimer answered;
            answered.start();
            journal.append(delivery(QStringLiteral("while-%1").arg(appended++)));
            QTRY_COMPARE_WITH_TIMEOUT(collector.count(), appended, 10000);
            QVERIFY2(answered.elapsed() < 1000, qPrintable(QString::number(answered.elapsed())));
            QTest::qWait(100);
        }
        QCOMPARE(collector.committedCount(), 1);
        QVERIFY(silent->hasPendingConnections() || silent->isListening());
        silent.reset(); // its connections close: the hanging attempt fails now
        QVERIFY2(m_cluster.startServer(&error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(collector.health().size(), 2, 30000);
        QVERIFY(collector.health().at(1).writable);
        journal.append(delivery(QStringLiteral("after")));
        QTRY_COMPARE_WITH_TIMEOUT(collector.committedCount(), 2, 20000);
        journal.close();
        QCOMPARE(sql(QStringLiteral("silent"),
                     QStringLiteral("SELECT string_agg(event_id, ',' ORDER BY id) FROM deliveries")),
                 QStringLiteral("before,after"));
    }
};

QTEST_GUILESS_MAIN(tst_PostgresJournal)
#include "tst_PostgresJournal.moc"
