// The desktop as a client of a shared fleet, against a real PostgreSQL server and real ingest nodes
// (`fleetmon --headless --database`): deliveries posted to any node reach the vehicle table within
// a second; a database restart while fleetsim posts loses nothing and doubles nothing in the
// replica; a restart of the desktop resumes from its cursor; an acknowledgement made on one desktop
// shows on another; and the fleet a desktop shows is the one a single SQLite node makes of the same
// fleetsim run.

#include "app/SharedFleetService.h"
#include "model/FleetTableModel.h"
#include "model/FleetUpdateQueue.h"
#include "smartcar/FleetProcessor.h"
#include "smartcar/Signature.h"
#include "smartcar/SimulatedFleet.h"
#include "store/JournalReader.h"
#include "support/FleetmonProcess.h"
#include "support/PostgresCluster.h"
#include "support/RawHttpClient.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QMutex>
#include <QTemporaryDir>
#include <QtTest>

using testsupport::FleetmonProcess;
using testsupport::PostgresCluster;
using testsupport::RawHttpClient;
using testsupport::RawResponse;

namespace {

const QByteArray kAmt = "shared-fleet-amt";

int post(quint16 port, const QByteArray &body) {
    RawHttpClient client(port);
    if (!client.waitConnected())
        return 0;
    client.send(
        "POST /webhooks/smartcar HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nSC-Signature: " +
        smartcar::Signature::hmacSha256Hex(kAmt, body) +
        "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    RawResponse r;
    return client.read(&r, 15000) ? r.status : 0;
}

QByteArray airbagBody(const QString &vehicle, qint64 t) {
    return QStringLiteral(
               R"({"eventId":"airbag-%1-%2","eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"%1",)"
               R"("make":"VOLVO","model":"EX30","year":2025},"signals":[{"code":"diagnostics-airbag",)"
               R"("name":"Airbag","group":"Diagnostics","body":{"status":"ALERT","description":)"
               R"("Airbag deployed"},"meta":{"oemUpdatedAt":%2}}]}})")
        .arg(vehicle)
        .arg(t)
        .toUtf8();
}

// Waits, turning the event loop, until `done` holds; true unless `timeoutMs` passed first. Finer
// than QTRY_*, which looks every 50 ms: this measures latency to the millisecond.
bool waitUntil(const std::function<bool()> &done, int timeoutMs) {
    QElapsedTimer timer;
    timer.start();
    while (!done()) {
        if (timer.elapsed() > timeoutMs)
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 1);
        QThread::usleep(200);
    }
    return true;
}

// One desktop: the service, its update queue drained into a table model as the window drains it
// (on the GUI thread, once per batch), and what it reported.
struct Desktop {
    QString dataDir;
    model::FleetUpdateQueue updates;
    model::FleetTableModel table;
    app::SharedFleetService service;
    QHash<qint64, model::Alert> alerts;
    qint64 deliveriesLogged = 0;
    QMutex statusMutex;
    QList<model::SharedFleetStatus> statuses;

    explicit Desktop(const QString &folder)
        : dataDir(folder) {
        QObject::connect(
            &updates, &model::FleetUpdateQueue::updatesPending, &table, [this] { drain(); },
            Qt::QueuedConnection);
        service.setStatusListener([this](const model::SharedFleetStatus &status) {
            QMutexLocker lock(&statusMutex);
            statuses.append(status);
        });
    }
    void drain() {
        const model::FleetUpdateQueue::Batch batch = updates.takeBatch();
        table.applyRows(batch.rows);
        for (const model::Alert &a : batch.alerts)
            alerts.insert(a.id, a);
        deliveriesLogged += batch.deliveries.size();
    }
    bool start(const QString &url, QString *error) {
        app::AppOptions options;
        options.mode = app::AppOptions::Mode::Gui;
        options.dataDir = dataDir;
        options.databaseUrl = url;
        return service.start(options, &updates, error);
    }
    model::SharedFleetStatus lastStatus() {
        QMutexLocker lock(&statusMutex);
        return statuses.isEmpty() ? model::SharedFleetStatus{} : statuses.last();
    }
    qsizetype statusCount() {
        QMutexLocker lock(&statusMutex);
        return statuses.size();
    }
    // Whether the service reported `state` after its first `from` reports.
    bool reportedSince(qsizetype from, model::SharedFleetStatus::State state) {
        QMutexLocker lock(&statusMutex);
        for (qsizetype i = from; i < statuses.size(); ++i)
            if (statuses.at(i).state == state)
                return true;
        return false;
    }
    const model::VehicleRow *row(const QString &id) const { return table.rowAt(table.rowOf(id)); }
    // The active alert of that vehicle and kind, as the table's alerts hold it.
    std::optional<model::Alert> alertFor(const QString &vehicle, model::AlertKind kind) const {
        for (const model::Alert &a : alerts)
            if (a.vehicleId == vehicle && a.kind == kind)
                return a;
        return std::nullopt;
    }
    // The fleet as the service holds it, by vehicle, as table rows.
    QHash<QString, model::VehicleRow> fleetRows() {
        QHash<QString, model::VehicleRow> rows;
        QMetaObject::invokeMethod(
            service.processor(),
            [&] {
                const model::FleetState &fleet = service.processor()->fleet();
                for (const QString &id : fleet.vehicleIds())
                    rows.insert(id, model::FleetState::rowFor(*fleet.vehicle(id)));
            },
            Qt::BlockingQueuedConnection);
        return rows;
    }
};

