// The payload decoder against hostile mutations of real webhook bodies: invalid UTF-8, deep
// nesting, numbers no double holds, repeated keys, and every field of a real VEHICLE_STATE delivery
// replaced in turn by a value of each other JSON type. A body that is no JSON object is an error;
// anything else decodes, and no wrongly typed field reaches the fleet state.

#include "model/FleetState.h"
#include "smartcar/PayloadDecoder.h"
#include "support/Fixtures.h"
#include "support/JsonPaths.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using smartcar::PayloadDecoder;
using testsupport::collectPaths;
using testsupport::fixture;
using testsupport::Path;
using testsupport::pathText;
using testsupport::replaced;
using testsupport::valueAt;
using Kind = model::VehicleEvent::Kind;

namespace {

bool sameSignal(const model::SignalValue &a, const model::SignalValue &b) {
    return a.code == b.code && a.name == b.name && a.group == b.group && a.body == b.body &&
           a.oemUpdatedAt == b.oemUpdatedAt && a.retrievedAt == b.retrievedAt && a.error == b.error;
}

// Describes how `after` differs from `before` in what the fleet keeps; empty when it does not.
QString stateDifference(const model::Vehicle *before, const model::Vehicle *after) {
    if (!before || !after)
        return before == after ? QString() : QStringLiteral("vehicle appeared or vanished");
    if (before->make != after->make || before->model != after->model || before->year != after->year ||
        before->vin != after->vin || before->nickname != after->nickname)
        return QStringLiteral("identity changed: %1 %2 %3 %4")
            .arg(after->make, after->model)
            .arg(after->year)
            .arg(after->vin);
    if (before->openErrors.size() != after->openErrors.size())
        return QStringLiteral("open errors changed");
    if (before->signalsByCode.size() != after->signalsByCode.size())
        return QStringLiteral("signal set changed: %1 -> %2")
            .arg(before->signalsByCode.size())
            .arg(after->signalsByCode.size());
    for (auto it = before->signalsByCode.begin(); it != before->signalsByCode.end(); ++it) {
        const model::SignalValue *other = after->signal(it.key());
        if (!other || !sameSignal(*it, *other))
            return QStringLiteral("signal %1 changed").arg(it.key());
    }
    return {};
}

} // namespace

