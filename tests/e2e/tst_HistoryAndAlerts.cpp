// History and alerts through the real binary and the real journal file: the same readings in any
// order give the same history; alerts survive a restart and keep their identity; every export
// kind is checked field by field.

#include "smartcar/Signature.h"
#include "support/FleetmonProcess.h"
#include "support/RawHttpClient.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QtTest>
#include <random>

using testsupport::FleetmonProcess;
using testsupport::RawHttpClient;
using testsupport::RawResponse;

namespace {

const QByteArray kAmt = "history-amt";

struct Reading {
    QString eventId, vehicleId;
    qint64 t = 0;
    double soc = 0;
    double odometer = 0;
    bool doorOpen = false;
    bool charging = false;
};

QByteArray body(const Reading &r) {
    const QJsonObject meta{{"oemUpdatedAt", r.t}, {"retrievedAt", r.t + 500}};
    auto signal = [&](const char *code, const char *name, const char *group, const QJsonObject &b) {
        return QJsonObject{{"code", code}, {"name", name}, {"group", group}, {"body", b}, {"meta", meta}};
    };
    const QJsonArray doors{QJsonObject{{"row", 0}, {"column", 0}, {"isOpen", r.doorOpen}},
                           QJsonObject{{"row", 0}, {"column", 1}, {"isOpen", false}}};
    const QJsonObject root{
        {"eventId", r.eventId},
        {"eventType", "VEHICLE_STATE"},
        {"data",
         QJsonObject{
             {"vehicle", QJsonObject{{"id", r.vehicleId}, {"make", "KIA"}, {"model", "EV6"}, {"year", 2023}}},
             {"signals",
              QJsonArray{signal("tractionbattery-stateofcharge", "StateOfCharge", "TractionBattery",
                                {{"value", r.soc}, {"unit", "percent"}}),
                         signal("odometer-traveleddistance", "TraveledDistance", "Odometer",
                                {{"value", r.odometer}, {"unit", "miles"}}),
                         signal("charge-ischarging", "IsCharging", "Charge", {{"value", r.charging}}),
                         signal("closure-doors", "Doors", "Closure",
                                {{"values", doors}, {"rowCount", 1}, {"columnCount", 2}})}}}},
        {"meta", QJsonObject{{"version", "4.0"}, {"mode", "LIVE"}}}};
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

QByteArray errorBody(const QString &eventId, const QString &vehicleId, const QString &state) {
    return QStringLiteral(
               R"({"eventId":"%1","eventType":"VEHICLE_ERROR","data":{"vehicle":{"id":"%2"},"errors":[)"
               R"({"type":"VEHICLE_STATE","code":"UNREACHABLE","state":"%3","description":"The vehicle is )"
               R"(unreachable.","suggestedUserMessage":"Your car is out of reach.","resolution":{"type":)"
               R"("RETRY_LATER"}}]}})")
        .arg(eventId, vehicleId, state)
        .toUtf8();
}

void postAll(quint16 port, const QList<QByteArray> &bodies) {
    RawHttpClient client(port);
    QVERIFY(client.waitConnected());
    for (const QByteArray &b : bodies) {
        client.send("POST /webhooks/smartcar HTTP/1.1\r\nHost: x\r\nSC-Signature: " +
                    smartcar::Signature::hmacSha256Hex(kAmt, b) +
                    "\r\nContent-Length: " + QByteArray::number(b.size()) + "\r\n\r\n" + b);
        RawResponse r;
        QVERIFY(client.read(&r));
        QCOMPARE(r.status, 200);
    }
}

QJsonArray exportArray(const QString &dataDir, const QStringList &args) {
    QProcess p;
    p.start(QStringLiteral(FLEETMON_BINARY),
            QStringList{"export"} + args + QStringList{"--data-dir", dataDir});
    p.waitForFinished(30000);
    return QJsonDocument::fromJson(p.readAllStandardOutput()).array();
}

QByteArray exportRaw(const QString &dataDir, const QStringList &args) {
    QProcess p;
    p.start(QStringLiteral(FLEETMON_BINARY),
            QStringList{"export"} + args + QStringList{"--data-dir", dataDir});
    p.waitForFinished(30000);
    return p.readAllStandardOutput();
}

// Vehicles by id, without what depends on arrival (receive time, first-seen order).
QMap<QString, QJsonObject> byIdWithoutReceiveTimes(const QJsonArray &vehicles) {
    QMap<QString, QJsonObject> out;
    for (const QJsonValue &value : vehicles) {
        QJsonObject v = value.toObject();
        v.remove("lastDeliveryAt");
        out.insert(v.value("id").toString(), v);
    }
    return out;
}

} // namespace

