#include "model/FleetUpdateQueue.h"

namespace model {

FleetUpdateQueue::FleetUpdateQueue(qsizetype maxPendingDeliveries, QObject *parent)
    : QObject(parent)
    , m_maxPendingDeliveries(std::max<qsizetype>(1, maxPendingDeliveries)) {}

void FleetUpdateQueue::notifyIf(bool wasEmpty) {
    if (wasEmpty)
        Q_EMIT updatesPending();
}

void FleetUpdateQueue::push(const VehicleRow &row) {
    bool wasEmpty = false;
    {
        QMutexLocker lock(&m_mutex);
        ++m_pushed;
        wasEmpty = wasEmptyLocked();
        auto it = m_rowIndex.constFind(row.id);
        if (it != m_rowIndex.constEnd()) {
            m_batch.rows[*it] = row;
        } else {
            m_rowIndex.insert(row.id, m_batch.rows.size());
            m_batch.rows.append(row);
        }
    }
    notifyIf(wasEmpty);
}

void FleetUpdateQueue::pushAlerts(const QList<Alert> &alerts) {
    if (alerts.isEmpty())
        return;
    bool wasEmpty = false;
    {
        QMutexLocker lock(&m_mutex);
        wasEmpty = wasEmptyLocked();
        for (const Alert &alert : alerts) {
            auto it = m_alertIndex.constFind(alert.id);
            if (it != m_alertIndex.constEnd()) {
                m_batch.alerts[*it] = alert;
            } else {
                m_alertIndex.insert(alert.id, m_batch.alerts.size());
                m_batch.alerts.append(alert);
            }
        }
    }
    notifyIf(wasEmpty);
}

void FleetUpdateQueue::pushDelivery(const DeliveryLogEntry &delivery) {
    bool wasEmpty = false;
    {
        QMutexLocker lock(&m_mutex);
        wasEmpty = wasEmptyLocked();
        if (m_batch.deliveries.size() >= m_maxPendingDeliveries) {
            // The log shows the newest entries; the journal keeps them all.
            m_batch.deliveries.removeFirst();
            ++m_batch.droppedDeliveries;
        }
        m_batch.deliveries.append(delivery);
    }
    notifyIf(wasEmpty);
}

void FleetUpdateQueue::pushDetail(const VehicleDetail &detail) {
    bool wasEmpty = false;
    {
        QMutexLocker lock(&m_mutex);
        wasEmpty = wasEmptyLocked();
        auto it = m_detailIndex.constFind(detail.row.id);
        if (it != m_detailIndex.constEnd()) {
            m_batch.details[*it] = detail;
        } else {
            m_detailIndex.insert(detail.row.id, m_batch.details.size());
            m_batch.details.append(detail);
        }
    }
    notifyIf(wasEmpty);
}

void FleetUpdateQueue::pushVerification(const VerificationEvent &verification) {
    bool wasEmpty = false;
    {
        QMutexLocker lock(&m_mutex);
        wasEmpty = wasEmptyLocked();
        if (m_batch.verifications.size() >= 100) // only the latest matter; VERIFY is rare anyway
            m_batch.verifications.removeFirst();
        m_batch.verifications.append(verification);
    }
    notifyIf(wasEmpty);
}

FleetUpdateQueue::Batch FleetUpdateQueue::takeBatch() {
    QMutexLocker lock(&m_mutex);
    m_rowIndex.clear();
    m_alertIndex.clear();
    m_detailIndex.clear();
    return std::exchange(m_batch, Batch{});
}

bool FleetUpdateQueue::isEmpty() const {
    QMutexLocker lock(&m_mutex);
    return m_batch.isEmpty();
}

qint64 FleetUpdateQueue::pushedCount() const {
    QMutexLocker lock(&m_mutex);
    return m_pushed;
}

} // namespace model
