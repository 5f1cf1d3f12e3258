// Kill soak: fleetsim posts signed deliveries and retries like Smartcar while the real
// `fleetmon --headless` is SIGKILLed at random moments (during its start, and while it ingests) and
// started again on the same data folder and port. At the end every delivery fleetsim saw answered
// 2xx must be in the journal exactly once as accepted, and the fleet must be the one an
// uninterrupted run of the same deliveries builds. The seed is printed; FLEETMON_SOAK_SEED=N
// replays a run.

#include "support/FleetmonProcess.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>
#include <csignal>

using testsupport::FleetmonProcess;

namespace {

const QByteArray kAmt = "kill-soak-amt";
constexpr int kKills = 20;
constexpr int kVehicles = 25;
constexpr int kDeliveries = 1200;
constexpr int kRate = 60;                           // per second: fleetsim outlasts the kills
constexpr qint64 kClockStartMs = 1'780'000'000'000; // fixed, so both runs post the same bodies

QString writeAmtFile(const QTemporaryDir &tmp) {
    const QString path = tmp.filePath("amt");
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(kAmt + "\n") < 0)
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

QStringList fleetmonArguments(const QString &dataDir, const QString &amtFile, quint16 port) {
    return {"--headless", "--listen", QStringLiteral("127.0.0.1:%1").arg(port), "--data-dir", dataDir,
            "--amt-file", amtFile};
}

// Starts fleetmon and waits for its "listening on" line; the port it reports, 0 if it did not come up.
quint16 startAndWaitListening(QProcess &app, const QStringList &arguments) {
    app.start(QStringLiteral(FLEETMON_BINARY), arguments);
    if (!app.waitForStarted(10000))
        return 0;
    QByteArray out;
    while (!out.contains('\n')) {
        if (!app.waitForReadyRead(30000)) {
            qWarning("fleetmon did not come up: %s", app.readAllStandardError().constData());
            return 0;
        }
        out += app.readAllStandardOutput();
    }
    const QByteArray prefix = "listening on http://127.0.0.1:";
    const QByteArray line = out.left(out.indexOf('\n'));
    if (!line.startsWith(prefix))
        return 0;
    return quint16(line.mid(prefix.size()).split('/').first().toUInt());
}

void kill9(QProcess &app) {
    ::kill(pid_t(app.processId()), SIGKILL);
    app.waitForFinished(10000);
}

void stopCleanly(QProcess &app) {
    ::kill(pid_t(app.processId()), SIGTERM);
    app.waitForFinished(30000);
}

QStringList fleetsimArguments(quint16 port, const QString &amtFile, quint64 seed, int rate,
                              const QString &ackLog) {
    QStringList args{"--url",         QStringLiteral("http://127.0.0.1:%1/webhooks/smartcar").arg(port),
                     "--amt-file",    amtFile,
                     "--vehicles",    QString::number(kVehicles),
                     "--count",       QString::number(kDeliveries),
                     "--rate",        QString::number(rate),
                     "--connections", "4",
                     "--seed",        QString::number(seed),
                     "--clock-start", QString::number(kClockStartMs),
                     "--retry"};
    if (!ackLog.isEmpty())
        args << "--ack-log" << ackLog;
    return args;
}

// The vehicles export without what depends on when deliveries arrived, in id order.
QJsonArray normalisedVehicles(const QString &dataDir) {
    QByteArray err;
    const QJsonDocument doc = FleetmonProcess::exportJson(dataDir, "vehicles", &err);
    if (!doc.isArray())
        qWarning("export vehicles failed: %s", err.constData());
    QList<QJsonObject> vehicles;
    for (const QJsonValue &v : doc.array()) {
        QJsonObject o = v.toObject();
        o.remove("lastDeliveryAt"); // receive time
        vehicles.append(o);
    }
    std::sort(vehicles.begin(), vehicles.end(), [](const QJsonObject &a, const QJsonObject &b) {
        return a.value("id").toString() < b.value("id").toString();
    });
    QJsonArray out;
    for (const QJsonObject &o : vehicles)
        out.append(o);
    return out;
}

} // namespace

