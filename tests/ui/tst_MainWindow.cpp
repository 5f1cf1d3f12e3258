#include "model/AlertModel.h"
#include "model/FleetTableModel.h"
#include "model/FleetUpdateQueue.h"
#include "ui/MainWindow.h"
#include "ui/SharedFleetBanner.h"
#include "ui/VehicleTablePanel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QDateTime>
#include <QDir>
#include <QDockWidget>
#include <QFileInfo>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QRandomGenerator>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTest>

#include <memory>
#include <thread>

using model::FleetTableModel;
using model::FleetUpdateQueue;
using model::VehicleRow;

namespace {

struct MakeModel {
    const char *make;
    const char *model;
    int firstYear;
};

const MakeModel kLineup[] = {
    {"POLESTAR", "Polestar 2", 2021}, {"JAGUAR", "I-PACE", 2019}, {"BYD", "SEAL", 2023},
    {"VOLKSWAGEN", "ID.4", 2021},     {"TESLA", "Model 3", 2019},
};
constexpr int kFleetSize = 25;

// A plausible fleet: a few vehicles low on charge, some plugged in, the odd open door or error.
QList<VehicleRow> fleet() {
    QRandomGenerator random(20240601);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<VehicleRow> rows;
    for (int i = 0; i < kFleetSize; ++i) {
        const MakeModel &mm = kLineup[i % 5];
        VehicleRow row;
        row.id = QStringLiteral("%1-6b1e-4c3a-9d2f-%2")
                     .arg(0x3f2a9c10u + 0x1000u * unsigned(i), 8, 16, QLatin1Char('0'))
                     .arg(0x5e0c71a40000ULL + quint64(i) * 0x1f3dULL, 12, 16, QLatin1Char('0'));
        row.make = QString::fromLatin1(mm.make);
        row.model = QString::fromLatin1(mm.model);
        row.year = mm.firstYear + random.bounded(3);
        if (i != 17) // one vehicle has not reported its battery yet
            row.batteryPercent = 4.0 + random.bounded(9600) / 100.0;
        row.pluggedIn = random.bounded(3) == 0;
        row.charging = *row.pluggedIn && random.bounded(4) != 0;
        row.odometerKm = 1200.0 + random.bounded(140000);
        row.openDoors = random.bounded(8) == 0 ? 1 + random.bounded(2) : 0;
        row.openErrorCount = random.bounded(10) == 0 ? 1 : 0;
        row.lastUpdateAt = now - random.bounded(900) * 1000LL;
        rows.append(row);
    }
    return rows;
}

// Pushes from a real second thread, as the ingest thread does.
void pushFromThread(FleetUpdateQueue *queue, const QList<VehicleRow> &rows) {
    std::thread producer([queue, rows] {
        for (const VehicleRow &row : rows)
            queue->push(row);
    });
    producer.join();
}

} // namespace

class TestMainWindow final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void rowsArriveFromAnotherThread();
    void filterNarrowsVisibleRows();
    void ctrlFFocusesTheFilter();
    void burstForOneVehicleIsOneRowUpdate();
    void fleetWideBurstIsAppliedInSlices();
    void fleetWideUpdateEndsAsOneApplyWould();
    void alertsFollowARenamedVehicle();
    void alertBurstIsAppliedInSlices();
    void relativeTimesRefresh();
    void layoutPersists();
    void screenshot();
    void localWindowOffersTheSharedFleet();
    void sharedFleetWindow();
    void sharedFleetScreenshots();

private:
    void populate();

    std::unique_ptr<FleetUpdateQueue> m_queue;
    std::unique_ptr<ui::MainWindow> m_window;
};

void TestMainWindow::initTestCase() {
    // Keep the developer's own window layout out of (and unharmed by) the test.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("FleetMonitorTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_MainWindow"));
    QSettings().clear();
}

void TestMainWindow::init() {
    m_queue = std::make_unique<FleetUpdateQueue>();
    m_window =
        std::make_unique<ui::MainWindow>(ui::MainWindowServices{m_queue.get(), nullptr, nullptr, nullptr});
}

void TestMainWindow::cleanup() {
    m_window.reset();
    m_queue.reset();
    QSettings().clear();
}

void TestMainWindow::populate() {
    pushFromThread(m_queue.get(), fleet());
    QTRY_COMPARE(m_window->tableModel()->rowCount(), kFleetSize);
}

