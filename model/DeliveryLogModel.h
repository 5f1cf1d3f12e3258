#pragma once

#include "model/DeliveryLogEntry.h"

#include <QAbstractTableModel>
#include <QList>
#include <QLocale>

#include <vector>

namespace model {

// The live delivery log: the newest `capacity` deliveries, newest first (row 0 is the newest). The
// full log stays in the journal; this model only keeps what a person can scroll through, so memory
// is bounded however long the application runs.
//
// Change notification is cheap by contract: a batch costs at most one rowsRemoved (the evicted
// oldest rows, at the bottom, emitted first so the row count never exceeds the capacity) and one
// rowsInserted (the whole batch, at the top). Appending is O(batch) whatever the fill level: rows
// live in a circular buffer and are never shifted.
//
// Display strings are for people; RawValueRole carries the underlying number (ms, bytes, µs, HTTP
// status, verdict as int) or string so that a proxy with setSortRole(RawValueRole) sorts numerically.
class DeliveryLogModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeliveryLogModel)
public:
    enum Column {
        TimeColumn,
        EventColumn,
        VehicleColumn,
        VerdictColumn,
        StatusColumn,
        SizeColumn,
        ProcessingColumn,
        ReplayColumn,
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role {
        JournalIdRole = Qt::UserRole + 1, // qint64, same for every column of a row
        RawValueRole,                     // the column's value: qint64, int, bool or QString
        VerdictRole,                      // model::Verdict as int, same for every column of a row
        EventTypeRole,                    // eventType as delivered (may be empty), every column
    };
    Q_ENUM(Role)

    static constexpr int kDefaultCapacity = 10'000;

    explicit DeliveryLogModel(QObject *parent = nullptr);
    // A capacity below 1 is taken as 1.
    explicit DeliveryLogModel(int capacity, QObject *parent = nullptr);
    ~DeliveryLogModel() override;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Adds a batch in arrival order (the last entry becomes row 0). When the log is full the oldest
    // rows are evicted; a batch larger than the capacity keeps only its newest `capacity` entries.
    void appendEntries(const QList<DeliveryLogEntry> &entries);

    // Empties the view (one model reset); totalAppended() keeps counting from where it was.
    void clear();

    const DeliveryLogEntry *entryAt(int row) const; // nullptr when out of range
    int capacity() const { return m_capacity; }
    // Every entry ever handed to appendEntries(), including those evicted or never shown.
    qint64 totalAppended() const { return m_totalAppended; }

    // "512 B", "4.1 KB", "2.3 MB".
    static QString formatBytes(qint64 bytes, const QLocale &locale = QLocale());
    // "0.8 ms", "12.3 ms", "2.50 s".
    static QString formatProcessing(qint64 micros, const QLocale &locale = QLocale());

private:
    const DeliveryLogEntry &entry(int row) const;
    QVariant displayData(const DeliveryLogEntry &entry, int column) const;
    QVariant rawData(const DeliveryLogEntry &entry, int column) const;
    QVariant toolTipData(const DeliveryLogEntry &entry, int column) const;

    // Circular storage: grows up to m_capacity slots, then the oldest slot is overwritten. m_head
    // is the slot the next entry goes to, so the newest entry sits just before it.
    std::vector<DeliveryLogEntry> m_buffer;
    int m_capacity;
    int m_head = 0;
    int m_size = 0;
    qint64 m_totalAppended = 0;
    QLocale m_locale;
};

} // namespace model
