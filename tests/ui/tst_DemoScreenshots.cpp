// Renders the whole app on the demo fleet, as `fleetmon --demo` shows it, to PNG files: the real
// pipeline, the simulated fleet posting signed webhooks over HTTP, the read-side services and the
// main window. scripts/screenshots runs it with FLEETMON_SCREENSHOT_DIR=docs/screenshots; under
// ctest the pictures go to the build folder and the test checks what they show.

#include "app/DemoFleetDriver.h"
#include "app/IngestService.h"
#include "model/AlertModel.h"
#include "model/DeliveryLogModel.h"
#include "model/FleetTableModel.h"
#include "model/FleetUpdateQueue.h"
#include "smartcar/Signature.h"
#include "store/DeliveryDetailService.h"
#include "store/HistoryQueryService.h"
#include "support/RawHttpClient.h"
#include "ui/AlertBanner.h"
#include "ui/ChartPanel.h"
#include "ui/MainWindow.h"
#include "ui/VehicleDetailPanel.h"
#include "ui/VehicleTablePanel.h"

#include <QDockWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

namespace {
const QByteArray kAmt = "demo-screenshots";

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
} // namespace

class tst_DemoScreenshots : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true); // window layout settings of a test, not the user's
        QSettings().clear();
    }

    void demoFleetOnScreen() {
        QTemporaryDir tmp;
        app::AppOptions options;
        options.mode = app::AppOptions::Mode::Demo;
        options.listenPort = 0;
        options.dataDir = tmp.path();
        options.amt = kAmt;
        model::FleetUpdateQueue updates;
        app::IngestService ingest;
        QString error;
        QVERIFY2(ingest.start(options, &updates, &error), qPrintable(error));
        store::HistoryQueryService history;
        store::DeliveryDetailService details;
        QVERIFY(history.open(options.journalPath(), &error));
        QVERIFY(details.open(options.journalPath(), &error));

        ui::MainWindow window(ui::MainWindowServices{&updates, &ingest, &history, &details});
        window.setEndpointText(QStringLiteral("Listening on %1").arg(ingest.webhookUrl().toString()));
        window.resize(1600, 1000);
        window.show();

        // A fast demo so a few minutes of simulated driving and charging fit in a few seconds.
        app::DemoFleetDriver demo(ingest.webhookUrl(), kAmt, 25, 150.0);
        demo.start();
        QTRY_COMPARE_WITH_TIMEOUT(window.tableModel()->rowCount(), 25, 20000);
        QTest::qWait(4000);

        // An airbag deployment, signed like any delivery, so the banner is in the picture.
        const QString victim = window.tableModel()->rowAt(3)->id;
        const QByteArray body =
            QStringLiteral(R"({"eventId":"screenshot-airbag","eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"%1"},)"
                           R"("signals":[{"code":"diagnostics-airbag","name":"Airbag","group":"Diagnostics","body":)"
                           R"({"status":"ALERT","description":"Driver airbag deployed"},"meta":{"oemUpdatedAt":%2}}]}})")
                .arg(victim)
                .arg(QDateTime::currentMSecsSinceEpoch())
                .toUtf8();
        testsupport::RawHttpClient client(quint16(ingest.webhookUrl().port()));
        QVERIFY(client.waitConnected());
        client.send("POST /webhooks/smartcar HTTP/1.1\r\nHost: x\r\nSC-Signature: " +
                    smartcar::Signature::hmacSha256Hex(kAmt, body) + "\r\nContent-Length: " +
                    QByteArray::number(body.size()) + "\r\n\r\n" + body);
        testsupport::RawResponse r;
        QVERIFY(client.read(&r));
        QCOMPARE(r.status, 200);
        QTRY_VERIFY_WITH_TIMEOUT(window.alertModel()->activeCount() > 0, 5000);

        // Select two vehicles: detail of the first, both overlaid in the charts.
        QTableView *table = window.tablePanel()->view();
        table->selectRow(0);
        QTRY_VERIFY_WITH_TIMEOUT(!window.detailPanel()->shownVehicleId().isEmpty(), 5000);
        QTest::qWait(1500);
        QVERIFY(window.chartPanel()->seriesPointCount() > 0);
        QVERIFY(window.deliveryLog()->rowCount() > 25);
        save(&window, QStringLiteral("main-window.png"));

        table->selectionModel()->select(table->model()->index(1, 0),
                                        QItemSelectionModel::Select | QItemSelectionModel::Rows);
        QTest::qWait(1500);
        save(window.chartPanel(), QStringLiteral("charts-two-vehicles.png"));
        if (auto *dock = window.findChild<QDockWidget *>(QStringLiteral("deliveriesDock"))) {
            dock->raise();
            QTest::qWait(300);
            save(dock, QStringLiteral("delivery-inspector.png"));
        }
        demo.stop();
        ingest.stop();
    }
};

QTEST_MAIN(tst_DemoScreenshots)
#include "tst_DemoScreenshots.moc"
