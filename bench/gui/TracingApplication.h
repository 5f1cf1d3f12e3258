#pragma once

#include <QApplication>
#include <QElapsedTimer>
#include <QMap>
#include <QString>

// A QApplication that times every event delivered from the event loop (outermost notify() only)
// on the GUI thread and keeps, per kind of event (receiver class, its parent's class, event type), how often
// one took longer than a threshold and the longest. Tells which handler a stall of the probe belongs to.
class TracingApplication final : public QApplication {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TracingApplication)
public:
    TracingApplication(int &argc, char **argv);

    bool notify(QObject *receiver, QEvent *event) override;

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

private:
    int m_depth = 0;
    bool m_tracing = false;
    qint64 m_thresholdUs = 8000;
    QElapsedTimer m_clock;
    QMap<QString, Slow> m_slow;
};
