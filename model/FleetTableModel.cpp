#include "model/FleetTableModel.h"

#include "model/AccountCommands.h"
#include "model/Alert.h"
#include "model/SignalUnits.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>
#include <QFont>

#include <algorithm>

namespace model {

namespace {

const QString kMissingVehicleField = QStringLiteral("\u2014");

// Smartcar delivers some makes in capitals ("POLESTAR", "VOLKSWAGEN") and others as branded
// ("Hyundai", "BMW"); a table of shouting names is hard to scan. Short all-capital makes are
// initialisms (BMW, BYD, GMC) and stay as they are.
QString prettyMake(const QString &make) {
    if (make.size() <= 3 || make != make.toUpper())
        return make;
    QString out = make.toLower();
    bool startOfWord = true;
    for (QChar &c : out) {
        if (startOfWord && c.isLetter())
            c = c.toUpper();
        startOfWord = !c.isLetterOrNumber();
    }
    return out;
}

QString yesNo(const std::optional<bool> &value) {
    if (!value)
        return kMissingVehicleField;
    return *value ? FleetTableModel::tr("Yes") : FleetTableModel::tr("No");
}

QVariant optionalVariant(const std::optional<bool> &value) {
    return value ? QVariant(*value) : QVariant();
}

// ISO 8601 with the local UTC offset, so the tooltip is both exact and readable where the manager is.
QString vehicleIsoTime(qint64 ms) {
    const QDateTime local = QDateTime::fromMSecsSinceEpoch(ms);
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::OffsetFromUTC, local.offsetFromUtc())
        .toString(Qt::ISODateWithMs);
}

// Short values are centred so that neighbouring columns never touch; odometers are right-aligned
// so their digits line up. Headers use the same alignment as their cells.
QVariant vehicleAlignment(int column) {
    switch (column) {
    case FleetTableModel::VehicleColumn:
    case FleetTableModel::LastUpdateColumn:
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case FleetTableModel::OdometerColumn:
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    default:
        return QVariant::fromValue(Qt::AlignHCenter | Qt::AlignVCenter);
    }
}

using Subscription = AccountCommands::Subscription;

QString subscriptionText(int state) {
    switch (Subscription(state)) {
    case Subscription::Subscribed:
        return FleetTableModel::tr("Subscribed");
    case Subscription::NotSubscribed:
        return FleetTableModel::tr("Not subscribed");
    case Subscription::Pending:
        return FleetTableModel::tr("Pending\u2026");
    case Subscription::Failed:
        return FleetTableModel::tr("Failed");
    case Subscription::Unknown:
        break;
    }
    return kMissingVehicleField;
}

} // namespace

FleetTableModel::FleetTableModel(QObject *parent)
    : QAbstractTableModel(parent)
    , m_clock([] { return QDateTime::currentMSecsSinceEpoch(); }) {
    // The C locale omits group separators; odometers read far better as "48,213 km".
    m_locale.setNumberOptions(QLocale::DefaultNumberOptions);
}

FleetTableModel::~FleetTableModel() = default;

int FleetTableModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

int FleetTableModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FleetTableModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const VehicleRow &row = m_rows.at(index.row());
    const int column = index.column();
    // A sorting proxy asks for the name of two rows at every comparison: it is kept, not rebuilt.
    if (column == VehicleColumn && (role == Qt::DisplayRole || role == RawValueRole))
        return m_names.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return displayData(row, column);
    case Qt::ToolTipRole:
        return toolTipData(row, column);
    case IdRole:
        return row.id;
    case RawValueRole:
        return rawData(row, column);
    case SearchTextRole:
        return QStringList{row.make, row.model, row.id, row.vin, row.nickname}.join(QLatin1Char(' '));
    case Qt::TextAlignmentRole:
        return vehicleAlignment(column);
    case Qt::ForegroundRole:
        // Only what needs the manager's attention is coloured; everything else keeps the palette.
        if (column == ErrorsColumn && row.openErrorCount > 0)
            return QBrush(QColor(0xc6, 0x28, 0x28));
        if (column == DoorsColumn && row.openDoors.value_or(0) > 0)
            return QBrush(QColor(0xb2, 0x5e, 0x00));
        // A failed subscription means webhooks silently stop for that vehicle.
        if (column == SubscriptionColumn && row.subscription == int(Subscription::Failed))
            return QBrush(QColor(0xc6, 0x28, 0x28));
        return {};
    case Qt::BackgroundRole:
        // The row is tinted by its worst active alert; translucent, so dark palettes stay readable.
        if (row.worstAlertSeverity == int(AlertSeverity::Critical))
            return QBrush(QColor(0xe5, 0x39, 0x35, 70));
        if (row.worstAlertSeverity == int(AlertSeverity::Warning))
            return QBrush(QColor(0xff, 0xb3, 0x00, 55));
        return {};
    case Qt::FontRole:
        if ((column == ErrorsColumn && row.openErrorCount > 0) ||
            (column == DoorsColumn && row.openDoors.value_or(0) > 0)) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    default:
        return {};
    }
}

