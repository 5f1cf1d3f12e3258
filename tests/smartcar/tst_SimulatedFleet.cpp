#include "smartcar/SimulatedFleet.h"

#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QtTest>

using smartcar::SimulatedFleet;

namespace {

constexpr qint64 kStartMs = 1769937943464; // a deliveredAt from the Polestar capture

QSet<QString> keysOf(const QJsonObject &object) {
    const QStringList keys = object.keys();
    return {keys.cbegin(), keys.cend()};
}

QJsonObject parse(const QByteArray &body) {
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        qWarning() << "not a JSON object:" << error.errorString() << body.left(200);
    return document.object();
}

bool isUuid(const QString &text) {
    static const QRegularExpression uuid(
        QStringLiteral("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"));
    return uuid.match(text).hasMatch();
}

bool isFirstDelivery(const QJsonObject &event) {
    const QJsonArray triggers = event.value(QLatin1String("triggers")).toArray();
    return triggers.size() == 1 && triggers.at(0).toObject().value(QLatin1String("type")).toString() ==
                                       QLatin1String("FIRST_DELIVERY");
}

QString vehicleIdOf(const QJsonObject &event) {
    return event.value(QLatin1String("data"))
        .toObject()
        .value(QLatin1String("vehicle"))
        .toObject()
        .value(QLatin1String("id"))
        .toString();
}

QHash<QString, QJsonObject> signalsByCode(const QJsonObject &event) {
    QHash<QString, QJsonObject> out;
    const QJsonArray list =
        event.value(QLatin1String("data")).toObject().value(QLatin1String("signals")).toArray();
    for (const QJsonValue &value : list)
        out.insert(value.toObject().value(QLatin1String("code")).toString(), value.toObject());
    return out;
}

// The key sets each signal code shows in the real captures (body and, for arrays of values, the
// entries), united over the captures, so ours can be held against what Smartcar actually sends.
struct CaptureShapes {
    QSet<QString> topLevel;
    QSet<QString> data;
    QSet<QString> vehicle;
    QSet<QString> meta;
    QSet<QString> okSignal;
    QSet<QString> errorSignal;
    QHash<QString, QSet<QString>> bodyKeys;
    QHash<QString, QSet<QString>> valueEntryKeys;
};

CaptureShapes loadCaptureShapes() {
    CaptureShapes shapes;
    for (const char *name : {"polestar_2_all.json", "jaguar_ipace_all.json", "byd_seal_all.json"}) {
        QFile file(QStringLiteral(FLEETMON_FIXTURES_DIR "/") + QLatin1String(name));
        if (!file.open(QIODevice::ReadOnly)) {
            qWarning() << "cannot read" << file.fileName();
            continue;
        }
        const QJsonObject event = parse(file.readAll());
        shapes.topLevel = keysOf(event);
        shapes.data = keysOf(event.value(QLatin1String("data")).toObject());
        shapes.vehicle =
            keysOf(event.value(QLatin1String("data")).toObject().value(QLatin1String("vehicle")).toObject());
        shapes.meta = keysOf(event.value(QLatin1String("meta")).toObject());
        for (const QJsonObject &signal : signalsByCode(event)) {
            const QString code = signal.value(QLatin1String("code")).toString();
            if (!signal.contains(QLatin1String("body"))) {
                shapes.errorSignal = keysOf(signal);
                continue;
            }
            shapes.okSignal = keysOf(signal);
            const QJsonObject body = signal.value(QLatin1String("body")).toObject();
            shapes.bodyKeys[code] += keysOf(body);
            for (const QJsonValue &entry : body.value(QLatin1String("values")).toArray()) {
                if (entry.isObject())
                    shapes.valueEntryKeys[code] += keysOf(entry.toObject());
            }
        }
    }
    return shapes;
}

} // namespace

