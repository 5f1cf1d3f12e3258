#include "model/DeliveryLogFilterProxy.h"

#include "model/DeliveryLogModel.h"

namespace model {

DeliveryLogFilterProxy::DeliveryLogFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent) {
    setSortRole(DeliveryLogModel::RawValueRole);
}

DeliveryLogFilterProxy::~DeliveryLogFilterProxy() = default;

void DeliveryLogFilterProxy::setVerdicts(const QSet<Verdict> &verdicts) {
    if (verdicts == m_verdicts)
        return;
    m_verdicts = verdicts;
    invalidateFilter();
}

void DeliveryLogFilterProxy::setEventType(const QString &eventType) {
    if (eventType == m_eventType)
        return;
    m_eventType = eventType;
    invalidateFilter();
}

bool DeliveryLogFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const {
    if (m_verdicts.isEmpty() && m_eventType.isEmpty())
        return true;
    // Both roles are the same on every column of a row, so column 0 answers for the whole row.
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_verdicts.isEmpty()) {
        const QVariant verdict = index.data(DeliveryLogModel::VerdictRole);
        if (!verdict.isValid() || !m_verdicts.contains(Verdict(verdict.toInt())))
            return false;
    }
    if (!m_eventType.isEmpty() && index.data(DeliveryLogModel::EventTypeRole).toString() != m_eventType)
        return false;
    return true;
}

} // namespace model
