#include "model/AlertModel.h"

#include <QSet>

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QFont>

#include <algorithm>

namespace model {

namespace {

QString alertIsoTime(qint64 ms) {
    const QDateTime local = QDateTime::fromMSecsSinceEpoch(ms);
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::OffsetFromUTC, local.offsetFromUtc())
        .toString(Qt::ISODateWithMs);
}

QVariant alertAlignment(int column) {
    switch (column) {
    case AlertModel::VehicleColumn:
    case AlertModel::MessageColumn:
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    default:
        return QVariant::fromValue(Qt::AlignHCenter | Qt::AlignVCenter);
    }
}

} // namespace

AlertModel::AlertModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_clock([] { return QDateTime::currentMSecsSinceEpoch(); }) {}

AlertModel::~AlertModel() = default;

int AlertModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int AlertModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant AlertModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Alert &alert = m_rows[std::size_t(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return displayData(alert, column);
    case Qt::ToolTipRole:
        return toolTipData(alert, column);
    case AlertIdRole:
        return alert.id;
    case RawValueRole:
        return rawData(alert, column);
    case SeverityRole:
        return int(alert.severity);
    case IsActiveRole:
        return !alert.isCleared();
    case Qt::TextAlignmentRole:
        return alertAlignment(column);
    case Qt::ForegroundRole:
        // Cleared alerts are history: greyed so the active ones stand out.
        if (alert.isCleared())
            return QBrush(QColor(0x80, 0x80, 0x80));
        if (column == SeverityColumn && alert.severity == AlertSeverity::Critical)
            return QBrush(QColor(0xc6, 0x28, 0x28));
        if (column == SeverityColumn && alert.severity == AlertSeverity::Warning)
            return QBrush(QColor(0xb2, 0x5e, 0x00));
        return {};
    case Qt::FontRole:
        if (!alert.isCleared() && !alert.isAcknowledged()) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    default:
        return {};
    }
}

QVariant AlertModel::displayData(const Alert &alert, int column) const {
    switch (column) {
    case SeverityColumn:
        return severityText(alert.severity);
    case VehicleColumn:
        return m_vehicleNames.value(alert.vehicleId, alert.vehicleId);
    case MessageColumn:
        return alert.message;
    case FirstSeenColumn:
        return shortTime(alert.firstSeenAt, m_clock());
    case LastSeenColumn:
        return shortTime(alert.lastSeenAt, m_clock());
    case StateColumn:
        return stateText(alert);
    default:
        return {};
    }
}

QVariant AlertModel::rawData(const Alert &alert, int column) const {
    switch (column) {
    case SeverityColumn:
        return int(alert.severity);
    case VehicleColumn:
        return alert.vehicleId;
    case MessageColumn:
        return alert.message;
    case FirstSeenColumn:
        return alert.firstSeenAt;
    case LastSeenColumn:
        return alert.lastSeenAt;
    case StateColumn:
        return int(alert.isCleared() ? ClearedRank : alert.isAcknowledged() ? AcknowledgedRank : ActiveRank);
    default:
        return {};
    }
}

QVariant AlertModel::toolTipData(const Alert &alert, int column) const {
    switch (column) {
    case VehicleColumn:
        return alert.vehicleId;
    case MessageColumn:
        return alert.fireCount > 1 ? tr("%1\nSeen %2 times").arg(alert.message).arg(alert.fireCount)
                                   : alert.message;
    case FirstSeenColumn:
        return alertIsoTime(alert.firstSeenAt);
    case LastSeenColumn:
        return alertIsoTime(alert.lastSeenAt);
    case StateColumn: {
        QStringList lines;
        if (alert.isAcknowledged())
            lines.append(
                tr("Acknowledged by %1 at %2").arg(alert.acknowledgedBy, alertIsoTime(alert.acknowledgedAt)));
        if (alert.isCleared()) {
            lines.append(alert.clearedBy == QLatin1String("condition")
                             ? tr("Cleared by itself at %1").arg(alertIsoTime(alert.clearedAt))
                             : tr("Cleared by %1 at %2").arg(alert.clearedBy, alertIsoTime(alert.clearedAt)));
        }
        return lines.isEmpty() ? QVariant() : QVariant(lines.join(QLatin1Char('\n')));
    }
    default:
        return {};
    }
}

QString AlertModel::stateText(const Alert &alert) const {
    if (alert.isCleared())
        return tr("Cleared %1").arg(shortTime(alert.clearedAt, m_clock()));
    return alert.isAcknowledged() ? tr("Acknowledged") : tr("Active");
}

QVariant AlertModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::TextAlignmentRole)
        return alertAlignment(section);
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case SeverityColumn:
        return tr("Severity");
    case VehicleColumn:
        return tr("Vehicle");
    case MessageColumn:
        return tr("Alert");
    case FirstSeenColumn:
        return tr("First seen");
    case LastSeenColumn:
        return tr("Last seen");
    case StateColumn:
        return tr("State");
    default:
        return {};
    }
}

