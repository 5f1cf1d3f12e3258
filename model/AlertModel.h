#pragma once

#include "model/Alert.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

#include <deque>
#include <functional>
#include <set>
#include <utility>

namespace model {

// The alert list for the GUI: newest first (by firstSeenAt, then id), one row per alert id. It keeps
// every active alert and at most maxClearedAlerts() cleared ones, dropping the oldest cleared first
// (by clearedAt, then id), so a long-running session stays bounded. RawValueRole carries numbers and
// times for a sorting proxy; display strings are for people.
//
// Alerts are applied in slices of at most kMaxAlertsPerSlice: a burst (an engine restored with a
// whole fleet's alerts, a fleet-wide low-battery evening) would otherwise hold the GUI thread for
// one long event, most of it in the sorting proxy and the views reacting to the rows. The first
// slice is applied at once, the rest one slice per event-loop turn, in arrival order; an alert that
// changes again while it waits is replaced in place by its newer snapshot, so what is applied last
// for an id is always the newest. pendingCount() says how many wait.
//
// Change notification, per slice: updates first (one dataChanged per contiguous run of changed rows,
// or one for the whole table when more than half the rows changed), then one rowsInserted per
// contiguous run of new rows, then rowsRemoved for cleared alerts beyond the bound. Rows whose alert
// is unchanged emit nothing. A slice's signals are bracketed: isApplyingBatch() is true while they
// are emitted and batchApplied() follows them once, so a view that summarises the whole model
// (counts, the banner) can do that once per slice instead of once per signal.
//
// Nothing is rebuilt per slice: rows are found by binary search on (firstSeenAt, id) through an
// id -> firstSeenAt map that only changes for the alerts that come or go, and the active count and
// the cleared alerts (oldest first, for the bound) are kept as alerts change.
class AlertModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertModel)
public:
    enum Column {
        SeverityColumn,
        VehicleColumn,
        MessageColumn,
        FirstSeenColumn,
        LastSeenColumn,
        StateColumn,
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role {
        AlertIdRole = Qt::UserRole + 1, // qint64, same for every column of a row
        RawValueRole,                   // severity (int), vehicle id, message, times (qint64 ms), state rank
        SeverityRole,                   // int(AlertSeverity)
        IsActiveRole,                   // bool: not cleared
    };
    Q_ENUM(Role)

    // What the State column sorts by (RawValueRole): what needs attention first.
    enum StateRank { ActiveRank = 0, AcknowledgedRank = 1, ClearedRank = 2 };

    // Returns the current time in epoch ms; replaceable so tests control what "today" is.
    using Clock = std::function<qint64()>;

    static constexpr int kDefaultMaxCleared = 1000;
    // Measured with bench/gui/gui_replay_bench --alert-burst 10000: a slice of 250 new alerts costs
    // the model, the alert panel's sorting proxy and its view under 1 ms of GUI-thread CPU, where
    // the whole burst in one event took 15 ms.
    static constexpr qsizetype kMaxAlertsPerSlice = 250;

    explicit AlertModel(QObject *parent = nullptr);
    ~AlertModel() override;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Upserts by id (the engine's full snapshots). Alerts with id <= 0 are ignored; if an id repeats
    // within the batch, or is still waiting from an earlier one, the last occurrence wins. Applies
    // the first slice now and the rest on later event-loop turns (see the class comment).
    void applyAlerts(const QList<Alert> &changed);
    qsizetype pendingCount() const { return m_pending.size() - m_pendingFrom; } // received, not applied yet

    void setMaxClearedAlerts(int max); // drops cleared rows beyond it at once
    int maxClearedAlerts() const { return m_maxCleared; }

    // Vehicle id -> display name; ids without an entry show as themselves.
    void setVehicleNames(const QHash<QString, QString> &names);
    // Adds or replaces the names of some vehicles, keeping the others: what a live tick knows. Only
    // rows of those vehicles are reported changed (one dataChanged per row, on the Vehicle column),
    // so a 10,000-vehicle fleet costs neither a copy of every name nor a repaint of every alert.
    void updateVehicleNames(const QHash<QString, QString> &changed);

    int activeCount() const { return m_activeCount; }
    bool isApplyingBatch() const { return m_applyingBatch; }
    const Alert *alertAt(int row) const; // nullptr when out of range
    int rowOf(qint64 id) const;          // -1 when unknown

    void setClock(Clock clock);

    // "12:03" for today (local time), else "2024-05-31 12:03".
    static QString shortTime(qint64 ms, qint64 nowMs);
    static QString severityText(AlertSeverity severity);

Q_SIGNALS:
    void batchApplied(); // after the row signals of one applyAlerts() or updateVehicleNames()
    void activeCountChanged(int count);

private:
    static bool newerFirst(const Alert &a, const Alert &b);
    QVariant displayData(const Alert &alert, int column) const;
    QVariant rawData(const Alert &alert, int column) const;
    QVariant toolTipData(const Alert &alert, int column) const;
    QString stateText(const Alert &alert) const;
    void applyPendingSlice();
    void applyBatch(QList<Alert> batch);
    void insertSorted(QList<Alert> added);
    void removeRows(QList<int> rows);
    void trimCleared();
    void track(const Alert &alert);   // adds an alert that became a row to the index and counts
    void untrack(const Alert &alert); // the opposite, for an alert that stops being one
    void emitRowsChanged(QList<int> rows);
    void emitActiveCountIfChanged();

    // Newest first. A deque: new alerts go in at the front without moving the others, and its memory
    // follows the row count in small blocks. A QList kept in this order (inserts at the front, the
    // cleared history trimmed further down) reallocated to twice its capacity whenever the free
    // space before the first row ran out while more than a third of it was in use: a 2,400-row
    // model jumped from a 1 MB to a 2 MB block long after the rows had stopped growing.
    std::deque<Alert> m_rows;
    QHash<qint64, qint64> m_firstSeenById;         // id -> firstSeenAt of every row: its sort key
    std::set<std::pair<qint64, qint64>> m_cleared; // (clearedAt, id) of the cleared rows, oldest first
    QList<Alert> m_pending;                        // received, applied from m_pendingFrom on
    qsizetype m_pendingFrom = 0;
    qint64 m_pendingBase = 0;            // the arrival number of m_pending[0]
    QHash<qint64, qint64> m_pendingById; // id -> arrival number of its waiting snapshot
    bool m_sliceScheduled = false;
    QHash<QString, QString> m_vehicleNames;
    bool m_applyingBatch = false;
    int m_maxCleared = kDefaultMaxCleared;
    int m_activeCount = 0;
    int m_reportedActiveCount = 0;
    Clock m_clock;
};

} // namespace model
