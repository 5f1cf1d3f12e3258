// Hostile input through the whole ingest path: the real fleetmon binary on loopback, the real
// journal read back with JournalReader and `fleetmon export`. Unsigned or wrongly signed bodies
// change nothing whatever they hold; signed hostile bodies are stored whole and change no state
// for what is wrong in them; framing attacks never reach the webhook at all.

#include "smartcar/Signature.h"
#include "store/JournalReader.h"
#include "support/Fixtures.h"
#include "support/FleetmonProcess.h"
#include "support/JsonPaths.h"
#include "support/RawHttpClient.h"
#include "support/WebhookRequest.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QtTest>

using testsupport::collectPaths;
using testsupport::fixture;
using testsupport::FleetmonProcess;
using testsupport::Path;
using testsupport::RawHttpClient;
using testsupport::RawResponse;
using testsupport::replaced;
using testsupport::valueAt;
using testsupport::webhookRequest;

namespace {

const QByteArray kAmt = "hostile-application-management-token";

QByteArray sign(const QByteArray &body) {
    return smartcar::Signature::hmacSha256Hex(kAmt, body);
}

int post(RawHttpClient &client, const QByteArray &bytes) {
    client.send(bytes);
    RawResponse r;
    return client.read(&r, 15000) ? r.status : -1;
}

// The hostile bodies, each named: invalid UTF-8, 100,000-deep nesting, a near-1 MiB number,
// numbers no double holds, a repeated eventId.
QList<std::pair<QByteArray, QByteArray>> hostileBodies() {
    const QByteArray real = fixture("polestar_2_all.json");
    QList<std::pair<QByteArray, QByteArray>> out;
    QByteArray utf8 = real;
    utf8.insert(utf8.indexOf("POLESTAR") + 2, "\xff\xfe");
    out.append({"invalid UTF-8", utf8});
    QByteArray deep = real;
    deep.insert(deep.indexOf('[', deep.indexOf("\"signals\"")) + 1,
                QByteArray("[").repeated(100'000) + QByteArray("]").repeated(100'000) + ",");
    out.append({"100,000 deep", deep});
    const qsizetype value = real.indexOf("89", real.indexOf("tractionbattery-stateofcharge"));
    QByteArray huge = real;
    huge.replace(value, 2, QByteArray(1024 * 1024 - real.size() - 16, '9'));
    out.append({"near-1 MiB number", huge});
    for (const QByteArray &number : {QByteArray("1e999999"), QByteArray("NaN"), QByteArray("-Infinity")}) {
        QByteArray b = real;
        b.replace(value, 2, number);
        out.append({number, b});
    }
    return out;
}

// What the fleet holds, without the receive times that every delivery moves.
QJsonArray fleetState(const QString &dataDir) {
    QJsonArray vehicles = FleetmonProcess::exportJson(dataDir, QStringLiteral("vehicles")).array();
    for (qsizetype i = 0; i < vehicles.size(); ++i) {
        QJsonObject v = vehicles[i].toObject();
        v.remove(QStringLiteral("lastDeliveryAt"));
        vehicles[i] = v;
    }
    return vehicles;
}

QList<model::Delivery> journal(const QString &dataDir) {
    store::JournalReader reader;
    QString error;
    QList<model::Delivery> out;
    if (!reader.open(QDir(dataDir).filePath(QStringLiteral("journal.sqlite")), &error))
        qFatal("journal: %s", qPrintable(error));
    reader.forEach(
        {},
        [&](const model::Delivery &d) {
            out.append(d);
            return true;
        },
        &error);
    return out;
}

} // namespace