class TestSimulatedFleet final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void sameSeedGivesIdenticalBodies();
    void differentSeedsDiffer();
    void vehiclesHaveStableIdentities();
    void firstDeliveryForEveryVehicleBeforeAnyChange();
    void bodiesHaveTheRealCaptureShape();
    void eventIdsAreUnique();
    void bodySizeIsThreeToFiveKilobytes();
    void batteryInRangeAndOdometerNeverDecreases();
    void triggersMatchWhatChanged();
    void generatorThroughput();
};

void TestSimulatedFleet::sameSeedGivesIdenticalBodies() {
    SimulatedFleet a(25, 42);
    SimulatedFleet b(25, 42);
    for (int i = 0; i < 500; ++i) {
        const qint64 now = kStartMs + i * 250;
        QCOMPARE(a.nextDelivery(now), b.nextDelivery(now));
    }
}

void TestSimulatedFleet::differentSeedsDiffer() {
    SimulatedFleet a(25, 1);
    SimulatedFleet b(25, 2);
    QVERIFY(a.vehicleId(0) != b.vehicleId(0));
    int identical = 0;
    for (int i = 0; i < 200; ++i) {
        if (a.nextDelivery(kStartMs + i) == b.nextDelivery(kStartMs + i))
            ++identical;
    }
    QCOMPARE(identical, 0);
}

void TestSimulatedFleet::vehiclesHaveStableIdentities() {
    SimulatedFleet fleet(50, 7);
    QCOMPARE(fleet.vehicleCount(), 50);
    QSet<QString> ids;
    QSet<QString> makes;
    for (int i = 0; i < 50; ++i) {
        QVERIFY2(isUuid(fleet.vehicleId(i)), qPrintable(fleet.vehicleId(i)));
        ids.insert(fleet.vehicleId(i));
        makes.insert(fleet.make(i));
        QCOMPARE(fleet.vin(i).size(), 17);
        QVERIFY(!fleet.vin(i).contains(QRegularExpression(QStringLiteral("[IOQ]"))));
        QVERIFY(fleet.year(i) >= 2019 && fleet.year(i) <= 2025);
    }
    QCOMPARE(ids.size(), 50);
    QVERIFY2(makes.size() >= 5, "a fleet of 50 should mix makes");
    QCOMPARE(SimulatedFleet(50, 7).vehicleId(49), fleet.vehicleId(49));
}

void TestSimulatedFleet::firstDeliveryForEveryVehicleBeforeAnyChange() {
    constexpr int kVehicles = 37;
    SimulatedFleet fleet(kVehicles, 3);
    for (int i = 0; i < kVehicles; ++i) {
        QVERIFY(!fleet.firstDeliveriesDone());
        const QJsonObject event = parse(fleet.nextDelivery(kStartMs + i));
        QVERIFY(isFirstDelivery(event));
        QCOMPARE(vehicleIdOf(event), fleet.vehicleId(i));
    }
    QVERIFY(fleet.firstDeliveriesDone());
    QSet<QString> changed;
    for (int i = 0; i < 2000; ++i) {
        const QJsonObject event = parse(fleet.nextDelivery(kStartMs + kVehicles + i));
        QVERIFY(!isFirstDelivery(event));
        const QJsonArray triggers = event.value(QLatin1String("triggers")).toArray();
        QVERIFY(!triggers.isEmpty());
        for (const QJsonValue &trigger : triggers)
            QCOMPARE(trigger.toObject().value(QLatin1String("type")).toString(),
                     QStringLiteral("SIGNAL_UPDATED"));
        changed.insert(vehicleIdOf(event));
    }
    QCOMPARE(changed.size(), kVehicles); // changes go to vehicles chosen at random: all of them, in time
    QCOMPARE(fleet.deliveryCount(), kVehicles + 2000);
}

