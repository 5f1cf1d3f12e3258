#include "TableLatencyRecorder.h"
#include "ResidentBuffer.h"

#include "model/FleetTableModel.h"

#include <QDateTime>

TableLatencyRecorder::TableLatencyRecorder(model::FleetTableModel *model, QObject *parent)
    : QObject(parent)
    , m_model(model) {
    // Resident before the measured run (see ResidentBuffer.h): 2,000 row updates/s for minutes.
    reserveResident(m_latenciesMs, 400'000);
    reserveResident(m_handOffMs, 100'000);
    // Direct connections: the time is taken as the model announces the change, before any view.
    connect(m_model, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &, int first, int last) { inspect(first, last); });
    connect(m_model, &QAbstractItemModel::dataChanged, this,
            [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                inspect(topLeft.row(), bottomRight.row());
            });
}

void TableLatencyRecorder::inspect(int first, int last) {
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_pendingSinceMs && m_recording) {
        const qint64 since = m_pendingSinceMs->exchange(0);
        if (since > 0)
            m_handOffMs.push_back(now - since);
    }
    if (m_seenReceivedAt.size() < size_t(m_model->rowCount()))
        m_seenReceivedAt.resize(size_t(m_model->rowCount()), 0);
    for (int row = first; row <= last; ++row) {
        const model::VehicleRow *r = m_model->rowAt(row);
        if (!r || r->lastUpdateAt <= 0 || r->lastUpdateAt == m_seenReceivedAt[size_t(row)])
            continue; // a relative-time refresh or a subscription change: no new delivery
        m_seenReceivedAt[size_t(row)] = r->lastUpdateAt;
        if (m_recording)
            m_latenciesMs.push_back(now - r->lastUpdateAt);
    }
}
