// Ingest nodes of a shared fleet: real `fleetmon --headless --database postgresql://…` processes
// writing to one real PostgreSQL server, fed by real fleetsim runs. Two nodes given the same
// deliveries at the same moment store each eventId once as accepted, with the bodies a single
// SQLite node stores; a node SIGKILLed under load loses no acknowledged delivery and the other keeps
// acknowledging; a database restarted under a node is answered 503 meanwhile (Smartcar retries) and
// written to again after, with one message each way on stderr; an unreachable database stops the
// start at once with a message naming it without its password.

#include "smartcar/SimulatedFleet.h"
#include "store/JournalReader.h"
#include "support/FleetmonProcess.h"
#include "support/PostgresCluster.h"
#include "support/WebhookRequest.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QHash>
#include <QHostInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

using testsupport::FleetmonProcess;
using testsupport::PostgresCluster;

namespace {

const QByteArray kAmt = "shared-nodes-amt";
constexpr int kVehicles = 25;
constexpr qint64 kClockStartMs = 1'780'000'000'000; // fixed: the same seed posts the same bodies

// The eventIds an --ack-log holds (fleetsim appends one per 2xx answer).
QStringList ackLogLines(const QString &path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QStringList ids;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (!line.isEmpty())
            ids.append(QString::fromUtf8(line));
    return ids;
}

QSet<QString> ackLogIds(const QString &path) {
    const QStringList lines = ackLogLines(path);
    return QSet<QString>(lines.cbegin(), lines.cend());
}

// Waits until the ack log holds at least `lines` eventIds; false after `timeoutMs`.
bool waitForAcks(const QString &path, int lines, int timeoutMs) {
    QElapsedTimer clock;
    clock.start();
    while (ackLogLines(path).size() < lines) {
        if (clock.elapsed() > timeoutMs)
            return false;
        QTest::qWait(50);
    }
    return true;
}

// A fleetsim run posting `count` deliveries to a node, retrying like Smartcar, logging its acks.
void startFleetsim(QProcess &sim, quint16 port, const QString &amtFile, quint64 seed, int count, int rate,
                   const QString &ackLog) {
    sim.setProcessChannelMode(QProcess::MergedChannels);
    sim.start(QStringLiteral(FLEETSIM_BINARY),
              {"--url", QStringLiteral("http://127.0.0.1:%1/webhooks/smartcar").arg(port), "--amt-file",
               amtFile, "--vehicles", QString::number(kVehicles), "--count", QString::number(count), "--rate",
               QString::number(rate), "--connections", "4", "--seed", QString::number(seed), "--clock-start",
               QString::number(kClockStartMs), "--retry", "--ack-log", ackLog});
}

// Waits for a fleetsim run to end with every one of its `count` deliveries acknowledged; its output.
QByteArray finishFleetsim(QProcess &sim, int count, bool *ok) {
    *ok = sim.waitForFinished(60000);
    const QByteArray output = sim.readAll();
    *ok = *ok && sim.exitStatus() == QProcess::NormalExit && sim.exitCode() == 0 &&
          output.contains("acknowledged:  " + QByteArray::number(count));
    return output;
}

// "retried: N" from fleetsim's report.
int retriedOf(const QByteArray &output) {
    const qsizetype at = output.indexOf("retried:");
    return at < 0 ? -1 : output.mid(at + 8).trimmed().split(' ').first().toInt();
}

// How many times each eventId is stored as accepted in the shared database.
QHash<QString, int> acceptedCounts(const PostgresCluster &cluster, const QString &database, QString *error) {
    QHash<QString, int> counts;
    const QString rows = cluster.psql(
        QStringLiteral(
            "select event_id, count(*) from deliveries where verdict = 'accepted' group by event_id"),
        error, database);
    for (const QString &row : rows.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QStringList cells = row.split(QLatin1Char('|'));
        counts.insert(cells.value(0), cells.value(1).toInt());
    }
    return counts;
}

// Fails the test unless every id is stored exactly once as accepted.
bool eachStoredOnce(const QSet<QString> &ids, const QHash<QString, int> &accepted, QString *why) {
    for (const QString &id : ids) {
        if (accepted.value(id) != 1) {
            *why = QStringLiteral("acknowledged %1 is stored %2 times as accepted")
                       .arg(id)
                       .arg(accepted.value(id));
            return false;
        }
    }
    return true;
}

} // namespace

