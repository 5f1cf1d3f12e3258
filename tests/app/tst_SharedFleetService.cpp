// The shared fleet service's promises that need no database: one replica folder per database
// however its URL is written, a replica that cannot be opened fails the start with the reason,
// and an unreachable database does not: it is reported through the status listener and retried.

#include "app/SharedFleetService.h"
#include "model/FleetUpdateQueue.h"

#include <QFile>
#include <QMutex>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

using app::SharedFleetService;

class tst_SharedFleetService : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void replicaPathNamesTheDatabase() {
        QCOMPARE(
            SharedFleetService::replicaPathFor(
                QStringLiteral("/data"), QStringLiteral("postgresql://fleet:secret@db.example:6543/fleet")),
            QStringLiteral("/data/shared/db.example-6543-fleet/journal.sqlite"));
        // libpq's defaults filled in: the same database, the same replica.
        const QString defaults = SharedFleetService::replicaPathFor(
            QStringLiteral("/data"), QStringLiteral("postgres://db.example/fleet"));
        QCOMPARE(defaults, QStringLiteral("/data/shared/db.example-5432-fleet/journal.sqlite"));
        QCOMPARE(SharedFleetService::replicaPathFor(
                     QStringLiteral("/data"), QStringLiteral("postgresql://other@db.example:5432/fleet")),
                 defaults);
        QCOMPARE(SharedFleetService::replicaPathFor(QStringLiteral("/data"),
                                                    QStringLiteral("postgresql:///fleet")),
                 QStringLiteral("/data/shared/localhost-5432-fleet/journal.sqlite"));
        // A safe file name whatever the URL holds.
        QCOMPARE(SharedFleetService::replicaPathFor(
                     QStringLiteral("/data"), QStringLiteral("postgresql://fleet@[::1]:5433/my%20fleet%3A2")),
                 QStringLiteral("/data/shared/__1-5433-my_fleet_2/journal.sqlite"));
        QCOMPARE(
            SharedFleetService::replicaPathFor(QStringLiteral("/data"), QStringLiteral("mysql://db/fleet")),
            QString());
    }

    void aReplicaThatCannotBeOpenedFailsTheStart() {
        QTemporaryDir dir;
        QFile blocker(dir.filePath(QStringLiteral("shared")));
        QVERIFY(blocker.open(QIODevice::WriteOnly)); // a file where the replica's folder goes
        blocker.close();
        app::AppOptions options;
        options.dataDir = dir.path();
        options.databaseUrl = QStringLiteral("postgresql://fleet@127.0.0.1:1/fleet");
        model::FleetUpdateQueue updates;
        SharedFleetService service;
        QString error;
        QVERIFY(!service.start(options, &updates, &error));
        QVERIFY2(error.contains(QStringLiteral("replica")), qPrintable(error));

        options.databaseUrl = QStringLiteral("not a url");
        QVERIFY(!service.start(options, &updates, &error));
        QVERIFY(!error.isEmpty());
    }

    void anUnreachableDatabaseIsReportedAndRetried() {
        quint16 closedPort = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            closedPort = probe.serverPort();
        }
        QTemporaryDir dir;
        app::AppOptions options;
        options.dataDir = dir.path();
        options.databaseUrl = QStringLiteral("postgresql://fleet:secret@127.0.0.1:%1/fleet").arg(closedPort);
        model::FleetUpdateQueue updates;
        SharedFleetService service;
        QMutex mutex;
        QList<model::SharedFleetStatus> statuses;
        service.setStatusListener([&](const model::SharedFleetStatus &status) {
            QMutexLocker lock(&mutex);
            statuses.append(status);
        });
        QString error;
        QVERIFY2(service.start(options, &updates, &error), qPrintable(error));
        QVERIFY(QFile::exists(service.replicaPath()));
        const auto lostTwice = [&] {
            QMutexLocker lock(&mutex);
            return std::count_if(statuses.cbegin(), statuses.cend(), [](const model::SharedFleetStatus &s) {
                       return s.state == model::SharedFleetStatus::State::Lost;
                   }) >= 2;
        };
        QTRY_VERIFY_WITH_TIMEOUT(lostTwice(), 15000);
        QMutexLocker lock(&mutex);
        for (const model::SharedFleetStatus &s : std::as_const(statuses)) {
            QCOMPARE(s.location, QStringLiteral("postgresql://fleet@127.0.0.1:%1/fleet").arg(closedPort));
            if (s.state == model::SharedFleetStatus::State::Lost) {
                QVERIFY(!s.error.isEmpty());
                QVERIFY(s.retryInMs > 0);
                QVERIFY(s.attempt > 0);
            }
        }
        QVERIFY(!statuses.last().location.contains(QStringLiteral("secret")));
    }
};

QTEST_GUILESS_MAIN(tst_SharedFleetService)
#include "tst_SharedFleetService.moc"
