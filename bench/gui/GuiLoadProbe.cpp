#include "GuiLoadProbe.h"
#include "ResidentBuffer.h"
#include "ThreadCpuClock.h"

#include <algorithm>

GuiLoadProbe::GuiLoadProbe(int intervalMs, QObject *parent)
    : QObject(parent)
    , m_intervalNs(qint64(intervalMs) * 1'000'000) {
    m_timer.setTimerType(Qt::PreciseTimer);
    m_timer.setInterval(intervalMs);
    m_timer.setObjectName(QStringLiteral("probeTimer"));
    connect(&m_timer, &QTimer::timeout, this, &GuiLoadProbe::tick);
    // 60 s at 1 kHz, reserved up front so recording never allocates on the measured thread, and
    // resident before the measured run so its filling does not count as the app's memory.
    reserveResident(m_stallsUs, 200'000);
    reserveResident(m_busyStallsUs, 200'000);
}

void GuiLoadProbe::start() {
    m_clock.start();
    m_lastNs = 0;
    m_lastCpuNs = threadCpuNs();
    m_timer.start();
}

void GuiLoadProbe::stop() {
    m_timer.stop();
}

void GuiLoadProbe::tick() {
    const qint64 now = m_clock.nsecsElapsed();
    const qint64 overshootUs = std::max<qint64>(0, now - m_lastNs - m_intervalNs) / 1000;
    const qint64 cpu = threadCpuNs();
    const qint64 busyUs = std::min(overshootUs, std::max<qint64>(0, cpu - m_lastCpuNs - m_intervalNs) / 1000);
    m_lastNs = now;
    m_lastCpuNs = cpu;
    m_stallsUs.push_back(overshootUs);
    m_busyStallsUs.push_back(busyUs);
    if (busyUs > m_maxBusyUs) {
        m_maxBusyUs = busyUs;
        m_maxBusyAtMs = now / 1'000'000;
    }
    if (overshootUs > m_maxUs) {
        m_maxUs = overshootUs;
        m_maxAtMs = now / 1'000'000;
    }
}

qint64 GuiLoadProbe::maxStallUs() const {
    return m_maxUs;
}