class tst_HostileIngest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void unsignedHostileBodiesChangeNothing() {
        QTemporaryDir tmp;
        const QString data = tmp.filePath("data");
        FleetmonProcess app(data, kAmt);
        QVERIFY(app.start());
        RawHttpClient client(app.port());
        QVERIFY(client.waitConnected());
        int sent = 0;
        for (const auto &[name, body] : hostileBodies()) {
            QCOMPARE(post(client, webhookRequest(body, QByteArray())), 401);
            QCOMPARE(
                post(client, webhookRequest(body, smartcar::Signature::hmacSha256Hex("wrong-token", body))),
                401);
            sent += 2;
        }
        // Small enough to be looked at as a possible VERIFY: repeated keys and wrong types do not
        // turn an unsigned body into anything but a rejection, or a refused challenge.
        const QList<std::pair<QByteArray, int>> small = {
            {R"({"eventType":"VERIFY","eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"x"},"signals":[]}})",
             401},
            {R"({"eventId":"a","eventId":"b","eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"x"}}})",
             401},
            {R"({"eventType":"VERIFY","data":{"challenge":12345}})", 400},
            {R"({"eventType":"VERIFY","data":{"challenge":"ok","challenge":["x"]}})", 400},
            {"{\"eventType\":\"VERIFY\",\"data\":{\"challenge\":\"\xff\"}}", 401},
        };
        for (const auto &[body, status] : small) {
            QCOMPARE(post(client, webhookRequest(body, QByteArray())), status);
            ++sent;
        }
        QCOMPARE(app.stop(), 0);
        QCOMPARE(fleetState(data).size(), 0);
        const QList<model::Delivery> stored = journal(data);
        QCOMPARE(stored.size(), sent);
        for (const model::Delivery &d : stored) {
            QVERIFY(d.verdict == model::Verdict::BadSignature || d.verdict == model::Verdict::Malformed);
            QVERIFY(d.eventId.isEmpty());
            QVERIFY(d.vehicleId.isEmpty());
            if (d.verdict == model::Verdict::BadSignature)
                QVERIFY(d.body.isEmpty()); // nothing of an unsigned body is kept
        }
    }

    void signedHostileBodiesAreStoredAndChangeNoState() {
        QTemporaryDir tmp;
        const QString data = tmp.filePath("data");
        const QByteArray real = fixture("polestar_2_all.json");
        QJsonArray before;
        {
            FleetmonProcess app(data, kAmt);
            QVERIFY(app.start());
            RawHttpClient client(app.port());
            QVERIFY(client.waitConnected());
            QCOMPARE(post(client, webhookRequest(real, sign(real))), 200);
            QCOMPARE(app.stop(), 0);
            before = fleetState(data);
            QCOMPARE(before.size(), 1);
        }
        FleetmonProcess app(data, kAmt);
        QVERIFY(app.start());
        RawHttpClient client(app.port());
        QVERIFY(client.waitConnected());
        QList<QByteArray> sent;
        // Bodies that are no JSON object: stored as malformed, answered 400 so Smartcar retries.
        for (const auto &[name, body] : hostileBodies()) {
            QVERIFY2(post(client, webhookRequest(body, sign(body))) == 400, name.constData());
            sent.append(body);
        }
        // Every field down to a signal's own fields, replaced by each other JSON type, under a fresh
        // eventId: stored and acknowledged, and the fleet keeps what it had.
        const QJsonObject root = QJsonDocument::fromJson(real).object();
        QList<Path> paths;
        // A signal's body and error are its own contents, kept as delivered: replaced whole, not inside.
        collectPaths(root, {}, paths, {QStringLiteral("body"), QStringLiteral("error")});
        const QList<QJsonValue> replacements = {QJsonValue(QJsonValue::Null), QJsonValue(7),
                                                QJsonValue(QStringLiteral("hostile")),
                                                QJsonArray{QJsonValue()}, QJsonObject{{"code", "x"}}};
        int variant = 0;
        for (const Path &path : paths) {
            const QJsonValue original = valueAt(root, path);
            for (const QJsonValue &with : replacements) {
                if (with.type() == original.type())
                    continue;
                QJsonObject fresh = root;
                fresh.insert("eventId", QStringLiteral("hostile-%1").arg(++variant));
                const QByteArray body = QJsonDocument(replaced(fresh, path, 0, with).toObject()).toJson();
                QVERIFY2(post(client, webhookRequest(body, sign(body))) == 200,
                         qPrintable(QString::number(variant)));
                sent.append(body);
            }
        }
        qInfo("%d wrongly typed variants sent signed", variant);
        QVERIFY(variant > 300);
        // A repeated eventId: the last one is the delivery's, so a retry of it is a duplicate.
        const QByteArray twice =
            R"({"eventId":"first","eventType":"VEHICLE_CONNECTION","data":{},"eventId":"last"})";
        const QByteArray retry = R"({"eventId":"last","eventType":"VEHICLE_CONNECTION","data":{}})";
        QCOMPARE(post(client, webhookRequest(twice, sign(twice))), 200);
        client.send(webhookRequest(retry, sign(retry)));
        RawResponse r;
        QVERIFY(client.read(&r));
        QCOMPARE(r.body, QByteArray(R"({"status":"duplicate"})"));
        sent << twice << retry;
        QCOMPARE(app.stop(), 0);

        QCOMPARE(fleetState(data), before);
        // Nothing acknowledged is lost: every signed body is in the journal byte for byte.
        const QList<model::Delivery> stored = journal(data);
        QCOMPARE(stored.size(), sent.size() + 1);
        for (qsizetype i = 0; i < sent.size(); ++i)
            QVERIFY2(stored[i + 1].body == sent[i], qPrintable(QString::number(i)));
        for (qsizetype i = 0; i < hostileBodies().size(); ++i)
            QCOMPARE(int(stored[i + 1].verdict), int(model::Verdict::Malformed));
        QCOMPARE(stored[stored.size() - 2].eventId, QStringLiteral("last"));
        QCOMPARE(int(stored.last().verdict), int(model::Verdict::Duplicate));
    }

    void framingAttacksNeverReachTheWebhook() {
        QTemporaryDir tmp;
        const QString data = tmp.filePath("data");
        FleetmonProcess app(data, kAmt);
        QVERIFY(app.start());
        const QByteArray body = fixture("polestar_2_all.json");
        const QByteArray length = QByteArray::number(body.size());
        const QByteArray head =
            "POST /webhooks/smartcar HTTP/1.1\r\nHost: h\r\nSC-Signature: " + sign(body) + "\r\n";
        // A correctly signed delivery wrapped in every framing trick: each is refused and the
        // connection closed before the webhook sees it.
        const QList<std::pair<QByteArray, int>> attacks = {
            {head + "Content-Length: " + length + "\r\nTransfer-Encoding: chunked\r\n\r\n" + body, 400},
            {head + "Content-Length : " + length + "\r\n\r\n" + body, 400},
            {head + " Content-Length: " + length + "\r\n\r\n" + body, 400},
            {head + "X-A: a\nContent-Length: " + length + "\r\n\r\n" + body, 400},
            {head + "X-A: a\rContent-Length: " + length + "\r\n\r\n" + body, 400},
            {head + "Content-Length: " + length + "\r\nContent-Length: " + length + "\r\n\r\n" + body, 400},
            {head + "Content-Length: +" + length + "\r\n\r\n" + body, 400},
            {head + "Transfer-Encoding: gzip, chunked\r\n\r\n" + QByteArray::number(body.size(), 16) +
                 "\r\n" + body + "\r\n0\r\n\r\n",
             501},
            {head + "Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFF\r\n" + body + "\r\n0\r\n\r\n", 400},
            {"POST /webhooks/smartcar HTTP/1.1\r\nHost: h\r\nSC-Signature: " + sign(body).left(10) + "\r\n " +
                 sign(body).mid(10) + "\r\nContent-Length: " + length + "\r\n\r\n" + body,
             400},
            // 10 MB announced: refused from the header; the part of the body sent is never read.
            {head + "Content-Length: 10000000\r\n\r\n" + body, 413},
        };
        for (const auto &[bytes, status] : attacks) {
            RawHttpClient client(app.port());
            QVERIFY(client.waitConnected());
            QCOMPARE(post(client, bytes), status);
            QVERIFY(client.waitClosed());
        }
        {
            // Legal but unusual forms reach it: invalid UTF-8 in a kept header, HTTP/1.0 with and
            // without keep-alive, an absolute-form target.
            RawHttpClient client(app.port());
            QVERIFY(client.waitConnected());
            QCOMPARE(post(client, webhookRequest(body, sign(body), "User-Agent: agent-\xff\xfe\r\n")), 200);
            QCOMPARE(post(client, webhookRequest(body, "\xff" + sign(body).mid(1))), 401);
            const QByteArray other = fixture("byd_seal_all.json");
            QCOMPARE(post(client,
                          "POST http://fleet.example/webhooks/smartcar HTTP/1.0\r\nConnection: keep-alive\r\n"
                          "SC-Signature: " +
                              sign(other) + "\r\nContent-Length: " + QByteArray::number(other.size()) +
                              "\r\n\r\n" + other),
                     200);
            const QByteArray third = fixture("jaguar_ipace_all.json");
            QCOMPARE(post(client, "POST /webhooks/smartcar HTTP/1.0\r\nSC-Signature: " + sign(third) +
                                      "\r\nContent-Length: " + QByteArray::number(third.size()) + "\r\n\r\n" +
                                      third),
                     200);
            QVERIFY(client.waitClosed());
        }
        QCOMPARE(app.stop(), 0);
        const QList<model::Delivery> stored = journal(data);
        QCOMPARE(stored.size(), 4); // none of the refused requests
        QCOMPARE(int(stored[0].verdict), int(model::Verdict::Accepted));
        QVERIFY2(stored[0].headers.contains("\"User-Agent\":\"agent-\xc3\xbf\xc3\xbe\""),
                 stored[0].headers.constData());
        QCOMPARE(int(stored[1].verdict), int(model::Verdict::BadSignature));
        QCOMPARE(int(stored[2].verdict), int(model::Verdict::Accepted));
        QCOMPARE(int(stored[3].verdict), int(model::Verdict::Accepted));
        QCOMPARE(fleetState(data).size(), 3);
    }
};

QTEST_GUILESS_MAIN(tst_HostileIngest)
#include "tst_HostileIngest.moc"
