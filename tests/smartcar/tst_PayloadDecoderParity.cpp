// PayloadDecoder::decode (simdjson, falling back to Qt's parser where the two parsers' rules differ)
// against QtPayloadDecoder::decode (Qt's parser and the walk over QJsonObject): the same
// result, field by field and value type by value type, for every real fixture, simulated fleet
// deliveries, every field of a real delivery replaced by each other JSON type, and the inputs where
// simdjson and Qt disagree by default (numbers, surrogates, control characters, depth, duplicates).

#include "smartcar/PayloadDecoder.h"
#include "smartcar/QtPayloadDecoder.h"
#include "smartcar/SimulatedFleet.h"
#include "support/Fixtures.h"
#include "support/JsonPaths.h"

#include <QCborValue>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using smartcar::PayloadDecoder;
using smartcar::QtPayloadDecoder;
using testsupport::fixture;

namespace {

// CBOR's diagnostic notation keeps what JSON text would hide: 80 (an integer) is not 80.0.
QString exact(const QJsonObject &o) {
    return QCborValue::fromJsonValue(QJsonValue(o)).toDiagnosticNotation(QCborValue::Compact);
}

// Everything a result holds, as text, so a difference shows where it is.
QString describe(const PayloadDecoder::Result &r) {
    QStringList out;
    const model::VehicleEvent &e = r.event;
    out << QStringLiteral("ok=%1 error=%2 challenge=%3")
               .arg(r.ok)
               .arg(r.error, QString::fromUtf8(r.challenge.toHex()));
    out << QStringLiteral("kind=%1 eventId=%2 eventType=%3 vehicleId=%4")
               .arg(int(e.kind))
               .arg(e.eventId, e.eventType, e.vehicleId);
    out << QStringLiteral("make=%1 model=%2 year=%3 vin=%4 mode=%5 deliveredAt=%6")
               .arg(e.make, e.model)
               .arg(e.year)
               .arg(e.vin, e.mode)
               .arg(e.deliveredAt);
    out << QStringLiteral("triggers=") + e.triggers.join(QLatin1Char('|'));
    for (const model::SignalValue &s : e.signalValues)
        out << QStringLiteral("signal %1 %2 %3 body=%4 oem=%5 retrieved=%6 error=%7")
                   .arg(s.code, s.name, s.group, exact(s.body))
                   .arg(s.oemUpdatedAt)
                   .arg(s.retrievedAt)
                   .arg(exact(s.error));
    for (const model::VehicleError &x : e.errors)
        out << QStringLiteral("error %1 %2 %3 %4 %5 %6 %7 signals=%8")
                   .arg(x.type, x.code, x.state, x.description, x.suggestedUserMessage, x.resolutionType,
                        x.docUrl, x.signalCodes.join(QLatin1Char('|')));
    return out.join(QLatin1Char('\n'));
}

// A body whose signal list starts with one extra signal carrying `value` in its body.
QByteArray withSignalValue(const QByteArray &value) {
    return R"({"eventId":"e","eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"car"},"signals":[)"
           R"({"code":"tractionbattery-stateofcharge","body":{"value":)" +
           value + R"(},"meta":{"oemUpdatedAt":1700000000000}}]},"meta":{"deliveredAt":1700000000001}})";
}

} // namespace

class tst_PayloadDecoderParity : public QObject {
    Q_OBJECT

    int m_compared = 0;

    void compare(const QByteArray &body, const QString &what) {
        const QString fast = describe(PayloadDecoder::decode(body));
        const QString reference = describe(QtPayloadDecoder::decode(body));
        ++m_compared;
        if (fast != reference)
            QFAIL(qPrintable(
                QStringLiteral("%1\n--- decode:\n%2\n--- Qt parser:\n%3").arg(what, fast, reference)));
    }

private Q_SLOTS:
    void realFixtures() {
        const QStringList files = QDir(QStringLiteral(FLEETMON_FIXTURES_DIR))
                                      .entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
        QVERIFY(files.size() >= 11);
        for (const QString &file : files) {
            compare(fixture(file), file);
            const auto r = PayloadDecoder::decode(fixture(file));
            QVERIFY2(r.ok, qPrintable(file));
        }
    }

