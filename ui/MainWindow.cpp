#include "ui/MainWindow.h"

#include "model/FleetTableModel.h"
#include "model/FleetUpdateQueue.h"
#include "ui/VehicleTablePanel.h"

#include <QAction>
#include <QCloseEvent>
#include <QGuiApplication>
#include <QLabel>
#include <QMenuBar>
#include <QScreen>
#include <QSettings>
#include <QStatusBar>

namespace ui {

namespace {

// 50 ms caps table updates at 20 Hz: live to the eye, cheap for the GUI thread under load.
constexpr int kDrainIntervalMs = 50;
constexpr int kClockIntervalMs = 1000;

const QString kGeometryKey = QStringLiteral("MainWindow/geometry");
const QString kStateKey = QStringLiteral("MainWindow/state");

} // namespace

MainWindow::MainWindow(model::FleetUpdateQueue *updates, QWidget *parent)
    : QMainWindow(parent)
    , m_updates(updates)
    , m_tableModel(new model::FleetTableModel(this))
    , m_tablePanel(new VehicleTablePanel(m_tableModel, this)) {
    setWindowTitle(tr("Fleet Monitor"));
    setObjectName(QStringLiteral("MainWindow"));
    setCentralWidget(m_tablePanel);
    createActions();
    createStatusBar();

    m_drainTimer.setSingleShot(true);
    m_drainTimer.setInterval(kDrainIntervalMs);
    connect(&m_drainTimer, &QTimer::timeout, this, &MainWindow::drainUpdates);
    if (m_updates) {
        // updatesPending comes from the ingest thread; the queued connection brings it to ours.
        connect(m_updates, &model::FleetUpdateQueue::updatesPending, this, &MainWindow::scheduleDrain,
                Qt::QueuedConnection);
        // Rows pushed before this connection existed announced themselves to nobody.
        scheduleDrain();
    }

    m_clockTimer.setInterval(kClockIntervalMs);
    connect(&m_clockTimer, &QTimer::timeout, m_tableModel, &model::FleetTableModel::refreshRelativeTimes);
    m_clockTimer.start();

    restoreSettings();
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions() {
    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    QAction *quit = fileMenu->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setMenuRole(QAction::QuitRole);

    QMenu *viewMenu = menuBar()->addMenu(tr("&View"));
    QAction *focusFilter =
        viewMenu->addAction(tr("&Focus filter"), m_tablePanel, &VehicleTablePanel::focusFilter);
    focusFilter->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_F));
}

void MainWindow::createStatusBar() {
    m_countLabel = new QLabel(this);
    m_countLabel->setObjectName(QStringLiteral("vehicleCountLabel"));
    m_endpointLabel = new QLabel(this);
    m_endpointLabel->setObjectName(QStringLiteral("endpointLabel"));
    // The manager pastes this URL into the tunnel or the Smartcar dashboard.
    m_endpointLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    statusBar()->addWidget(m_countLabel, 1);
    statusBar()->addPermanentWidget(m_endpointLabel);
    connect(m_tablePanel, &VehicleTablePanel::rowCountsChanged, this, &MainWindow::updateCountLabel);
    updateCountLabel(0, 0);
}

void MainWindow::setEndpointText(const QString &text) {
    m_endpointLabel->setText(text);
    m_endpointLabel->setToolTip(text);
}

void MainWindow::scheduleDrain() {
    if (!m_drainTimer.isActive())
        m_drainTimer.start();
}

void MainWindow::drainUpdates() {
    const model::FleetUpdateQueue::Batch batch = m_updates->takeBatch();
    if (!batch.rows.isEmpty())
        m_tableModel->applyRows(batch.rows);
}

void MainWindow::updateCountLabel(int visible, int total) {
    if (total == 0)
        m_countLabel->setText(tr("Waiting for the first vehicle webhook"));
    else if (visible == total)
        m_countLabel->setText(total == 1 ? tr("1 vehicle") : tr("%1 vehicles").arg(total));
    else
        m_countLabel->setText(tr("%1 of %2 vehicles shown").arg(visible).arg(total));
}

void MainWindow::restoreSettings() {
    const QSettings settings;
    if (!restoreGeometry(settings.value(kGeometryKey).toByteArray())) {
        QSize size(1280, 760);
        if (const QScreen *screen = QGuiApplication::primaryScreen())
            size = size.boundedTo(screen->availableSize() * 0.9);
        resize(size);
    }
    restoreState(settings.value(kStateKey).toByteArray());
    m_tablePanel->restoreSettings(settings);
}

void MainWindow::saveSettings() const {
    QSettings settings;
    settings.setValue(kGeometryKey, saveGeometry());
    settings.setValue(kStateKey, saveState());
    m_tablePanel->saveSettings(settings);
}

void MainWindow::closeEvent(QCloseEvent *event) {
    saveSettings();
    QMainWindow::closeEvent(event);
}

} // namespace ui
