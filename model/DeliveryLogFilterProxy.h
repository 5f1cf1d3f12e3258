#pragma once

#include "model/Delivery.h"

#include <QSet>
#include <QSortFilterProxyModel>

namespace model {

// Filters a DeliveryLogModel (or any model offering its VerdictRole and EventTypeRole) by verdict and
// by event type, and sorts on its RawValueRole so times, sizes and durations sort as numbers. An
// empty filter lets everything through; both filters must pass for a row to show.
class DeliveryLogFilterProxy final : public QSortFilterProxyModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeliveryLogFilterProxy)
public:
    explicit DeliveryLogFilterProxy(QObject *parent = nullptr);
    ~DeliveryLogFilterProxy() override;

    QSet<Verdict> verdicts() const { return m_verdicts; }
    void setVerdicts(const QSet<Verdict> &verdicts); // empty = every verdict

    QString eventType() const { return m_eventType; }
    void setEventType(const QString &eventType); // exact match; empty = every event type

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QSet<Verdict> m_verdicts;
    QString m_eventType;
};

} // namespace model
