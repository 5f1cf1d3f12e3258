// The secret environment variables are taken out of the environment on first use: the value stays
// available to the app, and no program it starts (tunnel, browser launcher) inherits it.

#include "app/ProcessHardening.h"

#include <QProcess>
#include <QtTest>

using app::ProcessHardening;

namespace {
QByteArray childEnvironment() {
    QProcess env;
    env.start(QStringLiteral("/usr/bin/env"), {});
    env.waitForFinished(10000);
    return env.readAllStandardOutput();
}
} // namespace

class tst_ProcessHardening : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void secretLeavesTheEnvironment() {
        qputenv("FLEETMON_CLIENT_SECRET", "env-secret-Hq3Zt8Lw1Xm6");
        qputenv("FLEETMON_WEBHOOK_ID", "not-a-secret-wh");
        QVERIFY(childEnvironment().contains("env-secret-Hq3Zt8Lw1Xm6")); // what a child got before

        QCOMPARE(ProcessHardening::environmentSecret("FLEETMON_CLIENT_SECRET"),
                 std::optional<QByteArray>("env-secret-Hq3Zt8Lw1Xm6"));
        QVERIFY(!qEnvironmentVariableIsSet("FLEETMON_CLIENT_SECRET"));
        const QByteArray child = childEnvironment();
        QVERIFY(child.contains("FLEETMON_WEBHOOK_ID=not-a-secret-wh")); // the rest is inherited
        QVERIFY(!child.contains("env-secret-Hq3Zt8Lw1Xm6"));
        QVERIFY(!child.contains("FLEETMON_CLIENT_SECRET"));
        // Still known to the app on every later call.
        QCOMPARE(ProcessHardening::environmentSecret("FLEETMON_CLIENT_SECRET"),
                 std::optional<QByteArray>("env-secret-Hq3Zt8Lw1Xm6"));
    }

    void setAgainIsTakenAgain() {
        qputenv("FLEETMON_AMT", "");
        QCOMPARE(ProcessHardening::environmentSecret("FLEETMON_AMT"), std::optional<QByteArray>(""));
        qputenv("FLEETMON_AMT", "second-amt-Pz7Kd2");
        QCOMPARE(ProcessHardening::environmentSecret("FLEETMON_AMT"),
                 std::optional<QByteArray>("second-amt-Pz7Kd2"));
        QVERIFY(!childEnvironment().contains("second-amt-Pz7Kd2"));
    }

    void neverSetIsNullopt() {
        qunsetenv("FLEETMON_NEVER_SET_SECRET");
        QCOMPARE(ProcessHardening::environmentSecret("FLEETMON_NEVER_SET_SECRET"), std::nullopt);
    }
};

QTEST_GUILESS_MAIN(tst_ProcessHardening)
#include "tst_ProcessHardening.moc"
