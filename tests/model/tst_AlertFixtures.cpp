// The alert rules against real Smartcar deliveries, decoded by the real decoder into the real fleet.

#include "model/AlertEngine.h"
#include "model/FleetState.h"
#include "smartcar/PayloadDecoder.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using model::Alert;
using model::AlertEngine;
using model::AlertKind;

namespace {

constexpr qint64 kHour = 3'600'000;

QByteArray fixture(const char *name) {
    QFile file(QStringLiteral(FLEETMON_FIXTURES_DIR "/") + QLatin1String(name));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read fixture %s", name);
    return file.readAll();
}

// Decodes and applies one delivery the way the ingest path does; returns the receive time used.
qint64 deliver(model::FleetState &fleet, const QByteArray &raw, QString *vehicleId) {
    const smartcar::PayloadDecoder::Result decoded = smartcar::PayloadDecoder::decode(raw);
    if (!decoded.ok)
        qFatal("fixture does not decode: %s", qPrintable(decoded.error));
    const qint64 receivedAt = decoded.event.deliveredAt;
    if (!fleet.apply(decoded.event, receivedAt))
        qFatal("fixture changed nothing");
    *vehicleId = decoded.event.vehicleId;
    return receivedAt;
}

void replaceSignal(QJsonArray &signalList, const QJsonObject &updated) {
    for (qsizetype i = 0; i < signalList.size(); ++i) {
        if (signalList[i].toObject().value("code") == updated.value("code"))
            signalList[i] = updated;
    }
}

QJsonObject findSignal(const QJsonArray &signalList, const QString &code) {
    for (const QJsonValue &s : signalList) {
        if (s.toObject().value("code").toString() == code)
            return s.toObject();
    }
    qFatal("fixture has no %s", qPrintable(code));
}

// Replaces the body of one signal of a delivery's signal list.
void setBody(QJsonArray &signalList, const QString &code, const QJsonObject &body) {
    QJsonObject updated = findSignal(signalList, code);
    updated.insert("body", body);
    replaceSignal(signalList, updated);
}

} // namespace

