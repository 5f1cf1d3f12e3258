// The replica of a shared fleet: stored deliveries journaled under their shared ids as the endpoint
// would have journaled them, the fleet changed in the same order, a page repeated changes nothing,
// the cursor comes back from the file, and acknowledgements from other desktops find their alert
// even when they arrive before it.

#include "model/AlertEngine.h"
#include "model/FleetUpdateQueue.h"
#include "smartcar/FleetLoader.h"
#include "smartcar/FleetProcessor.h"
#include "smartcar/PayloadDecoder.h"
#include "smartcar/SharedFleetReplicator.h"
#include "smartcar/SimulatedFleet.h"
#include "store/Journal.h"
#include "store/JournalReader.h"

#include <QProcess>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>
#include <csignal>
#include <cstdio>
#include <thread>

using smartcar::SharedFleetReplicator;
using store::SharedFleetFeed;

namespace {

constexpr qint64 kT0 = 1'717'243'200'000;

// What a node stored: an accepted delivery of the simulated fleet under shared id `id`.
SharedFleetFeed::SharedDelivery stored(qint64 id, const QByteArray &body, qint64 receivedAt) {
    const smartcar::PayloadDecoder::Result decoded = smartcar::PayloadDecoder::decode(body);
    SharedFleetFeed::SharedDelivery s;
    s.delivery.id = id;
    s.delivery.receivedAtMs = receivedAt;
    s.delivery.eventId = decoded.event.eventId;
    s.delivery.eventType = decoded.event.eventType;
    s.delivery.vehicleId = decoded.event.vehicleId;
    s.delivery.verdict = model::Verdict::Accepted;
    s.delivery.status = 200;
    s.delivery.headers = R"({"Content-Length":")" + QByteArray::number(body.size()) + R"("})";
    s.delivery.body = body;
    s.node = QStringLiteral("127.0.0.1:8787");
    return s;
}

SharedFleetFeed::SharedDelivery rejected(qint64 id, qint64 receivedAt) {
    SharedFleetFeed::SharedDelivery s;
    s.delivery.id = id;
    s.delivery.receivedAtMs = receivedAt;
    s.delivery.verdict = model::Verdict::BadSignature;
    s.delivery.status = 401;
    s.delivery.headers = R"({"Content-Length":"1234"})";
    s.node = QStringLiteral("127.0.0.1:8788");
    return s;
}

// A replica journal and a processor on a thread of its own, as the desktop runs them.
struct Replica {
    QString path;
    store::Journal journal;
    QThread thread;
    model::FleetUpdateQueue updates;
    smartcar::FleetProcessor *processor = nullptr;

    std::atomic<bool> unwritable{false}; // the journal reported it cannot write

    explicit Replica(const QString &p)
        : path(p) {
        journal.setHealthListener(
            [this](const store::JournalHealth &health) { unwritable = !health.writable; });
        QString openError;
        if (!journal.open(path, &openError))
            qFatal("%s", qPrintable(openError));
        thread.start();
        auto *context = new QObject;
        context->moveToThread(&thread);
        // The fleet and alerts as the replica holds them, as a desktop's start restores them.
        QMetaObject::invokeMethod(
            context,
            [this] {
                model::FleetState fleet;
                QList<model::Alert> alerts;
                store::JournalReader reader;
                smartcar::FleetLoader::Outcome outcome;
                QString error;
                if (!reader.open(path, &error) ||
                    !smartcar::FleetLoader::load(reader, &fleet, &outcome, &error) ||
                    !reader.forEachAlertToRestore(
                        1000,
                        [&](const model::Alert &a) {
                            alerts.append(a);
                            return true;
                        },
                        &error))
                    qFatal("%s", qPrintable(error));
                processor = new smartcar::FleetProcessor(&journal, std::move(fleet), alerts, {}, &updates);
            },
            Qt::BlockingQueuedConnection);
        context->deleteLater();
    }
    ~Replica() { close(); }
    void close() {
        if (!processor)
            return;
        journal.close();
        QMetaObject::invokeMethod(
            processor, [this] { delete processor; }, Qt::BlockingQueuedConnection);
        processor = nullptr;
        thread.quit();
        thread.wait();
    }
    // Runs on the processor's thread and returns what `f` gives.
    template <typename F> auto onThread(F f) {
        decltype(f()) result;
        QMetaObject::invokeMethod(
            processor, [&] { result = f(); }, Qt::BlockingQueuedConnection);
        return result;
    }
    QList<model::Delivery> deliveries() {
        store::JournalReader reader;
        QString error;
        QList<model::Delivery> all;
        if (!reader.open(path, &error) || !reader.forEach(
                                              {},
                                              [&](const model::Delivery &d) {
                                                  all.append(d);
                                                  return true;
                                              },
                                              &error))
            qWarning("%s", qPrintable(error));
        return all;
    }
};

QList<model::VehicleRow> rowsOf(const model::FleetState &fleet) {
    QList<model::VehicleRow> rows;
    for (const QString &id : fleet.vehicleIds())
        rows.append(model::FleetState::rowFor(*fleet.vehicle(id)));
    return rows;
}

} // namespace

