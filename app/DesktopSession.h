#pragma once

#include "app/AppOptions.h"

#include <QThread>
#include <memory>

class QApplication;

namespace net {
class TunnelProcess;
}
namespace ui {
class MainWindow;
}

namespace app {

// The desktop app from start to quit: the setup wizard on a first start, the ingest pipeline,
// the read-side services, the window, the tunnel (on a thread of its own) and, with --demo, the
// simulated fleet; or, with --database, the client of a shared fleet, its replica's read-side
// services and the window. Owns their lifetimes and the order they stop in.
class DesktopSession final {
    Q_DISABLE_COPY_MOVE(DesktopSession)
public:
    explicit DesktopSession(AppOptions options);
    ~DesktopSession();

    int run(QApplication &application);

private:
    int runSharedFleet(QApplication &application); // --database: a live client of a shared fleet
    bool runFirstStartSetup();
    void runSetupFromMenu(ui::MainWindow *window);
    void startTunnel(ui::MainWindow *window, quint16 port);
    void connectSharedFleetMenu(ui::MainWindow *window);
    int finish(int code); // the exit code; starts the app again when the manager switched fleets

    AppOptions m_options;
    QThread m_tunnelThread;
    net::TunnelProcess *m_tunnel = nullptr; // lives on m_tunnelThread
    bool m_restart = false;
};

} // namespace app