void TestSimulatedFleet::bodiesHaveTheRealCaptureShape() {
    const CaptureShapes capture = loadCaptureShapes();
    QVERIFY(!capture.bodyKeys.isEmpty());
    QVERIFY(!capture.topLevel.contains(QStringLiteral("vehicleId"))); // what the captures taught us

    SimulatedFleet fleet(30, 11);
    QSet<QString> codesSeen;
    for (int i = 0; i < 1500; ++i) {
        const qint64 now = kStartMs + i * 100;
        const QJsonObject event = parse(fleet.nextDelivery(now));
        QCOMPARE(keysOf(event), capture.topLevel);
        QVERIFY(isUuid(event.value(QLatin1String("eventId")).toString()));
        QCOMPARE(event.value(QLatin1String("eventType")).toString(), QStringLiteral("VEHICLE_STATE"));

        const QJsonObject data = event.value(QLatin1String("data")).toObject();
        QCOMPARE(keysOf(data), capture.data);
        QVERIFY(isUuid(data.value(QLatin1String("user")).toObject().value(QLatin1String("id")).toString()));
        const QJsonObject vehicle = data.value(QLatin1String("vehicle")).toObject();
        QCOMPARE(keysOf(vehicle), capture.vehicle);
        QVERIFY(vehicle.value(QLatin1String("year")).isDouble());

        const QJsonObject meta = event.value(QLatin1String("meta")).toObject();
        QCOMPARE(keysOf(meta), capture.meta);
        QCOMPARE(meta.value(QLatin1String("version")).toString(), QStringLiteral("4.0"));
        QCOMPARE(meta.value(QLatin1String("mode")).toString(), QStringLiteral("LIVE"));
        QCOMPARE(meta.value(QLatin1String("deliveredAt")).toInteger(), now);
        QVERIFY(isUuid(meta.value(QLatin1String("deliveryId")).toString()));
        QVERIFY(isUuid(meta.value(QLatin1String("webhookId")).toString()));

        const QJsonArray signalList = data.value(QLatin1String("signals")).toArray();
        QCOMPARE(meta.value(QLatin1String("signalCount")).toInt(), signalList.size());
        QVERIFY(signalList.size() >= 15);
        for (const QJsonValue &value : signalList) {
            const QJsonObject signal = value.toObject();
            const QString code = signal.value(QLatin1String("code")).toString();
            const QString status =
                signal.value(QLatin1String("status")).toObject().value(QLatin1String("value")).toString();
            if (status == QLatin1String("ERROR")) {
                QCOMPARE(keysOf(signal), capture.errorSignal);
                continue;
            }
            QCOMPARE(status, QStringLiteral("SUCCESS"));
            QCOMPARE(keysOf(signal), capture.okSignal);
            QCOMPARE(keysOf(signal.value(QLatin1String("meta")).toObject()),
                     (QSet<QString>{QStringLiteral("oemUpdatedAt"), QStringLiteral("retrievedAt")}));
            codesSeen.insert(code);
            // Where the captures show the signal, our body uses their keys and no others.
            const QJsonObject body = signal.value(QLatin1String("body")).toObject();
            if (capture.bodyKeys.contains(code)) {
                const QSet<QString> extra = keysOf(body) - capture.bodyKeys.value(code);
                QVERIFY2(extra.isEmpty(),
                         qPrintable(code + QLatin1String(": ") + QStringList(extra.values()).join(u',')));
            }
            for (const QJsonValue &entry : body.value(QLatin1String("values")).toArray()) {
                if (capture.valueEntryKeys.contains(code))
                    QCOMPARE(keysOf(entry.toObject()), capture.valueEntryKeys.value(code));
            }
        }
    }
    for (const char *code :
         {"tractionbattery-stateofcharge", "tractionbattery-range", "odometer-traveleddistance",
          "charge-ischarging", "charge-ischargingcableconnected", "charge-detailedchargingstatus",
          "closure-doors", "closure-windows", "closure-reartrunk", "closure-fronttrunk", "closure-islocked",
          "location-preciselocation", "wheel-tires", "diagnostics-airbag"})
        QVERIFY2(codesSeen.contains(QLatin1String(code)), code);

    // Trigger objects as delivered: {type, signal: {name, code, group}}.
    SimulatedFleet changes(1, 5);
    changes.nextDelivery(kStartMs);
    const QJsonObject event = parse(changes.nextDelivery(kStartMs + 1000));
    const QJsonObject trigger = event.value(QLatin1String("triggers")).toArray().at(0).toObject();
    QCOMPARE(keysOf(trigger), (QSet<QString>{QStringLiteral("type"), QStringLiteral("signal")}));
    QCOMPARE(keysOf(trigger.value(QLatin1String("signal")).toObject()),
             (QSet<QString>{QStringLiteral("name"), QStringLiteral("code"), QStringLiteral("group")}));
}