class tst_HostilePayloads : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void invalidUtf8() {
        const QByteArray original = fixture("polestar_2_all.json");
        const qsizetype make = original.indexOf("POLESTAR");
        QVERIFY(make > 0);
        for (const QByteArray &bad : {QByteArray("\xff"), QByteArray("\xc0\xaf"), QByteArray("\xed\xa0\x80"),
                                      QByteArray("\xe2\x82"), QByteArray("\xf8\x88\x80\x80\x80")}) {
            QByteArray body = original;
            body.insert(make + 2, bad); // inside a string value
            const auto r = PayloadDecoder::decode(body);
            QVERIFY(!r.ok);
            QVERIFY2(r.error.contains(QStringLiteral("UTF8")), qPrintable(r.error));
            QVERIFY(r.event.vehicleId.isEmpty());
            QVERIFY(r.event.signalValues.isEmpty());
        }
        // Outside strings, the byte is no JSON at all.
        QByteArray body = original;
        body.insert(original.indexOf('{') + 1, "\xff");
        QVERIFY(!PayloadDecoder::decode(body).ok);
        // An escaped lone surrogate is valid JSON: decoded, the id survives as text.
        const auto r = PayloadDecoder::decode(
            R"({"eventId":"\ud800x","eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"v\udfff"}}})");
        QVERIFY(r.ok);
        QCOMPARE(r.event.eventId.size(), 2);
        QCOMPARE(r.event.vehicleId.size(), 2);
    }

    void deepNesting() {
        // 100,000 levels inside a real delivery's signal list, well under the 1 MiB body limit.
        const QByteArray original = fixture("polestar_2_all.json");
        const qsizetype at = original.indexOf('[', original.indexOf("\"signals\"")); // the list's '['
        QVERIFY(at > 0);
        for (const auto &[open, close] : {std::pair{QByteArray("["), QByteArray("]")},
                                          std::pair{QByteArray("{\"a\":"), QByteArray("}")}}) {
            QByteArray body = original;
            const QByteArray nest = open.repeated(100'000) + "1" + close.repeated(100'000) + ",";
            body.insert(at + 1, nest);
            QVERIFY(body.size() < 1024 * 1024);
            QElapsedTimer timer;
            timer.start();
            const auto r = PayloadDecoder::decode(body);
            QVERIFY(!r.ok);
            QVERIFY2(r.error.contains(QStringLiteral("deeply nested")), qPrintable(r.error));
            QVERIFY(timer.elapsed() < 2000);
        }
        // Just inside Qt's limit of 1024 levels: decoded, the nested value kept as an opaque body.
        QByteArray body = original;
        body.insert(at + 1, "{\"code\":\"x-deep\",\"body\":{\"v\":" + QByteArray("[").repeated(1000) +
                                QByteArray("]").repeated(1000) + "}},");
        const auto r = PayloadDecoder::decode(body);
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.event.signalValues.size(), 29);
    }

    void enormousNumbers() {
        const QByteArray original = fixture("polestar_2_all.json");
        const QJsonObject root = QJsonDocument::fromJson(original).object();
        // The state of charge is the first signal whose body holds a plain value.
        const qsizetype at = original.indexOf("\"value\"", original.indexOf("tractionbattery-stateofcharge"));
        QVERIFY(at > 0);
        qsizetype valueStart = original.indexOf(':', at) + 1;
        while (original[valueStart] == ' ')
            ++valueStart;
        qsizetype valueEnd = valueStart;
        while (valueEnd < original.size() &&
               (std::isdigit(uchar(original[valueEnd])) || original[valueEnd] == '.'))
            ++valueEnd;
        QVERIFY(valueEnd > valueStart);
        auto withValue = [&](const QByteArray &number) {
            QByteArray body = original;
            body.replace(valueStart, valueEnd - valueStart, number);
            return body;
        };
        // One number filling a body of nearly 1 MiB: no double holds it, the body is an error.
        const QByteArray huge = withValue(QByteArray(1024 * 1024 - original.size() - 16, '9'));
        QVERIFY(huge.size() < 1024 * 1024 && huge.size() > 1000 * 1000);
        QElapsedTimer timer;
        timer.start();
        auto r = PayloadDecoder::decode(huge);
        QVERIFY(!r.ok);
        QVERIFY2(r.error.contains(QStringLiteral("number")), qPrintable(r.error));
        QVERIFY(timer.elapsed() < 2000);
        for (const QByteArray &number :
             {QByteArray("1e999999"), QByteArray("-1e999999"), QByteArray("1e-999999"), QByteArray("NaN"),
              QByteArray("-NaN"), QByteArray("Infinity"), QByteArray("-Infinity"), QByteArray("0x10"),
              QByteArray("--1")}) {
            r = PayloadDecoder::decode(withValue(number));
            QVERIFY2(!r.ok, number.constData());
        }
        // A megabyte of fraction digits rounds to a double: decoded, the value is finite.
        r = PayloadDecoder::decode(withValue("0." + QByteArray(1000 * 1000, '3')));
        QVERIFY(r.ok);
        // -0 and spelled-out strings are values like any other; typed readers see what they are.
        r = PayloadDecoder::decode(withValue("-0"));
        QVERIFY(r.ok);
        QCOMPARE(r.event.signalValues.size(), 28);
        r = PayloadDecoder::decode(withValue("\"NaN\""));
        QVERIFY(r.ok);
        model::FleetState fleet;
        QVERIFY(fleet.apply(r.event, 1));
        QCOMPARE(model::FleetState::rowFor(*fleet.vehicle(r.event.vehicleId)).batteryPercent, std::nullopt);

        // Out-of-range numbers where the decoder reads a time or a year are not read as times.
        const QJsonArray list = root.value("data").toObject().value("signals").toArray();
        for (const QByteArray &number : {QByteArray("1e300"), QByteArray("-1"), QByteArray("-0"),
                                         QByteArray("18446744073709551616"), QByteArray("1e15")}) {
            QJsonObject changed = root;
            QJsonObject data = changed.value("data").toObject();
            QJsonArray signalList = list;
            QJsonObject soc = signalList[0].toObject();
            QJsonObject meta = soc.value("meta").toObject();
            meta.insert("oemUpdatedAt", QJsonDocument::fromJson("[" + number + "]").array().at(0));
            soc.insert("meta", meta);
            signalList[0] = soc;
            data.insert("signals", signalList);
            QJsonObject vehicle = data.value("vehicle").toObject();
            vehicle.insert("year", QJsonDocument::fromJson("[" + number + "]").array().at(0));
            data.insert("vehicle", vehicle);
            changed.insert("data", data);
            r = PayloadDecoder::decode(QJsonDocument(changed).toJson());
            QVERIFY(r.ok);
            QCOMPARE(r.event.year, 0);
            const double d = QJsonDocument::fromJson("[" + number + "]").array().at(0).toDouble();
            const bool readable = d >= 0 && d <= 1e15;
            QCOMPARE(r.event.signalValues.size(), readable ? 28 : 27);
        }
    }

    void duplicateKeys() {
        // The last occurrence wins, at every level, the same way every time.
        const QByteArray body =
            R"({"eventId":"first","eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"ignored"}},)"
            R"("data":{"vehicle":{"id":"car","make":"A","make":"B"},"signals":[)"
            R"({"code":"charge-ischarging","code":"tractionbattery-stateofcharge","body":{"value":1},)"
            R"("body":{"value":80},"meta":{"oemUpdatedAt":1000,"oemUpdatedAt":2000}}]},"eventId":"second"})";
        for (int round = 0; round < 3; ++round) {
            const auto r = PayloadDecoder::decode(body);
            QVERIFY(r.ok);
            QCOMPARE(r.event.eventId, QStringLiteral("second"));
            QCOMPARE(r.event.vehicleId, QStringLiteral("car"));
            QCOMPARE(r.event.make, QStringLiteral("B"));
            QCOMPARE(r.event.signalValues.size(), 1);
            QCOMPARE(r.event.signalValues[0].code, QStringLiteral("tractionbattery-stateofcharge"));
            QCOMPARE(r.event.signalValues[0].body.value("value").toInt(), 80);
            QCOMPARE(r.event.signalValues[0].oemUpdatedAt, 2000);
        }
        // Repeated eventType: the last decides the kind.
        auto r = PayloadDecoder::decode(
            R"({"eventType":"VERIFY","eventType":"VEHICLE_STATE","data":{"challenge":"c"}})");
        QCOMPARE(int(r.event.kind), int(Kind::State));
        QVERIFY(r.challenge.isEmpty());
        r = PayloadDecoder::decode(
            R"({"eventType":"VEHICLE_STATE","eventType":"VERIFY","data":{"challenge":"c"}})");
        QCOMPARE(int(r.event.kind), int(Kind::Verify));
        QCOMPARE(r.challenge, QByteArray("c"));
        // In a real capture: a second eventId appended to the envelope replaces the first.
        QByteArray real = fixture("polestar_2_all.json");
        real.insert(real.lastIndexOf('}'), ",\"eventId\":\"appended\"");
        QCOMPARE(PayloadDecoder::decode(real).event.eventId, QStringLiteral("appended"));
    }

    void duplicateKeysInsideASignal() {
        // The last occurrence wins inside a signal too: its fields, meta, status, error and body.
        const QByteArray body =
            R"({"eventId":"e","eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"car"},"signals":[)"
            R"({"code":"tractionbattery-stateofcharge","body":{"value":10,"unit":"%","value":{"x":1},"value":55},)"
            R"("meta":{"oemUpdatedAt":"not a time","oemUpdatedAt":1000,"fetchedAt":2000,"fetchedAt":3000},)"
            R"("status":{"value":"ERROR","value":"OK"}},)"
            R"({"code":"closure-doors","body":"not an object","body":{"frontLeft":true},"body":{"frontLeft":false},)"
            R"("status":{"value":"OK","value":"ERROR","error":{"type":"A"},"error":{"type":"B","type":"C"}}},)"
            R"({"code":"odometer-traveleddistance","code":42,"body":{"value":1}},)"
            R"({"code":7,"code":"location-preciselocation","body":{"latitude":1},"meta":{"retrievedAt":5,"retrievedAt":-1}}]}})";
        const auto r = PayloadDecoder::decode(body);
        QVERIFY2(r.ok, qPrintable(r.error));
        QCOMPARE(r.event.signalValues.size(),
                 2); // odometer: its code ends up a number; location: an unreadable time
        const model::SignalValue &soc = r.event.signalValues[0];
        QCOMPARE(soc.code, QStringLiteral("tractionbattery-stateofcharge"));
        QCOMPARE(soc.body, (QJsonObject{{"value", 55}, {"unit", "%"}}));
        QVERIFY(soc.body.value("value").isDouble());
        QCOMPARE(soc.oemUpdatedAt, 1000);
        QCOMPARE(soc.retrievedAt, 3000);
        QVERIFY(!soc.isInError());
        const model::SignalValue &doors = r.event.signalValues[1];
        QCOMPARE(doors.code, QStringLiteral("closure-doors"));
        QCOMPARE(doors.body, (QJsonObject{{"frontLeft", false}}));
        QCOMPARE(doors.error, (QJsonObject{{"type", "C"}}));
    }

    void depthLimitInARealSizedBody() {
        // Qt's limit, 1024 levels counting the root, holds for bodies of every size. The root, data,
        // the signal list, the signal and its body are five levels; the arrays inside add the rest.
        const QByteArray original = fixture("vw_id_4_all.json");
        const qsizetype at = original.indexOf('[', original.indexOf("\"signals\""));
        QVERIFY(at > 0);
        auto nested = [&](const QByteArray &open, const QByteArray &close, int levels) {
            QByteArray body = original;
            body.insert(at + 1, "{\"code\":\"x-deep\",\"body\":{\"v\":" + open.repeated(levels) + "1" +
                                    close.repeated(levels) + "}},");
            return body;
        };
        for (const auto &[open, close] : {std::pair{QByteArray("["), QByteArray("]")},
                                          std::pair{QByteArray("{\"a\":"), QByteArray("}")}}) {
            auto r = PayloadDecoder::decode(nested(open, close, 1019)); // 1024 levels
            QVERIFY2(r.ok, qPrintable(r.error));
            QCOMPARE(r.event.signalValues.size(), 9);
            QCOMPARE(r.event.signalValues[0].code, QStringLiteral("x-deep"));
            r = PayloadDecoder::decode(nested(open, close, 1020)); // 1025 levels
            QVERIFY(!r.ok);
            QVERIFY2(r.error.contains(QStringLiteral("deeply nested")), qPrintable(r.error));
            QVERIFY(r.event.signalValues.isEmpty());
        }
    }

    void numbersNoDoubleHoldsInARealSizedBody() {
        // Anywhere in the body, read or not: a number that overflows or underflows a double makes
        // the whole body an error, as Qt's parser rules; a zero written as such is a value.
        const QByteArray original = fixture("vw_id_4_all.json");
        for (const QByteArray &number :
             {QByteArray("1e999999"), QByteArray("-1e999999"), QByteArray("1e-999999"),
              QByteArray("-1e-999999"), QByteArray("2e-324")}) {
            for (const QByteArray &where : {QByteArray("\"unread\":["), QByteArray("\"deliveredAt\":")}) {
                QByteArray body = original;
                if (where.startsWith("\"unread"))
                    body.insert(body.indexOf('{') + 1, where + number + "],");
                else
                    body.insert(body.indexOf(where) + where.size(), number + ",\"was\":");
                const auto r = PayloadDecoder::decode(body);
                QVERIFY2(!r.ok, qPrintable(QString::fromLatin1(where + number)));
                QVERIFY2(r.error.contains(QStringLiteral("number")), qPrintable(r.error));
            }
        }
        for (const QByteArray &number : {QByteArray("0.0"), QByteArray("-0.0"), QByteArray("0e-999999"),
                                         QByteArray("4.9e-324"), QByteArray("18446744073709551616")}) {
            QByteArray body = original;
            body.insert(body.indexOf('{') + 1, "\"unread\":[" + number + "],");
            const auto r = PayloadDecoder::decode(body);
            QVERIFY2(r.ok, qPrintable(r.error));
            QCOMPARE(r.event.signalValues.size(), 8);
        }
        // Integers beyond 64 bits are doubles, as Qt reads them; within, integers.
        const auto r = PayloadDecoder::decode(
            R"({"eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"v"},"signals":[{"code":"a-b","body":)"
            R"({"big":18446744073709551616,"u64":18446744073709551615,"i64":-9223372036854775808,"f":0.5}}]}})");
        QVERIFY(r.ok);
        const QJsonObject b = r.event.signalValues.value(0).body;
        QCOMPARE(b.value("big").toDouble(), 18446744073709551616.0);
        QCOMPARE(b.value("u64").toDouble(), 18446744073709551615.0);
        QCOMPARE(b.value("i64").toInteger(), std::numeric_limits<qint64>::min());
        QCOMPARE(b.value("f").toDouble(), 0.5);
    }

    void invalidUtf8InKeysAndUnreadFields() {
        const QByteArray original = fixture("vw_id_4_all.json");
        for (const QByteArray &bad :
             {QByteArray("\xff"), QByteArray("\xc0\xaf"), QByteArray("\xed\xa0\x80")}) {
            QByteArray inKey = original;
            inKey.insert(inKey.indexOf("\"value\"") + 2, bad);
            QByteArray inUnread = original;
            inUnread.insert(inUnread.indexOf('{') + 1, "\"unread\":\"x" + bad + "\",");
            for (const QByteArray &body : {inKey, inUnread}) {
                const auto r = PayloadDecoder::decode(body);
                QVERIFY(!r.ok);
                QVERIFY2(r.error.contains(QStringLiteral("UTF8")), qPrintable(r.error));
            }
        }
    }

    void wrongTypesEverywhere_data() {
        QTest::addColumn<QString>("file");
        for (const char *f : {"polestar_2_all.json", "jaguar_ipace_all.json", "vw_id_4_all.json"})
            QTest::newRow(f) << QString::fromLatin1(f);
    }
    void wrongTypesEverywhere() {
        QFETCH(QString, file);
        const QByteArray raw = fixture(file);
        const QJsonObject root = QJsonDocument::fromJson(raw).object();
        const auto original = PayloadDecoder::decode(raw);
        QVERIFY(original.ok);
        QCOMPARE(int(original.event.kind), int(Kind::State));
        model::FleetState reference;
        QVERIFY(reference.apply(original.event, 1000));
        const model::Vehicle *known = reference.vehicle(original.event.vehicleId);
        QVERIFY(known);

        QList<Path> paths;
        collectPaths(root, {}, paths);
        QVERIFY(paths.size() > 50);
        const QList<QJsonValue> replacements = {QJsonValue(QJsonValue::Null), QJsonValue(42.5),
                                                QJsonValue(QStringLiteral("hostile")),
                                                QJsonArray{1, QStringLiteral("x")}, QJsonObject{{"x", 1}}};
        int mutations = 0;
        for (const Path &path : paths) {
            const QJsonValue before = valueAt(root, path);
            // Inside a signal's body (or its error) the fields are the signal's own, kept as
            // delivered; typed readers (battery, plug, doors) check the type themselves.
            const bool insideBody = path.size() > 4 && path[1] == QStringLiteral("signals") &&
                                    (path[3] == QStringLiteral("body") ||
                                     (path[3] == QStringLiteral("status") && path.size() > 5 &&
                                      path[4] == QStringLiteral("error")));
            for (const QJsonValue &with : replacements) {
                if (with.type() == before.type())
                    continue; // the same type is a different value, not a wrong one
                ++mutations;
                const QByteArray body = QJsonDocument(replaced(root, path, 0, with).toObject()).toJson();
                const auto r = PayloadDecoder::decode(body);
                const QString what =
                    pathText(path) + QStringLiteral(" = ") +
                    QString::fromUtf8(QJsonDocument(QJsonArray{with}).toJson(QJsonDocument::Compact));
                QVERIFY2(r.ok, qPrintable(what));

                // Applied on top of the original, the wrongly typed delivery changes nothing.
                model::FleetState fleet = reference;
                fleet.apply(r.event, 2000);
                const QString difference = stateDifference(known, fleet.vehicle(original.event.vehicleId));
                if (!insideBody)
                    QVERIFY2(difference.isEmpty(), qPrintable(what + QStringLiteral(": ") + difference));
                QVERIFY2(fleet.vehicleCount() == 1,
                         qPrintable(what + QStringLiteral(": a vehicle was added")));

                // Applied to an empty fleet, it creates nothing the original did not hold.
                model::FleetState fresh;
                if (!fresh.apply(r.event, 2000) || insideBody)
                    continue;
                const model::Vehicle *v = fresh.vehicle(original.event.vehicleId);
                QVERIFY2(v, qPrintable(what));
                for (const model::SignalValue &s : std::as_const(v->signalsByCode)) {
                    const model::SignalValue *same = known->signal(s.code);
                    QVERIFY2(same && sameSignal(*same, s), qPrintable(what + QStringLiteral(": ") + s.code));
                }
                QVERIFY2(v->make.isEmpty() || v->make == known->make, qPrintable(what));
                QVERIFY2(v->model.isEmpty() || v->model == known->model, qPrintable(what));
                QVERIFY2(v->year == 0 || v->year == known->year, qPrintable(what));
                QVERIFY2(v->openErrors.isEmpty(), qPrintable(what));
            }
        }
        qInfo("%d wrongly typed variants of %s", mutations, qPrintable(file));
        QVERIFY(mutations > 200);
    }

    void wrongTypesInIdsAndChallenges() {
        // Never coerced to text: a number is no vehicle id and no challenge to sign. (A numeric
        // eventId is read as its text: it changes no state and keeps retries duplicates.)
        auto r = PayloadDecoder::decode(R"({"eventId":42,"eventType":"VERIFY","data":{"challenge":12345}})");
        QVERIFY(r.ok);
        QCOMPARE(int(r.event.kind), int(Kind::Verify));
        QCOMPARE(r.event.eventId, QStringLiteral("42"));
        QVERIFY(r.challenge.isEmpty());
        r = PayloadDecoder::decode(R"({"eventName":"verify","payload":{"challenge":["x"]}})");
        QCOMPARE(int(r.event.kind), int(Kind::Verify));
        QVERIFY(r.challenge.isEmpty());
        r = PayloadDecoder::decode(R"({"eventName":"eventBased","payload":{"eventId":1,"vehicleId":2}})");
        QVERIFY(r.event.vehicleId.isEmpty());
        r = PayloadDecoder::decode(
            R"({"eventId":"e","eventType":"VEHICLE_STATE","data":{"vehicle":{"id":7,"make":1},"vehicleId":"fallback"}})");
        QCOMPARE(r.event.vehicleId, QStringLiteral("fallback"));
        QVERIFY(r.event.make.isEmpty());
    }

    void wrongTypesInAnErrorDelivery() {
        // VEHICLE_ERROR entries that are no objects or name no type open no error.
        const auto r = PayloadDecoder::decode(
            R"({"eventId":"e","eventType":"VEHICLE_ERROR","data":{"vehicle":{"id":"car"},)"
            R"("errors":[null,42,"x",[1],{"type":7,"code":"c"},{"type":"COMPATIBILITY","code":"ok"}]}})");
        QVERIFY(r.ok);
        QCOMPARE(r.event.errors.size(), 1);
        QCOMPARE(r.event.errors[0].code, QStringLiteral("ok"));
    }
};

QTEST_GUILESS_MAIN(tst_HostilePayloads)
#include "tst_HostilePayloads.moc"
