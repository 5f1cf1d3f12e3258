// A desktop following a shared fleet, end to end: a real ingest node (`fleetmon --headless
// --database`) fed by fleetsim writes to a throwaway PostgreSQL server. The desktop's service, status
// relay and main window, put together as DesktopSession does, show the fleet and go live; when the
// server stops, the amber banner says so (with the reason and the next try) and the status bar says
// "reconnecting…"; when it is back, the banner goes and new deliveries arrive again. The real
// `fleetmon --database` binary, started later on the same data folder, has the fleet in its table
// from its replica. Renders PNG files on the way (FLEETMON_SCREENSHOT_DIR, else the build folder).

#include "app/AppOptions.h"
#include "app/SharedFleetService.h"
#include "app/SharedFleetStatusRelay.h"
#include "model/DeliveryLogModel.h"
#include "model/FleetTableModel.h"
#include "model/FleetUpdateQueue.h"
#include "store/DeliveryDetailService.h"
#include "store/HistoryQueryService.h"
#include "support/FleetmonProcess.h"
#include "support/PostgresCluster.h"
#include "ui/DeliveryInspector.h"
#include "ui/MainWindow.h"
#include "ui/SharedFleetBanner.h"

#include <QLabel>
#include <QProcess>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest>

using testsupport::FleetmonProcess;
using testsupport::PostgresCluster;
using State = model::SharedFleetStatus::State;

namespace {

const QByteArray kAmt = "shared-desktop-amt";
constexpr int kVehicles = 12;

QString screenshotDir() {
    const QString dir = qEnvironmentVariable("FLEETMON_SCREENSHOT_DIR", QDir::currentPath() + "/screenshots");
    QDir().mkpath(dir);
    return dir;
}

void save(QWidget *w, const QString &name) {
    const QString path = QDir(screenshotDir()).filePath(name);
    QVERIFY(w->grab().save(path));
    qInfo("wrote %s", qPrintable(path));
}

// fleetsim posting `count` deliveries for kVehicles vehicles to a node, retrying like Smartcar.
bool postDeliveries(quint16 port, const QString &amtFile, quint64 seed, int count, QByteArray *output) {
    QProcess sim;
    sim.setProcessChannelMode(QProcess::MergedChannels);
    sim.start(QStringLiteral(FLEETSIM_BINARY),
              {"--url", QStringLiteral("http://127.0.0.1:%1/webhooks/smartcar").arg(port), "--amt-file",
               amtFile, "--vehicles", QString::number(kVehicles), "--count", QString::number(count), "--rate",
               "0", "--connections", "2", "--seed", QString::number(seed), "--retry"});
    const bool finished = sim.waitForFinished(60000);
    *output = sim.readAll();
    return finished && sim.exitStatus() == QProcess::NormalExit && sim.exitCode() == 0 &&
           output->contains("acknowledged:  " + QByteArray::number(count));
}

} // namespace

class tst_DesktopSharedFleet : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_tmp;
    PostgresCluster m_cluster;
    QString m_amtFile;
    QString m_url;

