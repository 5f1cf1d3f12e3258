// fleetsim --write-requests: the file the ingest benchmark replays with wrk. Every request in it
// must be a complete, correctly signed POST with a unique eventId that a real fleetmon accepts.

#include "smartcar/Signature.h"
#include "support/FleetmonProcess.h"
#include "support/RawHttpClient.h"

#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QtEndian>
#include <QtTest>

using testsupport::FleetmonProcess;
using testsupport::RawHttpClient;
using testsupport::RawResponse;

namespace {
const QByteArray kAmt = "request-file-amt";

quint64 u64At(const QByteArray &file, qsizetype offset) {
    return qFromLittleEndian<quint64>(file.constData() + offset);
}
} // namespace

class tst_FleetsimRequestFile : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void requestsAreSignedUniqueAndAccepted() {
        QTemporaryDir tmp;
        const QString amtFile = tmp.filePath("amt");
        QFile amt(amtFile);
        QVERIFY(amt.open(QIODevice::WriteOnly));
        amt.write(kAmt + "\n");
        amt.close();
        const QString path = tmp.filePath("requests.bin");
        constexpr int kCount = 300;
        QProcess sim;
        sim.start(QStringLiteral(FLEETSIM_BINARY),
                  {"--write-requests", path, "--count", QString::number(kCount), "--vehicles", "40",
                   "--amt-file", amtFile});
        QVERIFY(sim.waitForFinished(30000));
        QCOMPARE(sim.exitCode(), 0);
        QVERIFY(sim.readAllStandardOutput().contains("body bytes:"));

        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray file = f.readAll();
        QCOMPARE(file.left(8), QByteArray("FMREQS01"));
        QCOMPARE(u64At(file, 8), quint64(kCount));
        QCOMPARE(u64At(file, 16 + 8 * kCount), quint64(file.size()));

        QList<QByteArray> requests;
        QSet<QString> eventIds;
        for (int i = 0; i < kCount; ++i) {
            const auto from = qsizetype(u64At(file, 16 + 8 * i));
            const auto to = qsizetype(u64At(file, 16 + 8 * (i + 1)));
            QVERIFY(from < to && to <= file.size());
            const QByteArray request = file.mid(from, to - from);
            QVERIFY(request.startsWith("POST /webhooks/smartcar HTTP/1.1\r\n"));
            const qsizetype end = request.indexOf("\r\n\r\n");
            QVERIFY(end > 0);
            const QByteArray head = request.left(end);
            const QByteArray body = request.mid(end + 4);
            QVERIFY2(body.size() >= 3000 && body.size() <= 5120, qPrintable(QString::number(body.size())));
            QVERIFY(head.contains("\r\nContent-Length: " + QByteArray::number(body.size())));
            QVERIFY(head.contains("\r\nSC-Signature: " + smartcar::Signature::hmacSha256Hex(kAmt, body)));
            const QJsonObject o = QJsonDocument::fromJson(body).object();
            QCOMPARE(o.value("eventType").toString(), QStringLiteral("VEHICLE_STATE"));
            eventIds.insert(o.value("eventId").toString());
            requests.append(request);
        }
        QCOMPARE(eventIds.size(), kCount);

        // Replayed as they are, back to back on one connection, a real fleetmon accepts them all.
        FleetmonProcess app(tmp.filePath("data"), kAmt);
        QVERIFY(app.start());
        RawHttpClient client(app.port());
        QVERIFY(client.waitConnected());
        for (int i = 0; i < 20; ++i) {
            client.send(requests.at(i));
            RawResponse r;
            QVERIFY(client.read(&r, 10000));
            QCOMPARE(r.status, 200);
            QVERIFY(r.body.contains("accepted"));
        }
        QCOMPARE(app.stop(), 0);
    }

    // --count N posts exactly N deliveries to a real fleetmon, however many connections or paced
    // tokens are free when the count is reached (tst_FleetsimCount covers the modes and --retry).
    void countIsExact_data() {
        QTest::addColumn<QString>("rate");
        QTest::newRow("closed loop") << QStringLiteral("0");
        QTest::newRow("paced with a large burst") << QStringLiteral("2000");
    }
    void countIsExact() {
        QFETCH(QString, rate);
        QTemporaryDir tmp;
        FleetmonProcess app(tmp.filePath("data"), kAmt);
        QVERIFY(app.start());
        const QString amtFile = tmp.filePath("amt");
        QFile amt(amtFile);
        QVERIFY(amt.open(QIODevice::WriteOnly));
        amt.write(kAmt + "\n");
        amt.close();
        const QString acks = tmp.filePath("acks");
        QProcess sim;
        sim.start(QStringLiteral(FLEETSIM_BINARY),
                  {"--url", app.url().toString(), "--amt-file", amtFile, "--vehicles", "25", "--count", "30",
                   "--connections", "64", "--rate", rate, "--ack-log", acks});
        QVERIFY(sim.waitForFinished(60000));
        const QByteArray out = sim.readAll();
        QCOMPARE(sim.exitCode(), 0);
        QVERIFY2(out.contains("sent:          30 "), out.constData());
        QVERIFY2(out.contains("acknowledged:  30 "), out.constData());
        QFile log(acks);
        QVERIFY(log.open(QIODevice::ReadOnly));
        QCOMPARE(log.readAll().count('\n'), 30);
        QCOMPARE(app.stop(), 0);
    }
};

QTEST_GUILESS_MAIN(tst_FleetsimRequestFile)
#include "tst_FleetsimRequestFile.moc"