QHash<int, QByteArray> AlertModel::roleNames() const {
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(AlertIdRole, "alertId");
    names.insert(RawValueRole, "rawValue");
    names.insert(SeverityRole, "severity");
    names.insert(IsActiveRole, "isActive");
    return names;
}

bool AlertModel::newerFirst(const Alert &a, const Alert &b) {
    return a.firstSeenAt != b.firstSeenAt ? a.firstSeenAt > b.firstSeenAt : a.id > b.id;
}

void AlertModel::applyAlerts(const QList<Alert> &changed) {
    for (const Alert &alert : changed) {
        if (alert.id <= 0)
            continue;
        if (const auto it = m_pendingById.constFind(alert.id); it != m_pendingById.constEnd()) {
            m_pending[*it - m_pendingBase] = alert;
        } else {
            m_pendingById.insert(alert.id, m_pendingBase + m_pending.size());
            m_pending.append(alert);
        }
    }
    // While a burst is being sliced, the next slice is already on its way: this batch waits behind
    // it instead of making this event longer.
    if (pendingCount() > 0 && !m_sliceScheduled)
        applyPendingSlice();
}

void AlertModel::applyPendingSlice() {
    m_sliceScheduled = false;
    const qsizetype end = std::min(m_pending.size(), m_pendingFrom + kMaxAlertsPerSlice);
    QList<Alert> batch;
    batch.reserve(end - m_pendingFrom);
    for (qsizetype i = m_pendingFrom; i < end; ++i) {
        m_pendingById.remove(m_pending[i].id);
        batch.append(std::move(m_pending[i]));
    }
    m_pendingFrom = end;
    if (m_pendingFrom == m_pending.size()) {
        m_pending.clear();
        m_pendingFrom = 0;
        m_pendingBase = 0;
    } else {
        // The applied part is dropped once it is the larger half, so a GUI that stays behind does not
        // keep it all; arrival numbers stay valid by moving the base.
        if (m_pendingFrom > m_pending.size() / 2) {
            m_pending.remove(0, m_pendingFrom);
            m_pendingBase += m_pendingFrom;
            m_pendingFrom = 0;
        }
        m_sliceScheduled = true;
        QMetaObject::invokeMethod(this, &AlertModel::applyPendingSlice, Qt::QueuedConnection);
    }
    applyBatch(std::move(batch));
}

void AlertModel::applyBatch(QList<Alert> batch) {
    if (batch.isEmpty())
        return;
    QList<int> changedRows;
    QList<Alert> added;
    QList<int> movedRows;
    m_applyingBatch = true;
    for (Alert &alert : batch) {
        const int row = rowOf(alert.id);
        if (row < 0) {
            added.append(std::move(alert));
            continue;
        }
        Alert &current = m_rows[std::size_t(row)];
        if (current == alert)
            continue;
        // The engine never changes firstSeenAt, but a restored or corrected alert could: its row
        // has to move to stay in order, which is a remove and an insert.
        if (current.firstSeenAt != alert.firstSeenAt) {
            movedRows.append(row);
            added.append(std::move(alert));
            continue;
        }
        untrack(current);
        current = std::move(alert);
        track(current);
        changedRows.append(row);
    }

    // Updates are reported against the rows as they were; moves and inserts follow.
    emitRowsChanged(std::move(changedRows));
    removeRows(std::move(movedRows));
    insertSorted(std::move(added));
    trimCleared();
    m_applyingBatch = false;
    emitActiveCountIfChanged();
    Q_EMIT batchApplied();
}

void AlertModel::insertSorted(QList<Alert> added) {
    if (added.isEmpty())
        return;
    std::sort(added.begin(), added.end(), newerFirst);
    qsizetype i = 0;
    while (i < added.size()) {
        const int position =
            int(std::lower_bound(m_rows.cbegin(), m_rows.cend(), added[i], newerFirst) - m_rows.cbegin());
        // Every following new alert that also sorts before the row at `position` joins this run.
        qsizetype end = i + 1;
        while (end < added.size() && (std::size_t(position) == m_rows.size() ||
                                      newerFirst(added[end], m_rows[std::size_t(position)])))
            ++end;
        const int count = int(end - i);
        beginInsertRows(QModelIndex(), position, position + count - 1);
        // One shift of the rows below for the whole run, not one per new row.
        const auto at = m_rows.begin() + position;
        m_rows.insert(at, std::make_move_iterator(added.begin() + i),
                      std::make_move_iterator(added.begin() + end));
        for (int k = 0; k < count; ++k)
            track(m_rows[std::size_t(position + k)]);
        endInsertRows();
        i = end;
    }
}

void AlertModel::removeRows(QList<int> rows) {
    if (rows.isEmpty())
        return;
    // Bottom up, one removal per contiguous run, so earlier rows keep their numbers.
    std::sort(rows.begin(), rows.end(), std::greater<int>());
    qsizetype runStart = 0;
    for (qsizetype i = 1; i <= rows.size(); ++i) {
        if (i < rows.size() && rows[i] == rows[i - 1] - 1)
            continue;
        const int first = rows[i - 1];
        const int last = rows[runStart];
        beginRemoveRows(QModelIndex(), first, last);
        for (int row = first; row <= last; ++row)
            untrack(m_rows[std::size_t(row)]);
        m_rows.erase(m_rows.begin() + first, m_rows.begin() + last + 1);
        endRemoveRows();
        runStart = i;
    }
}

