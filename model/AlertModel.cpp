#include "model/AlertModel.h"

#include <QSet>

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QFont>

#include <algorithm>

namespace model {

namespace {

QString isoTime(qint64 ms) {
    const QDateTime local = QDateTime::fromMSecsSinceEpoch(ms);
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::OffsetFromUTC, local.offsetFromUtc())
        .toString(Qt::ISODateWithMs);
}

QVariant alignment(int column) {
    switch (column) {
    case AlertModel::VehicleColumn:
    case AlertModel::MessageColumn:
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    default:
        return QVariant::fromValue(Qt::AlignHCenter | Qt::AlignVCenter);
    }
}

bool olderCleared(const Alert *a, const Alert *b) {
    return a->clearedAt != b->clearedAt ? a->clearedAt < b->clearedAt : a->id < b->id;
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
    const Alert &alert = m_rows.at(index.row());
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
        return alignment(column);
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
        return isoTime(alert.firstSeenAt);
    case LastSeenColumn:
        return isoTime(alert.lastSeenAt);
    case StateColumn: {
        QStringList lines;
        if (alert.isAcknowledged())
            lines.append(
                tr("Acknowledged by %1 at %2").arg(alert.acknowledgedBy, isoTime(alert.acknowledgedAt)));
        if (alert.isCleared()) {
            lines.append(alert.clearedBy == QLatin1String("condition")
                             ? tr("Cleared by itself at %1").arg(isoTime(alert.clearedAt))
                             : tr("Cleared by %1 at %2").arg(alert.clearedBy, isoTime(alert.clearedAt)));
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
        return alignment(section);
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
    QList<Alert> batch;
    QHash<qint64, qsizetype> batchIndex;
    for (const Alert &alert : changed) {
        if (alert.id <= 0)
            continue;
        if (const auto it = batchIndex.constFind(alert.id); it != batchIndex.constEnd()) {
            batch[*it] = alert;
        } else {
            batchIndex.insert(alert.id, batch.size());
            batch.append(alert);
        }
    }

    QList<int> changedRows;
    QList<Alert> added;
    QList<int> movedRows;
    for (Alert &alert : batch) {
        const auto it = m_rowById.constFind(alert.id);
        if (it == m_rowById.constEnd()) {
            added.append(std::move(alert));
            continue;
        }
        Alert &current = m_rows[*it];
        if (current == alert)
            continue;
        // The engine never changes firstSeenAt, but a restored or corrected alert could: its row
        // has to move to stay in order, which is a remove and an insert.
        if (current.firstSeenAt != alert.firstSeenAt) {
            movedRows.append(*it);
            added.append(std::move(alert));
            continue;
        }
        current = std::move(alert);
        changedRows.append(*it);
    }

    if (batch.isEmpty())
        return;
    m_applyingBatch = true;
    // Updates are reported against the rows as they were; moves and inserts follow.
    emitRowsChanged(std::move(changedRows));
    std::sort(movedRows.begin(), movedRows.end(), std::greater<int>());
    for (int row : std::as_const(movedRows)) {
        beginRemoveRows(QModelIndex(), row, row);
        m_rows.removeAt(row);
        rebuildIndex();
        endRemoveRows();
    }
    insertSorted(std::move(added));
    trimCleared();
    updateActiveCount();
    m_applyingBatch = false;
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
        while (end < added.size() && (position == m_rows.size() || newerFirst(added[end], m_rows[position])))
            ++end;
        const int count = int(end - i);
        beginInsertRows(QModelIndex(), position, position + count - 1);
        for (int k = 0; k < count; ++k)
            m_rows.insert(position + k, std::move(added[i + k]));
        rebuildIndex();
        endInsertRows();
        i = end;
    }
}

void AlertModel::trimCleared() {
    QList<const Alert *> cleared;
    for (const Alert &alert : std::as_const(m_rows)) {
        if (alert.isCleared())
            cleared.append(&alert);
    }
    if (cleared.size() <= m_maxCleared)
        return;
    std::sort(cleared.begin(), cleared.end(), olderCleared);
    QList<int> rows;
    for (qsizetype i = 0; i < cleared.size() - m_maxCleared; ++i)
        rows.append(m_rowById.value(cleared[i]->id));
    // Bottom up, one removal per contiguous run, so earlier rows keep their numbers.
    std::sort(rows.begin(), rows.end(), std::greater<int>());
    qsizetype runStart = 0;
    for (qsizetype i = 1; i <= rows.size(); ++i) {
        if (i < rows.size() && rows[i] == rows[i - 1] - 1)
            continue;
        const int first = rows[i - 1];
        const int last = rows[runStart];
        beginRemoveRows(QModelIndex(), first, last);
        m_rows.remove(first, last - first + 1);
        rebuildIndex();
        endRemoveRows();
        runStart = i;
    }
}

void AlertModel::rebuildIndex() {
    m_rowById.clear();
    m_rowById.reserve(m_rows.size());
    for (int row = 0; row < m_rows.size(); ++row)
        m_rowById.insert(m_rows.at(row).id, row);
}

void AlertModel::emitRowsChanged(QList<int> rows) {
    if (rows.isEmpty())
        return;
    const int lastColumn = ColumnCount - 1;
    if (rows.size() * 2 > m_rows.size()) {
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

void AlertModel::updateActiveCount() {
    const int active = int(
        std::count_if(m_rows.cbegin(), m_rows.cend(), [](const Alert &alert) { return !alert.isCleared(); }));
    if (active == m_activeCount)
        return;
    m_activeCount = active;
    Q_EMIT activeCountChanged(active);
}

void AlertModel::setMaxClearedAlerts(int max) {
    m_maxCleared = std::max(0, max);
    trimCleared();
}

void AlertModel::setVehicleNames(const QHash<QString, QString> &names) {
    if (names == m_vehicleNames)
        return;
    m_vehicleNames = names;
    if (!m_rows.isEmpty())
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
    for (int row = 0; row < m_rows.size(); ++row) {
        if (renamed.contains(m_rows.at(row).vehicleId)) {
            const QModelIndex cell = index(row, VehicleColumn);
            Q_EMIT dataChanged(cell, cell, {Qt::DisplayRole});
        }
    }
    m_applyingBatch = false;
    Q_EMIT batchApplied();
}

const Alert *AlertModel::alertAt(int row) const {
    if (row < 0 || row >= m_rows.size())
        return nullptr;
    return &m_rows.at(row);
}

int AlertModel::rowOf(qint64 id) const {
    return m_rowById.value(id, -1);
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