class tst_AlertFixtures final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void realVehiclesAtRestRaiseNothing_data() {
        QTest::addColumn<QString>("file");
        // Polestar 2: doors, windows and both trunks reported closed, sunroof null, charging at 89 %.
        QTest::newRow("polestar") << "polestar_2_all.json";
        // Jaguar I-PACE: doors, windows, trunks and engine cover closed, charging at 54 %; its
        // diagnostics signals are in PERMISSION error and its airbag is not delivered at all.
        QTest::newRow("jaguar") << "jaguar_ipace_all.json";
    }
    void realVehiclesAtRestRaiseNothing() {
        QFETCH(QString, file);
        model::FleetState fleet;
        QString id;
        const qint64 at = deliver(fleet, fixture(qPrintable(file)), &id);
        const model::Vehicle &vehicle = *fleet.vehicle(id);

        for (const char *code : {"closure-doors", "closure-windows"}) {
            const QJsonArray values = vehicle.signal(QLatin1String(code))->body.value("values").toArray();
            QCOMPARE(values.size(), 4);
            for (const QJsonValue &entry : values)
                QCOMPARE(entry.toObject().value("isOpen"), QJsonValue(false));
        }
        for (const char *code : {"closure-reartrunk", "closure-fronttrunk"})
            QCOMPARE(vehicle.signal(QLatin1String(code))->body.value("isOpen"), QJsonValue(false));
        QCOMPARE(model::FleetState::rowFor(vehicle).openDoors, std::optional<int>(0));
        QCOMPARE(model::FleetState::rowFor(vehicle).charging, std::optional<bool>(true));

        AlertEngine engine;
        QCOMPARE(engine.evaluate(vehicle, at), QList<Alert>());
        QVERIFY(engine.tick(fleet, at + kHour).isEmpty());
        const QList<Alert> silent = engine.tick(fleet, at + 25 * kHour);
        QCOMPARE(silent.size(), 1);
        QCOMPARE(silent.first().kind, AlertKind::Silent);
        QCOMPARE(silent.first().vehicleId, id);
    }

    void polestarWithADoorAndTheTrunkOpenOnALowBattery() {
        QJsonObject root = QJsonDocument::fromJson(fixture("polestar_2_all.json")).object();
        QJsonObject data = root.value("data").toObject();
        QJsonArray signalList = data.value("signals").toArray();
        QJsonObject doors = findSignal(signalList, "closure-doors").value("body").toObject();
        QJsonArray values = doors.value("values").toArray();
        QJsonObject rearLeft = values[2].toObject();
        rearLeft.insert("isOpen", true);
        values[2] = rearLeft;
        doors.insert("values", values);
        setBody(signalList, "closure-doors", doors);
        setBody(signalList, "closure-reartrunk", {{"isOpen", true}, {"isLocked", false}});
        setBody(signalList, "charge-ischarging", {{"value", false}});
        setBody(signalList, "charge-detailedchargingstatus", {{"value", "NOT_CHARGING"}});
        setBody(signalList, "tractionbattery-stateofcharge", {{"value", 12}, {"unit", "percent"}});
        data.insert("signals", signalList);
        root.insert("data", data);
        root.insert("eventId", "modified-1");

        model::FleetState fleet;
        QString id;
        const qint64 at = deliver(fleet, QJsonDocument(root).toJson(QJsonDocument::Compact), &id);
        AlertEngine engine;
        const QList<Alert> raised = engine.evaluate(*fleet.vehicle(id), at);
        QStringList seen;
        for (const Alert &a : raised)
            seen.append(a.subject + QLatin1Char('=') + a.message);
        QCOMPARE(seen, (QStringList{"closure-doors=1 door open", "closure-reartrunk=Rear trunk open",
                                    "=Battery low: 12 %"}));

        // The untouched fixture closes everything and is charging again: every alert clears.
        QString sameId;
        deliver(fleet, fixture("polestar_2_all.json"), &sameId);
        QCOMPARE(sameId, id);
        const QList<Alert> cleared = engine.evaluate(*fleet.vehicle(id), at + 1000);
        QCOMPARE(cleared.size(), 3);
        for (const Alert &a : cleared)
            QCOMPARE(a.clearedBy, QStringLiteral("condition"));
        QVERIFY(engine.activeAlerts().isEmpty());
    }

    void vehicleErrorDeliveryRaisesOneAlertPerError() {
        model::FleetState fleet;
        QString id;
        const qint64 at = deliver(fleet, fixture("vw_id_4_error.json"), &id);
        AlertEngine engine;
        const QList<Alert> raised = engine.evaluate(*fleet.vehicle(id), at);
        QCOMPARE(raised.size(), 2);
        QCOMPARE(raised[0].kind, AlertKind::VehicleError);
        QCOMPARE(raised[0].subject, QStringLiteral("COMPATIBILITY/VEHICLE_NOT_CAPABLE"));
        QCOMPARE(raised[0].message, QStringLiteral("Your car is unable to perform this request."));
        // PERMISSION carries no suggested message (and a null code): the description stands in.
        QCOMPARE(raised[1].subject, QStringLiteral("PERMISSION/"));
        QVERIFY(
            raised[1].message.startsWith(QStringLiteral("Your application has insufficient permissions")));

        // Smartcar resolves the compatibility error: only that alert clears.
        QJsonObject root = QJsonDocument::fromJson(fixture("vw_id_4_error.json")).object();
        QJsonObject data = root.value("data").toObject();
        QJsonObject compatibility = data.value("errors").toArray().first().toObject();
        compatibility.insert("state", "RESOLVED");
        data.insert("errors", QJsonArray{compatibility});
        root.insert("data", data);
        root.insert("eventId", "resolved-1");
        deliver(fleet, QJsonDocument(root).toJson(QJsonDocument::Compact), &id);
        const QList<Alert> changes = engine.evaluate(*fleet.vehicle(id), at + 60'000);
        QCOMPARE(changes.size(), 1); // PERMISSION was not in the resolution delivery: untouched
        QVERIFY(changes[0].isCleared());
        QCOMPARE(changes[0].subject, QStringLiteral("COMPATIBILITY/VEHICLE_NOT_CAPABLE"));
        QCOMPARE(engine.activeAlerts().size(), 1);
        QCOMPARE(engine.activeAlerts().first().subject, QStringLiteral("PERMISSION/"));
    }
};

QTEST_GUILESS_MAIN(tst_AlertFixtures)
#include "tst_AlertFixtures.moc"
