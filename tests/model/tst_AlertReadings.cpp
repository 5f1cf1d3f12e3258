// What the alert rules read from signals: here, which codes name an airbag.

#include "model/AlertReadings.h"

#include <QtTest>

using model::AlertReadings;

class tst_AlertReadings : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void airbagCodes_data() {
        QTest::addColumn<QString>("code");
        QTest::addColumn<bool>("airbag");
        QTest::newRow("catalogue") << QStringLiteral("airbag-deployment") << true;
        QTest::newRow("inside") << QStringLiteral("safety-frontairbagdeployed") << true;
        QTest::newRow("at the end") << QStringLiteral("front-airbag") << true;
        QTest::newRow("mixed case") << QStringLiteral("Safety-AirBag") << true;
        QTest::newRow("upper case") << QStringLiteral("AIRBAG") << true;
        QTest::newRow("after a false start") << QStringLiteral("airairbag") << true;
        QTest::newRow("not a signal of it") << QStringLiteral("tractionbattery-stateofcharge") << false;
        QTest::newRow("cut short") << QStringLiteral("airba") << false;
        QTest::newRow("empty") << QString() << false;
        // Next to the letters in ASCII ('@' comes before 'A', '`' before 'a'), but no letters.
        QTest::newRow("grave accent") << QStringLiteral("`irbag") << false;
        QTest::newRow("at sign") << QStringLiteral("@IRBAG") << false;
        // Beyond ASCII, Qt's case folding decides.
        QTest::newRow("accent elsewhere") << QStringLiteral(u"s\u00e9curit\u00e9-airbag") << true;
        QTest::newRow("fullwidth") << QStringLiteral(u"\uff41\uff49\uff52\uff42\uff41\uff47") << false;
        QTest::newRow("dotted capital I") << QStringLiteral(u"a\u0130rbag") << false;
    }
    void airbagCodes() {
        QFETCH(QString, code);
        QFETCH(bool, airbag);
        QCOMPARE(AlertReadings::isAirbagCode(code), airbag);
        // The reading it replaces, for every row.
        QCOMPARE(AlertReadings::isAirbagCode(code),
                 code.contains(QLatin1String("airbag"), Qt::CaseInsensitive));
    }
};

QTEST_GUILESS_MAIN(tst_AlertReadings)
#include "tst_AlertReadings.moc"
