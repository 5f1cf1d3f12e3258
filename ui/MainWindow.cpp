#include "ui/MainWindow.h"

#include "model/AlertModel.h"
#include "model/DeliveryLogModel.h"
#include "model/FleetCommands.h"
#include "model/FleetTableModel.h"
#include "model/FleetUpdateQueue.h"
#include "ui/AlertBanner.h"
#include "ui/AlertPanel.h"
#include "ui/ChartPanel.h"
#include "ui/DeliveryInspector.h"
#include "ui/SharedFleetBanner.h"
#include "ui/StatusIndicators.h"
#include "ui/SubscriptionController.h"
#include "ui/VehicleDetailPanel.h"
#include "ui/VehicleTablePanel.h"
#include "ui/VerificationPanel.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QGuiApplication>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QSystemTrayIcon>
#include <QTableView>
#include <QVBoxLayout>

namespace ui {

namespace {

// 33 ms caps updates at 30 Hz: live to the eye, cheap for the GUI thread under load, and a
// delivery waits at most one interval between the queue and the table.
constexpr int kDrainIntervalMs = 33;
constexpr int kClockIntervalMs = 1000;

const QString kGeometryKey = QStringLiteral("MainWindow/geometry");
const QString kStateKey = QStringLiteral("MainWindow/state");
const QString kMainWindowSplitterKey = QStringLiteral("MainWindow/splitter");
const QString kRightSplitterKey = QStringLiteral("MainWindow/rightSplitter");
const QString kDistanceUnitKey = QStringLiteral("units/distance");
const QString kSoundKey = QStringLiteral("alerts/sound");

} // namespace

MainWindow::MainWindow(const MainWindowServices &services, QWidget *parent)
    : QMainWindow(parent)
    , m_services(services)
    , m_tableModel(new model::FleetTableModel(this))
    , m_alertModel(new model::AlertModel(this))
    , m_deliveryLog(new model::DeliveryLogModel(this))
    , m_tablePanel(new VehicleTablePanel(m_tableModel, this)) {
    setObjectName(QStringLiteral("MainWindow"));
    if (windowIcon().isNull())
        setWindowIcon(style()->standardIcon(QStyle::SP_ComputerIcon));
    createPanels();
    createActions();
    if (!m_services.sharedFleet.isEmpty()) {
        model::SharedFleetStatus connecting; // until the service says more
        connecting.location = m_services.sharedFleet;
        setSharedFleetStatus(connecting);
    }

    // Named, so that a trace of the GUI thread's events tells the window's timers apart.
    m_drainTimer.setObjectName(QStringLiteral("drainTimer"));
    m_clockTimer.setObjectName(QStringLiteral("clockTimer"));
    m_drainTimer.setSingleShot(true);
    m_drainTimer.setInterval(kDrainIntervalMs);
    connect(&m_drainTimer, &QTimer::timeout, this, &MainWindow::drainUpdates);
    if (m_services.updates) {
        // updatesPending comes from the ingest thread; the queued connection brings it to ours.
        connect(m_services.updates, &model::FleetUpdateQueue::updatesPending, this,
                &MainWindow::scheduleDrain, Qt::QueuedConnection);
        scheduleDrain(); // what was pushed before this connection existed announced itself to nobody
    }
    m_clockTimer.setInterval(kClockIntervalMs);
    connect(&m_clockTimer, &QTimer::timeout, this, [this] {
        m_tableModel->refreshRelativeTimes();
        m_status->refresh(QDateTime::currentMSecsSinceEpoch());
    });
    m_clockTimer.start();
    restoreSettings();
    updateTitle();
}

MainWindow::~MainWindow() = default;

void MainWindow::createPanels() {
    m_status = new StatusIndicators(statusBar());
    connect(m_tablePanel, &VehicleTablePanel::rowCountsChanged, m_status,
            &StatusIndicators::setVehicleCounts);
    connect(m_tablePanel, &VehicleTablePanel::selectedVehiclesChanged, this, &MainWindow::onSelectionChanged);

    m_detailPanel = new VehicleDetailPanel(this);
    auto *right = new QSplitter(Qt::Vertical, this);
    right->setObjectName(QStringLiteral("rightSplitter"));
    right->addWidget(m_detailPanel);
    if (m_services.history) {
        m_chartPanel = new ChartPanel(m_services.history, this);
        right->addWidget(m_chartPanel);
        right->setStretchFactor(1, 2);
        connect(m_tablePanel, &VehicleTablePanel::historyRequested, m_chartPanel,
                [this] { m_chartPanel->setFocus(); });
    }
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->setObjectName(QStringLiteral("mainSplitter"));
    splitter->addWidget(m_tablePanel);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    // The airbag banner sits above everything: it must not be missed.
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    if (m_services.commands) {
        m_alertPanel = new AlertPanel(m_alertModel, m_services.commands, this);
        m_banner = m_alertPanel->banner();
        layout->addWidget(m_banner);
        connect(m_alertPanel, &AlertPanel::criticalAlertRaised, this, &MainWindow::onCriticalAlert);
        m_alertDock = new QDockWidget(tr("Alerts"), this);
        m_alertDock->setObjectName(QStringLiteral("alertsDock"));
        m_alertDock->setWidget(m_alertPanel);
        addDockWidget(Qt::BottomDockWidgetArea, m_alertDock);
    }
    if (!m_services.sharedFleet.isEmpty()) {
        // Right under the airbag banner: while it shows, what the window says may not be current.
        m_sharedBanner = new SharedFleetBanner(this);
        layout->addWidget(m_sharedBanner);
    }
    layout->addWidget(splitter, 1);
    setCentralWidget(central);
    connect(m_alertModel, &model::AlertModel::activeCountChanged, this, [this](int count) {
        m_status->setOpenAlerts(count);
        updateTitle();
    });

    // VERIFY requests and the self-test reach the ingest nodes of a shared fleet, never this window.
    if (m_services.sharedFleet.isEmpty()) {
        m_verification = new VerificationPanel(this);
        m_verificationDock = new QDockWidget(tr("Verification"), this);
        m_verificationDock->setObjectName(QStringLiteral("verificationDock"));
        m_verificationDock->setWidget(m_verification);
        addDockWidget(Qt::BottomDockWidgetArea, m_verificationDock);
    }

    if (m_services.deliveries && m_services.commands) {
        m_inspector = new DeliveryInspector(m_deliveryLog, m_services.deliveries, m_services.commands, this);
        m_inspectorDock = new QDockWidget(tr("Deliveries"), this);
        m_inspectorDock->setObjectName(QStringLiteral("deliveriesDock"));
        m_inspectorDock->setWidget(m_inspector);
        addDockWidget(Qt::BottomDockWidgetArea, m_inspectorDock);
        if (!m_services.sharedFleet.isEmpty())
            m_inspector->replayButton()->hide(); // only ingest nodes take deliveries
    }
    // One strip of tabs below the fleet: alerts first.
    QDockWidget *first = m_alertDock ? m_alertDock : m_inspectorDock;
    for (QDockWidget *dock : {m_inspectorDock, m_verificationDock})
        if (first && dock && dock != first)
            tabifyDockWidget(first, dock);
    if (first)
        first->raise();
}

void MainWindow::createActions() {
    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    QAction *shared =
        fileMenu->addAction(tr("Connect to a &shared fleet…"), this, &MainWindow::sharedFleetRequested);
    shared->setObjectName(QStringLiteral("sharedFleetAction"));
    fileMenu->addSeparator();
    QAction *quit = fileMenu->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setMenuRole(QAction::QuitRole);

    QMenu *viewMenu = menuBar()->addMenu(tr("&View"));
    QAction *focusFilter =
        viewMenu->addAction(tr("&Focus filter"), m_tablePanel, &VehicleTablePanel::focusFilter);
    focusFilter->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_F));
    viewMenu->addSeparator();
    int key = Qt::Key_1;
    for (QDockWidget *dock : {m_alertDock, m_inspectorDock, m_verificationDock}) {
        if (!dock)
            continue;
        QAction *toggle = dock->toggleViewAction();
        toggle->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(key++)));
        viewMenu->addAction(toggle);
    }

    createVehicleMenu();

    QMenu *settingsMenu = menuBar()->addMenu(tr("&Settings"));
    if (m_services.sharedFleet.isEmpty()) { // the token, endpoint and tunnel of a workstation's own
        settingsMenu->addAction(tr("S&etup…"), this, &MainWindow::setupRequested);
        settingsMenu->addSeparator();
    }
    QMenu *distance = settingsMenu->addMenu(tr("&Distance unit"));
    auto *units = new QActionGroup(this);
    const QSettings settings;
    const bool miles = settings.value(kDistanceUnitKey).toString() == QLatin1String("miles");
    for (const auto &[label, unit] :
         {std::pair{tr("&Kilometres"), model::FleetTableModel::DistanceUnit::Kilometres},
          std::pair{tr("&Miles"), model::FleetTableModel::DistanceUnit::Miles}}) {
        QAction *action = distance->addAction(label);
        action->setCheckable(true);
        action->setChecked((unit == model::FleetTableModel::DistanceUnit::Miles) == miles);
        units->addAction(action);
        connect(action, &QAction::triggered, this, [this, unit] {
            m_tableModel->setDistanceUnit(unit);
            QSettings().setValue(kDistanceUnitKey, unit == model::FleetTableModel::DistanceUnit::Miles
                                                       ? QStringLiteral("miles")
                                                       : QStringLiteral("km"));
        });
    }
    m_tableModel->setDistanceUnit(miles ? model::FleetTableModel::DistanceUnit::Miles
                                        : model::FleetTableModel::DistanceUnit::Kilometres);
    QAction *sound = settingsMenu->addAction(tr("&Sound on critical alerts"));
    sound->setCheckable(true);
    sound->setChecked(settings.value(kSoundKey, true).toBool());
    connect(sound, &QAction::toggled, this, [](bool on) { QSettings().setValue(kSoundKey, on); });
}

