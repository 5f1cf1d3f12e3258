// End to end: the real fleetmon binary, real HTTP over loopback, the real journal file, and the
// export command reading it back. Every fixture goes through; nothing acknowledged is lost.

#include "smartcar/Signature.h"
#include "support/Fixtures.h"
#include "support/FleetmonProcess.h"
#include "support/RawHttpClient.h"
#include "support/WebhookRequest.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QUuid>
#include <QtTest>

using testsupport::fixture;
using testsupport::FleetmonProcess;
using testsupport::RawHttpClient;
using testsupport::RawResponse;

namespace {

const QByteArray kAmt = "e2e-application-management-token";

// Deliveries name their sender, as Smartcar's do.
QByteArray request(const QByteArray &body, const QByteArray &signature) {
    return testsupport::webhookRequest(body, signature, "User-Agent: Smartcar/test\r\n");
}

RawResponse postSigned(RawHttpClient &client, const QByteArray &body) {
    client.send(request(body, smartcar::Signature::hmacSha256Hex(kAmt, body)));
    RawResponse r;
    if (!client.read(&r, 10000))
        r.status = -1;
    return r;
}

QJsonObject vehicleById(const QJsonDocument &vehicles, const QString &id) {
    const QJsonArray list = vehicles.array();
    for (const QJsonValue &v : list)
        if (v.toObject().value("id").toString() == id)
            return v.toObject();
    return {};
}

QByteArray stateBody(const QString &eventId, const QString &vehicleId, int soc, qint64 oemUpdatedAt) {
    return QStringLiteral(
               R"({"eventId":"%1","eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"%2","make":"KIA",)"
               R"("model":"EV6","year":2023},"signals":[{"code":"tractionbattery-stateofcharge","name":)"
               R"("StateOfCharge","group":"TractionBattery","body":{"value":%3,"unit":"percent"},)"
               R"("meta":{"oemUpdatedAt":%4,"retrievedAt":%4}}]},"meta":{"version":"4.0","mode":"LIVE"}})")
        .arg(eventId, vehicleId)
        .arg(soc)
        .arg(oemUpdatedAt)
        .toUtf8();
}

} // namespace

