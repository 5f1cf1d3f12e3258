// SignalMap: a vehicle's signals by code in one sorted list, with the lookups QHash gave the fleet.

#include "model/SignalMap.h"

#include <QtTest>

using model::SignalMap;
using model::SignalValue;

namespace {
SignalValue sig(const QString &code, double value) {
    SignalValue s;
    s.code = code;
    s.body = QJsonObject{{"value", value}};
    return s;
}
double valueOf(const SignalValue &s) {
    return s.body.value("value").toDouble();
}
} // namespace

class tst_SignalMap final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void insertKeepsCodesSortedAndUnique() {
        SignalMap map;
        for (const char *code : {"odometer-traveleddistance", "charge-ischarging",
                                 "tractionbattery-stateofcharge", "closure-doors", "charge-ischarging"})
            map.insert(QString::fromLatin1(code), sig(QString::fromLatin1(code), double(map.size())));
        QCOMPARE(map.size(), 4);
        QCOMPARE(map.keys(), (QStringList{"charge-ischarging", "closure-doors", "odometer-traveleddistance",
                                          "tractionbattery-stateofcharge"}));
        // The second insert of a code replaced the first.
        QCOMPARE(valueOf(map.value("charge-ischarging")), 4.0);
        QStringList iterated;
        for (auto it = map.cbegin(); it != map.cend(); ++it) {
            QCOMPARE(it.key(), it->code);
            iterated.append(it.key());
        }
        QCOMPARE(iterated, map.keys());
    }

    void lookups() {
        SignalMap map;
        map.insert("b", sig("b", 2));
        map.insert("a", sig("a", 1));
        map.insert("c", sig("c", 3));
        QVERIFY(map.contains("a") && map.contains("c") && !map.contains("bb") && !map.contains(""));
        QCOMPARE(map.constFind("zz"), map.constEnd());
        QCOMPARE(map.constFind("0"), map.constEnd()); // before the first
        QCOMPARE(valueOf(*map.constFind("b")), 2.0);
        QVERIFY(map.value("missing").code.isEmpty());
        QVERIFY(!map.value("missing").hasBody());
        QCOMPARE(valueOf(map["c"]), 3.0);

        // Values change in place through iterators and range-for; codes stay.
        auto it = map.find("a");
        QVERIFY(it != map.end());
        it->retrievedAt = 7;
        for (SignalValue &s : map)
            s.oemUpdatedAt = 9;
        QCOMPARE(map.value("a").retrievedAt, 7);
        QCOMPARE(map.value("c").oemUpdatedAt, 9);
        QCOMPARE(map.find("nope"), map.end());

        map.clear();
        QVERIFY(map.isEmpty());
        QCOMPARE(map.cbegin(), map.cend());
    }

    void insertStoresTheGivenCode() {
        SignalMap map;
        map.insert("x", sig("something else", 1));
        QCOMPARE(map.keys(), QStringList{"x"});
        QCOMPARE(map.value("x").code, QStringLiteral("x"));
    }
};

QTEST_GUILESS_MAIN(tst_SignalMap)
#include "tst_SignalMap.moc"