// The stream of the crash test: the same deliveries, in the same pages, in every process.
constexpr int kCrashPages = 4;
constexpr int kCrashPageSize = 1000; // SharedFleetFeed::kPageSize: a page takes several commits
QList<QList<SharedFleetFeed::SharedDelivery>> crashStream() {
    smartcar::SimulatedFleet sim(20, 3);
    QList<QList<SharedFleetFeed::SharedDelivery>> pages(kCrashPages);
    for (int i = 0; i < kCrashPages * kCrashPageSize; ++i)
        pages[i / kCrashPageSize].append(stored(i + 1, sim.nextDelivery(kT0 + i * 1000), kT0 + i * 1000));
    return pages;
}

// The child of the crash test: replicates the stream into `path` from where the replica stands,
// saying after each page how far it got, until it is killed.
int replicateUntilKilled(const QString &path) {
    SharedFleetFeed::Cursor cursor;
    QString error;
    if (!SharedFleetReplicator::resumePoint(path, &cursor, &error))
        qFatal("%s", qPrintable(error));
    Replica replica(path);
    SharedFleetReplicator replicator(&replica.journal, replica.processor, cursor);
    int page = 0;
    for (const QList<SharedFleetFeed::SharedDelivery> &p : crashStream()) {
        replicator.takeDeliveries(p);
        std::printf("page %d\n", ++page);
        std::fflush(stdout);
    }
    return 0;
}

class tst_SharedFleetReplicator : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void pagesBecomeTheReplicaAndTheFleet() {
        QTemporaryDir dir;
        const QString path = dir.filePath("journal.sqlite");
        smartcar::SimulatedFleet sim(8, 7);
        QList<SharedFleetFeed::SharedDelivery> first, second;
        model::FleetState expected;
        qint64 id = 100;
        for (int i = 0; i < 60; ++i) {
            const qint64 at = kT0 + i * 1000;
            SharedFleetFeed::SharedDelivery s = stored(id, sim.nextDelivery(at), at);
            expected.apply(smartcar::PayloadDecoder::decode(s.delivery.body).event, at);
            (i < 40 ? first : second).append(s);
            id += i % 7 == 0 ? 4 : 2; // ids of rolled back transactions are never seen
        }
        first.insert(5, rejected(first.at(4).delivery.id + 1, kT0 + 4500));

        {
            Replica replica(path);
            SharedFleetReplicator replicator(&replica.journal, replica.processor, {});
            replicator.takeDeliveries(first);
            QCOMPARE(replicator.takenDeliveries(), first.last().delivery.id);
            QCOMPARE(replicator.deliveriesJournaled(), first.size());
            // The feed repeating itself (or a page overlapping the last) takes nothing twice.
            replicator.takeDeliveries(first.mid(30));
            QCOMPARE(replicator.deliveriesJournaled(), first.size());
            replicator.takeDeliveries(first.mid(38) + second);
            QCOMPARE(replicator.deliveriesJournaled(), first.size() + second.size());
            QCOMPARE(replicator.takenDeliveries(), second.last().delivery.id);

            // Applied before takeDeliveries() returned: the fleet is the one the nodes' deliveries make.
            const QList<model::VehicleRow> rows =
                replica.onThread([&] { return rowsOf(replica.processor->fleet()); });
            QCOMPARE(rows, rowsOf(expected));
            // Every delivery reached the log, under its shared id.
            const model::FleetUpdateQueue::Batch batch = replica.updates.takeBatch();
            QCOMPARE(batch.deliveries.size(), first.size() + second.size());
            QCOMPARE(batch.deliveries.at(5).journalId, first.at(5).delivery.id);
            QCOMPARE(batch.deliveries.at(5).verdict, model::Verdict::BadSignature);
            QCOMPARE(batch.deliveries.at(5).bodyBytes, 1234);
            QCOMPARE(batch.deliveries.at(6).verdict, model::Verdict::Accepted);
        }