private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true); // window layout settings of a test, not the user's
        QSettings().clear();
        QVERIFY(m_tmp.isValid());
        QString error;
        // fsync off: the server's durability is not what this test is about.
        QVERIFY2(m_cluster.start(&error, false), qPrintable(error));
        m_url = m_cluster.url();
        m_amtFile = m_tmp.filePath("amt");
        QFile f(m_amtFile);
        QVERIFY(f.open(QIODevice::WriteOnly) && f.write(kAmt + "\n") > 0);
    }

    void windowFollowsTheFleetThroughAnOutage() {
        FleetmonProcess node(m_tmp.filePath("node"), kAmt);
        QVERIFY2(node.start({"--database", m_url}), node.process().readAllStandardError().constData());
        QByteArray out;
        QElapsedTimer clock;
        clock.start();
        QVERIFY2(postDeliveries(node.port(), m_amtFile, 1, 120, &out), out.constData());
        qInfo("node up, 120 deliveries stored: %lld ms", clock.elapsed());

        app::AppOptions options;
        options.dataDir = m_tmp.filePath("desktop");
        options.databaseUrl = m_url;
        app::SharedFleetStatusRelay status;
        model::FleetUpdateQueue updates;
        app::SharedFleetService service;
        service.setStatusListener([&status](const model::SharedFleetStatus &s) { status.report(s); });
        QString error;
        QVERIFY2(service.start(options, &updates, &error), qPrintable(error));
        store::HistoryQueryService history;
        store::DeliveryDetailService details;
        QVERIFY2(history.open(service.replicaPath(), &error), qPrintable(error));
        QVERIFY2(details.open(service.replicaPath(), &error), qPrintable(error));
        ui::MainWindowServices services{&updates, &service, &history, &details};
        services.sharedFleet = service.displayName();
        ui::MainWindow window(services);
        status.attach(&window);
        window.resize(1280, 720);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY2(window.windowTitle().contains(service.displayName()), qPrintable(window.windowTitle()));

        // The fleet the node stored, and live.
        QTRY_COMPARE_WITH_TIMEOUT(window.tableModel()->rowCount(), kVehicles, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(status.status().state, State::Live, 30000);
        qInfo("desktop live: %lld ms", clock.elapsed());
        ui::SharedFleetBanner *banner = window.sharedFleetBanner();
        QVERIFY(banner);
        QVERIFY(!banner->isVisible());
        auto *endpoint = window.statusBar()->findChild<QLabel *>(QStringLiteral("endpointLabel"));
        QVERIFY(endpoint);
        QVERIFY2(endpoint->text().startsWith(QStringLiteral("Shared fleet: postgresql://")) &&
                     endpoint->text().endsWith(QStringLiteral(" — live")),
                 qPrintable(endpoint->text()));
        // Only ingest nodes take deliveries: nothing here offers to replay one.
        QVERIFY(window.deliveryInspector());
        QVERIFY(window.deliveryInspector()->replayButton()->isHidden());

        // The server goes away: amber, with why and when the next try is.
        QVERIFY2(m_cluster.stopServer(&error), qPrintable(error));
        QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible() && banner->warning(), 30000);
        QVERIFY2(banner->text().startsWith(
                     QStringLiteral("Connection to the shared fleet (%1) lost").arg(service.displayName())),
                 qPrintable(banner->text()));
        QTRY_VERIFY2_WITH_TIMEOUT(banner->text().contains(QStringLiteral("Reconnecting in")),
                                  qPrintable(banner->text()), 30000);
        QVERIFY2(endpoint->text().endsWith(QStringLiteral(" — reconnecting…")), qPrintable(endpoint->text()));
        qInfo("outage shown: %lld ms", clock.elapsed());
        QTest::qWait(100); // the status bar lays out the longer text
        save(&window, QStringLiteral("shared-fleet-outage.png"));

        // Back: the banner goes, and what the node stores arrives again.
        QVERIFY2(m_cluster.startServer(&error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(status.status().state, State::Live, 60000);
        QVERIFY(!banner->isVisible());
        qInfo("live again: %lld ms", clock.elapsed());
        const int logged = window.deliveryLog()->rowCount();
        QVERIFY2(postDeliveries(node.port(), m_amtFile, 2, 40, &out), out.constData());
        QTRY_VERIFY_WITH_TIMEOUT(window.deliveryLog()->rowCount() >= logged + 40, 30000);
        QTRY_COMPARE_WITH_TIMEOUT(window.tableModel()->rowCount(), 2 * kVehicles, 30000); // another seed's
        qInfo("outage and back: %lld ms", clock.elapsed());

        service.stop();
        QCOMPARE(node.stop(), 0);
    }

    // The real binary: DesktopSession's own wiring, on the replica the first test filled.
    void binaryShowsTheFleetFromItsReplica() {
        QProcess desktop;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert("QT_QPA_PLATFORM", "offscreen");
        env.insert("FLEETMON_REPORT_INTERACTIVE", "1");
        env.insert("FLEETMON_NO_KEYCHAIN", "1");
        env.insert("XDG_CONFIG_HOME", m_tmp.filePath("config")); // not the user's settings
        desktop.setProcessEnvironment(env);
        desktop.start(QStringLiteral(FLEETMON_BINARY),
                      {"--database", m_url, "--data-dir", m_tmp.filePath("desktop")});
        QVERIFY(desktop.waitForStarted(10000));
        QByteArray err;
        QElapsedTimer clock;
        clock.start();
        const QByteArray expected =
            "fleetmon: interactive: " + QByteArray::number(2 * kVehicles) + " vehicles in the table";
        while (!err.contains(expected) && clock.elapsed() < 60000 && desktop.state() == QProcess::Running) {
            desktop.waitForReadyRead(500);
            err += desktop.readAllStandardError();
        }
        desktop.terminate();
        if (!desktop.waitForFinished(15000))
            desktop.kill();
        QVERIFY2(err.contains(expected), err.constData());
        QVERIFY2(!err.contains("listening on"), err.constData()); // no endpoint of its own
        qInfo("the binary's table filled from its replica in %lld ms", clock.elapsed());
    }
};

QTEST_MAIN(tst_DesktopSharedFleet)
#include "tst_DesktopSharedFleet.moc"