QVariant FleetTableModel::displayData(const VehicleRow &row, int column) const {
    switch (column) {
    case VehicleColumn:
        return vehicleName(row);
    case IdColumn:
        return row.id.left(8); // UUIDs are unique long before their 8th character in any fleet
    case YearColumn:
        return row.year > 0 ? QString::number(row.year) : kMissingVehicleField;
    case BatteryColumn:
        return row.batteryPercent ? tr("%1 %").arg(qRound(*row.batteryPercent)) : kMissingVehicleField;
    case PluggedColumn:
        return yesNo(row.pluggedIn);
    case ChargingColumn:
        // The bolt is what the eye looks for when scanning which cars are charging.
        return row.charging.value_or(false) ? QStringLiteral("\u26A1 ") + tr("Yes") : yesNo(row.charging);
    case OdometerColumn:
        if (!row.odometerKm)
            return kMissingVehicleField;
        return m_distanceUnit == DistanceUnit::Miles
                   ? tr("%1 mi").arg(
                         m_locale.toString(qRound64(SignalUnits::milesFromKilometres(*row.odometerKm))))
                   : tr("%1 km").arg(m_locale.toString(qRound64(*row.odometerKm)));
    case DoorsColumn:
        if (!row.openDoors)
            return kMissingVehicleField;
        return *row.openDoors > 0 ? tr("Open %1").arg(*row.openDoors) : tr("Closed");
    case ErrorsColumn:
        return QString::number(row.openErrorCount);
    case LastUpdateColumn:
        return row.lastUpdateAt > 0 ? relativeTime(row.lastUpdateAt, m_clock()) : kMissingVehicleField;
    case SubscriptionColumn:
        return subscriptionText(row.subscription);
    default:
        return {};
    }
}

QVariant FleetTableModel::rawData(const VehicleRow &row, int column) const {
    switch (column) {
    case VehicleColumn:
        return vehicleName(row);
    case IdColumn:
        return row.id;
    case YearColumn:
        return row.year > 0 ? QVariant(row.year) : QVariant();
    case BatteryColumn:
        return row.batteryPercent ? QVariant(*row.batteryPercent) : QVariant();
    case PluggedColumn:
        return optionalVariant(row.pluggedIn);
    case ChargingColumn:
        return optionalVariant(row.charging);
    case OdometerColumn:
        return row.odometerKm ? QVariant(*row.odometerKm) : QVariant();
    case DoorsColumn:
        return row.openDoors ? QVariant(*row.openDoors) : QVariant();
    case ErrorsColumn:
        return row.openErrorCount;
    case LastUpdateColumn:
        return row.lastUpdateAt > 0 ? QVariant(row.lastUpdateAt) : QVariant();
    case SubscriptionColumn:
        return row.subscription;
    default:
        return {};
    }
}

QVariant FleetTableModel::toolTipData(const VehicleRow &row, int column) const {
    switch (column) {
    case VehicleColumn:
    case IdColumn:
        return row.id;
    case BatteryColumn:
        return row.batteryPercent ? tr("%1 %").arg(m_locale.toString(*row.batteryPercent, 'f', 1))
                                  : QVariant();
    case OdometerColumn:
        return row.odometerKm ? tr("%1 km").arg(m_locale.toString(*row.odometerKm, 'f', 1)) : QVariant();
    case LastUpdateColumn:
        return row.lastUpdateAt > 0 ? vehicleIsoTime(row.lastUpdateAt) : QVariant();
    case SubscriptionColumn:
        return row.subscriptionReason.isEmpty() ? QVariant() : QVariant(row.subscriptionReason);
    default:
        return {};
    }
}

