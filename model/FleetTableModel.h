#pragma once

#include "model/VehicleRow.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QLocale>

#include <functional>

namespace model {

// The live vehicle table: one row per vehicle, appended in first-seen order and never reordered or
// removed, so a row number stays valid for the life of the model (sorting and filtering belong to a
// proxy). Display strings are for people; RawValueRole carries the underlying number, bool or
// string so that a QSortFilterProxyModel with setSortRole(RawValueRole) sorts numerically. Missing
// values have an invalid RawValueRole and display as an em dash.
//
// Change notification is cheap by contract: a batch adds all its new vehicles with one
// rowsInserted, changed rows get one dataChanged per contiguous run, or one for the whole table
// when more than half the rows changed, and rows whose content is unchanged emit nothing.
class FleetTableModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetTableModel)
public:
    enum Column {
        VehicleColumn,
        IdColumn, // short Smartcar id: tells apart vehicles of the same make and model
        YearColumn,
        BatteryColumn,
        PluggedColumn,
        ChargingColumn,
        OdometerColumn,
        DoorsColumn,
        ErrorsColumn,
        LastUpdateColumn,
        SubscriptionColumn, // last, so header states saved before it existed still fit the others
        ColumnCount
    };
    Q_ENUM(Column)

    enum Role {
        IdRole = Qt::UserRole + 1, // vehicle id (QString), same for every column of a row
        RawValueRole,              // the column's value: double, int, bool, qint64 ms or QString
        SearchTextRole,            // "make model id", what a filter proxy matches against
    };
    Q_ENUM(Role)

    // Returns the current time in epoch ms; replaceable so tests control "12 s ago".
    using Clock = std::function<qint64()>;

    explicit FleetTableModel(QObject *parent = nullptr);
    ~FleetTableModel() override;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // Merges a batch of rows (newest state per vehicle). Rows with an empty id are ignored; if an
    // id repeats within the batch the last occurrence wins. The pipeline does not know webhook
    // subscriptions, so a row keeps the state last given to setSubscription() whatever the batch says.
    void applyRows(const QList<VehicleRow> &rows);

    // The Smartcar webhook subscription of a vehicle (state: AccountCommands::Subscription as int).
    // Signals dataChanged for that one cell only. A vehicle not in the table yet gets no row; its
    // state is remembered and shown when the row arrives.
    void setSubscription(const QString &vehicleId, int state, const QString &reason);
    // A vehicle the Smartcar account lists, possibly before its first webhook: appended if unknown;
    // a known row is left as it is, since the pipeline's data is newer than the account's listing.
    void addListedVehicle(const VehicleRow &row);

    // Distances are kept in kilometres; miles are a display choice.
    enum class DistanceUnit { Kilometres, Miles };
    void setDistanceUnit(DistanceUnit unit);
    DistanceUnit distanceUnit() const { return m_distanceUnit; }

    // Emits dataChanged(DisplayRole) for the "Last update" column only, so the relative times
    // age without touching the rest of the table or re-sorting a proxy that sorts on raw values.
    void refreshRelativeTimes();

    const VehicleRow *rowAt(int row) const; // nullptr when out of range
    int rowOf(const QString &id) const;     // -1 when unknown

    void setClock(Clock clock);

    // "just now", "12 s ago", "3 min ago", "5 h ago", "2 d ago".
    static QString relativeTime(qint64 thenMs, qint64 nowMs);
    // What the Vehicle column shows: make and model, or the id when the make is unknown.
    static QString vehicleName(const VehicleRow &row);
    static QString makeAndModel(const VehicleRow &row);

private:
    QVariant displayData(const VehicleRow &row, int column) const;
    QVariant rawData(const VehicleRow &row, int column) const;
    QVariant toolTipData(const VehicleRow &row, int column) const;
    void emitRowsChanged(QList<int> changedRows);
    void overlaySubscription(VehicleRow &row) const;

    struct SubscriptionState {
        int state = 0;
        QString reason;
    };

    QList<VehicleRow> m_rows;
    QList<QString> m_names;                            // vehicleName() of each row, by row
    QHash<QString, SubscriptionState> m_subscriptions; // vehicle id -> last state the account reported
    DistanceUnit m_distanceUnit = DistanceUnit::Kilometres;
    QHash<QString, int> m_rowById;
    QLocale m_locale;
    Clock m_clock;
};

} // namespace model