// The accepted eventIds a replica holds, with how often each.
QHash<QString, int> replicaAccepted(const QString &path) {
    QHash<QString, int> ids;
    store::JournalReader reader;
    QString error;
    store::JournalReader::Filter filter;
    filter.acceptedOnly = true;
    filter.withBodies = false;
    if (!reader.open(path, &error) || !reader.forEach(
                                          filter,
                                          [&](const model::Delivery &d) {
                                              ++ids[d.eventId];
                                              return true;
                                          },
                                          &error))
        qWarning("%s", qPrintable(error));
    return ids;
}

// Vehicles of an export as id -> object, the order left out.
QHash<QString, QJsonObject> vehiclesOf(const QJsonDocument &doc) {
    QHash<QString, QJsonObject> vehicles;
    for (const QJsonValue &v : doc.array())
        vehicles.insert(v.toObject().value(QLatin1String("id")).toString(), v.toObject());
    return vehicles;
}

} // namespace

class tst_SharedFleetDesktop : public QObject {
    Q_OBJECT
private:
    PostgresCluster m_cluster;
    QTemporaryDir m_tmp;

    // A database of its own for each test, so none sees another's deliveries.
    QString database(const QString &name) {
        QString error;
        return m_cluster.createDatabase(name, &error) ? m_cluster.url(name) : QString();
    }
    bool startNode(FleetmonProcess &node, const QString &url) {
        if (node.start({QStringLiteral("--database"), url}))
            return true;
        qWarning("node did not start: %s", node.process().readAllStandardError().constData());
        return false;
    }
    QString amtFile() {
        const QString path = m_tmp.filePath(QStringLiteral("amt"));
        QFile f(path);
        if (!f.exists() && f.open(QIODevice::WriteOnly))
            f.write(kAmt + "\n");
        return path;
    }
    // fleetsim posting a repeatable run (same bodies every time) to `url`, retrying until acknowledged.
    QStringList fleetsimArguments(const QUrl &url) {
        return {QStringLiteral("--url"),         url.toString(),
                QStringLiteral("--amt-file"),    amtFile(),
                QStringLiteral("--vehicles"),    QStringLiteral("12"),
                QStringLiteral("--count"),       QStringLiteral("240"),
                QStringLiteral("--rate"),        QStringLiteral("80"),
                QStringLiteral("--seed"),        QStringLiteral("5"),
                QStringLiteral("--clock-start"), QStringLiteral("1717243200000"),
                QStringLiteral("--retry")};
    }

private Q_SLOTS:
    void initTestCase() {
        QString error;
        // The server's own durability is not the subject here; its restarts are clean stops.
        QVERIFY2(m_cluster.start(&error, false), qPrintable(error));
    }