void AlertModel::trimCleared() {
    if (qsizetype(m_cleared.size()) <= m_maxCleared)
        return;
    QList<int> rows;
    rows.reserve(qsizetype(m_cleared.size()) - m_maxCleared);
    auto it = m_cleared.cbegin();
    for (qsizetype n = qsizetype(m_cleared.size()) - m_maxCleared; n > 0; --n, ++it)
        rows.append(rowOf(it->second));
    removeRows(std::move(rows));
}

void AlertModel::track(const Alert &alert) {
    m_firstSeenById.insert(alert.id, alert.firstSeenAt);
    if (alert.isCleared())
        m_cleared.emplace(alert.clearedAt, alert.id);
    else
        ++m_activeCount;
}

void AlertModel::untrack(const Alert &alert) {
    m_firstSeenById.remove(alert.id);
    if (alert.isCleared())
        m_cleared.erase({alert.clearedAt, alert.id});
    else
        --m_activeCount;
}

void AlertModel::emitRowsChanged(QList<int> rows) {
    if (rows.isEmpty())
        return;
    const int lastColumn = ColumnCount - 1;
    if (std::size_t(rows.size()) * 2 > m_rows.size()) {
        Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, lastColumn));
        return;
    }
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    qsizetype runStart = 0;
    for (qsizetype i = 1; i <= rows.size(); ++i) {
        if (i < rows.size() && rows[i] == rows[i - 1] + 1)
            continue;
        Q_EMIT dataChanged(index(rows[runStart], 0), index(rows[i - 1], lastColumn));
        runStart = i;
    }
}

void AlertModel::emitActiveCountIfChanged() {
    if (m_activeCount == m_reportedActiveCount)
        return;
    m_reportedActiveCount = m_activeCount;
    Q_EMIT activeCountChanged(m_activeCount);
}

void AlertModel::setMaxClearedAlerts(int max) {
    m_maxCleared = std::max(0, max);
    trimCleared();
}

void AlertModel::setVehicleNames(const QHash<QString, QString> &names) {
    if (names == m_vehicleNames)
        return;
    m_vehicleNames = names;
    if (!m_rows.empty())
        Q_EMIT dataChanged(index(0, VehicleColumn), index(int(m_rows.size()) - 1, VehicleColumn),
                           {Qt::DisplayRole});
}

void AlertModel::updateVehicleNames(const QHash<QString, QString> &changed) {
    QSet<QString> renamed;
    for (auto it = changed.cbegin(); it != changed.cend(); ++it) {
        auto current = m_vehicleNames.find(it.key());
        if (current != m_vehicleNames.end() && *current == it.value())
            continue;
        m_vehicleNames.insert(it.key(), it.value());
        renamed.insert(it.key());
    }
    if (renamed.isEmpty())
        return;
    m_applyingBatch = true;
    for (int row = 0; std::size_t(row) < m_rows.size(); ++row) {
        if (renamed.contains(m_rows[std::size_t(row)].vehicleId)) {
            const QModelIndex cell = index(row, VehicleColumn);
            Q_EMIT dataChanged(cell, cell, {Qt::DisplayRole});
        }
    }
    m_applyingBatch = false;
    Q_EMIT batchApplied();
}

const Alert *AlertModel::alertAt(int row) const {
    if (row < 0 || std::size_t(row) >= m_rows.size())
        return nullptr;
    return &m_rows[std::size_t(row)];
}

int AlertModel::rowOf(qint64 id) const {
    const auto it = m_firstSeenById.constFind(id);
    if (it == m_firstSeenById.constEnd())
        return -1;
    const qint64 firstSeenAt = *it;
    // Rows are sorted newest first by (firstSeenAt, id), a strict order: the binary search lands on it.
    const auto row =
        std::lower_bound(m_rows.cbegin(), m_rows.cend(), id, [firstSeenAt](const Alert &a, qint64 key) {
            return a.firstSeenAt != firstSeenAt ? a.firstSeenAt > firstSeenAt : a.id > key;
        });
    Q_ASSERT(row != m_rows.cend() && row->id == id);
    return int(row - m_rows.cbegin());
}

void AlertModel::setClock(Clock clock) {
    m_clock = std::move(clock);
}

QString AlertModel::shortTime(qint64 ms, qint64 nowMs) {
    if (ms <= 0)
        return QStringLiteral("\u2014");
    const QDateTime then = QDateTime::fromMSecsSinceEpoch(ms);
    if (then.date() == QDateTime::fromMSecsSinceEpoch(nowMs).date())
        return then.toString(QStringLiteral("HH:mm"));
    return then.toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString AlertModel::severityText(AlertSeverity severity) {
    switch (severity) {
    case AlertSeverity::Info:
        return tr("Info");
    case AlertSeverity::Warning:
        return tr("Warning");
    case AlertSeverity::Critical:
        return tr("Critical");
    }
    return {};
}

} // namespace model
