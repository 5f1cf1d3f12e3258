// Without a Secret Service (CI, servers, this machine) the vault falls back to the private file, says
// so, never hangs on the probe, and keeps secrets out of the ordinary settings.

#include "app/SecretVault.h"
#include "app/SetupStore.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSettings>
#include <QStandardPaths>
#include <QtTest>

#include <sys/stat.h>

using app::SecretVault;

namespace {
int privateBits(const QString &path) {
    struct stat st {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? int(st.st_mode & 0777) : -1;
}
} // namespace

class tst_SecretVault : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true); // ~/.qttest: never the user's real settings
        QCoreApplication::setOrganizationName(QStringLiteral("FleetMonitorTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_SecretVault"));
        QSettings().clear();
        QFile::remove(SecretVault::filePath());
    }

    void noSessionBusFallsBackWithoutHanging() {
        // No D-Bus session at all: the probe must fail fast (or time out), never block start-up.
        qunsetenv("FLEETMON_NO_KEYCHAIN");
        qunsetenv("DBUS_SESSION_BUS_ADDRESS");
        qputenv("XDG_RUNTIME_DIR", QByteArray("/nonexistent-fleetmon-test"));
        SecretVault &vault = SecretVault::instance();
        vault.reprobe();
        QElapsedTimer timer;
        timer.start();
        QCOMPARE(vault.backend(), SecretVault::Backend::File);
        QVERIFY2(timer.elapsed() < 8000, qPrintable(QString::number(timer.elapsed())));
        QVERIFY(vault.warning().contains(SecretVault::filePath()));
    }

    void forcedFileBackend() {
        qputenv("FLEETMON_NO_KEYCHAIN", QByteArray("1"));
        SecretVault &vault = SecretVault::instance();
        vault.reprobe();
        QCOMPARE(vault.backend(), SecretVault::Backend::File);
        QVERIFY(!vault.warning().isEmpty());
        QVERIFY(vault.warning().contains(SecretVault::filePath()));
        QCOMPARE(app::SetupStore::secretsPath(), SecretVault::filePath());
    }

    void roundTripInAPrivateFile() {
        SecretVault &vault = SecretVault::instance();
        QString value, error;
        QVERIFY2(vault.read(QStringLiteral("missing"), &value, &error), qPrintable(error));
        QVERIFY(value.isEmpty());
        QVERIFY2(vault.write(QStringLiteral("amt"), QStringLiteral("amt-vault-0123456789"), &error),
                 qPrintable(error));
        QVERIFY2(vault.read(QStringLiteral("amt"), &value, &error), qPrintable(error));
        QCOMPARE(value, QStringLiteral("amt-vault-0123456789"));
        QCOMPARE(QFile::permissions(SecretVault::filePath()) &
                     ~(QFileDevice::ReadUser | QFileDevice::WriteUser),
                 QFileDevice::ReadOwner | QFileDevice::WriteOwner);
        QVERIFY(vault.remove(QStringLiteral("amt")));
        QVERIFY(vault.read(QStringLiteral("amt"), &value, &error));
        QVERIFY(value.isEmpty());
    }

    void rewritingKeepsTheFilePrivate() {
        // The settings file is rewritten through a temporary file renamed into place: the new file
        // must be as private as the old one, whatever the umask.
        SecretVault &vault = SecretVault::instance();
        QString error;
        const mode_t previous = ::umask(0);
        for (const char *value : {"amt-one-0123456789", "amt-two-0123456789", "amt-three-0123456789"})
            QVERIFY2(vault.write(QStringLiteral("amt"), QString::fromLatin1(value), &error),
                     qPrintable(error));
        ::umask(previous);
        QCOMPARE(privateBits(SecretVault::filePath()), 0600);
        QVERIFY(vault.remove(QStringLiteral("amt")));
    }

    void looseFileIsMadePrivateOnRead() {
        // A secrets file restored from a backup or copied by hand may be readable by everyone: the
        // first read closes it, before the app relies on what it holds.
        SecretVault &vault = SecretVault::instance();
        QString value, error;
        QVERIFY2(vault.write(QStringLiteral("amt"), QStringLiteral("amt-loose-0123456789"), &error),
                 qPrintable(error));
        QVERIFY(QFile::setPermissions(SecretVault::filePath(),
                                      QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                          QFileDevice::ReadGroup | QFileDevice::ReadOther));
        QCOMPARE(privateBits(SecretVault::filePath()), 0644);
        QVERIFY2(vault.read(QStringLiteral("amt"), &value, &error), qPrintable(error));
        QCOMPARE(value, QStringLiteral("amt-loose-0123456789"));
        QCOMPARE(privateBits(SecretVault::filePath()), 0600);
        QVERIFY(vault.remove(QStringLiteral("amt")));
    }

    void setupSecretsStayOutOfTheSettings() {
        model::SetupValues v;
        v.amt = QStringLiteral("amt-setup-vault-42");
        v.clientSecret = QStringLiteral("client-secret-vault-42");
        v.clientId = QStringLiteral("client-id-42");
        QString error;
        QVERIFY2(app::SetupStore::save(v, &error), qPrintable(error));
        QCOMPARE(app::SetupStore::load(), v);
        QFile settingsFile(QSettings().fileName());
        QVERIFY(settingsFile.open(QIODevice::ReadOnly));
        const QByteArray ordinary = settingsFile.readAll();
        QVERIFY(ordinary.contains("client-id-42"));
        QVERIFY(!ordinary.contains("amt-setup-vault-42"));
        QVERIFY(!ordinary.contains("client-secret-vault-42"));
        QFile secrets(SecretVault::filePath());
        QVERIFY(secrets.open(QIODevice::ReadOnly));
        QVERIFY(secrets.readAll().contains("client-secret-vault-42"));
    }
};

QTEST_GUILESS_MAIN(tst_SecretVault)
#include "tst_SecretVault.moc"
