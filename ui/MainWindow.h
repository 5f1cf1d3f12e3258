#pragma once

#include "model/SharedFleetStatus.h"
#include "model/VehicleRow.h"

#include <QHash>
#include <QMainWindow>
#include <QTimer>

class QDockWidget;
class QSystemTrayIcon;

namespace model {
class AccountCommands;
class AlertModel;
class DeliveryDetailSource;
class DeliveryLogModel;
class FleetCommands;
class FleetTableModel;
class FleetUpdateQueue;
class HistorySource;
struct Alert;
} // namespace model

namespace ui {

class AlertBanner;
class AlertPanel;
class ChartPanel;
class DeliveryInspector;
class SharedFleetBanner;
class StatusIndicators;
class SubscriptionController;
class VerificationPanel;
class VehicleDetailPanel;
class VehicleTablePanel;

// What the window is built on. Everything but `updates` may be null (a window with less in it);
// all must outlive the window.
struct MainWindowServices {
    model::FleetUpdateQueue *updates = nullptr;        // from the ingest thread, drained at <= 20 Hz
    model::FleetCommands *commands = nullptr;          // acknowledge, replay, watch
    model::HistorySource *history = nullptr;           // chart data
    model::DeliveryDetailSource *deliveries = nullptr; // stored bodies for the inspector
    model::AccountCommands *account = nullptr;         // Connect and webhook subscriptions
    // Non-empty: the window follows this shared fleet (as shown to people, without password) and has
    // no endpoint of its own: no VERIFY, self-test, tunnel, replay or setup of an endpoint; the
    // connection's state shows in a banner and in the status bar (setSharedFleetStatus).
    QString sharedFleet = QString();
};

// The fleet manager's window: the vehicle table beside the selected vehicle's detail and charts,
// alerts and the delivery inspector in docks, the airbag banner on top, facts in the status bar.
// It owns the GUI-side item models and pulls one batch of updates per tick from the ingest
// thread (never one signal per delivery). Layout, geometry and settings persist in QSettings.
class MainWindow final : public QMainWindow {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    explicit MainWindow(const MainWindowServices &services, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Where webhooks are received, e.g. "Listening on http://127.0.0.1:8787/webhooks/smartcar".
    void setEndpointText(const QString &text, const QString &warning = {});
    // The public callback URL from the tunnel (empty: none yet). A change after the first tells the
    // manager to update the Smartcar dashboard, which will then send a VERIFY.
    void setPublicUrl(const QString &callbackUrl);
    void showTunnelProblem(const QString &message);
    void setSelfTest(const QString &challenge, const QString &answer);
    // How the shared fleet's database stands (a window with services.sharedFleet only).
    void setSharedFleetStatus(const model::SharedFleetStatus &status);

    model::FleetTableModel *tableModel() const { return m_tableModel; }
    model::AlertModel *alertModel() const { return m_alertModel; }
    model::DeliveryLogModel *deliveryLog() const { return m_deliveryLog; }
    VehicleTablePanel *tablePanel() const { return m_tablePanel; }
    VehicleDetailPanel *detailPanel() const { return m_detailPanel; }
    ChartPanel *chartPanel() const { return m_chartPanel; }
    AlertPanel *alertPanel() const { return m_alertPanel; }
    DeliveryInspector *deliveryInspector() const { return m_inspector; }
    StatusIndicators *statusIndicators() const { return m_status; }
    SharedFleetBanner *sharedFleetBanner() const { return m_sharedBanner; } // null unless shared

Q_SIGNALS:
    void setupRequested();       // Settings → Setup…: the composition root runs the wizard
    void sharedFleetRequested(); // File → Connect to a shared fleet…: the composition root asks where

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;

private Q_SLOTS:
    void scheduleDrain();
    void drainUpdates();

private:
    void createPanels();
    void createActions();
    void createVehicleMenu();
    void onSelectionChanged(const QStringList &vehicleIds);
    void onCriticalAlert(const model::Alert &alert);
    void updateTitle();
    void restoreSettings();
    void saveSettings() const;

    MainWindowServices m_services;
    model::FleetTableModel *m_tableModel;
    model::AlertModel *m_alertModel;
    model::DeliveryLogModel *m_deliveryLog;
    VehicleTablePanel *m_tablePanel;
    VehicleDetailPanel *m_detailPanel = nullptr;
    ChartPanel *m_chartPanel = nullptr;
    AlertPanel *m_alertPanel = nullptr;
    DeliveryInspector *m_inspector = nullptr;
    AlertBanner *m_banner = nullptr;
    SharedFleetBanner *m_sharedBanner = nullptr;
    QDockWidget *m_alertDock = nullptr;
    QDockWidget *m_inspectorDock = nullptr;
    QDockWidget *m_verificationDock = nullptr;
    VerificationPanel *m_verification = nullptr;
    SubscriptionController *m_subscriptions = nullptr;
    QString m_publicUrl;
    StatusIndicators *m_status = nullptr;
    QSystemTrayIcon *m_tray = nullptr;
    QStringList m_selected;
    bool m_firstLayout = false; // no saved layout: the default one is applied on first show
    // What the alerts call a vehicle, and what that name was made of: a drain rebuilds a name only
    // when one of these changed, not for every row of every tick.
    struct VehicleName {
        QString make;
        QString model;
        QString nickname;
        QString name;
    };
    QHash<QString, VehicleName> m_vehicleNames; // vehicle id -> name shown in alerts
    QTimer m_drainTimer;
    // A slice of ~500 rows keeps each event-loop turn of a fleet-wide burst to a few milliseconds.
    static constexpr qsizetype kMaxRowsPerDrain = 500;
    QList<model::VehicleRow> m_carriedRows; // a burst being applied in slices (see drainUpdates)
    qsizetype m_carriedFrom = 0;            // its first row not applied yet
    QTimer m_clockTimer;
};

} // namespace ui