    void simulatedFleet() {
        // First deliveries of every vehicle, then changes: the bodies fleetsim and the demo send.
        smartcar::SimulatedFleet fleet(40, 7);
        qint64 now = 1'700'000'000'000;
        int signalValues = 0;
        for (int i = 0; i < 300; ++i) {
            const QByteArray body = fleet.nextDelivery(now += 1000);
            compare(body, QStringLiteral("delivery %1").arg(i));
            signalValues += int(PayloadDecoder::decode(body).event.signalValues.size());
        }
        QVERIFY(signalValues > 300 * 10);
    }

    void everyFieldOfEveryType_data() {
        QTest::addColumn<QString>("file");
        for (const char *f : {"polestar_2_all.json", "vw_id_4_all.json", "vw_id_4_error.json"})
            QTest::newRow(f) << QString::fromLatin1(f);
    }
    void everyFieldOfEveryType() {
        QFETCH(QString, file);
        const QJsonObject root = QJsonDocument::fromJson(fixture(file)).object();
        QList<testsupport::Path> paths;
        testsupport::collectPaths(root, {}, paths);
        const QList<QJsonValue> replacements = {QJsonValue(QJsonValue::Null),
                                                QJsonValue(false),
                                                QJsonValue(42.5),
                                                QJsonValue(qint64(-7)),
                                                QJsonValue(QStringLiteral("2024-01-01T00:00:00Z")),
                                                QJsonArray{1, QStringLiteral("x")},
                                                QJsonObject{{"x", 1}}};
        int mutations = 0;
        for (const testsupport::Path &path : paths) {
            for (const QJsonValue &with : replacements) {
                const QByteArray body = QJsonDocument(testsupport::replaced(root, path, 0, with).toObject())
                                            .toJson(QJsonDocument::Compact);
                compare(body, testsupport::pathText(path) + QStringLiteral(" = ") +
                                  QString::fromUtf8(
                                      QJsonDocument(QJsonArray{with}).toJson(QJsonDocument::Compact)));
                ++mutations;
            }
        }
        QVERIFY(mutations > 100);
    }

    void numbers_data() {
        QTest::addColumn<QByteArray>("number");
        for (const char *n : {"0",
                              "-0",
                              "0.0",
                              "-0.0",
                              "0e5",
                              "0e-999999",
                              "1e-999999",
                              "-1e-999999",
                              "2e-324",
                              "4.9e-324",
                              "1e-310",
                              "1e308",
                              "1e309",
                              "1e999999",
                              "1.7976931348623157e308",
                              "9007199254740993",
                              "9223372036854775807",
                              "9223372036854775808",
                              "-9223372036854775808",
                              "-9223372036854775809",
                              "18446744073709551615",
                              "18446744073709551616",
                              "123456789012345678901234567890",
                              "1E2",
                              "1.0",
                              "80",
                              "80.5",
                              ".5",
                              "1.",
                              "-",
                              "01",
                              "1e",
                              "+1",
                              "NaN",
                              "Infinity",
                              "0x10"})
            QTest::newRow(n) << QByteArray(n);
    }
    void numbers() {
        QFETCH(QByteArray, number);
        compare(withSignalValue(number), QString::fromLatin1(number) + QStringLiteral(" in a signal body"));
        // Where the decoder reads a time, and in a field it never reads: the whole body must be
        // valid JSON by Qt's rules either way.
        QByteArray body = withSignalValue("1");
        body.replace("1700000000000", number);
        compare(body, QString::fromLatin1(number) + QStringLiteral(" as oemUpdatedAt"));
        body = withSignalValue("1");
        body.insert(1, "\"unread\":[" + number + "],");
        compare(body, QString::fromLatin1(number) + QStringLiteral(" in an unread field"));
    }