class tst_HistoryAndAlerts : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void outOfOrderDeliveriesBuildTheSameHistory() {
        QList<QByteArray> bodies;
        for (int v = 0; v < 3; ++v)
            for (int i = 0; i < 15; ++i)
                bodies << body({QStringLiteral("ev-%1-%2").arg(v).arg(i), QStringLiteral("car-%1").arg(v),
                                1'760'000'000'000 + i * 60'000, 90.0 - i, 1000.0 + i * 3.5, i % 4 == 0,
                                i > 10});
        QList<QByteArray> shuffled = bodies;
        std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(42));
        QVERIFY(shuffled != bodies);

        QTemporaryDir tmp;
        const QString inOrder = tmp.filePath("in-order"), outOfOrder = tmp.filePath("out-of-order");
        for (const auto &[dir, list] : {std::pair{inOrder, bodies}, std::pair{outOfOrder, shuffled}}) {
            FleetmonProcess app(dir, kAmt);
            QVERIFY(app.start());
            postAll(app.port(), list);
            QCOMPARE(app.stop(), 0);
        }
        const QJsonArray history = exportArray(inOrder, {"history"});
        QCOMPARE(history.size(), 3 * 15 * 4); // per reading: SoC, odometer, charging, open doors
        QCOMPARE(exportArray(outOfOrder, {"history"}), history);
        const auto vehicles = byIdWithoutReceiveTimes(exportArray(inOrder, {"vehicles"}));
        QCOMPARE(vehicles.size(), 3);
        QCOMPARE(byIdWithoutReceiveTimes(exportArray(outOfOrder, {"vehicles"})), vehicles);
    }

    void historyExportNormalisesAndFilters() {
        QTemporaryDir tmp;
        const QString data = tmp.filePath("data");
        FleetmonProcess app(data, kAmt);
        QVERIFY(app.start());
        postAll(app.port(), {body({"a", "car-a", 1'760'000'000'000, 0.5, 100, true, false}),
                             body({"b", "car-a", 1'760'000'060'000, 45, 101, false, false}),
                             body({"c", "car-b", 1'760'000'000'000, 60, 5, false, true})});
        QCOMPARE(app.stop(), 0);

        const QJsonArray soc =
            exportArray(data, {"history", "--vehicle", "car-a", "--signal", "tractionbattery-stateofcharge"});
        QCOMPARE(soc.size(), 2);
        const QJsonObject first = soc[0].toObject();
        QCOMPARE(first.value("vehicleId").toString(), QStringLiteral("car-a"));
        QCOMPARE(first.value("signal").toString(), QStringLiteral("tractionbattery-stateofcharge"));
        QCOMPARE(first.value("field").toString(), QStringLiteral("value"));
        QCOMPARE(first.value("time").toString(), QStringLiteral("2025-10-09T08:53:20.000Z"));
        QCOMPARE(first.value("value").toDouble(), 50.0); // delivered as the fraction 0.5
        QCOMPARE(soc[1].toObject().value("value").toDouble(), 45.0);

        const QJsonArray odometer = exportArray(data, {"history", "--signal", "odometer-traveleddistance"});
        QCOMPARE(odometer.size(), 3);
        QVERIFY(qAbs(odometer[0].toObject().value("value").toDouble() - 160.9344) < 1e-9); // 100 miles in km

        const QJsonArray doors =
            exportArray(data, {"history", "--signal", "closure-doors", "--vehicle", "car-a"});
        QCOMPARE(doors.size(), 2);
        QCOMPARE(doors[0].toObject().value("field").toString(), QStringLiteral("openCount"));
        QCOMPARE(doors[0].toObject().value("value").toDouble(), 1.0);
        QCOMPARE(doors[1].toObject().value("value").toDouble(), 0.0);

        const QJsonArray since = exportArray(data, {"history", "--since", "2025-10-09T08:54:00Z"});
        for (const QJsonValue &s : since)
            QCOMPARE(s.toObject().value("time").toString(), QStringLiteral("2025-10-09T08:54:20.000Z"));
        QCOMPARE(since.size(), 4);

        const QList<QByteArray> csv = exportRaw(data, {"history", "--format", "csv", "--vehicle", "car-b",
                                                       "--signal", "charge-ischarging"})
                                          .split('\n');
        QCOMPARE(csv.value(0), QByteArray("vehicleId,signal,field,time,value"));
        QCOMPARE(csv.value(1), QByteArray("car-b,charge-ischarging,value,2025-10-09T08:53:20.000Z,1"));
    }

    void alertsSurviveARestartWithTheirIdentity() {
        QTemporaryDir tmp;
        const QString data = tmp.filePath("data");
        const qint64 t0 = QDateTime::currentMSecsSinceEpoch() - 60'000;
        {
            FleetmonProcess app(data, kAmt);
            QVERIFY(app.start());
            // Door open and 12 % while not charging: two alerts; an unreachable error: a third.
            postAll(app.port(),
                    {body({"r1", "car", t0, 12, 500, true, false}), errorBody("e1", "car", "ERROR")});
            QCOMPARE(app.stop(), 0);
        }
        const QJsonArray before = exportArray(data, {"alerts"});
        QCOMPARE(before.size(), 3);
        QHash<QString, QJsonObject> byKind;
        for (const QJsonValue &a : before)
            byKind.insert(a.toObject().value("kind").toString(), a.toObject());
        const QJsonObject door = byKind.value("open-closure");
        QCOMPARE(door.value("vehicleId").toString(), QStringLiteral("car"));
        QCOMPARE(door.value("subject").toString(), QStringLiteral("closure-doors"));
        QCOMPARE(door.value("severity").toString(), QStringLiteral("warning"));
        QVERIFY(!door.value("message").toString().isEmpty());
        QCOMPARE(door.value("fireCount").toInt(), 1);
        QVERIFY(door.value("clearedAt").isNull());
        QVERIFY(door.value("acknowledgedAt").isNull());
        QVERIFY(QDateTime::fromString(door.value("firstSeenAt").toString(), Qt::ISODateWithMs).isValid());
        QCOMPARE(byKind.value("low-battery").value("severity").toString(), QStringLiteral("warning"));
        QCOMPARE(byKind.value("vehicle-error").value("message").toString(),
                 QStringLiteral("Your car is out of reach."));
        QCOMPARE(byKind.value("vehicle-error").value("subject").toString(),
                 QStringLiteral("VEHICLE_STATE/UNREACHABLE"));

        {
            FleetmonProcess app(data, kAmt);
            QVERIFY(app.start());
            // After the restart: the door is seen open once more (same alert), then closed; the
            // battery is charging; the error is resolved.
            postAll(app.port(), {body({"r2", "car", t0 + 1000, 13, 501, true, false}),
                                 body({"r3", "car", t0 + 2000, 14, 502, false, true}),
                                 errorBody("e2", "car", "RESOLVED")});
            QCOMPARE(app.stop(), 0);
        }
        const QJsonArray after = exportArray(data, {"alerts"});
        QCOMPARE(after.size(), 3); // the same three alerts, no new ones
        for (const QJsonValue &a : after) {
            const QJsonObject alert = a.toObject();
            const QJsonObject earlier = byKind.value(alert.value("kind").toString());
            QCOMPARE(alert.value("id"), earlier.value("id"));
            QCOMPARE(alert.value("firstSeenAt"), earlier.value("firstSeenAt"));
            QVERIFY2(!alert.value("clearedAt").isNull(), qPrintable(alert.value("kind").toString()));
            QCOMPARE(alert.value("clearedBy").toString(), QStringLiteral("condition"));
        }
        for (const QJsonValue &a : after)
            if (a.toObject().value("kind").toString() == "open-closure")
                QCOMPARE(a.toObject().value("fireCount").toInt(), 2);

        const QList<QByteArray> csv = exportRaw(data, {"alerts", "--format", "csv"}).split('\n');
        QCOMPARE(csv.value(0), QByteArray("id,vehicleId,kind,subject,severity,message,firstSeenAt,lastSeenAt,"
                                          "fireCount,clearedAt,clearedBy,acknowledgedAt,acknowledgedBy"));
        QCOMPARE(csv.size(), 5); // header, three alerts, final newline
    }
};

QTEST_GUILESS_MAIN(tst_HistoryAndAlerts)
#include "tst_HistoryAndAlerts.moc"
