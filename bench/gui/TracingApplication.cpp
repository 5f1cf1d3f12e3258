#include "TracingApplication.h"
#include "ThreadCpuClock.h"

#include <QEvent>
#include <QMetaEnum>
#include <QThread>

#include <valgrind/callgrind.h>

TracingApplication::TracingApplication(int &argc, char **argv)
    : QApplication(argc, argv) {
    m_clock.start();
}

bool TracingApplication::notify(QObject *receiver, QEvent *event) {
    // notify() runs on every thread that delivers events; only the GUI thread's outermost ones, those
    // the event loop dispatches, are timed (m_depth is touched on the GUI thread only).
    if (!m_tracing || m_depth > 0 || receiver == m_ignored || QThread::currentThread() != thread())
        return QApplication::notify(receiver, event);
    // Class names are static strings: cheap to keep, and valid even if the receiver is deleted.
    const QEvent::Type type = event->type();
    const char *receiverClass = receiver->metaObject()->className();
    const char *parentClass = receiver->parent() ? receiver->parent()->metaObject()->className() : "-";
    const QString receiverName = receiver->objectName(); // tells apart timers of one class and parent
    const bool dumps = m_callgrindMinCpuUs > 0 && RUNNING_ON_VALGRIND;
    if (dumps)
        CALLGRIND_ZERO_STATS;
    const qint64 start = m_clock.nsecsElapsed();
    const qint64 startCpu = threadCpuNs();
    ++m_depth;
    const bool handled = QApplication::notify(receiver, event);
    --m_depth;
    const qint64 us = (m_clock.nsecsElapsed() - start) / 1000;
    const qint64 cpuUs = (threadCpuNs() - startCpu) / 1000;
    const auto kind = [&] {
        return QStringLiteral("%1 (%2%3 in %4)")
            .arg(QString::fromLatin1(QMetaEnum::fromType<QEvent::Type>().valueToKey(type)),
                 QString::fromLatin1(receiverClass),
                 receiverName.isEmpty() ? QString() : QStringLiteral(" ") + receiverName,
                 QString::fromLatin1(parentClass));
    };
    if (cpuUs > m_maxCpuUs) {
        m_maxCpuUs = cpuUs;
        m_maxCpuKind = kind();
    }
    if (dumps && cpuUs >= m_callgrindMinCpuUs)
        CALLGRIND_DUMP_STATS_AT(qPrintable(kind()));
    if (us >= m_thresholdUs) {
        const QString what = kind();
        Slow &slow = m_slow[what];
        ++slow.count;
        slow.totalUs += us;
        slow.maxUs = std::max(slow.maxUs, us);
        slow.maxCpuUs = std::max(slow.maxCpuUs, cpuUs);
    }
    return handled;
}