class tst_SharedIngestNodes : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_tmp;
    PostgresCluster m_cluster;
    QString m_amtFile;

    QString createDatabase(const QString &name) {
        QString error;
        if (!m_cluster.createDatabase(name, &error))
            qWarning("%s", qPrintable(error));
        return m_cluster.url(name);
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_tmp.isValid());
        QString error;
        // fsync on: what a node acknowledged must be on the server's disk.
        QVERIFY2(m_cluster.start(&error, true), qPrintable(error));
        m_amtFile = m_tmp.filePath("amt");
        QFile f(m_amtFile);
        QVERIFY(f.open(QIODevice::WriteOnly) && f.write(kAmt + "\n") > 0);
    }

    // The same deliveries posted to two nodes at once, as Smartcar's retries can reach two nodes
    // behind one load balancer: each eventId is stored once as accepted and once more as a duplicate
    // by whichever node lost, and the accepted set and bodies are those of a single SQLite node.
    void sameDeliveriesOnTwoNodesAreStoredOnce() {
        constexpr int kCount = 400;
        constexpr quint64 kSeed = 7;
        const QString url = createDatabase(QStringLiteral("same"));
        FleetmonProcess a(m_tmp.filePath("same-a"), kAmt), b(m_tmp.filePath("same-b"), kAmt);
        QVERIFY2(a.start({"--database", url}), a.process().readAllStandardError().constData());
        QVERIFY2(b.start({"--database", url}), b.process().readAllStandardError().constData());
        FleetmonProcess single(m_tmp.filePath("same-sqlite"), kAmt);
        QVERIFY(single.start());

        QElapsedTimer clock;
        clock.start();
        QProcess simA, simB, simSingle;
        const QString ackA = m_tmp.filePath("same-a.acks"), ackB = m_tmp.filePath("same-b.acks");
        startFleetsim(simA, a.port(), m_amtFile, kSeed, kCount, 0, ackA);
        startFleetsim(simB, b.port(), m_amtFile, kSeed, kCount, 0, ackB);
        startFleetsim(simSingle, single.port(), m_amtFile, kSeed, kCount, 0,
                      m_tmp.filePath("same-sqlite.acks"));
        bool ok = false;
        QByteArray out = finishFleetsim(simA, kCount, &ok);
        QVERIFY2(ok, out.constData());
        out = finishFleetsim(simB, kCount, &ok);
        QVERIFY2(ok, out.constData());
        out = finishFleetsim(simSingle, kCount, &ok);
        QVERIFY2(ok, out.constData());
        const qint64 postedMs = clock.elapsed();
        QCOMPARE(a.stop(), 0);
        QCOMPARE(b.stop(), 0);
        QCOMPARE(single.stop(), 0);

        // Per eventId: accepted once, every other row a duplicate, and both nodes stored it.
        QString error;
        const QString rows = m_cluster.psql(
            QStringLiteral("select event_id, count(*) filter (where verdict = 'accepted'), "
                           "count(*) filter (where verdict = 'duplicate'), count(*), count(distinct node) "
                           "from deliveries group by event_id"),
            &error, QStringLiteral("same"));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        int eventIds = 0;
        for (const QString &row : rows.split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            const QStringList c = row.split(QLatin1Char('|'));
            QVERIFY2(c.size() == 5 && c[1] == "1" && c[1].toInt() + c[2].toInt() == c[3].toInt() &&
                         c[3].toInt() >= 2 && c[4] == "2",
                     qPrintable(QStringLiteral("event_id|accepted|duplicate|rows|nodes: %1").arg(row)));
            ++eventIds;
        }
        QCOMPARE(eventIds, kCount);
        const QHash<QString, int> accepted = acceptedCounts(m_cluster, QStringLiteral("same"), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QString why;
        QVERIFY2(eachStoredOnce(ackLogIds(ackA) + ackLogIds(ackB), accepted, &why), qPrintable(why));
        // Each row names its node: the machine and the port it actually bound (both asked for port 0).
        const QString nodes =
            m_cluster.psql(QStringLiteral("select string_agg(distinct node, ' ' order by node) "
                                          "from deliveries"),
                           &error, QStringLiteral("same"));
        QStringList expectedNodes{QStringLiteral("%1:%2").arg(QHostInfo::localHostName()).arg(a.port()),
                                  QStringLiteral("%1:%2").arg(QHostInfo::localHostName()).arg(b.port())};
        expectedNodes.sort();
        QCOMPARE(nodes, expectedNodes.join(QLatin1Char(' ')));
        const QString split = m_cluster.psql(
            QStringLiteral("select string_agg(n::text, ' / ' order by n desc) from (select count(*) n from "
                           "deliveries where verdict = 'accepted' group by node) s"),
            &error, QStringLiteral("same"));

        // The single SQLite node: the same accepted eventIds (its export) with the same bodies.
        QByteArray exportErr;
        const QJsonDocument exported =
            FleetmonProcess::exportJson(single.dataDir(), "deliveries", &exportErr);
        QVERIFY2(exported.isArray(), exportErr.constData());
        QSet<QString> singleAccepted;
        for (const QJsonValue &v : exported.array())
            if (v["verdict"].toString() == "accepted")
                singleAccepted.insert(v["eventId"].toString());
        QCOMPARE(singleAccepted.size(), kCount);
        QCOMPARE(singleAccepted, QSet<QString>(accepted.keyBegin(), accepted.keyEnd()));

        QHash<QString, QString> singleBodies; // eventId -> sha256 of the body
        store::JournalReader reader;
        QVERIFY2(reader.open(QDir(single.dataDir()).filePath("journal.sqlite"), &error), qPrintable(error));
        store::JournalReader::Filter filter;
        filter.acceptedOnly = true;
        QVERIFY2(reader.forEach(
                     filter,
                     [&](const model::Delivery &d) {
                         if (d.verdict == model::Verdict::Accepted)
                             singleBodies.insert(
                                 d.eventId,
                                 QString::fromLatin1(
                                     QCryptographicHash::hash(d.body, QCryptographicHash::Sha256).toHex()));
                         return true;
                     },
                     &error),
                 qPrintable(error));
        QHash<QString, QString> sharedBodies;
        const QString hashes = m_cluster.psql(
            QStringLiteral(
                "select event_id, encode(sha256(body), 'hex') from deliveries where verdict = 'accepted'"),
            &error, QStringLiteral("same"));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        for (const QString &row : hashes.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
            sharedBodies.insert(row.section(QLatin1Char('|'), 0, 0), row.section(QLatin1Char('|'), 1, 1));
        QCOMPARE(sharedBodies.size(), kCount);
        QCOMPARE(sharedBodies, singleBodies);
        qInfo("%d eventIds posted to two nodes at once and to one SQLite node in %.1f s: each stored once as "
              "accepted (accepted per node: %s), bodies identical to the SQLite node's",
              kCount, double(postedMs) / 1000.0, qPrintable(split));
    }

    // A node killed mid-run loses nothing it acknowledged; the other node goes on acknowledging.
    void killedNodeLosesNothingAcknowledged() {
        constexpr int kCount = 500;
        const QString url = createDatabase(QStringLiteral("kill"));
        FleetmonProcess a(m_tmp.filePath("kill-a"), kAmt), b(m_tmp.filePath("kill-b"), kAmt);
        QVERIFY2(a.start({"--database", url}), a.process().readAllStandardError().constData());
        QVERIFY2(b.start({"--database", url}), b.process().readAllStandardError().constData());
        const quint16 portA = a.port();
        QProcess simA, simB;
        const QString ackA = m_tmp.filePath("kill-a.acks"), ackB = m_tmp.filePath("kill-b.acks");
        startFleetsim(simA, a.port(), m_amtFile, 21, kCount, 100, ackA);
        startFleetsim(simB, b.port(), m_amtFile, 22, kCount, 100, ackB);

        QVERIFY2(waitForAcks(ackA, 150, 30000), "node A acknowledged too little before the kill");
        a.kill9();
        const int ackedByAAtKill = int(ackLogLines(ackA).size());
        const int ackedByBAtKill = int(ackLogLines(ackB).size());
        QVERIFY2(ackedByBAtKill < kCount, "node B was done before node A was killed: nothing under load");
        QVERIFY2(waitForAcks(ackB, ackedByBAtKill + 50, 20000),
                 "node B stopped acknowledging after the kill");
        const int ackedByBWhileADown = int(ackLogLines(ackB).size()) - ackedByBAtKill;

        // Smartcar goes on retrying what node A did not answer: it comes back on the same port.
        QVERIFY2(a.start({"--listen", QStringLiteral("127.0.0.1:%1").arg(portA), "--database", url}),
                 a.process().readAllStandardError().constData());
        QCOMPARE(a.port(), portA);
        bool ok = false;
        const QByteArray outA = finishFleetsim(simA, kCount, &ok);
        QVERIFY2(ok, outA.constData());
        const QByteArray outB = finishFleetsim(simB, kCount, &ok);
        QVERIFY2(ok, outB.constData());
        QVERIFY2(retriedOf(outA) > 0, outA.constData()); // the kill cut into node A's traffic
        QCOMPARE(a.stop(), 0);
        QCOMPARE(b.stop(), 0);

        const QSet<QString> acknowledged = ackLogIds(ackA) + ackLogIds(ackB);
        QCOMPARE(acknowledged.size(), 2 * kCount);
        QString error;
        const QHash<QString, int> accepted = acceptedCounts(m_cluster, QStringLiteral("kill"), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QString why;
        QVERIFY2(eachStoredOnce(acknowledged, accepted, &why), qPrintable(why));
        QCOMPARE(accepted.size(), 2 * kCount); // nothing accepted that fleetsim did not post
        qInfo("node A killed after %d acknowledgements; node B acknowledged %d more while A was down; "
              "%d acknowledged deliveries each stored once as accepted, %d attempts retried against A",
              ackedByAAtKill, ackedByBWhileADown, int(acknowledged.size()), retriedOf(outA));
    }

    // The database restarted under a running node: 503 while it is down, 2xx again after, nothing
    // acknowledged lost, and one message each way on stderr naming the database without its password.
    void databaseRestartIsAnswered503ThenResumes() {
        constexpr int kCount = 500;
        createDatabase(QStringLiteral("restart"));
        const QString secret = QStringLiteral("s3cret-restart-pw");
        // Trust authentication ignores the password; the node must still never print it.
        const QString url =
            QStringLiteral("postgresql://fleetmon:%1@127.0.0.1:%2/restart").arg(secret).arg(m_cluster.port());
        const QString shown =
            QStringLiteral("postgresql://fleetmon@127.0.0.1:%1/restart").arg(m_cluster.port());
        FleetmonProcess node(m_tmp.filePath("restart"), kAmt);
        QVERIFY2(node.start({"--database", url}), node.process().readAllStandardError().constData());
        QProcess sim;
        const QString ackLog = m_tmp.filePath("restart.acks");
        startFleetsim(sim, node.port(), m_amtFile, 31, kCount, 100, ackLog);
        QVERIFY2(waitForAcks(ackLog, 60, 30000), "the node acknowledged too little before the restart");

        smartcar::SimulatedFleet probes(3, 32);
        QSet<QString> probesAcked;
        const auto probe = [&] {
            const QByteArray body = probes.nextDelivery(QDateTime::currentMSecsSinceEpoch());
            const int status =
                testsupport::postOnNewConnection(node.port(), testsupport::signedWebhookRequest(kAmt, body));
            if (status / 100 == 2)
                probesAcked.insert(QJsonDocument::fromJson(body).object().value("eventId").toString());
            return status;
        };

        QString error;
        QVERIFY2(m_cluster.stopServer(&error), qPrintable(error));
        QElapsedTimer down;
        down.start();
        int status = 0;
        while ((status = probe()) != 503 && down.elapsed() < 5000)
            QTest::qWait(50);
        const qint64 refusedAfterMs = down.elapsed();
        QCOMPARE(status, 503);
        QVERIFY2(refusedAfterMs < 1000,
                 qPrintable(QStringLiteral("first 503 after %1 ms").arg(refusedAfterMs)));
        QTest::qWait(1000); // Smartcar's retries meet the 503s meanwhile
        QCOMPARE(probe(), 503);

        QVERIFY2(m_cluster.startServer(&error), qPrintable(error));
        QElapsedTimer up;
        up.start();
        while ((status = probe()) / 100 != 2 && up.elapsed() < 15000)
            QTest::qWait(100);
        const qint64 resumedAfterMs = up.elapsed();
        QCOMPARE(status, 200);

        bool ok = false;
        const QByteArray out = finishFleetsim(sim, kCount, &ok);
        QVERIFY2(ok, out.constData());
        QVERIFY2(retriedOf(out) > 0, out.constData()); // fleetsim met the 503s too
        QCOMPARE(node.stop(), 0);
        const QByteArray err = node.process().readAllStandardError();
        QCOMPARE(err.count("cannot write the shared database " + shown.toUtf8() + ":"), 1);
        QCOMPARE(err.count("cannot write"), 1);
        QCOMPARE(err.count("the shared database " + shown.toUtf8() + " is writable again"), 1);
        QCOMPARE(err.count("again"), 1);
        QVERIFY2(err.contains("every acknowledged delivery is in " + shown.toUtf8()), err.constData());
        QVERIFY2(!err.contains(secret.toUtf8()), err.constData());
        for (const QByteArray &line : err.split('\n'))
            if (line.contains("cannot write") || line.contains("again"))
                qInfo("stderr: %s", line.constData());

        const QSet<QString> acknowledged = ackLogIds(ackLog) + probesAcked;
        const QHash<QString, int> accepted = acceptedCounts(m_cluster, QStringLiteral("restart"), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QString why;
        QVERIFY2(eachStoredOnce(acknowledged, accepted, &why), qPrintable(why));
        QCOMPARE(accepted.size(), acknowledged.size());
        qInfo("database down: first 503 %lld ms after the stop; first 2xx %lld ms after the restart; "
              "%d acknowledged deliveries each stored once, %d attempts retried by fleetsim",
              refusedAfterMs, resumedAfterMs, int(acknowledged.size()), retriedOf(out));
    }

    // A database that cannot be reached at start: exit 1 at once, naming it without its password.
    void unreachableDatabaseStopsTheStart_data() {
        QTest::addColumn<bool>("silent");
        QTest::newRow("connection refused") << false;
        QTest::newRow("server never answers") << true;
    }
    void unreachableDatabaseStopsTheStart() {
        QFETCH(bool, silent);
        // Nothing listens on a port just given back; a listener that never reads stands for a
        // server lost behind a firewall (the kernel completes the handshake, nobody answers).
        QTcpServer listener;
        QVERIFY(listener.listen(QHostAddress::LocalHost, 0));
        const quint16 port = listener.serverPort();
        if (!silent)
            listener.close();
        const QString secret = QStringLiteral("s3cret-unreachable-pw");
        const QString url =
            QStringLiteral("postgresql://fleetmon:%1@127.0.0.1:%2/fleet").arg(secret).arg(port);
        const QString shown = QStringLiteral("postgresql://fleetmon@127.0.0.1:%1/fleet").arg(port);
        QProcess node;
        QElapsedTimer clock;
        clock.start();
        node.start(QStringLiteral(FLEETMON_BINARY), {"--headless", "--listen", "127.0.0.1:0", "--data-dir",
                                                     m_tmp.filePath(silent ? "silent" : "refused"),
                                                     "--amt-file", m_amtFile, "--database", url});
        QVERIFY(node.waitForFinished(15000));
        const qint64 exitedAfterMs = clock.elapsed();
        const QByteArray err = node.readAllStandardError();
        QCOMPARE(node.exitStatus(), QProcess::NormalExit);
        QCOMPARE(node.exitCode(), 1);
        QVERIFY2(exitedAfterMs < 10000, qPrintable(QStringLiteral("exited after %1 ms").arg(exitedAfterMs)));
        QVERIFY2(node.readAllStandardOutput().isEmpty(), "it must not say it listens");
        QVERIFY2(!err.contains(secret.toUtf8()), err.constData());
        // One line says it, naming the database.
        QByteArrayList naming;
        for (const QByteArray &line : err.split('\n'))
            if (line.contains(shown.toUtf8()))
                naming.append(line);
        QVERIFY2(naming.size() == 1 && naming.first().startsWith("fleetmon: "), err.constData());
        qInfo("%s: exit 1 after %lld ms: %s", silent ? "silent server" : "refused", exitedAfterMs,
              naming.first().constData());
    }
};

QTEST_GUILESS_MAIN(tst_SharedIngestNodes)
#include "tst_SharedIngestNodes.moc"
