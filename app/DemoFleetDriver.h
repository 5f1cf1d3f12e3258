#pragma once

#include <QByteArray>
#include <QUrl>

class QThread;

namespace app {

// The built-in simulated fleet of `fleetmon --demo`: a thread of its own that generates realistic
// deliveries, signs them and posts them over real HTTP to the app's endpoint, exactly as Smartcar
// would. Generating, signing and sending never run on the GUI thread.
class DemoFleetDriver final {
    Q_DISABLE_COPY_MOVE(DemoFleetDriver)
public:
    DemoFleetDriver(const QUrl &webhookUrl, const QByteArray &amt, int vehicles, double deliveriesPerSecond);
    ~DemoFleetDriver();

    void start();
    void stop();

private:
    QUrl m_url;
    QByteArray m_amt;
    int m_vehicles;
    double m_rate;
    QThread *m_thread = nullptr;
};

} // namespace app