void TestMainWindow::rowsArriveFromAnotherThread() {
    QCOMPARE(m_window->windowTitle(), QStringLiteral("Fleet Monitor"));
    QAbstractItemModelTester tester(m_window->tablePanel()->proxyModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(m_window->tableModel(), &QAbstractItemModel::rowsInserted);
    populate();
    QCOMPARE(inserted.size(), 1); // the whole burst landed in one tick
    QCOMPARE(m_window->tablePanel()->visibleRowCount(), kFleetSize);
    QCOMPARE(m_queue->pushedCount(), qint64(kFleetSize));

    auto *count = m_window->statusBar()->findChild<QLabel *>(QStringLiteral("vehicleCountLabel"));
    QVERIFY(count);
    QCOMPARE(count->text(), QStringLiteral("25 vehicles"));

    m_window->setEndpointText(QStringLiteral("Listening on http://127.0.0.1:8787/webhooks/smartcar"));
    auto *endpoint = m_window->statusBar()->findChild<QLabel *>(QStringLiteral("endpointLabel"));
    QVERIFY(endpoint);
    QCOMPARE(endpoint->text(), QStringLiteral("Listening on http://127.0.0.1:8787/webhooks/smartcar"));
}

void TestMainWindow::filterNarrowsVisibleRows() {
    populate();
    ui::VehicleTablePanel *panel = m_window->tablePanel();
    QCOMPARE(panel->filterEdit()->placeholderText(),
             QStringLiteral("Filter by make, model, id, VIN or nickname"));

    QTest::keyClicks(panel->filterEdit(), QStringLiteral("polestar"));
    QCOMPARE(panel->visibleRowCount(), 5);
    for (int r = 0; r < panel->view()->model()->rowCount(); ++r)
        QCOMPARE(panel->view()->model()->index(r, 0).data().toString(), QStringLiteral("Polestar 2"));
    auto *count = m_window->statusBar()->findChild<QLabel *>(QStringLiteral("vehicleCountLabel"));
    QCOMPARE(count->text(), QStringLiteral("5 of 25 vehicles shown"));

    // Model names match case-insensitively, across the make/model boundary too.
    panel->filterEdit()->setText(QStringLiteral("tesla model"));
    QCOMPARE(panel->visibleRowCount(), 5);
    panel->filterEdit()->setText(QStringLiteral("id.4"));
    QCOMPARE(panel->visibleRowCount(), 5);

    // An id fragment finds exactly one vehicle.
    const QString id = m_window->tableModel()->rowAt(7)->id;
    panel->filterEdit()->setText(id.right(12).toUpper());
    QCOMPARE(panel->visibleRowCount(), 1);
    QCOMPARE(panel->view()->model()->index(0, 0).data(FleetTableModel::IdRole).toString(), id);

    panel->filterEdit()->clear();
    QCOMPARE(panel->visibleRowCount(), kFleetSize);
    QCOMPARE(count->text(), QStringLiteral("25 vehicles"));
}

void TestMainWindow::ctrlFFocusesTheFilter() {
    m_window->show();
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
    m_window->tablePanel()->view()->setFocus();
    QVERIFY(!m_window->tablePanel()->filterEdit()->hasFocus());
    QTest::keyClick(m_window.get(), Qt::Key_F, Qt::ControlModifier);
    QTRY_VERIFY(m_window->tablePanel()->filterEdit()->hasFocus());
}

void TestMainWindow::burstForOneVehicleIsOneRowUpdate() {
    populate();
    FleetTableModel *table = m_window->tableModel();
    QList<VehicleRow> rows = fleet();
    const VehicleRow &target = rows.at(3);
    const int row = table->rowOf(target.id);
    QVERIFY(row >= 0);

    QSignalSpy changed(table, &QAbstractItemModel::dataChanged);
    QList<VehicleRow> burst;
    for (int i = 0; i < 200; ++i) {
        VehicleRow update = target;
        update.batteryPercent = 30.0 + i * 0.25;
        update.odometerKm = *target.odometerKm + i;
        burst.append(update);
    }
    const qint64 pushedBefore = m_queue->pushedCount();
    pushFromThread(m_queue.get(), burst);
    QCOMPARE(m_queue->pushedCount(), pushedBefore + 200);
    QTRY_COMPARE(table->rowAt(row)->batteryPercent, burst.last().batteryPercent);
    QTest::qWait(120); // two more ticks: nothing else may follow

    // The clock timer's refreshes cover only the "Last update" column; row updates start at column 0.
    int rowUpdates = 0;
    for (const QList<QVariant> &args : std::as_const(changed)) {
        const auto topLeft = args.at(0).value<QModelIndex>();
        const auto bottomRight = args.at(1).value<QModelIndex>();
        if (topLeft.column() == 0) {
            ++rowUpdates;
            QCOMPARE(topLeft.row(), row);
            QCOMPARE(bottomRight.row(), row);
        }
    }
    QCOMPARE(rowUpdates, 1);
    QCOMPARE(table->rowCount(), kFleetSize);
}

void TestMainWindow::fleetWideBurstIsAppliedInSlices() {
    // 10,000 vehicles at once, as after a re-enable: the GUI thread takes them a slice per
    // event-loop turn, so painting and input get their turn in between.
    QList<VehicleRow> rows;
    const QList<VehicleRow> lineup = fleet();
    for (int i = 0; i < 10'000; ++i) {
        VehicleRow row = lineup.at(i % kFleetSize);
        row.id = QStringLiteral("vehicle-%1").arg(i, 5, 10, QLatin1Char('0'));
        rows.append(row);
    }
    QAbstractItemModelTester tester(m_window->tableModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(m_window->tableModel(), &QAbstractItemModel::rowsInserted);
    pushFromThread(m_queue.get(), rows);
    QTRY_COMPARE(m_window->tableModel()->rowCount(), 10'000);
    QVERIFY2(inserted.size() >= 5, qPrintable(QString::number(inserted.size())));
    for (const QList<QVariant> &args : std::as_const(inserted))
        QVERIFY(args.at(2).toInt() - args.at(1).toInt() + 1 <= 2000);
    // Order kept: the first pushed is the first row.
    QCOMPARE(m_window->tableModel()->rowAt(0)->id, QStringLiteral("vehicle-00000"));
    QCOMPARE(m_window->tableModel()->rowAt(9999)->id, QStringLiteral("vehicle-09999"));
}

void TestMainWindow::fleetWideUpdateEndsAsOneApplyWould() {
    // A new state for each of 10,000 known vehicles (the load after a restart of the cloud side):
    // applied a slice per tick, the table ends exactly as one applyRows of the whole batch leaves it.
    QList<VehicleRow> rows;
    const QList<VehicleRow> lineup = fleet();
    for (int i = 0; i < 10'000; ++i) {
        VehicleRow row = lineup.at(i % kFleetSize);
        row.id = QStringLiteral("vehicle-%1").arg(i, 5, 10, QLatin1Char('0'));
        rows.append(row);
    }
    FleetTableModel *table = m_window->tableModel();
    pushFromThread(m_queue.get(), rows);
    QTRY_COMPARE(table->rowCount(), 10'000);

    QList<VehicleRow> updates = rows;
    for (int i = 0; i < updates.size(); ++i) {
        updates[i].batteryPercent = double(i % 100);
        updates[i].lastUpdateAt += 1000;
        if (i % 1000 == 7)
            updates[i].nickname = QStringLiteral("Car %1").arg(i);
    }
    FleetTableModel reference;
    reference.applyRows(rows);
    reference.applyRows(updates);

    QSignalSpy changed(table, &QAbstractItemModel::dataChanged);
    pushFromThread(m_queue.get(), updates);
    QTRY_COMPARE(table->rowAt(9999)->batteryPercent, updates.last().batteryPercent);
    qsizetype rowsChanged = 0;
    for (const QList<QVariant> &args : std::as_const(changed)) {
        const auto topLeft = args.at(0).value<QModelIndex>();
        const auto bottomRight = args.at(1).value<QModelIndex>();
        if (topLeft.column() != 0)
            continue; // the clock's "Last update" refresh
        const int span = bottomRight.row() - topLeft.row() + 1;
        QVERIFY2(span <= 500, qPrintable(QString::number(span))); // no tick takes the whole fleet
        rowsChanged += span;
    }
    QCOMPARE(rowsChanged, 10'000);
    QCOMPARE(table->rowCount(), reference.rowCount());
    for (int row = 0; row < reference.rowCount(); ++row)
        QVERIFY2(*table->rowAt(row) == *reference.rowAt(row), qPrintable(reference.rowAt(row)->id));
}

void TestMainWindow::alertsFollowARenamedVehicle() {
    populate();
    VehicleRow vehicle = fleet().at(2);
    model::Alert alert;
    alert.id = 1;
    alert.vehicleId = vehicle.id;
    alert.kind = model::AlertKind::LowBattery;
    alert.severity = model::AlertSeverity::Warning;
    alert.subject = QStringLiteral("tractionbattery-stateofcharge");
    alert.message = QStringLiteral("Battery at 4%");
    alert.firstSeenAt = alert.lastSeenAt = QDateTime::currentMSecsSinceEpoch();
    m_queue->pushAlerts({alert});
    model::AlertModel *alerts = m_window->alertModel();
    const auto shownName = [alerts] {
        return alerts->data(alerts->index(0, model::AlertModel::VehicleColumn)).toString();
    };
    QTRY_COMPARE(alerts->rowCount(), 1);
    const QString suffix = QStringLiteral(" · ") + vehicle.id.left(8);
    QCOMPARE(shownName(), FleetTableModel::vehicleName(vehicle) + suffix);

    // A new battery reading leaves the name alone; a nickname changes it.
    vehicle.batteryPercent = 3.0;
    pushFromThread(m_queue.get(), {vehicle});
    QTRY_COMPARE(m_window->tableModel()->rowAt(2)->batteryPercent, vehicle.batteryPercent);
    QCOMPARE(shownName(), FleetTableModel::vehicleName(vehicle) + suffix);
    vehicle.nickname = QStringLiteral("Blue van");
    pushFromThread(m_queue.get(), {vehicle});
    QTRY_COMPARE(shownName(), QStringLiteral("Blue van (BYD SEAL)") + suffix);
}

void TestMainWindow::alertBurstIsAppliedInSlices() {
    // 10,000 alerts in one drain (an engine restored with a fleet's alerts): the drain applies one
    // slice and the alert model the rest on later event-loop turns, so no GUI event holds them all.
    populate();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<model::Alert> burst;
    for (int i = 1; i <= 10'000; ++i) {
        model::Alert alert;
        alert.id = i;
        alert.vehicleId = fleet().at(i % kFleetSize).id;
        alert.kind = model::AlertKind::LowBattery;
        alert.subject = QStringLiteral("tractionbattery-stateofcharge");
        alert.message = QStringLiteral("Battery low");
        alert.firstSeenAt = alert.lastSeenAt = now - i * 1000;
        burst.append(alert);
    }
    model::AlertModel *alerts = m_window->alertModel();
    qsizetype largest = 0;
    connect(alerts, &QAbstractItemModel::rowsInserted, this, [&](const QModelIndex &, int first, int last) {
        largest = std::max<qsizetype>(largest, last - first + 1);
    });
    QSignalSpy applied(alerts, &model::AlertModel::batchApplied);
    m_queue->pushAlerts(burst);
    QVERIFY(!m_queue->isEmpty());
    QTRY_VERIFY(m_queue->isEmpty()); // the drain took them
    QTRY_COMPARE_WITH_TIMEOUT(alerts->rowCount(), 10'000, 30'000);
    QCOMPARE(alerts->pendingCount(), qsizetype(0));
    QCOMPARE(largest, model::AlertModel::kMaxAlertsPerSlice);
    QVERIFY(applied.size() >= 10'000 / model::AlertModel::kMaxAlertsPerSlice);
    QCOMPARE(alerts->alertAt(0)->id, qint64(1)); // newest first
    QCOMPARE(alerts->alertAt(9999)->id, qint64(10'000));
    QCOMPARE(alerts->activeCount(), 10'000);
}

void TestMainWindow::relativeTimesRefresh() {
    populate();
    QSignalSpy changed(m_window->tableModel(), &QAbstractItemModel::dataChanged);
    QTRY_VERIFY_WITH_TIMEOUT(!changed.isEmpty(), 2500);
    const auto topLeft = changed.at(0).at(0).value<QModelIndex>();
    const auto bottomRight = changed.at(0).at(1).value<QModelIndex>();
    QCOMPARE(topLeft.column(), int(FleetTableModel::LastUpdateColumn));
    QCOMPARE(bottomRight.column(), int(FleetTableModel::LastUpdateColumn));
    QCOMPARE(topLeft.row(), 0);
    QCOMPARE(bottomRight.row(), kFleetSize - 1);
}

void TestMainWindow::layoutPersists() {
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_window->resize(1100, 640);
    QHeaderView *header = m_window->tablePanel()->view()->horizontalHeader();
    header->setSortIndicator(FleetTableModel::BatteryColumn, Qt::DescendingOrder);
    header->resizeSection(FleetTableModel::OdometerColumn, 173);
    header->moveSection(header->visualIndex(FleetTableModel::ErrorsColumn), 1);
    QVERIFY(m_window->close());

    ui::MainWindow second(ui::MainWindowServices{m_queue.get(), nullptr, nullptr, nullptr});
    QHeaderView *restored = second.tablePanel()->view()->horizontalHeader();
    QCOMPARE(restored->sortIndicatorSection(), int(FleetTableModel::BatteryColumn));
    QCOMPARE(restored->sortIndicatorOrder(), Qt::DescendingOrder);
    QCOMPARE(restored->sectionSize(FleetTableModel::OdometerColumn), 173);
    QCOMPARE(restored->visualIndex(FleetTableModel::ErrorsColumn), 1);
    QCOMPARE(second.tablePanel()->proxyModel()->sortColumn(), int(FleetTableModel::BatteryColumn));
    QCOMPARE(second.size(), QSize(1100, 640));
}

void TestMainWindow::screenshot() {
    populate();
    m_window->setEndpointText(QStringLiteral("Listening on http://127.0.0.1:8787/webhooks/smartcar"));
    m_window->resize(1280, 720);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    // Select a vehicle, as a manager looking at one would have.
    m_window->tablePanel()->view()->selectRow(2);
    QTest::qWait(50);

    const QImage image = m_window->grab().toImage();
    QCOMPARE(image.size(), QSize(1280, 720) * m_window->devicePixelRatio());

    const QByteArray dirFromEnv = qgetenv("FLEETMON_SCREENSHOT_DIR");
    const QDir dir(dirFromEnv.isEmpty() ? QDir::tempPath() : QString::fromLocal8Bit(dirFromEnv));
    QVERIFY(dir.mkpath(QStringLiteral(".")));
    const QString path = dir.filePath(QStringLiteral("fleetmon-mainwindow.png"));
    QVERIFY2(image.save(path, "PNG"), qPrintable(path));
    QVERIFY(QFileInfo(path).size() > 0);
    qInfo("screenshot: %s", qPrintable(path));
}

namespace {

const QString kSharedFleet = QStringLiteral("postgresql://fleet@db:5432/fleet");

QStringList menuTexts(QMenuBar *bar) {
    QStringList texts;
    for (QAction *menu : bar->actions()) {
        texts << menu->text();
        if (menu->menu())
            for (QAction *action : menu->menu()->actions())
                texts << action->text();
    }
    return texts;
}

void saveShot(QWidget *w, const QString &name) {
    const QByteArray dirFromEnv = qgetenv("FLEETMON_SCREENSHOT_DIR");
    const QDir dir(dirFromEnv.isEmpty() ? QDir::tempPath() : QString::fromLocal8Bit(dirFromEnv));
    QVERIFY(dir.mkpath(QStringLiteral(".")));
    const QString path = dir.filePath(name);
    QVERIFY2(w->grab().save(path, "PNG"), qPrintable(path));
    qInfo("screenshot: %s", qPrintable(path));
}

} // namespace

void TestMainWindow::localWindowOffersTheSharedFleet() {
    // A workstation of its own keeps all it had, and gains the way to a shared fleet.
    QVERIFY(!m_window->sharedFleetBanner());
    QVERIFY(m_window->findChild<QDockWidget *>(QStringLiteral("verificationDock")));
    const QStringList menus = menuTexts(m_window->menuBar());
    QVERIFY2(menus.contains(QStringLiteral("S&etup…")), qPrintable(menus.join(u',')));
    auto *action = m_window->findChild<QAction *>(QStringLiteral("sharedFleetAction"));
    QVERIFY(action);
    QCOMPARE(action->text(), QStringLiteral("Connect to a &shared fleet…"));
    QSignalSpy requested(m_window.get(), &ui::MainWindow::sharedFleetRequested);
    action->trigger();
    QCOMPARE(requested.size(), 1);
    // Told of a shared fleet's state, a local window shows nothing of it.
    model::SharedFleetStatus lost;
    lost.state = model::SharedFleetStatus::State::Lost;
    lost.location = kSharedFleet;
    m_window->setSharedFleetStatus(lost);
    QVERIFY(!m_window->findChild<ui::SharedFleetBanner *>());
}

void TestMainWindow::sharedFleetWindow() {
    m_window.reset();
    ui::MainWindowServices services;
    services.updates = m_queue.get();
    services.sharedFleet = kSharedFleet;
    m_window = std::make_unique<ui::MainWindow>(services);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));

    QCOMPARE(m_window->windowTitle(),
             QStringLiteral("Fleet Monitor — shared fleet postgresql://fleet@db:5432/fleet"));
    // Nothing of an endpoint: no VERIFY panel or figure, no setup of a token, tunnel or address.
    QVERIFY(!m_window->findChild<QDockWidget *>(QStringLiteral("verificationDock")));
    const QStringList menus = menuTexts(m_window->menuBar());
    QVERIFY2(!menus.contains(QStringLiteral("S&etup…")), qPrintable(menus.join(u',')));
    QVERIFY(menus.contains(QStringLiteral("Connect to a &shared fleet…")));
    m_window->setSelfTest(QStringLiteral("challenge"), QStringLiteral("answer")); // ignored, no crash
    auto *verify = m_window->statusBar()->findChild<QLabel *>(QStringLiteral("verifyLabel"));
    QVERIFY(verify && !verify->isVisible());

    // Until the service speaks: connecting, in the banner and in the endpoint's place.
    ui::SharedFleetBanner *banner = m_window->sharedFleetBanner();
    QVERIFY(banner);
    QVERIFY(banner->isVisible());
    QCOMPARE(banner->text(),
             QStringLiteral("Connecting to the shared fleet (postgresql://fleet@db:5432/fleet)…"));
    auto *endpoint = m_window->statusBar()->findChild<QLabel *>(QStringLiteral("endpointLabel"));
    QVERIFY(endpoint);
    QCOMPARE(endpoint->text(),
             QStringLiteral("Shared fleet: postgresql://fleet@db:5432/fleet — connecting…"));

    model::SharedFleetStatus s;
    s.location = kSharedFleet;
    s.state = model::SharedFleetStatus::State::Live;
    m_window->setSharedFleetStatus(s);
    QVERIFY(!banner->isVisible());
    QCOMPARE(endpoint->text(), QStringLiteral("Shared fleet: postgresql://fleet@db:5432/fleet — live"));
    s.state = model::SharedFleetStatus::State::Lost;
    s.error = QStringLiteral("server closed the connection unexpectedly");
    s.attempt = 1;
    s.retryInMs = 2000;
    m_window->setSharedFleetStatus(s);
    QVERIFY(banner->isVisible());
    QVERIFY(banner->text().contains(QStringLiteral("lost: server closed the connection unexpectedly")));
    QCOMPARE(endpoint->text(),
             QStringLiteral("Shared fleet: postgresql://fleet@db:5432/fleet — reconnecting…"));
    // The banner sits above the fleet, not in a dock that could be closed.
    QVERIFY(banner->mapTo(m_window.get(), QPoint(0, 0)).y() <
            m_window->tablePanel()->mapTo(m_window.get(), QPoint(0, 0)).y());
}

void TestMainWindow::sharedFleetScreenshots() {
    m_window.reset();
    ui::MainWindowServices services;
    services.updates = m_queue.get();
    services.sharedFleet = kSharedFleet;
    m_window = std::make_unique<ui::MainWindow>(services);
    populate();
    m_window->resize(1280, 720);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    m_window->tablePanel()->view()->selectRow(2);

    model::SharedFleetStatus s;
    s.location = kSharedFleet;
    s.state = model::SharedFleetStatus::State::Lost;
    s.error = QStringLiteral("could not connect to server: Connection refused\n\tIs the server running on "
                             "host \"db\" (10.0.4.17) and accepting\n\tTCP/IP connections on port 5432?");
    s.attempt = 3;
    s.retryInMs = 4000;
    m_window->setSharedFleetStatus(s);
    QTest::qWait(50);
    saveShot(m_window.get(), QStringLiteral("shared-fleet-lost.png"));

    s.state = model::SharedFleetStatus::State::CatchingUp;
    s.error.clear();
    s.attempt = 0;
    s.taken = 12'000;
    s.latest = 40'000;
    m_window->setSharedFleetStatus(s);
    QTest::qWait(50);
    saveShot(m_window.get(), QStringLiteral("shared-fleet-catching-up.png"));

    s.state = model::SharedFleetStatus::State::Live;
    m_window->setSharedFleetStatus(s);
    QTest::qWait(50);
    saveShot(m_window.get(), QStringLiteral("shared-fleet-live.png"));
}

QTEST_MAIN(TestMainWindow)
#include "tst_MainWindow.moc"
