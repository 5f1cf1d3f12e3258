// Alert rule settings (QSettings round trip, defaults for nonsense) and the persisted alert names.

#include "model/Alert.h"
#include "model/AlertRuleSettings.h"

#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

using model::AlertKind;
using model::AlertRuleSettings;
using model::AlertSeverity;

class tst_AlertRuleSettings final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void kindAndSeverityNamesRoundTrip() {
        for (AlertKind kind : {AlertKind::Airbag, AlertKind::OpenClosure, AlertKind::LowBattery,
                               AlertKind::Silent, AlertKind::VehicleError}) {
            AlertKind back = AlertKind::Silent;
            QVERIFY(model::alertKindFromName(model::alertKindName(kind), &back));
            QCOMPARE(back, kind);
        }
        QCOMPARE(model::alertKindName(AlertKind::OpenClosure), QStringLiteral("open-closure"));
        QCOMPARE(model::alertSeverityName(AlertSeverity::Critical), QStringLiteral("critical"));
        AlertSeverity severity = AlertSeverity::Info;
        QVERIFY(model::alertSeverityFromName(QStringLiteral(" Warning "), &severity));
        QCOMPARE(severity, AlertSeverity::Warning);
        AlertKind untouched = AlertKind::Airbag;
        QVERIFY(!model::alertKindFromName(QStringLiteral("door"), &untouched));
        QCOMPARE(untouched, AlertKind::Airbag);
    }

    void settingsRoundTrip() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("fleetmon.ini"));
        {
            QSettings empty(path, QSettings::IniFormat);
            QCOMPARE(AlertRuleSettings::load(empty), AlertRuleSettings());
        }
        AlertRuleSettings custom;
        custom.lowBatteryPercent = 15.5;
        custom.lowBatteryHysteresis = 3;
        custom.closureOpenDelayMinutes = 10;
        custom.silentAfterHours = 48;
        custom.silentEnabled = false;
        custom.setEnabled(AlertKind::VehicleError, false);
        {
            QSettings settings(path, QSettings::IniFormat);
            custom.save(settings);
        }
        {
            QSettings settings(path, QSettings::IniFormat);
            QCOMPARE(AlertRuleSettings::load(settings), custom);
            QCOMPARE(settings.value("alerts/closureOpenDelayMinutes").toInt(), 10);
            QCOMPARE(settings.value("alerts/enabled/vehicle-error").toBool(), false);
            // Hand-edited nonsense falls back to the defaults.
            settings.setValue("alerts/lowBatteryPercent", "lots");
            settings.setValue("alerts/silentAfterHours", -3);
            settings.setValue("alerts/enabled/airbag", "maybe");
        }
        QSettings settings(path, QSettings::IniFormat);
        const AlertRuleSettings loaded = AlertRuleSettings::load(settings);
        QCOMPARE(loaded.lowBatteryPercent, 20.0);
        QCOMPARE(loaded.silentAfterHours, 24);
        QVERIFY(loaded.airbagEnabled);
        QCOMPARE(loaded.closureOpenDelayMinutes, 10);
    }
};

QTEST_GUILESS_MAIN(tst_AlertRuleSettings)
#include "tst_AlertRuleSettings.moc"