void MainWindow::createVehicleMenu() {
    if (!m_services.account)
        return;
    m_subscriptions = new SubscriptionController(
        m_services.account, m_tableModel, [this] { return m_tablePanel->selectedVehicleIds(); }, this);
    QMenu *vehicles = menuBar()->addMenu(tr("Veh&icles"));
    vehicles->setToolTipsVisible(true); // a disabled action says why in its tooltip
    vehicles->addAction(m_subscriptions->connectAction());
    vehicles->addSeparator();
    vehicles->addActions(m_subscriptions->tableActions());
    vehicles->addAction(m_subscriptions->subscribeAllAction());
    QTableView *view = m_tablePanel->view();
    auto *separator = new QAction(view);
    separator->setSeparator(true);
    view->addAction(separator);
    view->addActions(m_subscriptions->tableActions());
    connect(view, &QAbstractItemView::doubleClicked, m_subscriptions, [this](const QModelIndex &index) {
        m_subscriptions->handleDoubleClick(m_tablePanel->proxyModel()->mapToSource(index));
    });
    connect(m_tablePanel, &VehicleTablePanel::selectedVehiclesChanged, m_subscriptions,
            &SubscriptionController::refreshActions);
    connect(m_subscriptions, &SubscriptionController::message, this,
            [this](const QString &text) { statusBar()->showMessage(text, 15'000); });
}

void MainWindow::setEndpointText(const QString &text, const QString &warning) {
    m_status->setEndpoint(text, warning);
}

void MainWindow::setPublicUrl(const QString &callbackUrl) {
    const QString previous = std::exchange(m_publicUrl, callbackUrl);
    m_status->setPublicUrl(callbackUrl);
    if (!previous.isEmpty() && previous != callbackUrl && !callbackUrl.isEmpty()) {
        // Quick tunnels get a new address on every start: Smartcar must be told, or nothing arrives.
        QMessageBox box(QMessageBox::Warning, tr("Public URL changed"),
                        tr("The tunnel's public address changed. Smartcar still sends to the old one.\n\n"
                           "In the Smartcar dashboard, set the webhook's callback URL to:\n%1\n\n"
                           "Smartcar will then send a VERIFY, which Fleet Monitor answers by itself.")
                            .arg(callbackUrl),
                        QMessageBox::Ok, this);
        box.setTextInteractionFlags(Qt::TextSelectableByMouse);
        QPushButton *copy = box.addButton(tr("Copy URL"), QMessageBox::ActionRole);
        box.exec();
        if (box.clickedButton() == copy)
            QGuiApplication::clipboard()->setText(callbackUrl);
    }
}

void MainWindow::showTunnelProblem(const QString &message) {
    statusBar()->showMessage(tr("Tunnel: %1").arg(message), 30'000);
    m_status->setPublicUrl(QString(), message);
}

void MainWindow::setSelfTest(const QString &challenge, const QString &answer) {
    if (m_verification)
        m_verification->setSelfTest(challenge, answer);
}

void MainWindow::setSharedFleetStatus(const model::SharedFleetStatus &status) {
    if (!m_sharedBanner)
        return;
    m_sharedBanner->setStatus(status);
    m_status->setSharedFleet(status);
}

void MainWindow::scheduleDrain() {
    if (!m_drainTimer.isActive())
        m_drainTimer.start();
}

void MainWindow::drainUpdates() {
    model::FleetUpdateQueue::Batch batch = m_services.updates->takeBatch();
    // A burst (FIRST_DELIVERY for a whole fleet after a re-enable) is applied a slice per event-loop
    // turn: 2,000 rows at once held the GUI thread for ~15 ms. The rows left over are older than
    // anything still queued, so they go first next time. A slice is taken from where the last one
    // ended rather than copying the rest of the burst each time; the applied part is dropped once it
    // is the larger half, so a GUI that stays behind does not keep it all.
    if (m_carriedFrom < m_carriedRows.size() || batch.rows.size() > kMaxRowsPerDrain) {
        if (m_carriedFrom > m_carriedRows.size() / 2) {
            m_carriedRows.remove(0, m_carriedFrom);
            m_carriedFrom = 0;
        }
        m_carriedRows.append(std::move(batch.rows));
        batch.rows = m_carriedRows.mid(m_carriedFrom, kMaxRowsPerDrain);
        m_carriedFrom += batch.rows.size();
        if (m_carriedFrom < m_carriedRows.size()) {
            QMetaObject::invokeMethod(this, &MainWindow::drainUpdates, Qt::QueuedConnection);
        } else {
            m_carriedRows.clear();
            m_carriedFrom = 0;
        }
    }
    if (!batch.rows.isEmpty()) {
        m_tableModel->applyRows(batch.rows);
        // Alerts and the banner name vehicles as the table does, not by their UUID. Only the names
        // that changed go to the model: the fleet's whole map would be copied on every tick.
        QHash<QString, QString> renamed;
        for (const model::VehicleRow &row : batch.rows) {
            auto known = m_vehicleNames.find(row.id);
            if (known != m_vehicleNames.end() && known->make == row.make && known->model == row.model &&
                known->nickname == row.nickname)
                continue;
            const QString name =
                model::FleetTableModel::vehicleName(row) + QStringLiteral(" · ") + row.id.left(8);
            if (known != m_vehicleNames.end() && known->name == name) {
                *known = VehicleName{row.make, row.model, row.nickname, name};
                continue;
            }
            m_vehicleNames.insert(row.id, VehicleName{row.make, row.model, row.nickname, name});
            renamed.insert(row.id, name);
        }
        if (!renamed.isEmpty())
            m_alertModel->updateVehicleNames(renamed);
        if (m_chartPanel && !m_selected.isEmpty()) {
            QStringList changed;
            for (const model::VehicleRow &row : batch.rows)
                if (m_selected.contains(row.id))
                    changed << row.id;
            if (!changed.isEmpty())
                m_chartPanel->notifyNewData(changed);
        }
    }
    if (!batch.alerts.isEmpty())
        m_alertModel->applyAlerts(batch.alerts);
    if (!batch.deliveries.isEmpty()) {
        m_deliveryLog->appendEntries(batch.deliveries);
        m_status->addDeliveries(batch.deliveries);
        if (m_verification)
            m_verification->addDeliveries(batch.deliveries);
    }
    if (m_verification)
        m_verification->addVerifications(batch.verifications);
    for (const model::VehicleDetail &detail : batch.details)
        if (m_selected.size() == 1 && detail.row.id == m_selected.first())
            m_detailPanel->showDetail(detail);
}

void MainWindow::onSelectionChanged(const QStringList &vehicleIds) {
    m_selected = vehicleIds;
    m_detailPanel->showSelectionCount(int(vehicleIds.size()));
    if (m_services.commands)
        m_services.commands->watchVehicles(vehicleIds.size() == 1 ? vehicleIds : QStringList());
    if (m_chartPanel) {
        QList<QPair<QString, QString>> named;
        for (const QString &id : vehicleIds) {
            const int row = m_tableModel->rowOf(id);
            const model::VehicleRow *r = row >= 0 ? m_tableModel->rowAt(row) : nullptr;
            named.append(
                {id, r ? model::FleetTableModel::vehicleName(*r) + QStringLiteral(" · ") + id.left(8) : id});
        }
        m_chartPanel->setVehicles(named);
    }
}

void MainWindow::onCriticalAlert(const model::Alert &alert) {
    const int row = m_tableModel->rowOf(alert.vehicleId);
    const model::VehicleRow *r = row >= 0 ? m_tableModel->rowAt(row) : nullptr;
    const QString vehicle = r ? model::FleetTableModel::vehicleName(*r) : alert.vehicleId;
    if (QSystemTrayIcon::isSystemTrayAvailable()) {
        if (!m_tray) {
            m_tray = new QSystemTrayIcon(windowIcon(), this);
            m_tray->setToolTip(tr("Fleet Monitor"));
            m_tray->show();
        }
        m_tray->showMessage(tr("Critical alert: %1").arg(vehicle), alert.message, QSystemTrayIcon::Critical,
                            15'000);
    }
    if (QSettings().value(kSoundKey, true).toBool())
        QApplication::beep();
    QApplication::alert(this); // flashes the taskbar entry when the window is in the background
}

void MainWindow::updateTitle() {
    const int open = m_alertModel->activeCount();
    QString title = open == 0 ? tr("Fleet Monitor")
                              : (open == 1 ? tr("Fleet Monitor — 1 open alert")
                                           : tr("Fleet Monitor — %1 open alerts").arg(open));
    // The count first: a taskbar cuts a long title from the end.
    if (!m_services.sharedFleet.isEmpty())
        title += tr(" — shared fleet %1").arg(m_services.sharedFleet);
    setWindowTitle(title);
}

void MainWindow::restoreSettings() {
    const QSettings settings;
    if (!restoreGeometry(settings.value(kGeometryKey).toByteArray())) {
        QSize size(1440, 900);
        if (const QScreen *screen = QGuiApplication::primaryScreen())
            size = size.boundedTo(screen->availableSize() * 0.9);
        resize(size);
    }
    m_firstLayout = !restoreState(settings.value(kStateKey).toByteArray());
    if (auto *splitter = findChild<QSplitter *>(QStringLiteral("mainSplitter")))
        splitter->restoreState(settings.value(kMainWindowSplitterKey).toByteArray());
    if (auto *splitter = findChild<QSplitter *>(QStringLiteral("rightSplitter")))
        splitter->restoreState(settings.value(kRightSplitterKey).toByteArray());
    m_tablePanel->restoreSettings(settings);
    if (m_chartPanel)
        m_chartPanel->restoreSettings(settings);
    if (m_alertPanel)
        m_alertPanel->restoreSettings(settings);
    if (m_inspector)
        m_inspector->restoreSettings(settings);
}

void MainWindow::saveSettings() const {
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    if (auto *splitter = findChild<QSplitter *>(QStringLiteral("mainSplitter")))
        settings.setValue(kMainWindowSplitterKey, splitter->saveState());
    if (auto *splitter = findChild<QSplitter *>(QStringLiteral("rightSplitter")))
        settings.setValue(kRightSplitterKey, splitter->saveState());
    m_tablePanel->saveSettings(settings);
    if (m_chartPanel)
        m_chartPanel->saveSettings(settings);
    if (m_alertPanel)
        m_alertPanel->saveSettings(settings);
    if (m_inspector)
        m_inspector->saveSettings(settings);
}

void MainWindow::showEvent(QShowEvent *event) {
    QMainWindow::showEvent(event);
    if (!std::exchange(m_firstLayout, false))
        return;
    // First start, once the window is laid out at its real size: the fleet and its charts get the
    // room, alerts and deliveries a strip below.
    QTimer::singleShot(0, this, [this] {
        if (m_alertDock)
            resizeDocks({m_alertDock}, {height() / 5}, Qt::Vertical);
        if (auto *splitter = findChild<QSplitter *>(QStringLiteral("mainSplitter")))
            splitter->setSizes({width() * 55 / 100, width() * 45 / 100});
    });
}

void MainWindow::closeEvent(QCloseEvent *event) {
    saveSettings();
    QMainWindow::closeEvent(event);
}

} // namespace ui
