// The decoder against every real fixture and every documented variant of the payload.

#include "smartcar/PayloadDecoder.h"
#include "support/Fixtures.h"

#include <QtTest>

using smartcar::PayloadDecoder;
using testsupport::fixture;
using Kind = model::VehicleEvent::Kind;

namespace {
const model::SignalValue *signal(const model::VehicleEvent &e, const QString &code) {
    for (const auto &s : e.signalValues)
        if (s.code == code)
            return &s;
    return nullptr;
}
} // namespace

class tst_PayloadDecoder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void fixtures_data() {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("kind");
        QTest::addColumn<QString>("vehicleId");
        QTest::addColumn<int>("signalCount");
        QTest::addColumn<int>("errorCount");
        QTest::addColumn<int>("triggerCount");
        QTest::newRow("polestar") << "polestar_2_all.json" << int(Kind::State)
                                  << "875d9333-bbbb-4444-aaaa-17be22ebe970" << 28 << 0 << -1;
        QTest::newRow("jaguar") << "jaguar_ipace_all.json" << int(Kind::State)
                                << "db745230-7f7c-4791-bcaa-185facf371be" << 30 << 0 << -1;
        QTest::newRow("byd") << "byd_seal_all.json" << int(Kind::State)
                             << "b3014ded-85db-4f12-8923-7a231354d8d0" << 11 << 0 << -1;
        QTest::newRow("vw all") << "vw_id_4_all.json" << int(Kind::State)
                                << "a1d50709-3502-4faa-ba43-a5c7565e6a09" << 8 << 0 << 2;
        QTest::newRow("vw fuel") << "vw_id_4_fuel.json" << int(Kind::State)
                                 << "a1d50709-3502-4faa-ba43-a5c7565e6a09" << 2 << 0 << 1;
        QTest::newRow("vw test mode") << "vw_id_4_test_mode.json" << int(Kind::State)
                                      << "a1d50709-3502-4faa-ba43-a5c7565e6a09" << 2 << 0 << 1;
        QTest::newRow("vw mismatch") << "vw_id_4_mismatch.json" << int(Kind::State)
                                     << "70076e4a-d774-464c-8241-60de654ccb24" << 0 << 0 << 0;
        QTest::newRow("vw error") << "vw_id_4_error.json" << int(Kind::Error)
                                  << "a1d50709-3502-4faa-ba43-a5c7565e6a09" << 0 << 2 << 0;
        QTest::newRow("vw broad auth") << "vw_id_4_broad_auth_error.json" << int(Kind::Error)
                                       << "a1d50709-3502-4faa-ba43-a5c7565e6a09" << 0 << 1 << 0;
        QTest::newRow("vw irrelevant auth") << "vw_id_4_irrelevant_auth_error.json" << int(Kind::Error)
                                            << "a1d50709-3502-4faa-ba43-a5c7565e6a09" << 0 << 1 << 0;
        QTest::newRow("vw verify") << "vw_id_4_verify.json" << int(Kind::Verify) << "" << 0 << 0 << 0;
    }
    void fixtures() {
        QFETCH(QString, file);
        QFETCH(int, kind);
        QFETCH(QString, vehicleId);
        QFETCH(int, signalCount);
        QFETCH(int, errorCount);
        QFETCH(int, triggerCount);
        const auto r = PayloadDecoder::decode(fixture(file));
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(int(r.event.kind), kind);
        QCOMPARE(r.event.vehicleId, vehicleId);
        QCOMPARE(r.event.signalValues.size(), signalCount);
        QCOMPARE(r.event.errors.size(), errorCount);
        if (triggerCount >= 0)
            QCOMPARE(r.event.triggers.size(), triggerCount);
        else
            QVERIFY(!r.event.triggers.isEmpty());
    }

    void realCaptureDetails() {
        const auto r = PayloadDecoder::decode(fixture("polestar_2_all.json"));
        QCOMPARE(r.event.eventId, QStringLiteral("2b65f4e6-0356-440e-a87f-eed19cffda9a"));
        QCOMPARE(r.event.make, QStringLiteral("POLESTAR"));
        QCOMPARE(r.event.model, QStringLiteral("Polestar 2"));
        QCOMPARE(r.event.year, 2024);
        QCOMPARE(r.event.mode, QStringLiteral("LIVE"));
        QCOMPARE(r.event.deliveredAt, 1769937943464);
        const auto *soc = signal(r.event, "tractionbattery-stateofcharge");
        QVERIFY(soc);
        QCOMPARE(soc->body.value("value").toDouble(), 89.0);
        QCOMPARE(soc->body.value("unit").toString(), QStringLiteral("percent"));
        QCOMPARE(soc->oemUpdatedAt, 1769937933000);
        QCOMPARE(soc->retrievedAt, 1769937943244);
        QVERIFY(!soc->isInError());
        const auto *timers = signal(r.event, "charge-chargetimers");
        QVERIFY(timers && timers->isInError() && !timers->hasBody());
        QCOMPARE(timers->error.value("type").toString(), QStringLiteral("SERVER"));
        QVERIFY(r.event.triggers.contains("charge-amperage"));
    }

    void errorFixtureDetails() {
        const auto r = PayloadDecoder::decode(fixture("vw_id_4_error.json"));
        const model::VehicleError &compat = r.event.errors.at(0);
        QCOMPARE(compat.type, QStringLiteral("COMPATIBILITY"));
        QCOMPARE(compat.code, QStringLiteral("VEHICLE_NOT_CAPABLE"));
        QCOMPARE(compat.suggestedUserMessage, QStringLiteral("Your car is unable to perform this request."));
        QVERIFY(compat.resolutionType.isEmpty()); // {"type": null}
        QVERIFY(
            compat.signalCodes.contains("connectivitystatus-isonline")); // from "ConnectivityStatus.IsOnline"
        const model::VehicleError &permission = r.event.errors.at(1);
        QCOMPARE(permission.type, QStringLiteral("PERMISSION"));
        QVERIFY(permission.code.isEmpty()); // null
        QCOMPARE(permission.resolutionType, QStringLiteral("REAUTHENTICATE"));
        QCOMPARE(permission.signalCodes, QStringList{"closure-islocked"});
    }

    void verifyForms() {
        auto unified =
            PayloadDecoder::decode(R"({"eventId":"e","eventType":"VERIFY","data":{"challenge":"abc"}})");
        QCOMPARE(int(unified.event.kind), int(Kind::Verify));
        QCOMPARE(unified.challenge, QByteArray("abc"));
        auto legacy =
            PayloadDecoder::decode(R"({"version":"2.0","eventName":"verify","payload":{"challenge":"xyz"}})");
        QCOMPARE(int(legacy.event.kind), int(Kind::Verify));
        QCOMPARE(legacy.challenge, QByteArray("xyz"));
    }

    void documentedVariants() {
        // Docs flavour: top-level vehicleId, data.triggers with codes, fetchedAt, ISO deliveredAt.
        auto docs = PayloadDecoder::decode(
            R"({"eventId":"1","eventType":"VEHICLE_STATE","vehicleId":"v-top","data":{"triggers":[{"code":"FIRST_DELIVERY"}],)"
            R"("signals":[{"code":"charge-ischarging","body":{"value":true},"meta":{"oemUpdatedAt":5,"fetchedAt":7}}]},)"
            R"("meta":{"deliveredAt":"2025-07-31T19:38:42.332Z"}})");
        QVERIFY(docs.ok);
        QCOMPARE(docs.event.vehicleId, QStringLiteral("v-top"));
        QCOMPARE(docs.event.triggers, QStringList{"FIRST_DELIVERY"});
        QCOMPARE(docs.event.signalValues.at(0).retrievedAt, 7);
        QCOMPARE(docs.event.deliveredAt, 1753990722332);

        // Older doc page: top-level triggers with a signal object holding only the code; seconds-like time.
        auto older = PayloadDecoder::decode(
            R"({"eventId":"2","eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"v"},"signals":[]},)"
            R"("triggers":[{"type":"FIRST_DELIVERY"},{"type":"SIGNAL_UPDATED","signal":{"code":"odometer-traveleddistance"}}],)"
            R"("meta":{"deliveredAt":1700000000}})");
        QCOMPARE(older.event.triggers, (QStringList{"FIRST_DELIVERY", "odometer-traveleddistance"}));
        QCOMPARE(older.event.deliveredAt, 1700000000000);

        // Illustrative doc page: string triggers, signals as an object keyed by "Group.Name".
        auto map = PayloadDecoder::decode(
            R"({"eventId":"3","eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"v"},"triggers":["Charge.IsCharging"],)"
            R"("signals":{"Charge.IsCharging":{"body":{"value":false}}}}})");
        QCOMPARE(map.event.triggers, QStringList{"charge-ischarging"});
        QCOMPARE(map.event.signalValues.size(), 1);
        QCOMPARE(map.event.signalValues.at(0).code, QStringLiteral("charge-ischarging"));

        // Wrong types everywhere: decoded as far as it goes, never a failure.
        auto wrong = PayloadDecoder::decode(
            R"({"eventId":5,"eventType":"VEHICLE_STATE","data":{"vehicle":{"id":["x"],"year":"2020"},"signals":[1,"a",{"code":7}]},"meta":"m"})");
        QVERIFY(wrong.ok);
        QCOMPARE(wrong.event.eventId, QStringLiteral("5"));
        QCOMPARE(wrong.event.year, 2020);
        QVERIFY(wrong.event.vehicleId.isEmpty());
    }

    void legacyAndUnknownEventsAreKept() {
        auto legacy = PayloadDecoder::decode(
            R"({"version":"2.0","eventName":"eventBased","mode":"test","payload":{"eventId":"le","vehicleId":"lv",)"
            R"("eventType":"CHARGING_STARTED","eventTime":"2022-04-01T10:00:00Z"}})");
        QVERIFY(legacy.ok);
        QCOMPARE(int(legacy.event.kind), int(Kind::Unknown));
        QCOMPARE(legacy.event.eventId, QStringLiteral("le"));
        QCOMPARE(legacy.event.vehicleId, QStringLiteral("lv"));
        auto unknown =
            PayloadDecoder::decode(R"({"eventId":"u","eventType":"VEHICLE_CONNECTION","data":{}})");
        QVERIFY(unknown.ok);
        QCOMPARE(int(unknown.event.kind), int(Kind::Unknown));
        QCOMPARE(unknown.event.eventType, QStringLiteral("VEHICLE_CONNECTION"));
        auto empty = PayloadDecoder::decode("{}");
        QVERIFY(empty.ok);
        QCOMPARE(int(empty.event.kind), int(Kind::Unknown));
    }

    void notAnObjectIsAnError() {
        for (const QByteArray &body : {QByteArray("not json"), QByteArray("[1,2]"), QByteArray(""),
                                       QByteArray("{\"a\":"), QByteArray(100000, '[')}) {
            const auto r = PayloadDecoder::decode(body);
            QVERIFY(!r.ok);
            QVERIFY(!r.error.isEmpty());
        }
    }

    void identicalBodiesAreShared() {
        // Two signals per delivery: a door that stays shut, and a charge that may change. The bodies
        // name this test, so no earlier decode on this thread can have kept them.
        const auto delivery = [](const QByteArray &vehicle, const QByteArray &charge) {
            QByteArray body =
                "{'eventType':'VEHICLE_STATE','eventId':'e-@V@','data':{'vehicle':{'id':'@V@'},'signals':["
                "{'code':'closure-isopen','body':{'isOpen':false,'test':'identicalBodiesAreShared'}},"
                "{'code':'tractionbattery-stateofcharge',"
                "'body':{'value':@C@,'test':'identicalBodiesAreShared'}}]}}";
            return body.replace('\'', '"').replace("@V@", vehicle).replace("@C@", charge);
        };
        const auto door = [](const PayloadDecoder::Result &r) {
            return signal(r.event, "closure-isopen")->body;
        };
        const auto charge = [](const PayloadDecoder::Result &r) {
            return signal(r.event, "tractionbattery-stateofcharge")->body.value(QLatin1String("value"));
        };
        const model::SharedObjectCache::Counts before = PayloadDecoder::sharedBodies();

        const PayloadDecoder::Result a = PayloadDecoder::decode(delivery("a", "58"));
        const PayloadDecoder::Result b = PayloadDecoder::decode(delivery("b", "58.5"));
        QVERIFY(a.ok && b.ok);
        model::SharedObjectCache::Counts now = PayloadDecoder::sharedBodies();
        QCOMPARE(now.misses - before.misses, 3); // the door once, each charge
        QCOMPARE(now.hits - before.hits, 1);     // b's door
        QCOMPARE(door(b), door(a));
        QCOMPARE(door(b).value(QLatin1String("isOpen")), QJsonValue(false));
        QCOMPARE(charge(a), QJsonValue(58));
        QCOMPARE(charge(b), QJsonValue(58.5));

        // Content, not text, is the key: 58.0 is read afresh (as Qt reads it), and 58 again is shared.
        const PayloadDecoder::Result c = PayloadDecoder::decode(delivery("c", "58.0"));
        const PayloadDecoder::Result d = PayloadDecoder::decode(delivery("d", "58"));
        now = PayloadDecoder::sharedBodies();
        QCOMPARE(now.misses - before.misses, 4);
        QCOMPARE(now.hits - before.hits, 4);
        QCOMPARE(charge(c), QJsonValue(58));
        QCOMPARE(charge(d), QJsonValue(58));
        QCOMPARE(signal(d.event, "tractionbattery-stateofcharge")->body,
                 signal(a.event, "tractionbattery-stateofcharge")->body);
    }
};

QTEST_GUILESS_MAIN(tst_PayloadDecoder)
#include "tst_PayloadDecoder.moc"