QVariant FleetTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case VehicleColumn:
            return tr("Vehicle");
        case IdColumn:
            return tr("Id");
        case YearColumn:
            return tr("Year");
        case BatteryColumn:
            return tr("Battery");
        case PluggedColumn:
            return tr("Plugged in");
        case ChargingColumn:
            return tr("Charging");
        case OdometerColumn:
            return tr("Odometer");
        case DoorsColumn:
            return tr("Doors");
        case ErrorsColumn:
            return tr("Errors");
        case LastUpdateColumn:
            return tr("Last update");
        case SubscriptionColumn:
            return tr("Webhook");
        default:
            return {};
        }
    }
    if (role == Qt::TextAlignmentRole)
        return vehicleAlignment(section);
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case BatteryColumn:
            return tr("State of charge of the traction battery");
        case DoorsColumn:
            return tr("Doors, trunk and frunk reported open");
        case ErrorsColumn:
            return tr("Vehicle errors reported and not yet resolved");
        case LastUpdateColumn:
            return tr("Time since the newest accepted delivery");
        case SubscriptionColumn:
            return tr("Whether Smartcar sends this vehicle's webhooks here");
        default:
            return {};
        }
    }
    return {};
}

QHash<int, QByteArray> FleetTableModel::roleNames() const {
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(IdRole, "vehicleId");
    names.insert(RawValueRole, "rawValue");
    names.insert(SearchTextRole, "searchText");
    return names;
}

void FleetTableModel::applyRows(const QList<VehicleRow> &rows) {
    QList<int> changedRows;
    QList<VehicleRow> added;
    QHash<QString, qsizetype> addedIndex;
    for (VehicleRow row : rows) {
        if (row.id.isEmpty())
            continue;
        overlaySubscription(row);
        if (const auto it = m_rowById.constFind(row.id); it != m_rowById.constEnd()) {
            VehicleRow &current = m_rows[*it];
            if (current == row)
                continue;
            if (current.make != row.make || current.model != row.model || current.nickname != row.nickname)
                m_names[*it] = vehicleName(row);
            current = std::move(row);
            changedRows.append(*it);
        } else if (const auto ait = addedIndex.constFind(row.id); ait != addedIndex.constEnd()) {
            added[*ait] = std::move(row);
        } else {
            addedIndex.insert(row.id, added.size());
            added.append(std::move(row));
        }
    }

    // Changes are reported against the rows that existed before this batch; the new rows follow.
    emitRowsChanged(std::move(changedRows));

    if (added.isEmpty())
        return;
    const int first = int(m_rows.size());
    beginInsertRows(QModelIndex(), first, first + int(added.size()) - 1);
    for (VehicleRow &row : added) {
        m_rowById.insert(row.id, int(m_rows.size()));
        m_names.append(vehicleName(row));
        m_rows.append(std::move(row));
    }
    endInsertRows();
}

void FleetTableModel::overlaySubscription(VehicleRow &row) const {
    if (const auto it = m_subscriptions.constFind(row.id); it != m_subscriptions.constEnd()) {
        row.subscription = it->state;
        row.subscriptionReason = it->reason;
    }
}

void FleetTableModel::setSubscription(const QString &vehicleId, int state, const QString &reason) {
    if (vehicleId.isEmpty())
        return;
    const auto it = m_subscriptions.constFind(vehicleId);
    if (it != m_subscriptions.constEnd() && it->state == state && it->reason == reason)
        return;
    m_subscriptions.insert(vehicleId, SubscriptionState{state, reason});
    const int row = rowOf(vehicleId);
    if (row < 0)
        return;
    VehicleRow &current = m_rows[row];
    if (current.subscription == state && current.subscriptionReason == reason)
        return;
    current.subscription = state;
    current.subscriptionReason = reason;
    const QModelIndex cell = index(row, SubscriptionColumn);
    Q_EMIT dataChanged(cell, cell);
}

