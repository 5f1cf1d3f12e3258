// Fleet state rules: freshness by oemUpdatedAt, errors open until resolved, units for the table.

#include "model/FleetState.h"

#include <QJsonArray>
#include <QtTest>

using model::FleetState;
using model::SignalValue;
using model::VehicleEvent;

namespace {
SignalValue sig(const QString &code, const QJsonObject &body, qint64 oem) {
    SignalValue s;
    s.code = code;
    s.body = body;
    s.oemUpdatedAt = oem;
    return s;
}
VehicleEvent state(const QString &id, QList<SignalValue> values) {
    VehicleEvent e;
    e.kind = VehicleEvent::Kind::State;
    e.eventType = QStringLiteral("VEHICLE_STATE");
    e.vehicleId = id;
    e.make = QStringLiteral("POLESTAR");
    e.model = QStringLiteral("Polestar 2");
    e.year = 2024;
    e.signalValues = std::move(values);
    return e;
}
const QString kSoc = QStringLiteral("tractionbattery-stateofcharge");
} // namespace

class tst_FleetState : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void olderValueNeverOverwritesNewer() {
        FleetState fleet;
        QVERIFY(fleet.apply(state("v", {sig(kSoc, {{"value", 80}}, 2000)}), 10));
        fleet.apply(state("v", {sig(kSoc, {{"value", 60}}, 1000)}), 20); // late retry of an old reading
        QCOMPARE(fleet.vehicle("v")->signal(kSoc)->body.value("value").toInt(), 80);
        fleet.apply(state("v", {sig(kSoc, {{"value", 70}}, 3000)}), 30);
        QCOMPARE(fleet.vehicle("v")->signal(kSoc)->body.value("value").toInt(), 70);
        QCOMPARE(fleet.vehicle("v")->lastDeliveryAt, 30);
    }

    void staticAttributesTakeTheLatestDelivery() {
        FleetState fleet;
        fleet.apply(state("v", {sig("vehicleidentification-vin", {{"value", "A"}}, 0)}), 1);
        fleet.apply(state("v", {sig("vehicleidentification-vin", {{"value", "B"}}, 0)}), 2);
        QCOMPARE(fleet.vehicle("v")->signal("vehicleidentification-vin")->body.value("value").toString(),
                 "B");
    }

    void signalInErrorKeepsTheLastGoodValue() {
        FleetState fleet;
        fleet.apply(state("v", {sig(kSoc, {{"value", 55}}, 1000)}), 1);
        SignalValue failed;
        failed.code = kSoc;
        failed.error = QJsonObject{{"type", "SERVER"}, {"code", "INTERNAL"}};
        fleet.apply(state("v", {failed}), 2);
        const SignalValue *s = fleet.vehicle("v")->signal(kSoc);
        QCOMPARE(s->body.value("value").toInt(), 55);
        QCOMPARE(s->error.value("type").toString(), QStringLiteral("SERVER"));
        fleet.apply(state("v", {sig(kSoc, {{"value", 56}}, 2000)}), 3);
        QVERIFY(!fleet.vehicle("v")->signal(kSoc)->isInError());
    }

    void errorsStayOpenUntilResolved() {
        FleetState fleet;
        VehicleEvent error;
        error.kind = VehicleEvent::Kind::Error;
        error.vehicleId = QStringLiteral("v");
        model::VehicleError e;
        e.type = QStringLiteral("VEHICLE_STATE");
        e.code = QStringLiteral("UNREACHABLE");
        e.state = QStringLiteral("ERROR");
        error.errors = {e};
        fleet.apply(error, 1);
        fleet.apply(error, 2); // repeated: still one open error
        QCOMPARE(fleet.vehicle("v")->openErrors.size(), 1);
        error.errors[0].state = QStringLiteral("RESOLVED");
        fleet.apply(error, 3);
        QCOMPARE(fleet.vehicle("v")->openErrors.size(), 0);
    }

    void eventsWithoutAVehicleChangeNothing() {
        FleetState fleet;
        VehicleEvent unknown;
        unknown.kind = VehicleEvent::Kind::Unknown;
        unknown.vehicleId = QStringLiteral("v");
        QVERIFY(!fleet.apply(unknown, 1));
        QVERIFY(!fleet.apply(state("", {sig(kSoc, {{"value", 1}}, 1)}), 1));
        QCOMPARE(fleet.vehicleCount(), 0);
    }

    void rowNormalisesUnits() {
        FleetState fleet;
        fleet.apply(state("v", {sig(kSoc, {{"value", 0.77}}, 1),
                                sig("odometer-traveleddistance", {{"value", 100}, {"unit", "miles"}}, 1),
                                sig("charge-ischargingcableconnected", {{"value", true}}, 1),
                                sig("charge-detailedchargingstatus", {{"value", "CHARGING"}}, 1),
                                sig("closure-doors",
                                    {{"values", QJsonArray{QJsonObject{{"isOpen", true}},
                                                           QJsonObject{{"isOpen", false}}}}},
                                    1),
                                sig("closure-reartrunk", {{"isOpen", true}}, 1)}),
                    42);
        const model::VehicleRow row = FleetState::rowFor(*fleet.vehicle("v"));
        QCOMPARE(*row.batteryPercent, 77.0);
        QVERIFY(qAbs(*row.odometerKm - 160.9344) < 1e-9);
        QCOMPARE(*row.pluggedIn, true);
        QCOMPARE(*row.charging, true);
        QCOMPARE(*row.openDoors, 2);
        QCOMPARE(row.lastUpdateAt, 42);
        QCOMPARE(row.make, QStringLiteral("POLESTAR"));

        FleetState empty;
        empty.apply(state("w", {}), 1);
        const model::VehicleRow bare = FleetState::rowFor(*empty.vehicle("w"));
        QVERIFY(!bare.batteryPercent && !bare.odometerKm && !bare.openDoors && !bare.charging);
    }

    // Every decoded delivery carries its own copies of the signal names; the fleet keeps one.
    void namesAreSharedAcrossVehiclesAndUpdates() {
        const auto decoded = [](qint64 oem, double soc) {
            SignalValue s = sig(QString::fromLatin1("tractionbattery-stateofcharge"), {{"value", soc}}, oem);
            s.name = QString::fromLatin1("StateOfCharge");
            s.group = QString::fromLatin1("TractionBattery");
            VehicleEvent e = state(QString(), {s});
            e.make = QString::fromLatin1("POLESTAR");
            return e;
        };
        FleetState fleet;
        VehicleEvent first = decoded(1, 0.5);
        first.vehicleId = "a";
        VehicleEvent second = decoded(1, 0.6);
        second.vehicleId = "b";
        VehicleEvent update = decoded(2, 0.7);
        update.vehicleId = "b";
        QVERIFY(first.signalValues[0].name.constData() != second.signalValues[0].name.constData());
        QVERIFY(fleet.apply(first, 1) && fleet.apply(second, 1) && fleet.apply(update, 2));

        const SignalValue *a = fleet.vehicle("a")->signal(kSoc);
        const SignalValue *b = fleet.vehicle("b")->signal(kSoc);
        QVERIFY(a && b);
        QCOMPARE(a->name, QStringLiteral("StateOfCharge"));
        QCOMPARE(b->group, QStringLiteral("TractionBattery"));
        QCOMPARE(b->body.value("value").toDouble(), 0.7); // the update still wins
        QCOMPARE(a->code.constData(), b->code.constData());
        QCOMPARE(a->name.constData(), b->name.constData());
        QCOMPARE(a->group.constData(), b->group.constData());
        QCOMPARE(fleet.vehicle("a")->make.constData(), fleet.vehicle("b")->make.constData());
    }

    // Input that invents names without end is stored as given, past a bounded pool.
    void sharedNamesAreBounded() {
        const qsizetype count = FleetState::kMaxSharedNames + 50;
        const auto madeUp = [count] { // fresh copies of the text each time, as decoding makes them
            QList<SignalValue> values;
            for (qsizetype i = 0; i < count; ++i)
                values.append(sig(QStringLiteral("made-up-%1").arg(i), {{"value", double(i)}}, 1));
            return values;
        };
        FleetState fleet;
        QVERIFY(fleet.apply(state("a", madeUp()), 1));
        QVERIFY(fleet.apply(state("b", madeUp()), 1));
        const model::Vehicle *a = fleet.vehicle("a");
        const model::Vehicle *b = fleet.vehicle("b");
        QCOMPARE(a->signalsByCode.size(), count);
        QCOMPARE(b->signalsByCode.size(), count);
        const QString first = QStringLiteral("made-up-0");
        const QString last = QStringLiteral("made-up-%1").arg(count - 1);
        QCOMPARE(b->signal(last)->body.value("value").toDouble(), double(count - 1));
        QCOMPARE(b->signal(last)->code, last);
        // The first names fill the pool and are shared; past the cap each vehicle keeps its own.
        QCOMPARE(a->signal(first)->code.constData(), b->signal(first)->code.constData());
        QVERIFY(a->signal(last)->code.constData() != b->signal(last)->code.constData());
    }
};

QTEST_GUILESS_MAIN(tst_FleetState)
#include "tst_FleetState.moc"