    void strings_data() {
        QTest::addColumn<QByteArray>("text"); // the bytes between the quotes
        QTest::newRow("ascii") << QByteArray("plain");
        QTest::newRow("escapes") << QByteArray(R"(a\"b\\c\/d\b\f\n\r\t)");
        QTest::newRow("escaped NUL") << QByteArray(R"(a\u0000b)");
        QTest::newRow("NUL byte") << QByteArray("a\0b", 3);
        QTest::newRow("control byte") << QByteArray("a\x01"
                                                    "b");
        QTest::newRow("tab byte") << QByteArray("a\tb");
        QTest::newRow("DEL") << QByteArray("a\x7f"
                                           "b");
        QTest::newRow("utf-8") << QByteArray("Gr\xc3\xbc\xc3\x9f \xe2\x82\xac \xf0\x9f\x9a\x97");
        QTest::newRow("escaped pair") << QByteArray(R"(\ud83d\ude97)");
        QTest::newRow("lone high surrogate") << QByteArray(R"(\ud800x)");
        QTest::newRow("lone low surrogate") << QByteArray(R"(\udfff)");
        QTest::newRow("noncharacter") << QByteArray("\xef\xbf\xbf");
        QTest::newRow("overlong") << QByteArray("\xc0\xaf");
        QTest::newRow("utf-8 surrogate") << QByteArray("\xed\xa0\x80");
        QTest::newRow("truncated") << QByteArray("\xe2\x82");
        QTest::newRow("five bytes") << QByteArray("\xf8\x88\x80\x80\x80");
        QTest::newRow("0xff") << QByteArray("\xff");
        QTest::newRow("bad escape") << QByteArray(R"(\x41)");
        QTest::newRow("short escape") << QByteArray(R"(\u12)");
    }
    void strings() {
        QFETCH(QByteArray, text);
        const QByteArray quoted = '"' + text + '"';
        compare(withSignalValue(quoted), QStringLiteral("as a body value"));
        QByteArray body = withSignalValue("1");
        body.replace("\"car\"", quoted);
        compare(body, QStringLiteral("as the vehicle id"));
        body = withSignalValue("1");
        body.replace("\"value\"", quoted);
        compare(body, QStringLiteral("as a body key"));
        body = withSignalValue("1");
        body.replace("\"tractionbattery-stateofcharge\"", quoted);
        compare(body, QStringLiteral("as a signal code"));
    }

    void statusValues() {
        // "ERROR" in any case marks a signal in error; nothing else does.
        for (const QByteArray &value :
             {QByteArray("ERROR"), QByteArray("error"), QByteArray("eRrOr"), QByteArray("\\u0045RROR"),
              QByteArray(" ERROR"), QByteArray("ERROR "), QByteArray("ERRORS"), QByteArray("ERRO"),
              QByteArray(""), QByteArray("SUCCESS"), QByteArray("\xef\xbc\xa5RROR"),
              QByteArray("ERR\xc3\x98R"), QByteArray("\\u0130RROR")}) {
            const QByteArray quoted = '"' + value + '"';
            const QByteArray body =
                "{\"eventType\":\"VEHICLE_STATE\",\"data\":{\"vehicle\":{\"id\":\"v\"},\"signals\":["
                "{\"code\":\"a-b\",\"status\":{\"value\":" +
                quoted + "}},{\"code\":\"c-d\",\"body\":{\"v\":1},\"status\":{\"value\":" + quoted +
                ",\"error\":{\"type\":\"T\"}}}]}}";
            compare(body, QString::fromUtf8(value));
        }
    }

    void structure() {
        const QByteArray real = fixture("vw_id_4_all.json");
        for (
            const QByteArray &body :
            {QByteArray(),
             QByteArray(" "),
             QByteArray("42"),
             QByteArray("\"text\""),
             QByteArray("null"),
             QByteArray("[]"),
             QByteArray("[{}]"),
             QByteArray("{}"),
             QByteArray("{} x"),
             QByteArray("{}{}"),
             QByteArray("{\"a\":1,}"),
             QByteArray("{\"a\" 1}"),
             QByteArray("{'a':1}"),
             QByteArray("\xef\xbb\xbf{}"),
             QByteArray("\xef\xbb\xbf") + real,
             QByteArray("{}\0", 3),
             QByteArray("\x0c{}"),
             QByteArray(" \t\r\n") + real + QByteArray(" \t\r\n"),
             real.left(real.size() - 1),
             real + "}",
             QByteArray(R"({"eventType":7})"),
             QByteArray(R"({"eventType":"VEHICLE_STATE"})"),
             QByteArray(R"({"eventType":"vehicle_state","data":[]})"),
             QByteArray(
                 R"({"eventType":"VEHICLE_STATE","data":{"signals":{"TractionBattery.StateOfCharge":{"body":{"value":5}}}}})"),
             QByteArray(
                 R"({"eventName":"eventBased","payload":{"eventId":"x","vehicleId":"v","eventTime":"2024-01-01T00:00:00Z"}})"),
             QByteArray(R"({"eventName":"verify","payload":{"challenge":"c"}})"),
             QByteArray(R"({"eventType":"VERIFY","data":{"challenge":"a\u0000b"}})")})
            compare(body, QString::fromUtf8(body.left(80).toPercentEncoding(" {}[]:,\"")));
    }