    void deliveriesToAnyNodeShowWithinASecond() {
        const QString url = database(QStringLiteral("live"));
        QVERIFY(!url.isEmpty());
        FleetmonProcess nodeA(m_tmp.filePath(QStringLiteral("live-a")), kAmt);
        FleetmonProcess nodeB(m_tmp.filePath(QStringLiteral("live-b")), kAmt);
        QVERIFY(startNode(nodeA, url));
        QVERIFY(startNode(nodeB, url));
        Desktop desktop(m_tmp.filePath(QStringLiteral("live-desktop")));
        QString error;
        QVERIFY2(desktop.start(url, &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(desktop.lastStatus().state, model::SharedFleetStatus::State::Live, 10000);
        QCOMPARE(desktop.lastStatus().location,
                 QStringLiteral("postgresql://fleetmon@127.0.0.1:%1/live").arg(m_cluster.port()));
        QCOMPARE(desktop.service.replicaPath(),
                 app::SharedFleetService::replicaPathFor(desktop.dataDir, url));
        QCOMPARE(desktop.service.replicaPath(),
                 desktop.dataDir +
                     QStringLiteral("/shared/127.0.0.1-%1-live/journal.sqlite").arg(m_cluster.port()));

        smartcar::SimulatedFleet sim(6, 21);
        QList<qint64> latencies;
        for (int i = 0; i < 56; ++i) {
            const QByteArray body = sim.nextDelivery(QDateTime::currentMSecsSinceEpoch());
            const QJsonObject data =
                QJsonDocument::fromJson(body).object().value(QLatin1String("data")).toObject();
            const QString id =
                data.value(QLatin1String("vehicle")).toObject().value(QLatin1String("id")).toString();
            QElapsedTimer shown;
            shown.start();
            const qint64 sentAt = QDateTime::currentMSecsSinceEpoch();
            QCOMPARE(post(i % 2 == 0 ? nodeA.port() : nodeB.port(), body), 200);
            QVERIFY(
                waitUntil([&] { return desktop.row(id) && desktop.row(id)->lastUpdateAt >= sentAt; }, 5000));
            if (i >= 6) // the first of each vehicle also adds its row; the rest measure the steady state
                latencies.append(shown.elapsed());
        }
        std::sort(latencies.begin(), latencies.end());
        const qint64 p50 = latencies.at(latencies.size() / 2);
        const qint64 worst = latencies.last();
        qInfo("posted to a node -> shown in the table: %lld deliveries, p50 %lld ms, max %lld ms",
              qint64(latencies.size()), p50, worst);
        QVERIFY2(worst < 1000, qPrintable(QStringLiteral("max %1 ms").arg(worst)));
    }

    void databaseRestartLosesAndDoublesNothing() {
        const QString url = database(QStringLiteral("restart"));
        QVERIFY(!url.isEmpty());
        FleetmonProcess node(m_tmp.filePath(QStringLiteral("restart-a")), kAmt);
        QVERIFY(startNode(node, url));
        const QString desktopDir = m_tmp.filePath(QStringLiteral("restart-desktop"));
        auto desktop = std::make_unique<Desktop>(desktopDir);
        QString error;
        QVERIFY2(desktop->start(url, &error), qPrintable(error));

        QProcess sim;
        sim.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        sim.start(QStringLiteral(FLEETSIM_BINARY), fleetsimArguments(node.url()));
        QVERIFY(sim.waitForStarted());
        // Mid-stream: the desktop has taken some, fleetsim has more to post.
        QTRY_VERIFY_WITH_TIMEOUT(desktop->deliveriesLogged >= 40, 15000);
        QVERIFY(sim.state() == QProcess::Running);
        const qsizetype statusesBefore = desktop->statusCount();
        QVERIFY2(m_cluster.stopServer(&error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(
            desktop->reportedSince(statusesBefore, model::SharedFleetStatus::State::Lost), 10000);
        QTest::qWait(1000);
        QVERIFY2(m_cluster.startServer(&error), qPrintable(error));
        QVERIFY(sim.waitForFinished(60000));
        QCOMPARE(sim.exitCode(), 0); // every delivery acknowledged in the end

        const QString ids = m_cluster.psql(QStringLiteral("SELECT event_id FROM deliveries WHERE verdict = "
                                                          "'accepted' ORDER BY id"),
                                           &error, QStringLiteral("restart"));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        const QStringList stored = ids.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(stored.size(), 240);
        const qint64 storedCount =
            m_cluster
                .psql(QStringLiteral("SELECT count(*) FROM deliveries"), &error, QStringLiteral("restart"))
                .toLongLong();
        // Every delivery stored, whatever its verdict, reached the log once.
        QTRY_COMPARE_WITH_TIMEOUT(desktop->deliveriesLogged, storedCount, 15000);
        const QHash<QString, int> replica = replicaAccepted(desktop->service.replicaPath());
        QCOMPARE(replica.size(), stored.size());
        for (const QString &id : stored)
            QVERIFY2(replica.value(id) == 1, qPrintable(id + QStringLiteral(" x%1").arg(replica.value(id))));

        // The table shows the fleet the service holds.
        const QHash<QString, model::VehicleRow> fleet = desktop->fleetRows();
        QCOMPARE(fleet.size(), 12);
        QTRY_COMPARE(desktop->table.rowCount(), 12);
        for (auto it = fleet.cbegin(); it != fleet.cend(); ++it) {
            QTRY_VERIFY(desktop->row(it.key()) && desktop->row(it.key())->lastUpdateAt == it->lastUpdateAt);
            model::VehicleRow shown = *desktop->row(it.key());
            shown.worstAlertSeverity = it->worstAlertSeverity; // tinted by alerts, which the fleet lacks
            QCOMPARE(shown, *it);
        }

        // The same fleetsim run into a single SQLite node makes the same fleet.
        {
            const QString sqliteDir = m_tmp.filePath(QStringLiteral("restart-sqlite"));
            FleetmonProcess sqliteNode(sqliteDir, kAmt);
            QVERIFY(sqliteNode.start());
            QProcess again;
            again.setProcessChannelMode(QProcess::ForwardedErrorChannel);
            again.start(QStringLiteral(FLEETSIM_BINARY), fleetsimArguments(sqliteNode.url()));
            QVERIFY(again.waitForFinished(60000));
            QCOMPARE(again.exitCode(), 0);
            QCOMPARE(sqliteNode.stop(), 0);
            const QString replicaDir = QFileInfo(desktop->service.replicaPath()).absolutePath();
            const QHash<QString, QJsonObject> single =
                vehiclesOf(FleetmonProcess::exportJson(sqliteDir, "vehicles"));
            const QHash<QString, QJsonObject> shared =
                vehiclesOf(FleetmonProcess::exportJson(replicaDir, "vehicles"));
            QCOMPARE(single.size(), 12);
            QCOMPARE(shared.keys().size(), single.keys().size());
            for (auto it = single.cbegin(); it != single.cend(); ++it) {
                QJsonObject mine = shared.value(it.key());
                QJsonObject theirs = *it;
                // When each node received its last delivery: two runs, two clocks.
                mine.remove(QLatin1String("lastDeliveryAt"));
                theirs.remove(QLatin1String("lastDeliveryAt"));
                QCOMPARE(mine.keys(), theirs.keys());
                for (const QString &key : theirs.keys())
                    QVERIFY2(mine.value(key) == theirs.value(key),
                             qPrintable(it.key() + QLatin1Char(' ') + key));
            }
        }

        // A restart of the desktop resumes from its cursor: only what came meanwhile is taken.
        desktop.reset();
        smartcar::SimulatedFleet more(3, 99);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(post(node.port(), more.nextDelivery(QDateTime::currentMSecsSinceEpoch())), 200);
        Desktop restarted(desktopDir);
        QVERIFY2(restarted.start(url, &error), qPrintable(error));
        QCOMPARE(restarted.service.restoredVehicles(), 12);
        QTRY_COMPARE_WITH_TIMEOUT(restarted.deliveriesLogged, 5, 15000); // the new ones, nothing read again
        QTest::qWait(300);
        QCOMPARE(restarted.deliveriesLogged, 5);
        QCOMPARE(replicaAccepted(restarted.service.replicaPath()).size(), 245);
        QTRY_COMPARE(restarted.table.rowCount(), 15);
        restarted.service.stop();

        // The same URL, a new database: the replica is ahead of it, and says so instead of
        // silently waiting for ids it has already taken.
        node.stop();
        m_cluster.psql(QStringLiteral("DROP DATABASE restart"), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(!database(QStringLiteral("restart")).isEmpty());
        QVERIFY(startNode(node, url));
        QCOMPARE(post(node.port(), more.nextDelivery(QDateTime::currentMSecsSinceEpoch())), 200);
        QTest::ignoreMessage(QtWarningMsg,
                             QRegularExpression(QStringLiteral(
                                 "holds deliveries up to id 1, but this desktop's replica has taken up to")));
        Desktop recreated(desktopDir);
        QVERIFY2(recreated.start(url, &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(recreated.lastStatus().state, model::SharedFleetStatus::State::Live, 10000);
    }

    // A desktop starting on a database that holds more than a page says how far its catch-up got.
    void catchUpReportsProgress() {
        const QString url = database(QStringLiteral("catchup"));
        QVERIFY(!url.isEmpty());
        FleetmonProcess node(m_tmp.filePath(QStringLiteral("catchup-a")), kAmt);
        QVERIFY(startNode(node, url));
        smartcar::SimulatedFleet sim(1, 8);
        QCOMPARE(post(node.port(), sim.nextDelivery(QDateTime::currentMSecsSinceEpoch())), 200);
        // More of the node's delivery, each with an eventId of its own, as PostgresSchema has them.
        constexpr int kCopies = 3499;
        QString error;
        m_cluster.psql(QStringLiteral("INSERT INTO deliveries(received_at, event_id, event_type, vehicle_id, "
                                      "verdict, status, headers, body, node, accepted_event_id) "
                                      "SELECT d.received_at + g, d.event_id || '-' || g, d.event_type, "
                                      "d.vehicle_id, d.verdict, d.status, d.headers, "
                                      "convert_to(replace(convert_from(d.body, 'UTF8'), d.event_id, "
                                      "d.event_id || '-' || g), 'UTF8'), d.node, d.event_id || '-' || g "
                                      "FROM deliveries d, generate_series(1, %1) g WHERE d.id = 1")
                           .arg(kCopies),
                       &error, QStringLiteral("catchup"));
        QVERIFY2(error.isEmpty(), qPrintable(error));

        Desktop desktop(m_tmp.filePath(QStringLiteral("catchup-desktop")));
        QElapsedTimer caughtUp;
        caughtUp.start();
        QVERIFY2(desktop.start(url, &error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(desktop.deliveriesLogged, qint64(kCopies + 1), 60000);
        qInfo("caught up %d stored deliveries in %lld ms", kCopies + 1, caughtUp.elapsed());
        QTRY_COMPARE_WITH_TIMEOUT(desktop.lastStatus().state, model::SharedFleetStatus::State::Live, 10000);
        QCOMPARE(replicaAccepted(desktop.service.replicaPath()).size(), kCopies + 1);
        QList<qint64> progress;
        {
            QMutexLocker lock(&desktop.statusMutex);
            for (const model::SharedFleetStatus &status : std::as_const(desktop.statuses))
                if (status.state == model::SharedFleetStatus::State::CatchingUp) {
                    QCOMPARE(status.latest, kCopies + 1);
                    progress.append(status.taken);
                }
        }
        QVERIFY2(progress.size() >= 2, qPrintable(QString::number(progress.size())));
        QCOMPARE(progress.first(), 0);
        QVERIFY(progress.at(1) > 0 && progress.at(1) < kCopies + 1);
        QVERIFY(std::is_sorted(progress.cbegin(), progress.cend()));
    }

    void acknowledgementShowsOnEveryDesktop() {
        const QString url = database(QStringLiteral("acks"));
        QVERIFY(!url.isEmpty());
        FleetmonProcess node(m_tmp.filePath(QStringLiteral("acks-a")), kAmt);
        QVERIFY(startNode(node, url));
        Desktop alice(m_tmp.filePath(QStringLiteral("acks-alice")));
        Desktop bob(m_tmp.filePath(QStringLiteral("acks-bob")));
        QString error;
        QVERIFY2(alice.start(url, &error), qPrintable(error));
        QVERIFY2(bob.start(url, &error), qPrintable(error));
        QCOMPARE(
            post(node.port(), airbagBody(QStringLiteral("crashed"), QDateTime::currentMSecsSinceEpoch())),
            200);
        QTRY_VERIFY_WITH_TIMEOUT(alice.alertFor(QStringLiteral("crashed"), model::AlertKind::Airbag), 5000);
        QTRY_VERIFY_WITH_TIMEOUT(bob.alertFor(QStringLiteral("crashed"), model::AlertKind::Airbag), 5000);
        const model::Alert onAlice = *alice.alertFor(QStringLiteral("crashed"), model::AlertKind::Airbag);
        QVERIFY(!onAlice.isAcknowledged());

        QElapsedTimer shown;
        shown.start();
        alice.service.acknowledgeAlert(onAlice.id, QStringLiteral("alice"));
        QVERIFY(waitUntil(
            [&] {
                return bob.alertFor(QStringLiteral("crashed"), model::AlertKind::Airbag)->isAcknowledged();
            },
            2000));
        const qint64 elapsed = shown.elapsed();
        const model::Alert onBob = *bob.alertFor(QStringLiteral("crashed"), model::AlertKind::Airbag);
        QCOMPARE(onBob.acknowledgedBy, QStringLiteral("alice"));
        QVERIFY(onBob.isCleared()); // an airbag ends with its acknowledgement
        qInfo("acknowledged on one desktop -> shown on the other in %lld ms", elapsed);
        QCOMPARE(
            m_cluster.psql(QStringLiteral("SELECT count(*) || ' ' || min(acknowledged_by) FROM alert_acks"),
                           &error, QStringLiteral("acks")),
            QStringLiteral("1 alice"));
        // Both desktops record the same acknowledgement; alice's own, coming back, changed nothing.
        const model::Alert aliceAfter = *alice.alertFor(QStringLiteral("crashed"), model::AlertKind::Airbag);
        QCOMPARE(aliceAfter.acknowledgedBy, QStringLiteral("alice"));
        QCOMPARE(onBob.acknowledgedAt, aliceAfter.acknowledgedAt);
        QCOMPARE(onBob.clearedAt, aliceAfter.clearedAt);
    }
};

QTEST_MAIN(tst_SharedFleetDesktop)
#include "tst_SharedFleetDesktop.moc"
