#pragma once

#include "model/SharedFleetStatus.h"

#include <QObject>
#include <QPointer>

namespace ui {
class MainWindow;
}

namespace app {

// Carries the shared fleet's connection status from the service's thread to the window (its banner
// and status bar): each report is queued onto the thread this object lives on (the GUI thread), in
// order, and the latest is kept until a window is attached, so what was reported while the window
// was being built is not lost.
class SharedFleetStatusRelay final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SharedFleetStatusRelay)
public:
    explicit SharedFleetStatusRelay(QObject *parent = nullptr);

    void report(const model::SharedFleetStatus &status); // any thread
    void attach(ui::MainWindow *window);                 // this object's thread
    // This object's thread: the latest status delivered here (false before the first).
    bool hasStatus() const { return m_hasStatus; }
    const model::SharedFleetStatus &status() const { return m_status; }

private:
    void show(const model::SharedFleetStatus &status);

    model::SharedFleetStatus m_status;
    bool m_hasStatus = false;
    QPointer<ui::MainWindow> m_window;
};

} // namespace app
