#include "app/DemoFleetDriver.h"

#include "smartcar/SimulatedFleet.h"
#include "smartcar/WebhookSender.h"

#include <QDateTime>
#include <QThread>
#include <QTimer>

namespace app {

DemoFleetDriver::DemoFleetDriver(const QUrl &webhookUrl, const QByteArray &amt, int vehicles,
                                 double deliveriesPerSecond)
    : m_url(webhookUrl)
    , m_amt(amt)
    , m_vehicles(vehicles)
    , m_rate(deliveriesPerSecond) {}

DemoFleetDriver::~DemoFleetDriver() {
    stop();
}

void DemoFleetDriver::start() {
    if (m_thread)
        return;
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("demo-fleet"));
    m_thread->start();
    const QUrl url = m_url;
    const QByteArray amt = m_amt;
    const int vehicles = m_vehicles;
    const double rate = m_rate;
    // Everything below is created on, and owned by, the demo thread; finished() deletes it there.
    auto *context = new QObject;
    context->moveToThread(m_thread);
    QObject::connect(m_thread, &QThread::finished, context, &QObject::deleteLater);
    QMetaObject::invokeMethod(
        context,
        [thread = m_thread, url, amt, vehicles, rate] {
            auto *fleet =
                new smartcar::SimulatedFleet(vehicles, quint64(QDateTime::currentMSecsSinceEpoch()));
            auto *sender = new smartcar::WebhookSender(url, amt, 2);
            auto *timer = new QTimer;
            QObject::connect(thread, &QThread::finished, timer, &QObject::deleteLater);
            QObject::connect(thread, &QThread::finished, sender, &QObject::deleteLater);
            QObject::connect(thread, &QThread::finished, [fleet] { delete fleet; });
            timer->setInterval(std::max(10, int(1000.0 / rate)));
            QObject::connect(timer, &QTimer::timeout, sender, [fleet, sender] {
                if (sender->inFlight() < 8) // a stalled endpoint is not flooded
                    sender->post(fleet->nextDelivery(QDateTime::currentMSecsSinceEpoch()));
            });
            timer->start();
        },
        Qt::QueuedConnection);
}

void DemoFleetDriver::stop() {
    if (!m_thread)
        return;
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
}

} // namespace app