void FleetTableModel::addListedVehicle(const VehicleRow &row) {
    if (row.id.isEmpty() || m_rowById.contains(row.id))
        return;
    VehicleRow listed = row;
    overlaySubscription(listed);
    const int first = int(m_rows.size());
    beginInsertRows(QModelIndex(), first, first);
    m_rowById.insert(listed.id, first);
    m_names.append(vehicleName(listed));
    m_rows.append(std::move(listed));
    endInsertRows();
}

void FleetTableModel::emitRowsChanged(QList<int> changedRows) {
    if (changedRows.isEmpty())
        return;
    const int lastColumn = ColumnCount - 1;
    // A tick that touches most of the fleet is cheaper for views as one notification
    // (qBittorrent's transfer list does the same).
    if (changedRows.size() * 2 > m_rows.size()) {
        Q_EMIT dataChanged(index(0, 0), index(int(m_rows.size()) - 1, lastColumn));
        return;
    }
    std::sort(changedRows.begin(), changedRows.end());
    changedRows.erase(std::unique(changedRows.begin(), changedRows.end()), changedRows.end());
    qsizetype runStart = 0;
    for (qsizetype i = 1; i <= changedRows.size(); ++i) {
        if (i < changedRows.size() && changedRows[i] == changedRows[i - 1] + 1)
            continue;
        Q_EMIT dataChanged(index(changedRows[runStart], 0), index(changedRows[i - 1], lastColumn));
        runStart = i;
    }
}

void FleetTableModel::refreshRelativeTimes() {
    if (m_rows.isEmpty())
        return;
    Q_EMIT dataChanged(index(0, LastUpdateColumn), index(int(m_rows.size()) - 1, LastUpdateColumn),
                       {Qt::DisplayRole});
}

void FleetTableModel::setDistanceUnit(DistanceUnit unit) {
    if (unit == m_distanceUnit)
        return;
    m_distanceUnit = unit;
    if (!m_rows.isEmpty())
        Q_EMIT dataChanged(index(0, OdometerColumn), index(rowCount() - 1, OdometerColumn),
                           {Qt::DisplayRole});
}

const VehicleRow *FleetTableModel::rowAt(int row) const {
    if (row < 0 || row >= m_rows.size())
        return nullptr;
    return &m_rows.at(row);
}

int FleetTableModel::rowOf(const QString &id) const {
    return m_rowById.value(id, -1);
}

void FleetTableModel::setClock(Clock clock) {
    m_clock = std::move(clock);
}

QString FleetTableModel::relativeTime(qint64 thenMs, qint64 nowMs) {
    // A sender clock slightly ahead of ours must not read as "-2 s ago".
    const qint64 seconds = std::max<qint64>(0, nowMs - thenMs) / 1000;
    if (seconds < 1)
        return tr("just now");
    if (seconds < 60)
        return tr("%1 s ago").arg(seconds);
    const qint64 minutes = seconds / 60;
    if (minutes < 60)
        return tr("%1 min ago").arg(minutes);
    const qint64 hours = minutes / 60;
    if (hours < 48)
        return tr("%1 h ago").arg(hours);
    return tr("%1 d ago").arg(hours / 24);
}

QString FleetTableModel::vehicleName(const VehicleRow &row) {
    const QString name = makeAndModel(row);
    // The owner's nickname is what the manager knows the car by; make and model stay beside it.
    if (!row.nickname.isEmpty() && row.nickname != name)
        return tr("%1 (%2)").arg(row.nickname, name);
    return name;
}

QString FleetTableModel::makeAndModel(const VehicleRow &row) {
    if (row.make.isEmpty())
        return row.id;
    const QString make = prettyMake(row.make);
    if (row.model.isEmpty())
        return make;
    // "Polestar Polestar 2" says the make twice.
    if (row.model.startsWith(make, Qt::CaseInsensitive) &&
        (row.model.size() == make.size() || row.model.at(make.size()).isSpace()))
        return row.model;
    return make + QLatin1Char(' ') + row.model;
}

} // namespace model
