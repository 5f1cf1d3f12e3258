#pragma once

#include "model/VehicleRow.h"

#include <QHash>
#include <QList>
#include <QMutex>
#include <QObject>

namespace model {

// Hand-off of table rows from the ingest thread to the GUI thread (PlotJuggler's producer/consumer
// pattern): the producer overwrites the pending row of a vehicle under a lock, so a burst of
// deliveries for one vehicle costs the GUI one row update. `rowsPending` is emitted once per batch,
// when the queue goes from empty to non-empty; the consumer drains it on its own timer.
class FleetUpdateQueue final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetUpdateQueue)
public:
    explicit FleetUpdateQueue(QObject *parent = nullptr);

    void push(const VehicleRow &row); // any thread
    QList<VehicleRow> takeAll();      // any thread; rows in first-pushed order
    qint64 pushedCount() const;       // rows pushed since construction

Q_SIGNALS:
    void rowsPending();

private:
    mutable QMutex m_mutex;
    QHash<QString, qsizetype> m_indexById;
    QList<VehicleRow> m_pending;
    qint64 m_pushed = 0;
};

} // namespace model
