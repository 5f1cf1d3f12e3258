// Alert rules: one alert per condition, clearing by condition or acknowledgement, delays, hysteresis,
// silence, vehicle errors, restore, disabled rules.

#include "model/AlertEngine.h"
#include "model/FleetState.h"

#include <QJsonArray>
#include <QtTest>

#include <malloc.h>

using model::Alert;
using model::AlertEngine;
using model::AlertKind;
using model::AlertRuleSettings;
using model::AlertSeverity;
using model::Vehicle;

namespace {

constexpr qint64 kT0 = 1'717'243'200'000; // 2024-06-01T12:00:00Z
constexpr qint64 kMin = 60'000;
constexpr qint64 kHour = 60 * kMin;

const QString kDoors = QStringLiteral("closure-doors");
const QString kAirbag = QStringLiteral("diagnostics-airbag");
const QString kSoc = QStringLiteral("tractionbattery-stateofcharge");

Vehicle makeVehicle(const QString &id = QStringLiteral("v1")) {
    Vehicle v;
    v.id = id;
    v.make = QStringLiteral("POLESTAR");
    v.lastDeliveryAt = kT0;
    return v;
}

void setSignal(Vehicle &v, const QString &code, const QJsonObject &body) {
    model::SignalValue s;
    s.code = code;
    s.body = body;
    s.oemUpdatedAt = kT0;
    v.signalsByCode.insert(code, s);
}

// A 2x2 grid (doors or windows) with the first `open` entries open.
QJsonObject grid(int open) {
    QJsonArray values;
    for (int i = 0; i < 4; ++i)
        values.append(
            QJsonObject{{"row", i / 2}, {"column", i % 2}, {"isOpen", i < open}, {"isLocked", false}});
    return {{"values", values}, {"rowCount", 2}, {"columnCount", 2}};
}

// A new VEHICLE_STATE delivery: it carries every signal again, fetched anew, values unchanged.
void redeliver(Vehicle &v, qint64 at) {
    for (model::SignalValue &s : v.signalsByCode)
        s.retrievedAt = at;
    v.lastDeliveryAt = at;
}

void setBattery(Vehicle &v, double percent, bool charging) {
    setSignal(v, kSoc, {{"value", percent}, {"unit", "percent"}});
    setSignal(v, QStringLiteral("charge-ischarging"), {{"value", charging}});
}

model::VehicleError vehicleError(const QString &type, const QString &code, const QString &suggested,
                                 const QString &description) {
    model::VehicleError e;
    e.type = type;
    e.code = code;
    e.state = QStringLiteral("ERROR");
    e.suggestedUserMessage = suggested;
    e.description = description;
    return e;
}

QList<qint64> idsOf(const QList<Alert> &alerts) {
    QList<qint64> ids;
    for (const Alert &a : alerts)
        ids.append(a.id);
    return ids;
}

} // namespace

