#include "model/DeliveryLogModel.h"

#include <QBrush>
#include <QColor>
#include <QDateTime>

#include <algorithm>

namespace model {

namespace {

const QString kMissingDeliveryField = QStringLiteral("\u2014");

// ISO 8601 with the local UTC offset, so the tooltip is both exact and readable where the manager is.
QString deliveryIsoTime(qint64 ms) {
    const QDateTime local = QDateTime::fromMSecsSinceEpoch(ms);
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::OffsetFromUTC, local.offsetFromUtc())
        .toString(Qt::ISODateWithMs);
}

// Numbers are right-aligned so their digits line up; short tokens are centred so neighbouring
// columns never touch. Headers use the same alignment as their cells.
QVariant deliveryAlignment(int column) {
    switch (column) {
    case DeliveryLogModel::StatusColumn:
    case DeliveryLogModel::VerdictColumn:
    case DeliveryLogModel::ReplayColumn:
        return QVariant::fromValue(Qt::AlignHCenter | Qt::AlignVCenter);
    case DeliveryLogModel::SizeColumn:
    case DeliveryLogModel::ProcessingColumn:
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    default:
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    }
}

// Accepted deliveries keep the palette colour: only what differs from the normal case stands out.
QVariant verdictForeground(Verdict verdict) {
    switch (verdict) {
    case Verdict::Duplicate:
        return QBrush(QColor(0x75, 0x75, 0x75));
    case Verdict::BadSignature:
    case Verdict::Malformed:
        return QBrush(QColor(0xc6, 0x28, 0x28));
    case Verdict::Verify:
        return QBrush(QColor(0x15, 0x65, 0xc0));
    case Verdict::Accepted:
        break;
    }
    return {};
}

QString verdictDescription(Verdict verdict) {
    switch (verdict) {
    case Verdict::Accepted:
        return DeliveryLogModel::tr("Signature valid; stored in the journal");
    case Verdict::Duplicate:
        return DeliveryLogModel::tr("Event already received; acknowledged and ignored");
    case Verdict::BadSignature:
        return DeliveryLogModel::tr("SC-Signature did not match; rejected");
    case Verdict::Malformed:
        return DeliveryLogModel::tr("Body could not be decoded; rejected");
    case Verdict::Verify:
        return DeliveryLogModel::tr("Webhook verification challenge answered");
    }
    return {};
}

} // namespace

DeliveryLogModel::DeliveryLogModel(QObject *parent)
    : DeliveryLogModel(kDefaultCapacity, parent) {}

DeliveryLogModel::DeliveryLogModel(int capacity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_capacity(std::max(1, capacity)) {
    // The C locale omits group separators; exact sizes read far better as "48,213 bytes".
    m_locale.setNumberOptions(QLocale::DefaultNumberOptions);
}

DeliveryLogModel::~DeliveryLogModel() = default;

int DeliveryLogModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : m_size;
}

int DeliveryLogModel::columnCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : ColumnCount;
}

const DeliveryLogEntry &DeliveryLogModel::entry(int row) const {
    // Row 0 is the slot just before m_head; older rows go backwards, wrapping around the buffer.
    return m_buffer[std::size_t((m_head - 1 - row + m_capacity) % m_capacity)];
}

const DeliveryLogEntry *DeliveryLogModel::entryAt(int row) const {
    if (row < 0 || row >= m_size)
        return nullptr;
    return &entry(row);
}

QVariant DeliveryLogModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const DeliveryLogEntry &e = entry(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return displayData(e, column);
    case Qt::ToolTipRole:
        return toolTipData(e, column);
    case JournalIdRole:
        return e.journalId;
    case RawValueRole:
        return rawData(e, column);
    case VerdictRole:
        return int(e.verdict);
    case EventTypeRole:
        return e.eventType;
    case Qt::TextAlignmentRole:
        return deliveryAlignment(column);
    case Qt::ForegroundRole:
        return column == VerdictColumn ? verdictForeground(e.verdict) : QVariant();
    default:
        return {};
    }
}

QVariant DeliveryLogModel::displayData(const DeliveryLogEntry &e, int column) const {
    switch (column) {
    case TimeColumn:
        return QDateTime::fromMSecsSinceEpoch(e.receivedAtMs).toString(QStringLiteral("hh:mm:ss.zzz"));
    case EventColumn:
        return e.eventType.isEmpty() ? kMissingDeliveryField : e.eventType;
    case VehicleColumn:
        // Rejected deliveries (bad signature, malformed, verify) may carry no vehicle.
        return e.vehicleId.isEmpty() ? kMissingDeliveryField : e.vehicleId;
    case VerdictColumn:
        return verdictName(e.verdict);
    case StatusColumn:
        return e.status > 0 ? QString::number(e.status) : kMissingDeliveryField;
    case SizeColumn:
        return formatBytes(e.bodyBytes, m_locale);
    case ProcessingColumn:
        return formatProcessing(e.processingUs, m_locale);
    case ReplayColumn:
        return e.replay ? tr("replay") : QString();
    default:
        return {};
    }
}