class tst_KillSoak : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void acknowledgedDeliveriesSurviveRandomKills() {
        const quint64 seed = qEnvironmentVariableIsSet("FLEETMON_SOAK_SEED")
                                 ? qEnvironmentVariable("FLEETMON_SOAK_SEED").toULongLong()
                                 : QRandomGenerator::global()->bounded(1u, 1'000'000u);
        qInfo("kill soak seed %llu (replay with FLEETMON_SOAK_SEED=%llu)", seed, seed);
        QRandomGenerator random(quint32(seed & 0xffffffffu));
        QElapsedTimer wall;
        wall.start();

        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());
        const QString amtFile = writeAmtFile(tmp);
        const QString data = tmp.filePath("soak");
        const QString ackLog = tmp.filePath("acks.txt");

        QProcess app;
        const quint16 port = startAndWaitListening(app, fleetmonArguments(data, amtFile, 0));
        QVERIFY(port != 0);
        const QStringList appArgs = fleetmonArguments(data, amtFile, port);

        QProcess sim;
        sim.setProcessChannelMode(QProcess::MergedChannels);
        sim.start(QStringLiteral(FLEETSIM_BINARY), fleetsimArguments(port, amtFile, seed, kRate, ackLog));
        QVERIFY(sim.waitForStarted(10000));

        int kills = 0;
        int killedStarting = 0;
        while (kills < kKills) {
            if (app.state() == QProcess::NotRunning) {
                // One start in four is killed before it listens: in the middle of the replay,
                // the snapshot write or the open.
                if (random.bounded(4) == 0) {
                    app.start(QStringLiteral(FLEETMON_BINARY), appArgs);
                    QVERIFY(app.waitForStarted(10000));
                    QTest::qWait(int(random.bounded(5, 200)));
                    kill9(app);
                    ++kills;
                    ++killedStarting;
                    continue;
                }
                const quint16 again = startAndWaitListening(app, appArgs);
                QVERIFY2(again == port,
                         qPrintable(QStringLiteral("restart %1 on port %2 failed: %3")
                                        .arg(kills)
                                        .arg(port)
                                        .arg(QString::fromLocal8Bit(app.readAllStandardError()))));
            }
            QTest::qWait(int(random.bounded(50, 900)));
            QVERIFY2(app.state() == QProcess::Running, app.readAllStandardError().constData());
            kill9(app);
            ++kills;
        }
        // The last start stays up until fleetsim has had every delivery acknowledged.
        QCOMPARE(startAndWaitListening(app, appArgs), port);
        QVERIFY2(sim.waitForFinished(120000), "fleetsim did not finish");
        const QByteArray simOutput = sim.readAll();
        QVERIFY2(sim.exitStatus() == QProcess::NormalExit && sim.exitCode() == 0, simOutput.constData());
        QVERIFY2(simOutput.contains("acknowledged:  " + QByteArray::number(kDeliveries)),
                 simOutput.constData());
        // The kills must have cut into the traffic: fleetsim had attempts to retry.
        const qsizetype retriedAt = simOutput.indexOf("retried:");
        QVERIFY2(retriedAt >= 0, simOutput.constData());
        const int retried = simOutput.mid(retriedAt + 8).trimmed().split(' ').first().toInt();
        QVERIFY2(retried > 0, simOutput.constData());
        stopCleanly(app);
        QCOMPARE(app.exitCode(), 0);

        // (a) every acknowledged eventId is in the journal exactly once as accepted.
        QFile acks(ackLog);
        QVERIFY(acks.open(QIODevice::ReadOnly));
        QSet<QString> acknowledged;
        for (const QByteArray &line : acks.readAll().split('\n'))
            if (!line.isEmpty())
                acknowledged.insert(QString::fromUtf8(line));
        QCOMPARE(acknowledged.size(), kDeliveries);

        QByteArray exportErr;
        const QJsonDocument deliveries = FleetmonProcess::exportJson(data, "deliveries", &exportErr);
        QVERIFY2(deliveries.isArray(), exportErr.constData());
        QHash<QString, int> accepted;
        int duplicates = 0;
        for (const QJsonValue &v : deliveries.array()) {
            const QJsonObject d = v.toObject();
            const QString verdict = d.value("verdict").toString();
            if (verdict == "accepted")
                ++accepted[d.value("eventId").toString()];
            else if (verdict == "duplicate")
                ++duplicates;
        }
        for (const QString &id : std::as_const(acknowledged))
            QVERIFY2(accepted.value(id) == 1,
                     qPrintable(QStringLiteral("acknowledged %1 is stored %2 times as "
                                               "accepted (seed %3)")
                                    .arg(id)
                                    .arg(accepted.value(id))
                                    .arg(seed)));
        QCOMPARE(accepted.size(), kDeliveries); // nothing accepted that fleetsim did not post

        // (b) the fleet equals an uninterrupted run's of the same deliveries.
        const QString reference = tmp.filePath("reference");
        QProcess quiet;
        const quint16 quietPort = startAndWaitListening(quiet, fleetmonArguments(reference, amtFile, 0));
        QVERIFY(quietPort != 0);
        QProcess sim2;
        sim2.setProcessChannelMode(QProcess::MergedChannels);
        sim2.start(QStringLiteral(FLEETSIM_BINARY), fleetsimArguments(quietPort, amtFile, seed, 0, {}));
        QVERIFY2(sim2.waitForFinished(60000) && sim2.exitCode() == 0, sim2.readAll().constData());
        stopCleanly(quiet);
        const QJsonArray soaked = normalisedVehicles(data);
        const QJsonArray uninterrupted = normalisedVehicles(reference);
        QCOMPARE(soaked.size(), kVehicles);
        if (soaked != uninterrupted) {
            for (qsizetype i = 0; i < std::min(soaked.size(), uninterrupted.size()); ++i)
                if (soaked.at(i) != uninterrupted.at(i))
                    qWarning(
                        "first difference, vehicle %s:\nsoaked:        %s\nuninterrupted: %s",
                        qPrintable(soaked.at(i)["id"].toString()),
                        QJsonDocument(soaked.at(i).toObject()).toJson(QJsonDocument::Compact).constData(),
                        QJsonDocument(uninterrupted.at(i).toObject())
                            .toJson(QJsonDocument::Compact)
                            .constData());
            QFAIL(qPrintable(QStringLiteral("the fleet after the kills differs (seed %1)").arg(seed)));
        }
        qInfo("kills survived: %d (%d during start); deliveries checked: %d acknowledged, each stored "
              "once as accepted, %d attempts retried by fleetsim, %d stored as duplicates; fleet equal to an "
              "uninterrupted run (%d vehicles); %.1f s",
              kills, killedStarting, int(acknowledged.size()), retried, duplicates, int(soaked.size()),
              double(wall.elapsed()) / 1000.0);
    }
};

QTEST_GUILESS_MAIN(tst_KillSoak)
#include "tst_KillSoak.moc"