class tst_AlertEngine final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aVehiclesFirstConditionTakesOnlyItsAlert() {
        // What the engine keeps per vehicle is taken on the vehicle's first delivery: its first open
        // door, later, costs the alert (and what it was observed from), not tables of its own.
        AlertEngine engine;
        constexpr int kVehicles = 2000;
        QList<Vehicle> fleet;
        fleet.reserve(kVehicles);
        for (int i = 0; i < kVehicles; ++i) {
            Vehicle v = makeVehicle(QStringLiteral("vehicle-%1").arg(i));
            setSignal(v, kDoors, grid(0));
            setBattery(v, 80, false);
            fleet.append(v);
        }
        for (const Vehicle &v : std::as_const(fleet))
            QVERIFY(engine.evaluate(v, kT0).isEmpty());
        for (Vehicle &v : fleet) {
            setSignal(v, kDoors, grid(1));
            redeliver(v, kT0 + kMin);
        }
        const auto heldBytes = [] {
            const struct mallinfo2 info = mallinfo2();
            return qint64(info.uordblks + info.hblkhd); // in use from the arenas, and mapped blocks
        };
        const qint64 before = heldBytes();
        for (const Vehicle &v : std::as_const(fleet))
            QCOMPARE(engine.evaluate(v, kT0 + kMin).size(), 1);
        const qint64 perVehicle = (heldBytes() - before) / kVehicles;
        QCOMPARE(engine.activeAlerts().size(), kVehicles);
        // The alert with its map node (~250 bytes), its message and its evidence (the doors' reading,
        // ~250 bytes). The hash tables a vehicle got on its first condition took ~10 KB more.
        QCOMPARE_LT(perVehicle, qint64(2048));
    }

    void airbagIsCriticalAndOnlyAcknowledgementEndsIt() {
        AlertEngine engine;
        Vehicle v = makeVehicle();
        setSignal(v, kAirbag, {{"status", "ALERT"}, {"description", "Driver airbag"}});
        const QList<Alert> raised = engine.evaluate(v, kT0);
        QCOMPARE(raised.size(), 1);
        const Alert airbag = raised.first();
        QCOMPARE(airbag.kind, AlertKind::Airbag);
        QCOMPARE(airbag.severity, AlertSeverity::Critical);
        QCOMPARE(airbag.subject, kAirbag);
        QCOMPARE(airbag.message, QStringLiteral("Airbag deployed: Driver airbag"));

        // Nothing but an acknowledgement ends it: the signal going back to OK, disabling the rule,
        // settings changes, ticks long after, other alerts coming and going.
        setSignal(v, kAirbag, {{"status", "OK"}, {"description", ""}});
        setSignal(v, kDoors, grid(1));
        QVERIFY(!idsOf(engine.evaluate(v, kT0 + kMin)).contains(airbag.id));
        setSignal(v, kDoors, grid(0));
        engine.evaluate(v, kT0 + 2 * kMin);
        AlertRuleSettings settings;
        settings.airbagEnabled = false;
        engine.setSettings(settings);
        engine.evaluate(v, kT0 + 3 * kMin);
        engine.tick({&v}, kT0 + 48 * kHour);
        QVERIFY(!engine.alert(airbag.id)->isCleared());
        QCOMPARE(engine.activeAlerts().first().id, airbag.id);

        const std::optional<Alert> acked =
            engine.acknowledge(airbag.id, QStringLiteral("alice"), kT0 + 49 * kHour);
        QVERIFY(acked);
        QVERIFY(acked->isCleared());
        QCOMPARE(acked->clearedBy, QStringLiteral("alice"));
        QCOMPARE(acked->acknowledgedBy, QStringLiteral("alice"));
        QCOMPARE(acked->clearedAt, kT0 + 49 * kHour);
        QVERIFY(!engine.acknowledge(airbag.id, QStringLiteral("bob"), kT0 + 50 * kHour));
    }

    void airbagStillDeployedAfterAcknowledgementRaisesNothingUntilItResets() {
        AlertEngine engine;
        Vehicle v = makeVehicle();
        setSignal(v, kAirbag, {{"status", "ALERT"}});
        const qint64 first = engine.evaluate(v, kT0).first().id;
        redeliver(v, kT0 + 1);
        QCOMPARE(engine.evaluate(v, kT0 + 1).first().fireCount, 2);
        engine.acknowledge(first, QStringLiteral("alice"), kT0 + 2);
        QVERIFY(engine.evaluate(v, kT0 + 3).isEmpty()); // Smartcar keeps saying ALERT
        QVERIFY(engine.activeAlerts().isEmpty());
        setSignal(v, kAirbag, {{"status", "OK"}});
        QVERIFY(engine.evaluate(v, kT0 + 4).isEmpty());
        setSignal(v, kAirbag, {{"status", "ALERT"}});
        const QList<Alert> again = engine.evaluate(v, kT0 + 5);
        QCOMPARE(again.size(), 1);
        QVERIFY(again.first().id > first);
    }

    void airbagSignalsOfOtherShapes() {
        AlertEngine engine;
        Vehicle v = makeVehicle();
        setSignal(v, QStringLiteral("safety-airbagstatus"), {{"isDeployed", true}});
        model::SignalValue failed;
        failed.code = kAirbag;
        failed.error = QJsonObject{{"type", "PERMISSION"}};
        v.signalsByCode.insert(kAirbag, failed); // as in the Jaguar capture: in error, no body
        const QList<Alert> raised = engine.evaluate(v, kT0);
        QCOMPARE(raised.size(), 1);
        QCOMPARE(raised.first().subject, QStringLiteral("safety-airbagstatus"));
        QCOMPARE(raised.first().message, QStringLiteral("Airbag deployed"));
    }

    void openDoorsAreOneAlertUntilClosed() {
        AlertEngine engine;
        Vehicle v = makeVehicle();
        setSignal(v, kDoors, grid(2));
        const QList<Alert> raised = engine.evaluate(v, kT0);
        QCOMPARE(raised.size(), 1);
        const Alert door = raised.first();
        QCOMPARE(door.kind, AlertKind::OpenClosure);
        QCOMPARE(door.severity, AlertSeverity::Warning);
        QCOMPARE(door.subject, kDoors);
        QCOMPARE(door.message, QStringLiteral("2 doors open"));
        QCOMPARE(door.firstSeenAt, kT0);
        QCOMPARE(door.fireCount, 1);

        setSignal(v, kDoors, grid(1));
        const QList<Alert> again = engine.evaluate(v, kT0 + kMin);
        QCOMPARE(again.size(), 1);
        QCOMPARE(again.first().id, door.id);
        QCOMPARE(again.first().fireCount, 2);
        QCOMPARE(again.first().lastSeenAt, kT0 + kMin);
        QCOMPARE(again.first().firstSeenAt, kT0);
        QCOMPARE(again.first().message, QStringLiteral("1 door open"));
        QCOMPARE(engine.activeAlerts().size(), 1);

        setSignal(v, kDoors, grid(0));
        const QList<Alert> closed = engine.evaluate(v, kT0 + 2 * kMin);
        QCOMPARE(closed.size(), 1);
        QCOMPARE(closed.first().id, door.id);
        QCOMPARE(closed.first().clearedBy, AlertEngine::clearedByCondition());
        QCOMPARE(closed.first().clearedAt, kT0 + 2 * kMin);
        QVERIFY(engine.activeAlerts().isEmpty());
        QVERIFY(engine.evaluate(v, kT0 + 3 * kMin).isEmpty()); // closed stays quiet

        setSignal(v, kDoors, grid(3));
        const QList<Alert> reopened = engine.evaluate(v, kT0 + 4 * kMin);
        QCOMPARE(reopened.size(), 1);
        QVERIFY(reopened.first().id > door.id);
        QCOMPARE(reopened.first().message, QStringLiteral("3 doors open"));
        QCOMPARE(reopened.first().fireCount, 1);
        QVERIFY(engine.alert(door.id)->isCleared()); // the old one is history, unchanged
    }

    void worstActiveSeverityLooksAtOneVehicle() {
        AlertEngine engine;
        Vehicle v = makeVehicle();
        Vehicle other = makeVehicle(QStringLiteral("v2"));
        QCOMPARE(engine.worstActiveSeverity(v.id), -1);
        setSignal(v, kDoors, grid(1));
        engine.evaluate(v, kT0);
        QCOMPARE(engine.worstActiveSeverity(v.id), int(AlertSeverity::Warning));
        setSignal(other, kAirbag, {{"status", "ALERT"}});
        engine.evaluate(other, kT0);
        QCOMPARE(engine.worstActiveSeverity(other.id), int(AlertSeverity::Critical));
        QCOMPARE(engine.worstActiveSeverity(v.id), int(AlertSeverity::Warning)); // not the fleet's worst
        setSignal(v, kAirbag, {{"status", "ALERT"}});
        engine.evaluate(v, kT0 + kMin);
        QCOMPARE(engine.worstActiveSeverity(v.id), int(AlertSeverity::Critical));
        // Acknowledging the airbag clears it; the open door is what remains.
        const qint64 airbagId = engine.activeAlerts().last().id;
        QVERIFY(engine.acknowledge(airbagId, QStringLiteral("alice"), kT0 + 2 * kMin));
        QCOMPARE(engine.worstActiveSeverity(v.id), int(AlertSeverity::Warning));
        setSignal(v, kDoors, grid(0));
        engine.evaluate(v, kT0 + 3 * kMin);
        QCOMPARE(engine.worstActiveSeverity(v.id), -1);
        QCOMPARE(engine.worstActiveSeverity(QStringLiteral("unknown")), -1);
    }

    void onlyNewReadingsAreReobservations() {
        model::FleetState fleet;
        model::VehicleEvent state;
        state.kind = model::VehicleEvent::Kind::State;
        state.vehicleId = QStringLiteral("v");
        model::SignalValue doors;
        doors.code = kDoors;
        doors.body = grid(1);
        doors.oemUpdatedAt = kT0;
        doors.retrievedAt = kT0 + 500;
        state.signalValues = {doors};
        fleet.apply(state, kT0 + 600);
        AlertEngine engine;
        const qint64 id = engine.evaluate(*fleet.vehicle("v"), kT0 + 600).first().id;

        // A VEHICLE_ERROR delivery changes the vehicle but says nothing about its doors.
        model::VehicleEvent error;
        error.kind = model::VehicleEvent::Kind::Error;
        error.vehicleId = QStringLiteral("v");
        error.errors = {vehicleError("VEHICLE_STATE", "UNREACHABLE", "Your car is out of reach.", "")};
        fleet.apply(error, kT0 + kMin);
        const QList<Alert> afterError = engine.evaluate(*fleet.vehicle("v"), kT0 + kMin);
        QCOMPARE(afterError.size(), 1);
        QCOMPARE(afterError.first().kind, AlertKind::VehicleError);
        QCOMPARE(engine.alert(id)->fireCount, 1);

        // A late retry of an older reading is ignored by FleetState, so nothing new either.
        model::SignalValue older = doors;
        older.oemUpdatedAt = kT0 - kMin;
        older.retrievedAt = kT0 - kMin;
        state.signalValues = {older};
        fleet.apply(state, kT0 + 2 * kMin);
        QVERIFY(engine.evaluate(*fleet.vehicle("v"), kT0 + 2 * kMin).isEmpty());

        // The next fetch of the same open door is.
        doors.retrievedAt = kT0 + 3 * kMin;
        state.signalValues = {doors};
        fleet.apply(state, kT0 + 3 * kMin);
        const QList<Alert> seen = engine.evaluate(*fleet.vehicle("v"), kT0 + 3 * kMin);
        QCOMPARE(seen.size(), 1);
        QCOMPARE(seen.first().id, id);
        QCOMPARE(seen.first().fireCount, 2);
        QCOMPARE(seen.first().lastSeenAt, kT0 + 3 * kMin);
    }

    void eachClosureSignalIsItsOwnAlert() {
        AlertEngine engine;
        Vehicle v = makeVehicle();
        setSignal(v, QStringLiteral("closure-sunroof"), {{"isOpen", true}});
        setSignal(v, QStringLiteral("closure-reartrunk"), {{"isOpen", true}, {"isLocked", false}});
        setSignal(v, QStringLiteral("closure-fronttrunk"), {{"isOpen", true}, {"isLocked", QJsonValue()}});
        setSignal(v, QStringLiteral("closure-windows"), grid(1));
        setSignal(v, kDoors, grid(0));
        setSignal(v, QStringLiteral("closure-enginecover"), {{"isOpen", true}}); // not a rule
        const QList<Alert> raised = engine.evaluate(v, kT0);
        QStringList messages;
        for (const Alert &a : raised)
            messages.append(a.subject + QLatin1Char('=') + a.message);
        QCOMPARE(messages,
                 (QStringList{"closure-windows=1 window open", "closure-fronttrunk=Front trunk open",
                              "closure-reartrunk=Rear trunk open", "closure-sunroof=Sunroof open"}));
        QVERIFY(std::is_sorted(raised.begin(), raised.end(),
                               [](const Alert &a, const Alert &b) { return a.id < b.id; }));

        // A null isOpen (no sunroof, or unknown) neither raises nor clears.
        setSignal(v, QStringLiteral("closure-sunroof"), {{"isOpen", QJsonValue()}});
        redeliver(v, kT0 + 1);
        const QList<Alert> after = engine.evaluate(v, kT0 + 1);
        QCOMPARE(after.size(), 3); // re-observed: windows, front and rear trunk
        QCOMPARE(engine.activeAlerts().size(), 4);
    }

    void delayedClosureFiresOnlyAfterTheDelay() {
        AlertRuleSettings settings;
        settings.closureOpenDelayMinutes = 10;
        AlertEngine engine(settings);
        Vehicle v = makeVehicle();
        setSignal(v, kDoors, grid(1));
        QVERIFY(engine.evaluate(v, kT0).isEmpty());
        redeliver(v, kT0 + 5 * kMin);
        QVERIFY(engine.evaluate(v, kT0 + 5 * kMin).isEmpty()); // open 5 min, delay 10: nothing yet
        QVERIFY(engine.tick({&v}, kT0 + 9 * kMin).isEmpty());
        const QList<Alert> fired = engine.tick({&v}, kT0 + 10 * kMin);
        QCOMPARE(fired.size(), 1);
        QCOMPARE(fired.first().message, QStringLiteral("1 door open for more than 10 min"));
        QCOMPARE(fired.first().firstSeenAt, kT0);           // when it was first seen open
        QCOMPARE(fired.first().lastSeenAt, kT0 + 5 * kMin); // the last delivery that saw it, not the tick
        QCOMPARE(fired.first().fireCount, 2);
        QVERIFY(engine.tick({&v}, kT0 + 11 * kMin).isEmpty());

        // Closed before the delay: nothing, ever.
        Vehicle w = makeVehicle(QStringLiteral("v2"));
        setSignal(w, kDoors, grid(2));
        QVERIFY(engine.evaluate(w, kT0).isEmpty());
        setSignal(w, kDoors, grid(0));
        QVERIFY(engine.evaluate(w, kT0 + 5 * kMin).isEmpty());
        QVERIFY(engine.tick({&w}, kT0 + 20 * kMin).isEmpty());
        setSignal(w, kDoors, grid(2)); // opening again starts the delay over
        QVERIFY(engine.evaluate(w, kT0 + 21 * kMin).isEmpty());
        QVERIFY(engine.tick({&w}, kT0 + 30 * kMin).isEmpty());

        // A delivery after the delay fires it too.
        redeliver(w, kT0 + 31 * kMin);
        const QList<Alert> byDelivery = engine.evaluate(w, kT0 + 31 * kMin);
        QCOMPARE(byDelivery.size(), 1);
        QCOMPARE(byDelivery.first().firstSeenAt, kT0 + 21 * kMin);
        QCOMPARE(byDelivery.first().lastSeenAt, kT0 + 31 * kMin);
    }

    void lowBatteryWithHysteresis() {
        AlertEngine engine;
        Vehicle v = makeVehicle();
        setBattery(v, 19, false);
        const QList<Alert> raised = engine.evaluate(v, kT0);
        QCOMPARE(raised.size(), 1);
        QCOMPARE(raised.first().kind, AlertKind::LowBattery);
        QCOMPARE(raised.first().subject, QString());
        QCOMPARE(raised.first().message, QStringLiteral("Battery low: 19 %"));
        const qint64 id = raised.first().id;

        setBattery(v, 22, false);
        const QList<Alert> band = engine.evaluate(v, kT0 + 1);
        QCOMPARE(band.size(), 1);
        QCOMPARE(band.first().id, id);
        QVERIFY(!band.first().isCleared());
        QCOMPARE(band.first().message, QStringLiteral("Battery low: 22 %"));

        setBattery(v, 25, false);
        const QList<Alert> cleared = engine.evaluate(v, kT0 + 2);
        QCOMPARE(cleared.size(), 1);
        QVERIFY(cleared.first().isCleared());
        QCOMPARE(cleared.first().clearedBy, QStringLiteral("condition"));

        setBattery(v, 22, false); // in the band without an open alert: nothing
        QVERIFY(engine.evaluate(v, kT0 + 3).isEmpty());

        setBattery(v, 19, true); // charging: nothing to warn about
        QVERIFY(engine.evaluate(v, kT0 + 4).isEmpty());

        // Charging starting clears it at once, here as the detailed status only (FleetState::rowFor).
        Vehicle w = makeVehicle(QStringLiteral("v2"));
        setSignal(w, kSoc, {{"value", 0.15}}); // a fraction reads as 15 %
        QCOMPARE(engine.evaluate(w, kT0).size(), 1);
        setSignal(w, QStringLiteral("charge-detailedchargingstatus"), {{"value", "CHARGING"}});
        const QList<Alert> charging = engine.evaluate(w, kT0 + 1);
        QCOMPARE(charging.size(), 1);
        QVERIFY(charging.first().isCleared());
    }

    void silentVehicle() {
        AlertEngine engine;
        Vehicle v = makeVehicle();
        QVERIFY(engine.tick({&v}, kT0 + 23 * kHour).isEmpty());
        QVERIFY(engine.tick({&v}, kT0 + 24 * kHour).isEmpty()); // "more than" 24 h
        const QList<Alert> silent = engine.tick({&v}, kT0 + 25 * kHour);
        QCOMPARE(silent.size(), 1);
        QCOMPARE(silent.first().kind, AlertKind::Silent);
        QCOMPARE(silent.first().severity, AlertSeverity::Warning);
        QCOMPARE(silent.first().firstSeenAt, kT0 + 25 * kHour);
        QCOMPARE(silent.first().message, QStringLiteral("No data for more than 24 h"));
        QVERIFY(engine.tick({&v}, kT0 + 26 * kHour).isEmpty()); // still silent: no change, no refire
        QCOMPARE(engine.alert(silent.first().id)->fireCount, 1);

        v.lastDeliveryAt = kT0 + 27 * kHour;
        const QList<Alert> heard = engine.evaluate(v, kT0 + 27 * kHour);
        QCOMPARE(heard.size(), 1);
        QCOMPARE(heard.first().id, silent.first().id);
        QCOMPARE(heard.first().clearedBy, QStringLiteral("condition"));

        model::FleetState fleet; // the FleetState overload ticks every vehicle of the fleet
        model::VehicleEvent event;
        event.kind = model::VehicleEvent::Kind::State;
        event.vehicleId = QStringLiteral("v3");
        fleet.apply(event, kT0);
        QCOMPARE(engine.tick(fleet, kT0 + 25 * kHour).size(), 1);
    }

    void vehicleErrorsOpenUntilResolved() {
        model::FleetState fleet;
        model::VehicleEvent event;
        event.kind = model::VehicleEvent::Kind::Error;
        event.vehicleId = QStringLiteral("vw");
        event.errors = {vehicleError("COMPATIBILITY", "VEHICLE_NOT_CAPABLE",
                                     "Your car is unable to perform this request.",
                                     "The vehicle is incapable of performing your request."),
                        vehicleError("PERMISSION", "", "", "Your application has insufficient permissions."),
                        vehicleError("VEHICLE_STATE", "UNREACHABLE", "", "")};
        fleet.apply(event, kT0);
        AlertEngine engine;
        const QList<Alert> raised = engine.evaluate(*fleet.vehicle("vw"), kT0);
        QCOMPARE(raised.size(), 3);
        QCOMPARE(raised[0].kind, AlertKind::VehicleError);
        QCOMPARE(raised[0].subject, QStringLiteral("COMPATIBILITY/VEHICLE_NOT_CAPABLE"));
        QCOMPARE(raised[0].message, QStringLiteral("Your car is unable to perform this request."));
        QCOMPARE(raised[1].subject, QStringLiteral("PERMISSION/"));
        QCOMPARE(raised[1].message, QStringLiteral("Your application has insufficient permissions."));
        QCOMPARE(raised[2].message, QStringLiteral("VEHICLE_STATE/UNREACHABLE"));

        model::VehicleEvent resolved = event;
        resolved.errors = {event.errors[2]};
        resolved.errors[0].state = QStringLiteral("RESOLVED");
        fleet.apply(resolved, kT0 + kMin);
        const QList<Alert> changes = engine.evaluate(*fleet.vehicle("vw"), kT0 + kMin);
        QCOMPARE(changes.size(), 1); // the other two were not in this delivery: not re-observed
        QCOMPARE(changes[0].id, raised[2].id);
        QVERIFY(changes[0].isCleared());
        QCOMPARE(changes[0].clearedBy, QStringLiteral("condition"));
        QCOMPARE(engine.activeAlerts().size(), 2);
        QCOMPARE(engine.alert(raised[0].id)->fireCount, 1);

        // Reported again, reworded: re-observed, with Smartcar's new message.
        model::VehicleEvent again = event;
        again.errors = {event.errors[0]};
        again.errors[0].suggestedUserMessage = QStringLiteral("Still unable.");
        fleet.apply(again, kT0 + 2 * kMin);
        const QList<Alert> reported = engine.evaluate(*fleet.vehicle("vw"), kT0 + 2 * kMin);
        QCOMPARE(reported.size(), 1);
        QCOMPARE(reported[0].id, raised[0].id);
        QCOMPARE(reported[0].fireCount, 2);
        QCOMPARE(reported[0].message, QStringLiteral("Still unable."));
    }

    void acknowledgeKeepsNonCriticalAlertsActive() {
        AlertEngine engine;
        Vehicle v = makeVehicle();
        setSignal(v, kDoors, grid(1));
        const qint64 id = engine.evaluate(v, kT0).first().id;
        const std::optional<Alert> acked = engine.acknowledge(id, QStringLiteral("bob"), kT0 + 1);
        QVERIFY(acked);
        QCOMPARE(acked->acknowledgedBy, QStringLiteral("bob"));
        QCOMPARE(acked->acknowledgedAt, kT0 + 1);
        QVERIFY(!acked->isCleared());
        QVERIFY(!engine.acknowledge(id, QStringLiteral("bob"), kT0 + 2)); // already acknowledged
        QVERIFY(!engine.acknowledge(9999, QStringLiteral("bob"), kT0 + 2));

        redeliver(v, kT0 + 3);
        const Alert seen = engine.evaluate(v, kT0 + 3).first();
        QCOMPARE(seen.id, id);
        QCOMPARE(seen.acknowledgedBy, QStringLiteral("bob"));
        setSignal(v, kDoors, grid(0));
        const Alert closed = engine.evaluate(v, kT0 + 4).first();
        QCOMPARE(closed.clearedBy, QStringLiteral("condition"));
        QCOMPARE(closed.acknowledgedBy, QStringLiteral("bob"));
        QVERIFY(!engine.acknowledge(id, QStringLiteral("bob"), kT0 + 5)); // cleared
    }

    void acknowledgeAll() {
        AlertEngine engine;
        Vehicle v = makeVehicle();
        setSignal(v, kAirbag, {{"status", "ALERT"}});
        setSignal(v, kDoors, grid(1));
        setBattery(v, 5, false);
        const QList<Alert> raised = engine.evaluate(v, kT0);
        QCOMPARE(raised.size(), 3);
        engine.acknowledge(raised[1].id, QStringLiteral("bob"), kT0 + 1);
        const QList<Alert> acked = engine.acknowledgeAll(QStringLiteral("carol"), kT0 + 2);
        QCOMPARE(idsOf(acked), (QList<qint64>{raised[0].id, raised[2].id}));
        QVERIFY(acked[0].isCleared()); // the airbag
        QCOMPARE(acked[0].clearedBy, QStringLiteral("carol"));
        QVERIFY(!acked[1].isCleared());
        QCOMPARE(engine.activeAlerts().size(), 2);
        QCOMPARE(engine.alert(raised[1].id)->acknowledgedBy, QStringLiteral("bob"));
        QVERIFY(engine.acknowledgeAll(QStringLiteral("carol"), kT0 + 3).isEmpty());
    }

    // An acknowledgement from another desktop names the slot and when it was made; it reaches the
    // alert that desktop saw, never a later one, and applying it again changes nothing.
    void acknowledgeMatchingBySlotAndTime() {
        AlertEngine engine;
        Vehicle v = makeVehicle();
        setSignal(v, kDoors, grid(1));
        setSignal(v, kAirbag, {{"status", "ALERT"}});
        const QList<Alert> raised = engine.evaluate(v, kT0 + 10);
        QCOMPARE(raised.size(), 2);
        const Alert airbag = raised[0].kind == AlertKind::Airbag ? raised[0] : raised[1];
        const Alert doors = raised[0].kind == AlertKind::Airbag ? raised[1] : raised[0];

        // Unknown vehicle, other subject, other kind, made before the alert was first seen: nothing.
        QVERIFY(!engine.acknowledgeMatching(QStringLiteral("v2"), AlertKind::OpenClosure, kDoors, kT0 + 20,
                                            QStringLiteral("bob")));
        QVERIFY(!engine.acknowledgeMatching(v.id, AlertKind::OpenClosure, QStringLiteral("closure-windows"),
                                            kT0 + 20, QStringLiteral("bob")));
        QVERIFY(!engine.acknowledgeMatching(v.id, AlertKind::LowBattery, kDoors, kT0 + 20,
                                            QStringLiteral("bob")));
        QVERIFY(!engine.acknowledgeMatching(v.id, AlertKind::OpenClosure, kDoors, kT0 + 9,
                                            QStringLiteral("bob")));
        QVERIFY(!engine.alert(doors.id)->isAcknowledged());

        const std::optional<Alert> acked =
            engine.acknowledgeMatching(v.id, AlertKind::OpenClosure, kDoors, kT0 + 10, QStringLiteral("bob"));
        QVERIFY(acked);
        QCOMPARE(acked->id, doors.id);
        QCOMPARE(acked->acknowledgedAt, kT0 + 10); // when it was made, as on the desktop that made it
        QCOMPARE(acked->acknowledgedBy, QStringLiteral("bob"));
        QVERIFY(!acked->isCleared());
        QVERIFY(!engine.acknowledgeMatching(v.id, AlertKind::OpenClosure, kDoors, kT0 + 30,
                                            QStringLiteral("carol")));
        QVERIFY(engine.raisedBy(v.id, AlertKind::OpenClosure, kDoors, kT0 + 30)); // done, not to come
        QVERIFY(!engine.raisedBy(v.id, AlertKind::OpenClosure, kDoors, kT0 + 9));
        QVERIFY(!engine.raisedBy(v.id, AlertKind::LowBattery, kDoors, kT0 + 30));
        QCOMPARE(engine.alert(doors.id)->acknowledgedBy, QStringLiteral("bob"));

        // An airbag acknowledged elsewhere clears here too, latched like a local acknowledgement.
        const std::optional<Alert> airbagAcked =
            engine.acknowledgeMatching(v.id, AlertKind::Airbag, kAirbag, kT0 + 40, QStringLiteral("carol"));
        QVERIFY(airbagAcked);
        QCOMPARE(airbagAcked->id, airbag.id);
        QVERIFY(airbagAcked->isCleared());
        QCOMPARE(airbagAcked->clearedBy, QStringLiteral("carol"));
        redeliver(v, kT0 + 50);
        for (const Alert &a : engine.evaluate(v, kT0 + 50))
            QVERIFY(a.kind != AlertKind::Airbag);

        // The condition ends and returns: the new alert came after the acknowledgement, which
        // therefore does not reach it.
        setSignal(v, kDoors, grid(0));
        engine.evaluate(v, kT0 + 60);
        setSignal(v, kDoors, grid(2));
        const QList<Alert> again = engine.evaluate(v, kT0 + 70);
        QCOMPARE(again.size(), 1);
        QVERIFY(again[0].id != doors.id);
        QVERIFY(!engine.acknowledgeMatching(v.id, AlertKind::OpenClosure, kDoors, kT0 + 10,
                                            QStringLiteral("bob")));
        QVERIFY(!engine.alert(again[0].id)->isAcknowledged());
    }

    void restoreContinuesIdsAndKeepsAcknowledgements() {
        AlertEngine before;
        Vehicle v = makeVehicle();
        setSignal(v, kDoors, grid(1));
        setBattery(v, 10, false);
        const QList<Alert> raised = before.evaluate(v, kT0);
        before.acknowledge(raised[0].id, QStringLiteral("bob"), kT0 + 1);
        setBattery(v, 50, false);
        before.evaluate(v, kT0 + 2); // battery cleared

        QList<Alert> stored = before.activeAlerts();
        stored.append(*before.alert(raised[1].id));
        AlertEngine after;
        after.restore(stored);
        QCOMPARE(after.activeAlerts(), before.activeAlerts());
        QVERIFY(after.alert(raised[1].id)->isCleared());

        const QList<Alert> seen = after.evaluate(v, kT0 + 3);
        QCOMPARE(seen.size(), 1);
        QCOMPARE(seen.first().id, raised[0].id); // the same alert, not a new one
        QCOMPARE(seen.first().acknowledgedBy, QStringLiteral("bob"));
        QCOMPARE(seen.first().fireCount, before.alert(raised[0].id)->fireCount + 1);

        setBattery(v, 10, false);
        const QList<Alert> fresh = after.evaluate(v, kT0 + 4);
        QCOMPARE(fresh.size(), 1); // the door reading is the one already seen
        QCOMPARE(fresh.first().id, raised[1].id + 1);

        Alert old;
        old.id = 41;
        old.vehicleId = QStringLiteral("x");
        old.firstSeenAt = old.lastSeenAt = kT0;
        old.clearedAt = kT0 + 1;
        old.clearedBy = QStringLiteral("condition");
        AlertEngine third;
        third.restore({old});
        QVERIFY(third.activeAlerts().isEmpty());
        setSignal(v, kDoors, grid(1));
        QCOMPARE(third.evaluate(v, kT0 + 5).first().id, qint64(42));
    }

    void disabledRuleRaisesNothingButItsAlertsStillClear() {
        AlertRuleSettings off;
        off.openClosureEnabled = false;
        off.lowBatteryEnabled = false;
        AlertEngine engine(off);
        Vehicle v = makeVehicle();
        setSignal(v, kDoors, grid(1));
        setBattery(v, 5, false);
        QVERIFY(engine.evaluate(v, kT0).isEmpty());
        QVERIFY(engine.tick({&v}, kT0 + 25 * kHour).size() == 1); // only the silent rule is on

        engine.setSettings(AlertRuleSettings());
        v.lastDeliveryAt = kT0 + 26 * kHour;
        const QList<Alert> on = engine.evaluate(v, kT0 + 26 * kHour);
        QCOMPARE(on.size(), 3); // silent cleared, door and battery raised
        QCOMPARE(on[0].kind, AlertKind::Silent);
        QVERIFY(on[0].isCleared());
        QCOMPARE(on[1].subject, kDoors);
        const qint64 doorId = on[1].id;

        engine.setSettings(off);
        QVERIFY(engine.evaluate(v, kT0 + 27 * kHour).isEmpty()); // kept, not re-observed
        QCOMPARE(engine.activeAlerts().size(), 2);
        setSignal(v, kDoors, grid(0));
        const QList<Alert> closed = engine.evaluate(v, kT0 + 28 * kHour);
        QCOMPARE(closed.size(), 1);
        QCOMPARE(closed.first().id, doorId);
        QVERIFY(closed.first().isCleared());
        setSignal(v, kDoors, grid(1));
        QVERIFY(engine.evaluate(v, kT0 + 29 * kHour).isEmpty());
    }

    void sameInputsGiveSameAlerts() {
        auto run = [] {
            AlertEngine engine;
            QList<Alert> all;
            for (int i = 0; i < 5; ++i) {
                Vehicle v = makeVehicle(QStringLiteral("v%1").arg(i));
                setSignal(v, kAirbag, {{"status", i % 2 ? "ALERT" : "OK"}});
                setSignal(v, QStringLiteral("closure-sunroof"), {{"isOpen", true}});
                setSignal(v, kDoors, grid(i % 3));
                setBattery(v, 10.0 * i, false);
                v.openErrors = {vehicleError("B", "2", "b", ""), vehicleError("A", "1", "a", "")};
                all += engine.evaluate(v, kT0 + i);
            }
            return all;
        };
        const QList<Alert> first = run();
        QCOMPARE(run(), first);
        QVERIFY(std::is_sorted(first.begin(), first.end(),
                               [](const Alert &a, const Alert &b) { return a.id < b.id; }));
    }
};

QTEST_GUILESS_MAIN(tst_AlertEngine)
#include "tst_AlertEngine.moc"
