#pragma once

#include <QApplication>
#include <QElapsedTimer>
#include <QMap>
#include <QString>

// A QApplication that times every event delivered from the event loop (outermost notify() only)
// on the GUI thread and keeps, per kind of event (receiver class and object name, its parent's class, event
// type), how often one took longer than a threshold and the longest. Tells which handler a stall of the probe
// belongs to.
class TracingApplication final : public QApplication {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TracingApplication)
public:
    TracingApplication(int &argc, char **argv);

    bool notify(QObject *receiver, QEvent *event) override;

    // Events of this object (the bench's own machinery) are neither timed nor dumped.
    void ignore(const QObject *object) { m_ignored = object; }

    void setTracing(bool on, qint64 thresholdUs) {
        m_tracing = on;
        m_thresholdUs = thresholdUs;
    }
    struct Slow {
        int count = 0;
        qint64 maxUs = 0;
        qint64 totalUs = 0;
        qint64 maxCpuUs = 0; // the GUI thread's own CPU time in the longest-computing one
    };
    const QMap<QString, Slow> &slowEvents() const { return m_slow; }
    // The one traced event that used the most GUI-thread CPU, and its kind.
    qint64 maxEventCpuUs() const { return m_maxCpuUs; }
    QString maxEventCpuKind() const { return m_maxCpuKind; }

    // Under valgrind --tool=callgrind: the counters are zeroed before each traced event, and an
    // event that used at least minCpuUs of GUI-thread CPU (as slowed down by valgrind) is dumped on
    // its own, named after its kind. 0 turns it off; without valgrind it does nothing.
    void setCallgrindDumps(qint64 minCpuUs) { m_callgrindMinCpuUs = minCpuUs; }

private:
    int m_depth = 0;
    bool m_tracing = false;
    qint64 m_thresholdUs = 8000;
    QElapsedTimer m_clock;
    QMap<QString, Slow> m_slow;
    const QObject *m_ignored = nullptr;
    qint64 m_maxCpuUs = 0;
    QString m_maxCpuKind;
    qint64 m_callgrindMinCpuUs = 0;
};
