// The whole desktop app on the demo fleet, as `fleetmon --demo` shows it: the real pipeline, the
// simulated fleet posting signed webhooks over HTTP, the read-side services and the main window.
// Selecting vehicles fills the detail and the charts; the inspector shows and replays a delivery;
// the airbag banner's Acknowledge reaches the journal. Renders PNG files on the way:
// scripts/screenshots runs it with FLEETMON_SCREENSHOT_DIR=docs/screenshots; under ctest they go
// to the build folder.

#include "app/DemoFleetDriver.h"
#include "app/IngestService.h"
#include "model/AlertModel.h"
#include "model/DeliveryLogModel.h"
#include "model/FleetTableModel.h"
#include "model/FleetUpdateQueue.h"
#include "smartcar/Signature.h"
#include "store/DeliveryDetailService.h"
#include "store/HistoryQueryService.h"
#include "store/JournalReader.h"
#include "support/RawHttpClient.h"
#include "ui/AlertBanner.h"
#include "ui/AlertPanel.h"
#include "ui/ChartPanel.h"
#include "ui/DeliveryInspector.h"
#include "ui/MainWindow.h"
#include "ui/VehicleDetailPanel.h"
#include "ui/VehicleTablePanel.h"

#include <QDockWidget>
#include <QPlainTextEdit>
#include <QPushButton>
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

class tst_DesktopDemo : public QObject {
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
            QStringLiteral(
                R"({"eventId":"screenshot-airbag","eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"%1"},)"
                R"("signals":[{"code":"diagnostics-airbag","name":"Airbag","group":"Diagnostics","body":)"
                R"({"status":"ALERT","description":"Driver airbag deployed"},"meta":{"oemUpdatedAt":%2}}]}})")
                .arg(victim)
                .arg(QDateTime::currentMSecsSinceEpoch())
                .toUtf8();
        testsupport::RawHttpClient client(quint16(ingest.webhookUrl().port()));
        QVERIFY(client.waitConnected());
        client.send("POST /webhooks/smartcar HTTP/1.1\r\nHost: x\r\nSC-Signature: " +
                    smartcar::Signature::hmacSha256Hex(kAmt, body) +
                    "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
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
        // The inspector: select the newest delivery, see its body, replay it.
        auto *dock = window.findChild<QDockWidget *>(QStringLiteral("deliveriesDock"));
        QVERIFY(dock);
        dock->raise();
        ui::DeliveryInspector *inspector = window.deliveryInspector();
        demo.stop(); // a still log, so the selected row stays put
        QTest::qWait(300);
        inspector->view()->selectRow(0);
        QTRY_VERIFY_WITH_TIMEOUT(inspector->bodyView()->toPlainText().contains("eventId"), 5000);
        save(dock, QStringLiteral("delivery-inspector.png"));
        const qint64 replayedId = inspector->selectedJournalId();
        QVERIFY(inspector->replayButton()->isEnabled());
        QTest::mouseClick(inspector->replayButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(window.deliveryLog()->entryAt(0) && window.deliveryLog()->entryAt(0)->replay,
                                 5000);
        QVERIFY(window.deliveryLog()->entryAt(0)->journalId > replayedId);

        // Acknowledging the airbag from the banner ends the alert, in the model and in the journal.
        // The simulated fleet may have deployed airbags of its own: each click ends the one shown.
        ui::AlertBanner *banner = window.alertPanel()->banner();
        QVERIFY(banner->isVisible());
        const int active = window.alertModel()->activeCount();
        int clicks = 0;
        while (banner->isVisible() && clicks < 10) {
            const qint64 shown = banner->alertId();
            QTest::mouseClick(banner->acknowledgeButton(), Qt::LeftButton);
            ++clicks;
            QTRY_VERIFY_WITH_TIMEOUT(banner->alertId() != shown, 5000);
        }
        QVERIFY(!banner->isVisible());
        QTRY_COMPARE_WITH_TIMEOUT(window.alertModel()->activeCount(), active - clicks, 5000);
        ingest.stop();

        store::JournalReader reader;
        QVERIFY(reader.open(options.journalPath(), &error));
        bool acknowledged = false;
        QVERIFY(reader.forEachAlert(
            {}, 0,
            [&](const model::Alert &a) {
                if (a.kind == model::AlertKind::Airbag && a.vehicleId == victim)
                    acknowledged = a.isAcknowledged() && a.isCleared();
                return true;
            },
            &error));
        QVERIFY(acknowledged);
        model::Delivery replay;
        QVERIFY(reader.read(window.deliveryLog()->entryAt(0)->journalId, &replay, &error));
        QVERIFY(replay.replay);
    }
};

QTEST_MAIN(tst_DesktopDemo)
#include "tst_DesktopDemo.moc"
