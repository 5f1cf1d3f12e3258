#include "model/FleetUpdateQueue.h"

namespace model {

FleetUpdateQueue::FleetUpdateQueue(QObject *parent)
    : QObject(parent) {}

void FleetUpdateQueue::push(const VehicleRow &row) {
    bool wasEmpty = false;
    {
        QMutexLocker lock(&m_mutex);
        ++m_pushed;
        wasEmpty = m_pending.isEmpty();
        auto it = m_indexById.constFind(row.id);
        if (it != m_indexById.constEnd()) {
            m_pending[*it] = row;
        } else {
            m_indexById.insert(row.id, m_pending.size());
            m_pending.append(row);
        }
    }
    if (wasEmpty)
        Q_EMIT rowsPending();
}

QList<VehicleRow> FleetUpdateQueue::takeAll() {
    QMutexLocker lock(&m_mutex);
    m_indexById.clear();
    return std::exchange(m_pending, {});
}

qint64 FleetUpdateQueue::pushedCount() const {
    QMutexLocker lock(&m_mutex);
    return m_pushed;
}

} // namespace model
