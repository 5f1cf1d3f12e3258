#pragma once

#include "model/Alert.h"
#include "model/DeliveryLogEntry.h"
#include "model/VehicleDetail.h"
#include "model/VehicleRow.h"
#include "model/VerificationEvent.h"

#include <QHash>
#include <QList>
#include <QMutex>
#include <QObject>

namespace model {

// Hand-off from the ingest thread to the GUI thread (PlotJuggler's producer/consumer pattern):
// producers add under a lock, `updatesPending` is emitted once when the queue goes from empty to
// non-empty, and the consumer drains everything on its own timer, at most ~20 times a second.
// Rows and alerts are coalesced by id (a burst for one vehicle costs the GUI one row update);
// delivery log entries are kept in order, bounded, so a stalled GUI cannot grow memory.
class FleetUpdateQueue final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetUpdateQueue)
public:
    struct Batch {
        QList<VehicleRow> rows;                 // in first-pushed order
        QList<Alert> alerts;                    // latest snapshot of each changed alert
        QList<DeliveryLogEntry> deliveries;     // in arrival order
        QList<VehicleDetail> details;           // latest detail of each watched vehicle that changed
        QList<VerificationEvent> verifications; // VERIFY challenges answered, in order
        qint64 droppedDeliveries = 0;           // log entries dropped because the GUI did not keep up
        bool isEmpty() const {
            return rows.isEmpty() && alerts.isEmpty() && deliveries.isEmpty() && details.isEmpty() &&
                   verifications.isEmpty();
        }
    };

    explicit FleetUpdateQueue(qsizetype maxPendingDeliveries = 10'000, QObject *parent = nullptr);

    void push(const VehicleRow &row);                             // any thread
    void pushAlerts(const QList<Alert> &alerts);                  // any thread
    void pushDelivery(const DeliveryLogEntry &delivery);          // any thread
    void pushDetail(const VehicleDetail &detail);                 // any thread
    void pushVerification(const VerificationEvent &verification); // any thread
    Batch takeBatch();                                            // any thread
    bool isEmpty() const;                                         // any thread: nothing to take
    qint64 pushedCount() const;                                   // rows pushed since construction

Q_SIGNALS:
    void updatesPending();

private:
    // Call with the lock held; returns whether the queue was empty before.
    bool wasEmptyLocked() const { return m_batch.isEmpty(); }
    void notifyIf(bool wasEmpty);

    mutable QMutex m_mutex;
    QHash<QString, qsizetype> m_rowIndex;
    QHash<qint64, qsizetype> m_alertIndex;
    QHash<QString, qsizetype> m_detailIndex;
    Batch m_batch;
    qsizetype m_maxPendingDeliveries;
    qint64 m_pushed = 0;
};

} // namespace model