void TestSimulatedFleet::eventIdsAreUnique() {
    SimulatedFleet fleet(100, 9);
    QSet<QString> eventIds;
    QSet<QString> deliveryIds;
    for (int i = 0; i < 10'000; ++i) {
        const QJsonObject event = parse(fleet.nextDelivery(kStartMs + i));
        const QString eventId = event.value(QLatin1String("eventId")).toString();
        QVERIFY2(isUuid(eventId), qPrintable(eventId));
        eventIds.insert(eventId);
        deliveryIds.insert(
            event.value(QLatin1String("meta")).toObject().value(QLatin1String("deliveryId")).toString());
    }
    QCOMPARE(eventIds.size(), 10'000);
    QCOMPARE(deliveryIds.size(), 10'000);
}

void TestSimulatedFleet::bodySizeIsThreeToFiveKilobytes() {
    // 3 KiB .. 5,000 bytes: inside "3-5 KB" whichever kilobyte one means.
    for (quint64 seed : {1, 2, 3, 77, 1234}) {
        SimulatedFleet fleet(int(seed % 90) + 10, seed);
        for (int i = 0; i < 10'000; ++i) {
            const qsizetype size = fleet.nextDelivery(kStartMs + i * 1000).size();
            QVERIFY2(size >= 3 * 1024 && size <= 5000, qPrintable(QString::number(size)));
        }
    }
}

void TestSimulatedFleet::batteryInRangeAndOdometerNeverDecreases() {
    SimulatedFleet fleet(20, 13);
    QHash<QString, double> odometer;
    QSet<QString> charged;
    QSet<QString> drove;
    for (int i = 0; i < 20'000; ++i) {
        const QJsonObject event = parse(fleet.nextDelivery(kStartMs + i * 1000));
        const QString id = vehicleIdOf(event);
        const auto signalMap = signalsByCode(event);
        const QJsonObject soc = signalMap.value(QStringLiteral("tractionbattery-stateofcharge"))
                                    .value(QLatin1String("body"))
                                    .toObject();
        QCOMPARE(soc.value(QLatin1String("unit")).toString(), QStringLiteral("percent"));
        const double percent = soc.value(QLatin1String("value")).toDouble(-1);
        QVERIFY2(percent >= 0 && percent <= 100, qPrintable(QString::number(percent)));

        const QJsonObject odo = signalMap.value(QStringLiteral("odometer-traveleddistance"))
                                    .value(QLatin1String("body"))
                                    .toObject();
        QCOMPARE(odo.value(QLatin1String("unit")).toString(), QStringLiteral("km"));
        const double km = odo.value(QLatin1String("value")).toDouble(-1);
        QVERIFY(km > 0);
        if (odometer.contains(id)) {
            QVERIFY2(km >= odometer.value(id),
                     qPrintable(
                         QStringLiteral("%1 went from %2 to %3 km").arg(id).arg(odometer.value(id)).arg(km)));
            if (km > odometer.value(id))
                drove.insert(id);
        }
        odometer.insert(id, km);
        if (signalMap.value(QStringLiteral("charge-ischarging"))
                .value(QLatin1String("body"))
                .toObject()
                .value(QLatin1String("value"))
                .toBool())
            charged.insert(id);
    }
    // The fleet lives: most cars drive and charge over a few thousand steps each.
    QVERIFY2(drove.size() >= 15, qPrintable(QString::number(drove.size())));
    QVERIFY2(charged.size() >= 10, qPrintable(QString::number(charged.size())));
}

void TestSimulatedFleet::triggersMatchWhatChanged() {
    // A triggered signal carries a newer oemUpdatedAt; every other signal is exactly as before, so
    // a receiver that keeps the freshest value per signal never loses a change.
    SimulatedFleet fleet(15, 21);
    QHash<QString, QHash<QString, QJsonObject>> last;
    QSet<QString> triggeredCodes;
    for (int i = 0; i < 5000; ++i) {
        const QJsonObject event = parse(fleet.nextDelivery(kStartMs + i * 500));
        const QString id = vehicleIdOf(event);
        const auto current = signalsByCode(event);
        if (!isFirstDelivery(event)) {
            QSet<QString> triggered;
            for (const QJsonValue &t : event.value(QLatin1String("triggers")).toArray()) {
                const QJsonObject signal = t.toObject().value(QLatin1String("signal")).toObject();
                const QString code = signal.value(QLatin1String("code")).toString();
                QVERIFY2(current.contains(code), qPrintable(code));
                QCOMPARE(signal.value(QLatin1String("name")),
                         current.value(code).value(QLatin1String("name")));
                QCOMPARE(signal.value(QLatin1String("group")),
                         current.value(code).value(QLatin1String("group")));
                triggered.insert(code);
            }
            triggeredCodes += triggered;
            const auto &before = last.value(id);
            for (auto it = current.cbegin(); it != current.cend(); ++it) {
                const QJsonObject now = it.value();
                const QJsonObject then = before.value(it.key());
                const qint64 oemNow = now.value(QLatin1String("meta"))
                                          .toObject()
                                          .value(QLatin1String("oemUpdatedAt"))
                                          .toInteger();
                const qint64 oemThen = then.value(QLatin1String("meta"))
                                           .toObject()
                                           .value(QLatin1String("oemUpdatedAt"))
                                           .toInteger();
                if (triggered.contains(it.key())) {
                    QVERIFY2(oemNow > oemThen, qPrintable(it.key()));
                } else {
                    QCOMPARE(oemNow, oemThen);
                    QVERIFY2(now.value(QLatin1String("body")) == then.value(QLatin1String("body")),
                             qPrintable(id + QLatin1Char(' ') + it.key() +
                                        QLatin1String(" changed without a trigger")));
                }
                const qint64 retrieved = now.value(QLatin1String("meta"))
                                             .toObject()
                                             .value(QLatin1String("retrievedAt"))
                                             .toInteger();
                QVERIFY(retrieved >= oemNow);
            }
        }
        last.insert(id, current);
    }
    for (const char *code :
         {"closure-doors", "closure-windows", "closure-reartrunk", "closure-islocked", "charge-ischarging",
          "charge-ischargingcableconnected", "location-preciselocation", "odometer-traveleddistance"})
        QVERIFY2(triggeredCodes.contains(QLatin1String(code)), code);
}

void TestSimulatedFleet::generatorThroughput() {
    SimulatedFleet fleet(200, 1);
    constexpr int kBodies = 50'000;
    QElapsedTimer timer;
    timer.start();
    qint64 bytes = 0;
    for (int i = 0; i < kBodies; ++i)
        bytes += fleet.nextDelivery(kStartMs + i).size();
    const double seconds = double(timer.nsecsElapsed()) * 1e-9;
    qInfo("%d bodies (%lld bytes) in %.3f s: %.0f bodies/s", kBodies, bytes, seconds, kBodies / seconds);
    // The load generator needs >= 20,000 bodies/s; measured well above that in optimised builds. The
    // assertion leaves room for debug and sanitizer builds and catches only a pathological slowdown.
    QVERIFY(kBodies / seconds >= 5'000);
}

QTEST_GUILESS_MAIN(TestSimulatedFleet)
#include "tst_SimulatedFleet.moc"