    void depth_data() {
        QTest::addColumn<int>("levels");
        for (int levels : {1, 1018, 1019, 1020, 1021, 2000})
            QTest::newRow(qPrintable(QString::number(levels))) << levels;
    }
    void depth() {
        // The root object, data, the signal list, the signal and its body are five levels.
        QFETCH(int, levels);
        compare(withSignalValue(QByteArray("[").repeated(levels) + QByteArray("]").repeated(levels)),
                QStringLiteral("arrays"));
        compare(
            withSignalValue(QByteArray("{\"a\":").repeated(levels) + "1" + QByteArray("}").repeated(levels)),
            QStringLiteral("objects"));
    }

    void duplicateKeys() {
        // Each key of every level of a real delivery repeated with another value before or after it.
        const QByteArray bodies[] = {
            R"({"eventType":"VEHICLE_STATE","eventType":"VERIFY","data":{"challenge":"c"}})",
            R"({"eventType":"VERIFY","eventType":"VEHICLE_STATE","data":{"challenge":"c","vehicle":{"id":"v"}}})",
            R"({"eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"v","id":7}},"data":{"vehicle":{"id":"w"}}})",
            R"({"eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"v","year":2020,"year":"2021","year":2022.5}}})",
            R"({"eventType":"VEHICLE_STATE","triggers":[],"data":{"vehicle":{"id":"v"},"triggers":["A.B"]},"triggers":7})",
            R"({"eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"v"},"signals":[{"code":"a-b","body":{},"code":5}]}})",
            R"({"eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"v"},"signals":[{"code":"a-b","body":5,"body":{"v":{"x":1},"v":{"y":2}}}]}})",
            R"({"eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"v"},"signals":[{"code":"a-b","body":{},"meta":{"fetchedAt":1,"fetchedAt":"x"}}]}})",
            R"({"eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"v"},"signals":[{"code":"a-b","body":{},"meta":{"fetchedAt":"x","fetchedAt":5,"retrievedAt":9}}]}})",
            R"({"eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"v"},"signals":[{"code":"a-b","status":{"value":"OK","value":"ERROR","error":{"type":"A"},"error":{"type":"B","type":"C"}}}]}})",
            R"({"eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"v"},"signals":[{"code":"a-b","status":{"value":"ERROR","value":"OK"}}]}})",
            R"({"eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"v"},"signals":[{"name":"N","group":"G","group":"H","body":{}}]}})",
            R"({"eventType":"VEHICLE_ERROR","data":{"vehicle":{"id":"v"},"errors":[{"type":7,"type":"T","code":"a","code":"b","resolution":{"type":"R","type":"S"},"signals":["A.B",{"code":"c","code":"d"}]}]}})",
        };
        for (const QByteArray &body : bodies)
            compare(body, QString::fromUtf8(body));
        QByteArray real = fixture("polestar_2_all.json");
        real.insert(real.lastIndexOf('}'),
                    ",\"eventId\":\"appended\",\"data\":{\"vehicle\":{\"id\":\"other\"}}");
        compare(real, QStringLiteral("a second data object appended to a real delivery"));
    }

    void cleanupTestCase() { qInfo("%d bodies decoded both ways", m_compared); }
};

QTEST_GUILESS_MAIN(tst_PayloadDecoderParity)
#include "tst_PayloadDecoderParity.moc"