        const QList<SharedFleetFeed::SharedDelivery> all = first + second;
        Replica replica(path);
        const QList<model::Delivery> kept = replica.deliveries();
        QCOMPARE(kept.size(), all.size());
        for (qsizetype i = 0; i < all.size(); ++i) {
            const model::Delivery &s = all.at(i).delivery;
            QCOMPARE(kept.at(i).id, s.id);
            QCOMPARE(kept.at(i).eventId, s.eventId);
            QCOMPARE(kept.at(i).vehicleId, s.vehicleId);
            QCOMPARE(kept.at(i).verdict, s.verdict);
            QCOMPARE(kept.at(i).status, s.status);
            QCOMPARE(kept.at(i).headers, s.headers);
            QCOMPARE(kept.at(i).body, s.body);
        }
        // History points as the endpoint keeps them.
        store::JournalReader reader;
        QString error;
        QVERIFY2(reader.open(path, &error), qPrintable(error));
        qint64 samples = 0;
        QVERIFY(reader.forEachSample(
            {},
            [&](const model::HistorySample &) {
                ++samples;
                return true;
            },
            &error));
        QVERIFY(samples > 0);

        SharedFleetFeed::Cursor cursor;
        QVERIFY2(SharedFleetReplicator::resumePoint(path, &cursor, &error), qPrintable(error));
        QCOMPARE(cursor.deliveries, all.last().delivery.id);
        QVERIFY2(SharedFleetReplicator::resumePoint(dir.filePath("none.sqlite"), &cursor, &error),
                 qPrintable(error));
        QCOMPARE(cursor.deliveries, 0);
    }

    void acknowledgementsFindTheirAlertEvenBeforeIt() {
        QTemporaryDir dir;
        const QString path = dir.filePath("journal.sqlite");
        // The alerts the deliveries raise, as another desktop computed them.
        smartcar::SimulatedFleet sim(5, 11);
        QList<SharedFleetFeed::SharedDelivery> page;
        model::FleetState reference;
        model::AlertEngine engine;
        for (int i = 0; i < 150; ++i) {
            const qint64 at = kT0 + i * 60'000;
            page.append(stored(i + 1, sim.nextDelivery(at), at));
            const model::VehicleEvent event =
                smartcar::PayloadDecoder::decode(page.last().delivery.body).event;
            if (reference.apply(event, at))
                engine.evaluate(*reference.vehicle(event.vehicleId), at);
        }
        // Two alerts still active at the end (so never cleared since they were raised), raised apart.
        QList<model::Alert> active = engine.activeAlerts();
        std::sort(active.begin(), active.end(),
                  [](const model::Alert &a, const model::Alert &b) { return a.firstSeenAt < b.firstSeenAt; });
        QVERIFY2(active.size() >= 2 && active.first().firstSeenAt < active.last().firstSeenAt,
                 "the simulated fleet raised too few alerts for this test");
        const model::Alert early = active.first();
        const model::Alert late = active.last();
        qsizetype split = 0; // the first page raises `early`, the second `late`
        while (page.at(split).delivery.receivedAtMs <= early.firstSeenAt)
            ++split;

        const auto ack = [](qint64 id, const model::Alert &a, const QString &by) {
            return SharedFleetFeed::Acknowledgement{id,        a.vehicleId,       a.kind,
                                                    a.subject, a.firstSeenAt + 1, by};
        };
        const auto alertOf = [](const smartcar::FleetProcessor *p, const model::Alert &a) {
            for (const model::Alert &mine : p->alerts().activeAlerts())
                if (mine.vehicleId == a.vehicleId && mine.kind == a.kind && mine.subject == a.subject)
                    return mine;
            return model::Alert{};
        };
        {
            Replica replica(path);
            SharedFleetReplicator replicator(&replica.journal, replica.processor, {});
            replicator.takeDeliveries(page.mid(0, split));
            // `early` is here, `late` is not yet: its acknowledgement waits for it.
            replicator.takeAcknowledgements(
                {ack(1, early, QStringLiteral("alice")), ack(2, late, QStringLiteral("bob"))});
            QTRY_COMPARE(replica.onThread([&] { return alertOf(replica.processor, early).acknowledgedBy; }),
                         QStringLiteral("alice"));
            QCOMPARE(replica.onThread([&] { return alertOf(replica.processor, early).acknowledgedAt; }),
                     early.firstSeenAt + 1);
        }
        SharedFleetFeed::Cursor cursor;
        QString error;
        QVERIFY2(SharedFleetReplicator::resumePoint(path, &cursor, &error), qPrintable(error));
        QCOMPARE(cursor.deliveries, page.at(split - 1).delivery.id);
        QCOMPARE(cursor.acknowledgements, 1); // the second is read again after a restart

        {
            // A restart: the fleet as the replica has it (the test rebuilds it from the page).
            Replica replica(path);
            SharedFleetReplicator replicator(&replica.journal, replica.processor, cursor);
            replicator.takeDeliveries(page.mid(0, split)); // already there: nothing
            QCOMPARE(replicator.deliveriesJournaled(), 0);
            replicator.takeAcknowledgements({ack(2, late, QStringLiteral("bob"))});
            replicator.takeDeliveries(page.mid(split));
            QCOMPARE(replicator.deliveriesJournaled(), page.size() - split);
            QTRY_COMPARE(replica.onThread([&] { return alertOf(replica.processor, late).acknowledgedBy; }),
                         QStringLiteral("bob"));
        }
        QVERIFY2(SharedFleetReplicator::resumePoint(path, &cursor, &error), qPrintable(error));
        QCOMPARE(cursor.deliveries, page.last().delivery.id);
        QCOMPARE(cursor.acknowledgements, 2);
    }

    // While the replica cannot be written (here another writer holds its lock) the page waits and
    // is journaled again, in order, once it can: nothing lost, nothing twice.
    void refusedDeliveriesAreJournaledOnceWritable() {
        QTemporaryDir dir;
        const QString path = dir.filePath("journal.sqlite");
        smartcar::SimulatedFleet sim(4, 13);
        QList<SharedFleetFeed::SharedDelivery> page;
        for (int i = 0; i < 40; ++i)
            page.append(stored(i + 1, sim.nextDelivery(kT0 + i * 1000), kT0 + i * 1000));
        Replica replica(path);
        SharedFleetReplicator replicator(&replica.journal, replica.processor, {});
        replicator.takeDeliveries(page.mid(0, 10));
        QCOMPARE(replicator.deliveriesJournaled(), 10);

        {
            QSqlDatabase blocker =
                QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("blocker"));
            blocker.setDatabaseName(path);
            QVERIFY(blocker.open());
            QSqlQuery hold(blocker);
            QVERIFY(hold.exec(QStringLiteral("BEGIN IMMEDIATE")));
            QTest::ignoreMessage(QtWarningMsg,
                                 QRegularExpression(QStringLiteral("the replica cannot be written")));
            QTest::ignoreMessage(QtWarningMsg,
                                 QRegularExpression(QStringLiteral("the replica is written again")));
            std::thread feed([&] { replicator.takeDeliveries(page.mid(10)); });
            QTRY_VERIFY_WITH_TIMEOUT(replica.unwritable, 30000);
            QCOMPARE(replicator.deliveriesJournaled(), 10);
            QVERIFY(hold.exec(QStringLiteral("ROLLBACK")));
            hold.finish();
            blocker.close();
            feed.join();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("blocker"));
        QCOMPARE(replicator.deliveriesJournaled(), 40);
        QCOMPARE(replicator.takenDeliveries(), 40);
        const QList<model::Delivery> kept = replica.deliveries();
        QCOMPARE(kept.size(), 40);
        for (qsizetype i = 0; i < kept.size(); ++i) {
            QCOMPARE(kept.at(i).id, qint64(i + 1));
            QCOMPARE(kept.at(i).eventId, page.at(i).delivery.eventId);
        }
        const model::FleetUpdateQueue::Batch batch = replica.updates.takeBatch();
        QCOMPARE(batch.deliveries.size(), 40); // each logged once
    }

    // Killed (SIGKILL) in the middle of a page, the replica holds a prefix of the stream with no
    // gap, and a restart from its resume point completes it with every delivery exactly once.
    void killedMidPageResumesWithoutGapOrDouble() {
        QTemporaryDir dir;
        const QString path = dir.filePath("journal.sqlite");
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("FLEETMON_REPLICA_CHILD"), path);
        child.setProcessEnvironment(env);
        child.start(QCoreApplication::applicationFilePath(), {});
        QVERIFY(child.waitForStarted());
        QByteArray out;
        while (!out.contains("page 1\n")) {
            QVERIFY2(child.waitForReadyRead(30000), out.constData());
            out += child.readAllStandardOutput();
        }
        // Killed as soon as the second page's first commit shows: in the middle of that page when it
        // takes several commits, as it usually does (a crash anywhere must be survived anyway).
        store::JournalReader watcher;
        QString watchError;
        QVERIFY2(watcher.open(path, &watchError), qPrintable(watchError));
        qint64 seen = 0;
        QElapsedTimer waited;
        waited.start();
        while (seen <= kCrashPageSize && waited.elapsed() < 30000 && child.state() == QProcess::Running) {
            QVERIFY2(watcher.lastDeliveryId(&seen, &watchError), qPrintable(watchError));
            QThread::usleep(200);
        }
        ::kill(pid_t(child.processId()), SIGKILL);
        QVERIFY(child.waitForFinished(10000));
        QVERIFY(!out.contains(QByteArray("page ") + QByteArray::number(kCrashPages) + '\n'));

        Replica replica(path);
        const QList<model::Delivery> kept = replica.deliveries();
        QVERIFY(kept.size() >= kCrashPageSize);
        qInfo("killed after %lld deliveries of %d", qint64(kept.size()), kCrashPages * kCrashPageSize);
        for (qsizetype i = 0; i < kept.size(); ++i)
            QCOMPARE(kept.at(i).id, qint64(i + 1)); // a prefix: nothing skipped, nothing twice
        SharedFleetFeed::Cursor cursor;
        QString error;
        QVERIFY2(SharedFleetReplicator::resumePoint(path, &cursor, &error), qPrintable(error));
        QCOMPARE(cursor.deliveries, kept.size());

        const QList<QList<SharedFleetFeed::SharedDelivery>> stream = crashStream();
        {
            SharedFleetReplicator replicator(&replica.journal, replica.processor, cursor);
            for (const QList<SharedFleetFeed::SharedDelivery> &page :
                 stream)                         // the feed reads from the cursor;
                replicator.takeDeliveries(page); // pages before it are taken as nothing
            QCOMPARE(replicator.deliveriesJournaled(), kCrashPages * kCrashPageSize - kept.size());
        }
        replica.close();
        Replica after(path);
        const QList<model::Delivery> all = after.deliveries();
        QCOMPARE(all.size(), kCrashPages * kCrashPageSize);
        for (qsizetype i = 0; i < all.size(); ++i) {
            QCOMPARE(all.at(i).id, qint64(i + 1));
            QCOMPARE(all.at(i).eventId,
                     stream.at(i / kCrashPageSize).at(i % kCrashPageSize).delivery.eventId);
        }
    }
};

int main(int argc, char **argv) {
    QCoreApplication app(argc, argv);
    if (qEnvironmentVariableIsSet("FLEETMON_REPLICA_CHILD"))
        return replicateUntilKilled(qEnvironmentVariable("FLEETMON_REPLICA_CHILD"));
    tst_SharedFleetReplicator test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "tst_SharedFleetReplicator.moc"