class tst_Ingest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyFixtureIsVerifiedStoredAndExported_data() {
        QTest::addColumn<QString>("file");
        const QStringList files =
            QDir(QStringLiteral(FLEETMON_FIXTURES_DIR)).entryList({"*.json"}, QDir::Files);
        QVERIFY(files.size() >= 11);
        for (const QString &f : files)
            QTest::newRow(qPrintable(f)) << f;
    }
    void everyFixtureIsVerifiedStoredAndExported() {
        QFETCH(QString, file);
        QTemporaryDir tmp;
        const QString data = tmp.filePath("data");
        FleetmonProcess app(data, kAmt);
        QVERIFY(app.start());
        const QByteArray raw = fixture(file);
        const QJsonObject original = QJsonDocument::fromJson(raw).object();
        const bool isVerify = original.value("eventType").toString() == "VERIFY";
        RawHttpClient client(app.port());
        QVERIFY(client.waitConnected());

        // The same content re-serialised (compact, as an SDK would) must fail the signature.
        const QByteArray reserialised = QJsonDocument(original).toJson(QJsonDocument::Compact);
        QVERIFY(reserialised != raw);
        if (!isVerify) {
            client.send(request(reserialised, smartcar::Signature::hmacSha256Hex(kAmt, raw)));
            RawResponse rejected;
            QVERIFY(client.read(&rejected));
            QCOMPARE(rejected.status, 401);
        }

        const RawResponse r = postSigned(client, raw);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
        QCOMPARE(app.stop(), 0);

        const QJsonArray deliveries = FleetmonProcess::exportJson(data, "deliveries").array();
        QCOMPARE(deliveries.size(), isVerify ? 1 : 2);
        const QJsonObject last = deliveries.last().toObject();
        if (isVerify) {
            QCOMPARE(last.value("verdict").toString(), QStringLiteral("verify"));
            QCOMPARE(QJsonDocument::fromJson(r.body).object().value("challenge").toString().toUtf8(),
                     smartcar::Signature::hmacSha256Hex(kAmt, "any-abcd"));
            return;
        }
        QCOMPARE(deliveries.first().toObject().value("verdict").toString(), QStringLiteral("bad-signature"));
        QCOMPARE(deliveries.first().toObject().value("status").toInt(), 401);
        QCOMPARE(last.value("verdict").toString(), QStringLiteral("accepted"));
        QCOMPARE(last.value("status").toInt(), 200);
        QCOMPARE(last.value("eventId").toString(), original.value("eventId").toString());
        QCOMPARE(last.value("eventType").toString(), original.value("eventType").toString());
        QVERIFY(QDateTime::fromString(last.value("receivedAt").toString(), Qt::ISODateWithMs).isValid());

        // The exported state holds every signal as delivered: values, units and errors.
        const QJsonObject dataObject = original.value("data").toObject();
        const QJsonObject vehicleIn = dataObject.value("vehicle").toObject();
        const QJsonObject vehicle =
            vehicleById(FleetmonProcess::exportJson(data, "vehicles"), vehicleIn.value("id").toString());
        QVERIFY2(!vehicle.isEmpty(), "vehicle missing from the export");
        QCOMPARE(vehicle.value("make"), vehicleIn.value("make"));
        QCOMPARE(vehicle.value("model"), vehicleIn.value("model"));
        QCOMPARE(vehicle.value("year"), vehicleIn.value("year"));
        const QJsonObject exported = vehicle.value("signals").toObject();
        const QJsonArray signalsIn = dataObject.value("signals").toArray();
        QCOMPARE(exported.size(), signalsIn.size());
        for (const QJsonValue &s : signalsIn) {
            const QJsonObject in = s.toObject();
            const QJsonObject out = exported.value(in.value("code").toString()).toObject();
            if (in.contains("body")) {
                QCOMPARE(out.value("body").toObject(), in.value("body").toObject());
                QCOMPARE(out.value("oemUpdatedAt").toInteger(),
                         in.value("meta").toObject().value("oemUpdatedAt").toInteger());
            } else {
                QVERIFY(out.value("body").isNull());
                QCOMPARE(out.value("error").toObject(),
                         in.value("status").toObject().value("error").toObject());
            }
        }
        const QJsonArray errorsIn = dataObject.value("errors").toArray();
        const QJsonArray errorsOut = vehicle.value("errors").toArray();
        QCOMPARE(errorsOut.size(), errorsIn.size());
        for (qsizetype i = 0; i < errorsIn.size(); ++i) {
            const QJsonObject in = errorsIn[i].toObject();
            const QJsonObject out = errorsOut[i].toObject();
            QCOMPARE(out.value("type"), in.value("type"));
            QCOMPARE(out.value("code"), in.value("code"));
            QCOMPARE(out.value("suggestedUserMessage").toString(),
                     in.value("suggestedUserMessage").toString());
        }
    }

    void verifyIsAnsweredInBothForms() {
        QTemporaryDir tmp;
        FleetmonProcess app(tmp.filePath("data"), kAmt);
        QVERIFY(app.start());
        RawHttpClient client(app.port());
        QVERIFY(client.waitConnected());
        const QByteArray unified =
            R"({"eventId":"52f6e0bb","eventType":"VERIFY","data":{"challenge":"3a5c8f72-e6d9-4b1a-9f2e-8c7d6a5b4e3f"}})";
        const QByteArray legacy =
            R"({"version":"2.0","eventName":"verify","payload":{"challenge":"legacy-challenge"}})";
        for (const auto &[body, challenge] :
             {std::pair{unified, QByteArray("3a5c8f72-e6d9-4b1a-9f2e-8c7d6a5b4e3f")},
              std::pair{legacy, QByteArray("legacy-challenge")}}) {
            client.send(request(body, QByteArray())); // unsigned, as Smartcar sends it
            RawResponse r;
            QVERIFY(client.read(&r));
            QCOMPARE(r.status, 200);
            QCOMPARE(r.header("Content-Type"), QByteArray("application/json"));
            QCOMPARE(r.body,
                     "{\"challenge\":\"" + smartcar::Signature::hmacSha256Hex(kAmt, challenge) + "\"}");
        }
    }

    void unsignedOrWronglySignedChangesNothing() {
        QTemporaryDir tmp;
        const QString data = tmp.filePath("data");
        FleetmonProcess app(data, kAmt);
        QVERIFY(app.start());
        RawHttpClient client(app.port());
        QVERIFY(client.waitConnected());
        const QByteArray body = fixture("polestar_2_all.json");
        RawResponse r;
        client.send(request(body, QByteArray()));
        QVERIFY(client.read(&r));
        QCOMPARE(r.status, 401);
        client.send(request(body, smartcar::Signature::hmacSha256Hex("another-token", body)));
        QVERIFY(client.read(&r));
        QCOMPARE(r.status, 401);
        client.send(request(body, smartcar::Signature::hmacSha256Hex(body, kAmt))); // swapped arguments
        QVERIFY(client.read(&r));
        QCOMPARE(r.status, 401);
        QCOMPARE(app.stop(), 0);
        QCOMPARE(FleetmonProcess::exportJson(data, "vehicles").array().size(), 0);
        const QJsonArray deliveries = FleetmonProcess::exportJson(data, "deliveries").array();
        QCOMPARE(deliveries.size(), 3);
        for (const QJsonValue &d : deliveries) {
            QCOMPARE(d.toObject().value("verdict").toString(), QStringLiteral("bad-signature"));
            QVERIFY(d.toObject().value("eventId").isNull()); // nothing of the unsigned body was read
        }
    }

    void retriesAreAcknowledgedOnceAndOlderValuesNeverWin() {
        QTemporaryDir tmp;
        const QString data = tmp.filePath("data");
        FleetmonProcess app(data, kAmt);
        QVERIFY(app.start());
        RawHttpClient client(app.port());
        QVERIFY(client.waitConnected());
        QCOMPARE(postSigned(client, stateBody("ev-1", "car", 50, 2000)).status, 200);
        // A retry of ev-1 (with different content, to prove it changes nothing) is a 200 duplicate.
        RawResponse retry = postSigned(client, stateBody("ev-1", "car", 99, 9000));
        QCOMPARE(retry.status, 200);
        QCOMPARE(retry.body, QByteArray(R"({"status":"duplicate"})"));
        // An older reading that arrives late does not overwrite the newer one.
        QCOMPARE(postSigned(client, stateBody("ev-2", "car", 40, 1000)).status, 200);
        QCOMPARE(app.stop(), 0);
        const QJsonObject car = vehicleById(FleetmonProcess::exportJson(data, "vehicles"), "car");
        const QJsonObject soc =
            car.value("signals").toObject().value("tractionbattery-stateofcharge").toObject();
        QCOMPARE(soc.value("body").toObject().value("value").toInt(), 50);
        QCOMPARE(soc.value("oemUpdatedAt").toInteger(), 2000);
        QStringList verdicts;
        for (const QJsonValue &d : FleetmonProcess::exportJson(data, "deliveries").array())
            verdicts << d.toObject().value("verdict").toString();
        QCOMPARE(verdicts, (QStringList{"accepted", "duplicate", "accepted"}));
    }

    void unknownAndMalformedSignedBodiesAreKept() {
        QTemporaryDir tmp;
        const QString data = tmp.filePath("data");
        FleetmonProcess app(data, kAmt);
        QVERIFY(app.start());
        RawHttpClient client(app.port());
        QVERIFY(client.waitConnected());
        QCOMPARE(postSigned(client, R"({"eventId":"x1","eventType":"VEHICLE_CONNECTION","data":{}})").status,
                 200);
        QCOMPARE(postSigned(client, "this is not json").status, 400);
        QCOMPARE(app.stop(), 0);
        const QJsonArray deliveries = FleetmonProcess::exportJson(data, "deliveries").array();
        QCOMPARE(deliveries.size(), 2);
        QCOMPARE(deliveries[0].toObject().value("verdict").toString(), QStringLiteral("accepted"));
        QCOMPARE(deliveries[0].toObject().value("eventType").toString(),
                 QStringLiteral("VEHICLE_CONNECTION"));
        QCOMPARE(deliveries[1].toObject().value("verdict").toString(), QStringLiteral("malformed"));
        QCOMPARE(FleetmonProcess::exportJson(data, "vehicles").array().size(), 0);
    }

    void restartRebuildsTheFleet() {
        QTemporaryDir tmp;
        const QString data = tmp.filePath("data");
        {
            FleetmonProcess app(data, kAmt);
            QVERIFY(app.start());
            RawHttpClient client(app.port());
            QVERIFY(client.waitConnected());
            for (const char *f : {"polestar_2_all.json", "jaguar_ipace_all.json", "byd_seal_all.json"})
                QCOMPARE(postSigned(client, fixture(f)).status, 200);
            QCOMPARE(app.stop(), 0);
        }
        const QJsonDocument before = FleetmonProcess::exportJson(data, "vehicles");
        FleetmonProcess app(data, kAmt);
        QVERIFY(app.start());
        RawHttpClient client(app.port());
        QVERIFY(client.waitConnected());
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        RawResponse health;
        QVERIFY(client.read(&health));
        QCOMPARE(QJsonDocument::fromJson(health.body).object().value("vehicles").toInt(), 3);
        // A retry of a delivery from before the restart is still known.
        QCOMPARE(postSigned(client, fixture("polestar_2_all.json")).body,
                 QByteArray(R"({"status":"duplicate"})"));
        QCOMPARE(app.stop(), 0);
        QCOMPARE(FleetmonProcess::exportJson(data, "vehicles"), before);
    }

    void killedProcessLosesNoAcknowledgedDelivery() {
        QTemporaryDir tmp;
        const QString data = tmp.filePath("data");
        FleetmonProcess app(data, kAmt);
        QVERIFY(app.start());
        // Four connections in parallel, so deliveries share commits (group commit) when it dies.
        std::vector<std::unique_ptr<RawHttpClient>> clients;
        for (int c = 0; c < 4; ++c) {
            clients.push_back(std::make_unique<RawHttpClient>(app.port()));
            QVERIFY(clients.back()->waitConnected());
        }
        QSet<QString> acknowledged;
        const int n = 400;
        for (int i = 0; i < n; i += 4) {
            QStringList ids;
            for (int c = 0; c < 4; ++c) {
                ids << QUuid::createUuid().toString(QUuid::WithoutBraces);
                const QByteArray body =
                    stateBody(ids.last(), QStringLiteral("car-%1").arg(i % 40), i % 100, 1000 + i);
                clients[c]->send(request(body, smartcar::Signature::hmacSha256Hex(kAmt, body)));
            }
            for (int c = 0; c < 4; ++c) {
                RawResponse r;
                QVERIFY(clients[c]->read(&r));
                QCOMPARE(r.status, 200);
                acknowledged.insert(ids[c]);
            }
        }
        // One more in flight when the process dies: it may or may not be kept, but must not be half-kept.
        const QByteArray inFlight = stateBody("in-flight", "car-x", 1, 1);
        clients[0]->send(request(inFlight, smartcar::Signature::hmacSha256Hex(kAmt, inFlight)));
        app.kill9();

        QSet<QString> stored;
        const QJsonArray deliveries = FleetmonProcess::exportJson(data, "deliveries").array();
        for (const QJsonValue &d : deliveries)
            stored.insert(d.toObject().value("eventId").toString());
        QCOMPARE(acknowledged.size(), n);
        QVERIFY((acknowledged - stored).isEmpty());
        QVERIFY(deliveries.size() == n || deliveries.size() == n + 1);
        // The restarted app rebuilds every vehicle those deliveries named (car-0, car-4 ... car-36).
        FleetmonProcess again(data, kAmt);
        QVERIFY(again.start());
        QCOMPARE(again.stop(), 0);
        QSet<QString> vehicles;
        for (const QJsonValue &v : FleetmonProcess::exportJson(data, "vehicles").array())
            vehicles.insert(v.toObject().value("id").toString());
        vehicles.remove("car-x");
        QCOMPARE(vehicles.size(), 10);
    }

    void corruptDatabaseIsRefusedWithAClearMessage() {
        QTemporaryDir tmp;
        const QString data = tmp.filePath("data");
        QVERIFY(QDir().mkpath(data));
        const QByteArray garbage(4096, '#');
        {
            QFile f(QDir(data).filePath("journal.sqlite"));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(garbage);
        }
        FleetmonProcess app(data, kAmt);
        QVERIFY(!app.start());
        app.process().waitForFinished(10000);
        QVERIFY(app.process().exitCode() != 0);
        const QByteArray err = app.process().readAllStandardError();
        QVERIFY2(err.contains("journal.sqlite") && err.contains("not"), err.constData());
        QFile f(QDir(data).filePath("journal.sqlite"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), garbage);
        QByteArray exportErr;
        FleetmonProcess::exportJson(data, "vehicles", &exportErr);
        QVERIFY(exportErr.contains("journal.sqlite"));
    }

    void missingTokenIsAUsageError() {
        QTemporaryDir tmp;
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("FLEETMON_AMT");
        env.insert("XDG_CONFIG_HOME", tmp.filePath("config")); // no saved settings either
        p.setProcessEnvironment(env);
        p.start(QStringLiteral(FLEETMON_BINARY),
                {"--headless", "--listen", "127.0.0.1:0", "--data-dir", tmp.filePath("d")});
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("Application Management Token"));
    }
};

QTEST_GUILESS_MAIN(tst_Ingest)
#include "tst_Ingest.moc"
