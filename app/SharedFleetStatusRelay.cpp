#include "app/SharedFleetStatusRelay.h"

#include "ui/MainWindow.h"

namespace app {

SharedFleetStatusRelay::SharedFleetStatusRelay(QObject *parent)
    : QObject(parent) {}

void SharedFleetStatusRelay::report(const model::SharedFleetStatus &status) {
    // By value into the queued call: the service goes on with its own copy.
    QMetaObject::invokeMethod(
        this, [this, status] { show(status); }, Qt::QueuedConnection);
}

void SharedFleetStatusRelay::attach(ui::MainWindow *window) {
    m_window = window;
    if (m_window && m_hasStatus)
        m_window->setSharedFleetStatus(m_status);
}

void SharedFleetStatusRelay::show(const model::SharedFleetStatus &status) {
    m_status = status;
    m_hasStatus = true;
    if (m_window)
        m_window->setSharedFleetStatus(status);
}

} // namespace app
