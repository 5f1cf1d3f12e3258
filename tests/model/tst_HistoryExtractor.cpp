// Which history points a delivered signal gives, and in which units.

#include "model/HistoryExtractor.h"

#include <QJsonArray>
#include <QtTest>

using model::HistoryExtractor;
using model::HistorySample;
using model::SignalValue;

namespace {
SignalValue sig(const QString &code, const QJsonObject &body, qint64 oem = 1000) {
    SignalValue s;
    s.code = code;
    s.body = body;
    s.oemUpdatedAt = oem;
    return s;
}
double valueOf(const QList<HistorySample> &samples, const QString &field) {
    for (const auto &s : samples)
        if (s.field == field)
            return s.value;
    return qQNaN();
}
} // namespace

class tst_HistoryExtractor : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void percentAndDistanceAreNormalised() {
        QCOMPARE(
            valueOf(HistoryExtractor::samples("v", sig("tractionbattery-stateofcharge", {{"value", 0.77}})),
                    "value"),
            77.0);
        QCOMPARE(valueOf(HistoryExtractor::samples(
                             "v", sig("tractionbattery-stateofcharge", {{"value", 78}, {"unit", "percent"}})),
                         "value"),
                 78.0);
        QCOMPARE(valueOf(HistoryExtractor::samples(
                             "v", sig("tractionbattery-stateofcharge", {{"percentage", 75}})),
                         "percentage"),
                 75.0);
        QCOMPARE(valueOf(HistoryExtractor::samples(
                             "v", sig("odometer-traveleddistance", {{"value", 10}, {"unit", "miles"}})),
                         "value"),
                 16.09344);
        QCOMPARE(valueOf(HistoryExtractor::samples(
                             "v", sig("tractionbattery-range", {{"value", 300}, {"unit", "km"}})),
                         "value"),
                 300.0);
    }

    void everyNumericOrBooleanFieldIsKept() {
        const auto location =
            HistoryExtractor::samples("v", sig("location-preciselocation",
                                               {{"latitude", 52.2}, {"longitude", 0.15}, {"heading", 132}}));
        QCOMPARE(location.size(), 3);
        QCOMPARE(valueOf(location, "latitude"), 52.2);
        const auto trunk = HistoryExtractor::samples(
            "v", sig("closure-reartrunk", {{"isOpen", true}, {"isLocked", QJsonValue()}}));
        QCOMPARE(trunk.size(), 1);
        QCOMPARE(valueOf(trunk, "isOpen"), 1.0);
        const auto unknown =
            HistoryExtractor::samples("v", sig("brandnew-signal", {{"value", 7}, {"label", "x"}}));
        QCOMPARE(unknown.size(), 1);
        QCOMPARE(unknown.first().code, QStringLiteral("brandnew-signal"));
    }

    void doorArraysGiveAnOpenCount() {
        const QJsonArray doors{QJsonObject{{"isOpen", true}}, QJsonObject{{"isOpen", true}},
                               QJsonObject{{"isOpen", false}}};
        const auto samples = HistoryExtractor::samples(
            "v", sig("closure-doors", {{"values", doors}, {"rowCount", 2}, {"columnCount", 2}}));
        QCOMPARE(samples.size(), 1); // rowCount and columnCount are shape, not readings
        QCOMPARE(samples.first().field, QStringLiteral("openCount"));
        QCOMPARE(samples.first().value, 2.0);
    }

    void staticErrorAndEmptySignalsGiveNothing() {
        QVERIFY(
            HistoryExtractor::samples("v", sig("vehicleidentification-vin", {{"value", 5}}, 0)).isEmpty());
        SignalValue failed = sig("charge-voltage", {});
        failed.error = QJsonObject{{"type", "SERVER"}};
        QVERIFY(HistoryExtractor::samples("v", failed).isEmpty());
        QVERIFY(HistoryExtractor::samples("v", sig("diagnostics-airbag", {{"status", "OK"}})).isEmpty());
    }

    void samplesCarryVehicleCodeAndTime() {
        const auto samples =
            HistoryExtractor::samples("car-9", sig("charge-ischarging", {{"value", false}}, 1234));
        QCOMPARE(samples.size(), 1);
        QCOMPARE(samples.first(), (HistorySample{"car-9", "charge-ischarging", "value", 1234, 0.0}));
    }
};

QTEST_GUILESS_MAIN(tst_HistoryExtractor)
#include "tst_HistoryExtractor.moc"
