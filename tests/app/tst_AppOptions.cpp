// Where the endpoint listens and how it says so: loopback 127.0.0.1:8787 unless told otherwise; an
// address other machines reach gets a warning (what is exposed, and that a tunnel or TLS is the
// expected way) on the real binary's stderr; --tls-cert and --tls-key, or their settings, go together.

#include "app/AppOptions.h"
#include "support/FleetmonProcess.h"
#include "support/RawHttpClient.h"

#include <QSettings>
#include <QStandardPaths>
#include <QtTest>

class tst_AppOptions final : public QObject {
    Q_OBJECT

    static bool parse(const QStringList &arguments, app::AppOptions *options, QString *error) {
        return app::parseCommandLine(QStringList{QStringLiteral("fleetmon")} + arguments, options, error);
    }

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true); // ~/.qttest: never the user's real settings
        qputenv("FLEETMON_NO_KEYCHAIN", QByteArray("1"));
        qputenv("FLEETMON_AMT", QByteArray("options-test-amt"));
        QCoreApplication::setOrganizationName(QStringLiteral("FleetMonitorTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_AppOptions"));
        QSettings().clear();
    }
    void cleanup() { QSettings().clear(); }

    void defaultIsLoopback() {
        for (const QStringList &arguments : {QStringList{QStringLiteral("--headless")}, QStringList{}}) {
            app::AppOptions options;
            QString error;
            QVERIFY2(parse(arguments, &options, &error), qPrintable(error));
            QCOMPARE(options.listenAddress, QHostAddress(QHostAddress::LocalHost));
            QCOMPARE(options.listenPort, quint16(8787));
            QVERIFY(!options.tls());
            QCOMPARE(options.exposureWarning(), QString());
        }
    }

    void addressBeyondLoopbackIsExplained_data() {
        QTest::addColumn<QString>("listen");
        QTest::addColumn<QString>("shown");
        QTest::addColumn<bool>("warns");
        QTest::newRow("any IPv4") << "0.0.0.0:9000"
                                  << "0.0.0.0:9000" << true;
        QTest::newRow("any IPv6") << "[::]:9000"
                                  << "[::]:9000" << true;
        QTest::newRow("a LAN address") << "192.168.1.20:8787"
                                       << "192.168.1.20:8787" << true;
        QTest::newRow("loopback") << "127.0.0.1:9000"
                                  << "" << false;
        QTest::newRow("another loopback") << "127.0.0.2:9000"
                                          << "" << false;
        QTest::newRow("IPv6 loopback") << "[::1]:9000"
                                       << "" << false;
        QTest::newRow("localhost") << "localhost:9000"
                                   << "" << false;
    }

    void addressBeyondLoopbackIsExplained() {
        QFETCH(QString, listen);
        QFETCH(QString, shown);
        QFETCH(bool, warns);
        app::AppOptions options;
        QString error;
        QVERIFY2(parse({QStringLiteral("--headless"), QStringLiteral("--listen"), listen}, &options, &error),
                 qPrintable(error));
        const QString warning = options.exposureWarning();
        if (!warns) {
            QCOMPARE(warning, QString());
            return;
        }
        QVERIFY2(warning.contains(shown), qPrintable(warning));
        QVERIFY2(warning.contains(QStringLiteral("other machines")), qPrintable(warning));
        QVERIFY2(warning.contains(QStringLiteral("plain HTTP")), qPrintable(warning));
        QVERIFY2(warning.contains(QStringLiteral("tunnel")), qPrintable(warning));
        QVERIFY2(warning.contains(QStringLiteral("--tls-cert")), qPrintable(warning));
        // With TLS the traffic is no longer readable; the exposure itself is still said.
        options.tlsCertificateFile = QStringLiteral("/c.pem");
        options.tlsKeyFile = QStringLiteral("/k.pem");
        const QString withTls = options.exposureWarning();
        QVERIFY2(withTls.contains(QStringLiteral("over HTTPS")) && withTls.contains(shown),
                 qPrintable(withTls));
        QVERIFY(!withTls.contains(QStringLiteral("plain HTTP")));
    }

    void tlsFilesGoTogether() {
        app::AppOptions options;
        QString error;
        QVERIFY(parse({QStringLiteral("--headless"), QStringLiteral("--tls-cert"), QStringLiteral("/c.pem"),
                       QStringLiteral("--tls-key"), QStringLiteral("/k.pem")},
                      &options, &error));
        QVERIFY(options.tls());
        QCOMPARE(options.redirectUri, QString()); // headless has no OAuth redirect
        app::AppOptions gui;
        QVERIFY(parse({QStringLiteral("--tls-cert"), QStringLiteral("/c.pem"), QStringLiteral("--tls-key"),
                       QStringLiteral("/k.pem")},
                      &gui, &error));
        QCOMPARE(gui.redirectUri, QStringLiteral("https://127.0.0.1:8787/oauth/callback"));

        app::AppOptions half;
        QVERIFY(!parse({QStringLiteral("--headless"), QStringLiteral("--tls-key"), QStringLiteral("/k.pem")},
                       &half, &error));
        QVERIFY2(error.contains(QStringLiteral("--tls-cert and --tls-key go together")), qPrintable(error));
    }

    void tlsFilesFromTheSettings() {
        QSettings settings;
        settings.setValue(QStringLiteral("endpoint/tlsCertificate"),
                          QStringLiteral("/etc/fleetmon/cert.pem"));
        settings.setValue(QStringLiteral("endpoint/tlsKey"), QStringLiteral("/etc/fleetmon/key.pem"));
        settings.sync();
        app::AppOptions options;
        QString error;
        QVERIFY2(parse({QStringLiteral("--headless")}, &options, &error), qPrintable(error));
        QCOMPARE(options.tlsCertificateFile, QStringLiteral("/etc/fleetmon/cert.pem"));
        QCOMPARE(options.tlsKeyFile, QStringLiteral("/etc/fleetmon/key.pem"));
        // The command line wins.
        app::AppOptions overridden;
        QVERIFY(parse({QStringLiteral("--headless"), QStringLiteral("--tls-cert"), QStringLiteral("/c.pem"),
                       QStringLiteral("--tls-key"), QStringLiteral("/k.pem")},
                      &overridden, &error));
        QCOMPARE(overridden.tlsCertificateFile, QStringLiteral("/c.pem"));

        settings.remove(QStringLiteral("endpoint/tlsKey"));
        settings.sync();
        app::AppOptions half;
        QVERIFY(!parse({QStringLiteral("--headless")}, &half, &error));
        QVERIFY2(error.contains(QStringLiteral("endpoint/tlsKey")), qPrintable(error));
    }

    void realBinaryWarnsOnStderr() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        // Loopback: nothing to say.
        {
            testsupport::FleetmonProcess fleetmon(dir.filePath(QStringLiteral("loopback")));
            QVERIFY(fleetmon.start());
            QCOMPARE(fleetmon.stop(), 0);
            const QByteArray err = fleetmon.process().readAllStandardError();
            QVERIFY2(!err.contains("warning: the endpoint listens"), err.constData());
        }
        // Every interface: said once, before anything is received. Reached here through loopback only.
        testsupport::FleetmonProcess fleetmon(dir.filePath(QStringLiteral("any")));
        QVERIFY(fleetmon.start({QStringLiteral("--listen"), QStringLiteral("0.0.0.0:0")}));
        QCOMPARE(fleetmon.url().host(), QStringLiteral("0.0.0.0"));
        testsupport::RawHttpClient client(fleetmon.port());
        QVERIFY(client.waitConnected());
        client.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        testsupport::RawResponse r;
        QVERIFY(client.read(&r));
        QCOMPARE(r.status, 200);
        QCOMPARE(fleetmon.stop(), 0);
        const QByteArray err = fleetmon.process().readAllStandardError();
        QVERIFY2(err.contains("fleetmon: warning: the endpoint listens on 0.0.0.0:"), err.constData());
        QVERIFY2(err.contains("every network interface"), err.constData());
        QVERIFY2(err.contains("tunnel that terminates HTTPS"), err.constData());
        QCOMPARE(err.count("warning: the endpoint listens"), 1);
    }
};

QTEST_GUILESS_MAIN(tst_AppOptions)
#include "tst_AppOptions.moc"