QVariant DeliveryLogModel::rawData(const DeliveryLogEntry &e, int column) const {
    switch (column) {
    case TimeColumn:
        return e.receivedAtMs;
    case EventColumn:
        return e.eventType;
    case VehicleColumn:
        return e.vehicleId;
    case VerdictColumn:
        return int(e.verdict);
    case StatusColumn:
        return e.status;
    case SizeColumn:
        return e.bodyBytes;
    case ProcessingColumn:
        return e.processingUs;
    case ReplayColumn:
        return e.replay;
    default:
        return {};
    }
}

QVariant DeliveryLogModel::toolTipData(const DeliveryLogEntry &e, int column) const {
    switch (column) {
    case TimeColumn:
        return deliveryIsoTime(e.receivedAtMs);
    case EventColumn:
        return e.eventId.isEmpty() ? QVariant() : tr("Event id %1").arg(e.eventId);
    case VehicleColumn:
        return e.vehicleId.isEmpty() ? QVariant() : e.vehicleId;
    case VerdictColumn:
        return verdictDescription(e.verdict);
    case SizeColumn:
        return tr("%1 bytes").arg(m_locale.toString(e.bodyBytes));
    case ProcessingColumn:
        return tr("%1 \u00b5s").arg(m_locale.toString(e.processingUs));
    default:
        return {};
    }
}

QVariant DeliveryLogModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::DisplayRole) {
        switch (section) {
        case TimeColumn:
            return tr("Time");
        case EventColumn:
            return tr("Event");
        case VehicleColumn:
            return tr("Vehicle");
        case VerdictColumn:
            return tr("Verdict");
        case StatusColumn:
            return tr("Status");
        case SizeColumn:
            return tr("Size");
        case ProcessingColumn:
            return tr("Processing");
        case ReplayColumn:
            return tr("Replay");
        default:
            return {};
        }
    }
    if (role == Qt::TextAlignmentRole)
        return deliveryAlignment(section);
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case StatusColumn:
            return tr("HTTP status sent back to Smartcar");
        case SizeColumn:
            return tr("Size of the request body");
        case ProcessingColumn:
            return tr("From the last byte received to the answer being queued");
        case ReplayColumn:
            return tr("Re-fed from the journal by the user, not sent by Smartcar");
        default:
            return {};
        }
    }
    return {};
}

QHash<int, QByteArray> DeliveryLogModel::roleNames() const {
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(JournalIdRole, "journalId");
    names.insert(RawValueRole, "rawValue");
    names.insert(VerdictRole, "verdict");
    names.insert(EventTypeRole, "eventType");
    return names;
}

void DeliveryLogModel::appendEntries(const QList<DeliveryLogEntry> &entries) {
    if (entries.isEmpty())
        return;
    m_totalAppended += entries.size();

    // Entries older than the newest `capacity` of this batch would be evicted by the batch itself;
    // announcing them would only make views insert and remove rows nobody can see.
    const int kept = int(std::min<qsizetype>(entries.size(), m_capacity));
    const int evicted = std::max(0, m_size + kept - m_capacity);

    // Removing first (as qBittorrent's log does) keeps the row count within the capacity at every
    // notification, so the evicted rows' slots can be reused below without a second buffer.
    if (evicted > 0) {
        beginRemoveRows(QModelIndex(), m_size - evicted, m_size - 1);
        m_size -= evicted;
        endRemoveRows();
    }

    beginInsertRows(QModelIndex(), 0, kept - 1);
    // Slots beyond m_size are either not allocated yet or hold evicted rows, and writing at m_head
    // walks exactly those: the buffer only wraps once it has grown to the full capacity.
    for (qsizetype i = entries.size() - kept; i < entries.size(); ++i) {
        if (m_buffer.size() < std::size_t(m_capacity))
            m_buffer.push_back(entries[i]);
        else
            m_buffer[std::size_t(m_head)] = entries[i];
        m_head = (m_head + 1) % m_capacity;
    }
    m_size += kept;
    endInsertRows();
}

void DeliveryLogModel::clear() {
    if (m_size == 0)
        return;
    beginResetModel();
    m_buffer.clear();
    m_head = 0;
    m_size = 0;
    endResetModel();
}

QString DeliveryLogModel::formatBytes(qint64 bytes, const QLocale &locale) {
    constexpr double kKiB = 1024.0;
    if (bytes < 1024)
        return tr("%1 B").arg(std::max<qint64>(0, bytes));
    if (bytes < 1024 * 1024)
        return tr("%1 KB").arg(locale.toString(double(bytes) / kKiB, 'f', 1));
    return tr("%1 MB").arg(locale.toString(double(bytes) / (kKiB * kKiB), 'f', 1));
}

QString DeliveryLogModel::formatProcessing(qint64 micros, const QLocale &locale) {
    micros = std::max<qint64>(0, micros);
    // Below the point where one decimal would round up to "1000.0 ms", milliseconds read best.
    if (micros < 999'950)
        return tr("%1 ms").arg(locale.toString(double(micros) / 1000.0, 'f', 1));
    return tr("%1 s").arg(locale.toString(double(micros) / 1'000'000.0, 'f', 2));
}

} // namespace model
