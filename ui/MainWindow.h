#pragma once

#include <QMainWindow>
#include <QTimer>

class QLabel;

namespace model {
class FleetTableModel;
class FleetUpdateQueue;
} // namespace model

namespace ui {

class VehicleTablePanel;

// The fleet manager's window. It owns the GUI-side item models and pulls row updates from the
// ingest thread's FleetUpdateQueue at most 20 times a second (one batch per tick, however many
// deliveries arrived), so a burst of webhooks never floods the GUI thread with signals.
// Window geometry and the table's column layout persist in the default QSettings.
class MainWindow final : public QMainWindow {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)
public:
    // `updates` may live on any thread and must outlive the window; nullptr shows an empty fleet.
    explicit MainWindow(model::FleetUpdateQueue *updates, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Where webhooks are received, e.g. "Listening on http://127.0.0.1:8787/webhooks/smartcar".
    void setEndpointText(const QString &text);

    model::FleetTableModel *tableModel() const { return m_tableModel; }
    VehicleTablePanel *tablePanel() const { return m_tablePanel; }

protected:
    void closeEvent(QCloseEvent *event) override;

private Q_SLOTS:
    void scheduleDrain();
    void drainUpdates();
    void updateCountLabel(int visible, int total);

private:
    void createActions();
    void createStatusBar();
    void restoreSettings();
    void saveSettings() const;

    model::FleetUpdateQueue *m_updates;
    model::FleetTableModel *m_tableModel;
    VehicleTablePanel *m_tablePanel;
    QLabel *m_countLabel = nullptr;
    QLabel *m_endpointLabel = nullptr;
    QTimer m_drainTimer;
    QTimer m_clockTimer;
};

} // namespace ui
