#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <vector>

// Measures how long the GUI thread's event loop is kept from running a timer: a PreciseTimer with a
// short interval records, at every tick, by how much the gap since the previous tick exceeded the
// interval. A long slot, paint or layout anywhere on the thread shows up as one large overshoot.
class GuiLoadProbe final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(GuiLoadProbe)
public:
    explicit GuiLoadProbe(int intervalMs, QObject *parent = nullptr);

    void start();
    void stop();
    // Leaves out of the current gap time the bench itself spent on the GUI thread (wall and CPU),
    // so that its own measuring does not count as a stall.
    void discount(qint64 wallNs, qint64 cpuNs) {
        m_lastNs += wallNs;
        m_lastCpuNs += cpuNs;
    }
    // Overshoots (gap minus interval) in microseconds since start(), one per tick.
    const std::vector<qint64> &stallsUs() const { return m_stallsUs; }
    qint64 maxStallUs() const;
    // When (ms since start()) the largest stall ended, to tell which phase of the run caused it.
    qint64 maxStallAtMs() const { return m_maxAtMs; }
    // The same overshoots, counting only the GUI thread's own CPU time during the gap: a stall
    // the thread spent computing, not waiting for a core that other threads and processes held.
    const std::vector<qint64> &busyStallsUs() const { return m_busyStallsUs; }
    qint64 maxBusyStallAtMs() const { return m_maxBusyAtMs; }

private:
    void tick();

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_intervalNs;
    qint64 m_lastNs = 0;
    qint64 m_lastCpuNs = 0;
    qint64 m_maxUs = 0;
    qint64 m_maxAtMs = 0;
    qint64 m_maxBusyUs = 0;
    qint64 m_maxBusyAtMs = 0;
    std::vector<qint64> m_stallsUs;
    std::vector<qint64> m_busyStallsUs;
};
