// What the setup wizard saves comes back the same, and the secrets stay private and apart.

#include "app/SetupStore.h"

#include <QFile>
#include <QSettings>
#include <QStandardPaths>
#include <QtTest>

class tst_SetupStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true); // ~/.qttest: never the user's real settings
        // These checks are about the file: the same on a desktop with a keyring as in CI.
        qputenv("FLEETMON_NO_KEYCHAIN", QByteArray("1"));
        QCoreApplication::setOrganizationName(QStringLiteral("FleetMonitorTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_SetupStore"));
        QSettings().clear();
        QFile::remove(app::SetupStore::secretsPath());
    }

    void savedValuesReload() {
        QVERIFY(!app::SetupStore::isConfigured());
        model::SetupValues v;
        v.amt = QStringLiteral("amt-0123456789abcdef");
        v.webhookId = QStringLiteral("5a8e5e38-1e12-4011-a36d-56f120053f9e");
        v.clientId = QStringLiteral("client-1234");
        v.clientSecret = QStringLiteral("secret-very-secret");
        v.tunnel = model::SetupValues::Tunnel::Custom;
        v.customTunnelCommand = QStringLiteral("mytunnel --port {port}");
        v.customTunnelUrlPattern = QStringLiteral("https://\\\\S+");
        v.listenAddress = QStringLiteral("127.0.0.1:9000");
        v.dataDir = QStringLiteral("/srv/fleet");
        QString error;
        QVERIFY2(app::SetupStore::save(v, &error), qPrintable(error));
        QCOMPARE(app::SetupStore::load(), v);
        QVERIFY(app::SetupStore::isConfigured());
    }

    void secretsAreOnlyInThePrivateFile() {
        const QString secrets = app::SetupStore::secretsPath();
        QCOMPARE(QFile::permissions(secrets) & ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
                 QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        QFile settingsFile(QSettings().fileName());
        QVERIFY(settingsFile.open(QIODevice::ReadOnly));
        const QByteArray ordinary = settingsFile.readAll();
        QVERIFY(!ordinary.contains("amt-0123456789abcdef"));
        QVERIFY(!ordinary.contains("secret-very-secret"));
        QFile secretsFile(secrets);
        QVERIFY(secretsFile.open(QIODevice::ReadOnly));
        QVERIFY(secretsFile.readAll().contains("amt-0123456789abcdef"));
    }
};

QTEST_GUILESS_MAIN(tst_SetupStore)
#include "tst_SetupStore.moc"
