#include "model/FleetTableModel.h"

#include "model/AccountCommands.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

#include <memory>

using model::FleetTableModel;
using Subscription = model::AccountCommands::Subscription;
using model::VehicleRow;

namespace {

constexpr qint64 kNow = 1'717'243'200'000; // 2024-06-01T12:00:00Z

VehicleRow makeRow(int n, double battery) {
    VehicleRow row;
    row.id = QStringLiteral("0b6f3e2c-5a1d-4c8e-9f00-%1").arg(n, 12, 10, QLatin1Char('0'));
    row.make = QStringLiteral("VOLKSWAGEN");
    row.model = QStringLiteral("ID.4");
    row.year = 2022;
    row.batteryPercent = battery;
    row.pluggedIn = false;
    row.charging = false;
    row.odometerKm = 10000.0 + n;
    row.openDoors = 0;
    row.lastUpdateAt = kNow - 5000;
    return row;
}

QList<VehicleRow> makeRows(int count) {
    QList<VehicleRow> rows;
    for (int i = 0; i < count; ++i)
        rows.append(makeRow(i, 10.0 + 7.0 * i));
    return rows;
}

} // namespace

class TestFleetTableModel final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void insertsABatchOfNewVehiclesAtOnce();
    void appendsInFirstSeenOrderWithoutReordering();
    void updatingOneRowSignalsOnlyThatRow();
    void updatingContiguousRowsCoalesces();
    void updatingMostRowsSignalsTheWholeTableOnce();
    void unchangedRowsEmitNothing();
    void mixedBatchUpdatesThenInserts();
    void repeatedIdInOneBatchKeepsTheLast();
    void displayStrings();
    void missingValuesShowAnEmDash();
    void vehicleNames();
    void rawValueRoles();
    void toolTips();
    void relativeTimes();
    void refreshTouchesOnlyTheLastUpdateColumn();
    void proxySortsBatteryNumerically();
    void vehicleColumnFollowsRenames();
    void rowLookup();
    void subscriptionIsTheLastColumn();
    void subscriptionStatesDisplay();
    void setSubscriptionSignalsOnlyThatCell();
    void subscriptionOfAnUnknownVehicleWaitsForItsRow();
    void applyRowsKeepsTheSubscription();
    void listedVehicleIsAppendedOnce();
    void listedVehicleNeverOverwritesAKnownRow();

private:
    std::unique_ptr<FleetTableModel> m_model;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
};

void TestFleetTableModel::init() {
    m_model = std::make_unique<FleetTableModel>();
    m_model->setClock([] { return kNow; });
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void TestFleetTableModel::cleanup() {
    m_tester.reset();
    m_model.reset();
}

void TestFleetTableModel::insertsABatchOfNewVehiclesAtOnce() {
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    m_model->applyRows(makeRows(10));
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 9);
    QCOMPARE(changed.size(), 0);
    QCOMPARE(m_model->rowCount(), 10);
    QCOMPARE(m_model->columnCount(), int(FleetTableModel::ColumnCount));

    // A second batch of new ids is appended with one more insertion.
    QList<VehicleRow> more;
    for (int i = 10; i < 15; ++i)
        more.append(makeRow(i, 50));
    m_model->applyRows(more);
    QCOMPARE(inserted.size(), 2);
    QCOMPARE(inserted.at(1).at(1).toInt(), 10);
    QCOMPARE(inserted.at(1).at(2).toInt(), 14);
}

void TestFleetTableModel::appendsInFirstSeenOrderWithoutReordering() {
    QList<VehicleRow> rows = makeRows(3);
    std::reverse(rows.begin(), rows.end());
    m_model->applyRows(rows);
    QCOMPARE(m_model->rowAt(0)->id, rows.at(0).id);
    QCOMPARE(m_model->rowAt(2)->id, rows.at(2).id);

    QSignalSpy moved(m_model.get(), &QAbstractItemModel::rowsMoved);
    QSignalSpy layout(m_model.get(), &QAbstractItemModel::layoutChanged);
    rows[2].batteryPercent = 1.0;
    m_model->applyRows({rows[2]});
    QCOMPARE(m_model->rowOf(rows.at(2).id), 2);
    QCOMPARE(moved.size(), 0);
    QCOMPARE(layout.size(), 0);
}

void TestFleetTableModel::updatingOneRowSignalsOnlyThatRow() {
    QList<VehicleRow> rows = makeRows(10);
    m_model->applyRows(rows);
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);

    rows[6].batteryPercent = 42.0;
    m_model->applyRows({rows[6]});
    QCOMPARE(inserted.size(), 0);
    QCOMPARE(changed.size(), 1);
    const auto topLeft = changed.at(0).at(0).value<QModelIndex>();
    const auto bottomRight = changed.at(0).at(1).value<QModelIndex>();
    QCOMPARE(topLeft.row(), 6);
    QCOMPARE(bottomRight.row(), 6);
    QCOMPARE(topLeft.column(), 0);
    QCOMPARE(bottomRight.column(), FleetTableModel::ColumnCount - 1);
    QCOMPARE(m_model->rowAt(6)->batteryPercent, 42.0);
}

void TestFleetTableModel::updatingContiguousRowsCoalesces() {
    QList<VehicleRow> rows = makeRows(10);
    m_model->applyRows(rows);
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);

    // Rows 1, 2 and 3 are one run, row 7 another; the batch order must not matter.
    QList<VehicleRow> updates;
    for (int i : {3, 7, 1, 2}) {
        rows[i].openErrorCount = 1;
        updates.append(rows[i]);
    }
    m_model->applyRows(updates);
    QCOMPARE(changed.size(), 2);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>().row(), 1);
    QCOMPARE(changed.at(0).at(1).value<QModelIndex>().row(), 3);
    QCOMPARE(changed.at(1).at(0).value<QModelIndex>().row(), 7);
    QCOMPARE(changed.at(1).at(1).value<QModelIndex>().row(), 7);
}

void TestFleetTableModel::updatingMostRowsSignalsTheWholeTableOnce() {
    QList<VehicleRow> rows = makeRows(10);
    m_model->applyRows(rows);
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);

    QList<VehicleRow> updates;
    for (int i : {0, 1, 3, 4, 5, 7, 8, 9}) { // 8 of 10, not contiguous
        rows[i].odometerKm = *rows[i].odometerKm + 12.5;
        updates.append(rows[i]);
    }
    m_model->applyRows(updates);
    QCOMPARE(changed.size(), 1);
    const auto topLeft = changed.at(0).at(0).value<QModelIndex>();
    const auto bottomRight = changed.at(0).at(1).value<QModelIndex>();
    QCOMPARE(topLeft, m_model->index(0, 0));
    QCOMPARE(bottomRight, m_model->index(9, FleetTableModel::ColumnCount - 1));
}

void TestFleetTableModel::unchangedRowsEmitNothing() {
    const QList<VehicleRow> rows = makeRows(10);
    m_model->applyRows(rows);
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
    m_model->applyRows(rows);
    m_model->applyRows({});
    QCOMPARE(changed.size(), 0);
    QCOMPARE(inserted.size(), 0);
}

void TestFleetTableModel::mixedBatchUpdatesThenInserts() {
    QList<VehicleRow> rows = makeRows(4);
    m_model->applyRows(rows);
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);

    rows[1].charging = true;
    m_model->applyRows({makeRow(20, 33), rows[1], makeRow(21, 66), rows[2]});
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>().row(), 1);
    QCOMPARE(changed.at(0).at(1).value<QModelIndex>().row(), 1);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 4);
    QCOMPARE(inserted.at(0).at(2).toInt(), 5);
    QCOMPARE(m_model->rowAt(4)->id, makeRow(20, 0).id);
    QCOMPARE(m_model->rowAt(5)->id, makeRow(21, 0).id);
}

void TestFleetTableModel::repeatedIdInOneBatchKeepsTheLast() {
    m_model->applyRows({makeRow(1, 10), makeRow(1, 20), makeRow(2, 30), makeRow(1, 90)});
    QCOMPARE(m_model->rowCount(), 2);
    QCOMPARE(m_model->rowAt(0)->batteryPercent, 90.0);

    VehicleRow noId = makeRow(3, 50);
    noId.id.clear();
    m_model->applyRows({noId});
    QCOMPARE(m_model->rowCount(), 2);
}

void TestFleetTableModel::displayStrings() {
    VehicleRow row = makeRow(1, 78.4);
    row.make = QStringLiteral("JAGUAR");
    row.model = QStringLiteral("I-PACE");
    row.year = 2021;
    row.pluggedIn = true;
    row.charging = false;
    row.odometerKm = 48213.6;
    row.openDoors = 2;
    row.openErrorCount = 3;
    row.lastUpdateAt = kNow - 12'400;
    m_model->applyRows({row});

    const auto display = [this](int column) {
        return m_model->index(0, column).data(Qt::DisplayRole).toString();
    };
    QCOMPARE(display(FleetTableModel::VehicleColumn), QStringLiteral("Jaguar I-PACE"));
    QCOMPARE(display(FleetTableModel::YearColumn), QStringLiteral("2021"));
    QCOMPARE(display(FleetTableModel::BatteryColumn), QStringLiteral("78 %"));
    QCOMPARE(display(FleetTableModel::PluggedColumn), QStringLiteral("Yes"));
    QCOMPARE(display(FleetTableModel::ChargingColumn), QStringLiteral("No"));
    QCOMPARE(display(FleetTableModel::OdometerColumn), QLocale().toString(48214) + QStringLiteral(" km"));
    QVERIFY(display(FleetTableModel::OdometerColumn).startsWith(QStringLiteral("48")));
    QCOMPARE(display(FleetTableModel::DoorsColumn), QStringLiteral("Open 2"));
    QCOMPARE(display(FleetTableModel::ErrorsColumn), QStringLiteral("3"));
    QCOMPARE(display(FleetTableModel::LastUpdateColumn), QStringLiteral("12 s ago"));
    row.charging = true;
    m_model->applyRows({row});
    QCOMPARE(display(FleetTableModel::ChargingColumn), QStringLiteral("\u26A1 Yes"));

    row.openDoors = 0;
    m_model->applyRows({row});
    QCOMPARE(display(FleetTableModel::DoorsColumn), QStringLiteral("Closed"));

    QCOMPARE(m_model->headerData(FleetTableModel::BatteryColumn, Qt::Horizontal).toString(),
             QStringLiteral("Battery"));
    QCOMPARE(m_model->headerData(FleetTableModel::LastUpdateColumn, Qt::Horizontal).toString(),
             QStringLiteral("Last update"));
}

void TestFleetTableModel::missingValuesShowAnEmDash() {
    VehicleRow row;
    row.id = QStringLiteral("4f0e9c8a-0000-4000-8000-000000000001");
    m_model->applyRows({row});
    const QString dash = QStringLiteral("\u2014");
    for (int column :
         {FleetTableModel::YearColumn, FleetTableModel::BatteryColumn, FleetTableModel::PluggedColumn,
          FleetTableModel::ChargingColumn, FleetTableModel::OdometerColumn, FleetTableModel::DoorsColumn,
          FleetTableModel::LastUpdateColumn}) {
        const QModelIndex index = m_model->index(0, column);
        QCOMPARE(index.data(Qt::DisplayRole).toString(), dash);
        QVERIFY2(!index.data(FleetTableModel::RawValueRole).isValid(), qPrintable(QString::number(column)));
    }
    QCOMPARE(m_model->index(0, FleetTableModel::ErrorsColumn).data().toString(), QStringLiteral("0"));
    // Unknown make: the id is all there is to tell the vehicle apart.
    QCOMPARE(m_model->index(0, FleetTableModel::VehicleColumn).data().toString(), row.id);
}

void TestFleetTableModel::vehicleNames() {
    const auto name = [](const QString &make, const QString &modelName) {
        VehicleRow row;
        row.id = QStringLiteral("id-1");
        row.make = make;
        row.model = modelName;
        return FleetTableModel::vehicleName(row);
    };
    QCOMPARE(name(QStringLiteral("POLESTAR"), QStringLiteral("Polestar 2")), QStringLiteral("Polestar 2"));
    QCOMPARE(name(QStringLiteral("VOLKSWAGEN"), QStringLiteral("ID.4")), QStringLiteral("Volkswagen ID.4"));
    QCOMPARE(name(QStringLiteral("BYD"), QStringLiteral("SEAL")), QStringLiteral("BYD SEAL"));
    QCOMPARE(name(QStringLiteral("TESLA"), QStringLiteral("Model 3")), QStringLiteral("Tesla Model 3"));
    QCOMPARE(name(QStringLiteral("MERCEDES-BENZ"), QStringLiteral("EQS")),
             QStringLiteral("Mercedes-Benz EQS"));
    QCOMPARE(name(QStringLiteral("Hyundai"), QStringLiteral("IONIQ 5")), QStringLiteral("Hyundai IONIQ 5"));
    QCOMPARE(name(QStringLiteral("TESLA"), QString()), QStringLiteral("Tesla"));
    QCOMPARE(name(QString(), QStringLiteral("Model 3")), QStringLiteral("id-1"));
}

void TestFleetTableModel::rawValueRoles() {
    VehicleRow row = makeRow(7, 78.4);
    row.odometerKm = 48213.6;
    row.openDoors = 1;
    row.openErrorCount = 2;
    row.pluggedIn = true;
    m_model->applyRows({row});

    const auto raw = [this](int column) {
        return m_model->index(0, column).data(FleetTableModel::RawValueRole);
    };
    QCOMPARE(raw(FleetTableModel::BatteryColumn).userType(), QMetaType::Double);
    QCOMPARE(raw(FleetTableModel::BatteryColumn).toDouble(), 78.4);
    QCOMPARE(raw(FleetTableModel::OdometerColumn).userType(), QMetaType::Double);
    QCOMPARE(raw(FleetTableModel::OdometerColumn).toDouble(), 48213.6);
    QCOMPARE(raw(FleetTableModel::LastUpdateColumn).userType(), QMetaType::LongLong);
    QCOMPARE(raw(FleetTableModel::LastUpdateColumn).toLongLong(), kNow - 5000);
    QCOMPARE(raw(FleetTableModel::YearColumn).toInt(), 2022);
    QCOMPARE(raw(FleetTableModel::PluggedColumn).toBool(), true);
    QCOMPARE(raw(FleetTableModel::ChargingColumn).toBool(), false);
    QCOMPARE(raw(FleetTableModel::DoorsColumn).toInt(), 1);
    QCOMPARE(raw(FleetTableModel::ErrorsColumn).toInt(), 2);
    for (int column = 0; column < FleetTableModel::ColumnCount; ++column)
        QCOMPARE(m_model->index(0, column).data(FleetTableModel::IdRole).toString(), row.id);
    QVERIFY(m_model->index(0, 0).data(FleetTableModel::SearchTextRole).toString().contains(row.id));
    QVERIFY(m_model->roleNames().contains(FleetTableModel::RawValueRole));
}

void TestFleetTableModel::toolTips() {
    VehicleRow row = makeRow(3, 50);
    row.lastUpdateAt = kNow;
    m_model->applyRows({row});
    QCOMPARE(m_model->index(0, FleetTableModel::VehicleColumn).data(Qt::ToolTipRole).toString(), row.id);
    const QString iso = m_model->index(0, FleetTableModel::LastUpdateColumn).data(Qt::ToolTipRole).toString();
    const QDateTime parsed = QDateTime::fromString(iso, Qt::ISODateWithMs);
    QVERIFY2(parsed.isValid(), qPrintable(iso));
    QCOMPARE(parsed.toMSecsSinceEpoch(), kNow);
}

void TestFleetTableModel::relativeTimes() {
    QCOMPARE(FleetTableModel::relativeTime(kNow, kNow), QStringLiteral("just now"));
    QCOMPARE(FleetTableModel::relativeTime(kNow + 3000, kNow), QStringLiteral("just now"));
    QCOMPARE(FleetTableModel::relativeTime(kNow - 12'999, kNow), QStringLiteral("12 s ago"));
    QCOMPARE(FleetTableModel::relativeTime(kNow - 3 * 60'000 - 59'000, kNow), QStringLiteral("3 min ago"));
    QCOMPARE(FleetTableModel::relativeTime(kNow - 5 * 3'600'000, kNow), QStringLiteral("5 h ago"));
    QCOMPARE(FleetTableModel::relativeTime(kNow - 3 * 86'400'000LL, kNow), QStringLiteral("3 d ago"));
}

void TestFleetTableModel::refreshTouchesOnlyTheLastUpdateColumn() {
    m_model->refreshRelativeTimes(); // empty model: nothing to say
    m_model->applyRows(makeRows(5));
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    qint64 now = kNow + 60'000;
    m_model->setClock([&now] { return now; });
    m_model->refreshRelativeTimes();
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>(), m_model->index(0, FleetTableModel::LastUpdateColumn));
    QCOMPARE(changed.at(0).at(1).value<QModelIndex>(), m_model->index(4, FleetTableModel::LastUpdateColumn));
    QCOMPARE(changed.at(0).at(2).value<QList<int>>(), QList<int>{Qt::DisplayRole});
    QCOMPARE(m_model->index(0, FleetTableModel::LastUpdateColumn).data().toString(),
             QStringLiteral("1 min ago"));
}

void TestFleetTableModel::proxySortsBatteryNumerically() {
    // As strings "100 %" < "9 %" < "85 %"; as numbers 9 < 85 < 100. Missing sorts last.
    QList<VehicleRow> rows;
    for (double battery : {85.0, 100.0, 9.0, 9.5, 42.0})
        rows.append(makeRow(int(rows.size()), battery));
    rows.append(makeRow(99, 0));
    rows.last().batteryPercent.reset();
    m_model->applyRows(rows);

    QSortFilterProxyModel proxy;
    proxy.setSourceModel(m_model.get());
    proxy.setSortRole(FleetTableModel::RawValueRole);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.sort(FleetTableModel::BatteryColumn, Qt::AscendingOrder);

    QStringList order;
    for (int r = 0; r < proxy.rowCount(); ++r)
        order.append(proxy.index(r, FleetTableModel::BatteryColumn).data().toString());
    QCOMPARE(order, (QStringList{QStringLiteral("9 %"), QStringLiteral("10 %"), QStringLiteral("42 %"),
                                 QStringLiteral("85 %"), QStringLiteral("100 %"), QStringLiteral("\u2014")}));

    // Live updates re-sort through the proxy while the source rows stay put.
    VehicleRow low = rows.at(1);
    low.batteryPercent = 1.0;
    m_model->applyRows({low});
    QCOMPARE(proxy.index(0, 0).data(FleetTableModel::IdRole).toString(), low.id);
    QCOMPARE(m_model->rowOf(low.id), 1);
}

void TestFleetTableModel::vehicleColumnFollowsRenames() {
    // The Vehicle column is kept per row rather than rebuilt at each call: it must still follow a
    // nickname, make or model that changes, whether the row came from a batch or the account's list.
    m_model->applyRows(makeRows(3));
    VehicleRow listed;
    listed.id = QStringLiteral("listed-1");
    m_model->addListedVehicle(listed);
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(m_model.get());
    proxy.setSortRole(FleetTableModel::RawValueRole);
    proxy.sort(FleetTableModel::VehicleColumn, Qt::AscendingOrder);
    const auto name = [this](int row, int role) {
        return m_model->index(row, FleetTableModel::VehicleColumn).data(role).toString();
    };
    QCOMPARE(name(0, Qt::DisplayRole), QStringLiteral("Volkswagen ID.4"));
    QCOMPARE(name(3, FleetTableModel::RawValueRole), QStringLiteral("listed-1"));
    QCOMPARE(proxy.index(3, 0).data(FleetTableModel::IdRole).toString(), QStringLiteral("listed-1"));

    VehicleRow renamed = makeRow(1, 50.0);
    renamed.nickname = QStringLiteral("Aardvark");
    VehicleRow batteryOnly = makeRow(2, 51.0);
    listed.make = QStringLiteral("BYD");
    listed.model = QStringLiteral("SEAL");
    m_model->applyRows({renamed, batteryOnly, listed});
    QCOMPARE(name(1, Qt::DisplayRole), QStringLiteral("Aardvark (Volkswagen ID.4)"));
    QCOMPARE(name(1, FleetTableModel::RawValueRole), QStringLiteral("Aardvark (Volkswagen ID.4)"));
    QCOMPARE(name(2, Qt::DisplayRole), QStringLiteral("Volkswagen ID.4"));
    QCOMPARE(name(3, Qt::DisplayRole), QStringLiteral("BYD SEAL"));
    // The sorted view moved both renamed rows.
    QCOMPARE(proxy.index(0, 0).data(FleetTableModel::IdRole).toString(), renamed.id);
    QCOMPARE(proxy.index(1, 0).data(FleetTableModel::IdRole).toString(), QStringLiteral("listed-1"));
}

void TestFleetTableModel::rowLookup() {
    const QList<VehicleRow> rows = makeRows(3);
    m_model->applyRows(rows);
    QCOMPARE(m_model->rowOf(rows.at(2).id), 2);
    QCOMPARE(m_model->rowOf(QStringLiteral("nope")), -1);
    QVERIFY(m_model->rowAt(-1) == nullptr);
    QVERIFY(m_model->rowAt(3) == nullptr);
    QCOMPARE(*m_model->rowAt(1), rows.at(1));
}

void TestFleetTableModel::subscriptionIsTheLastColumn() {
    // Appended after every older column, so a header state saved before it existed still fits.
    QCOMPARE(int(FleetTableModel::SubscriptionColumn), int(FleetTableModel::LastUpdateColumn) + 1);
    QCOMPARE(int(FleetTableModel::SubscriptionColumn), FleetTableModel::ColumnCount - 1);
    QCOMPARE(m_model->headerData(FleetTableModel::SubscriptionColumn, Qt::Horizontal).toString(),
             QStringLiteral("Webhook"));
}

void TestFleetTableModel::subscriptionStatesDisplay() {
    const VehicleRow row = makeRow(1, 50);
    m_model->applyRows({row});
    const QModelIndex cell = m_model->index(0, FleetTableModel::SubscriptionColumn);
    QCOMPARE(cell.data().toString(), QStringLiteral("\u2014"));
    QCOMPARE(cell.data(FleetTableModel::RawValueRole).userType(), QMetaType::Int);
    QCOMPARE(cell.data(FleetTableModel::RawValueRole).toInt(), int(Subscription::Unknown));
    QVERIFY(!cell.data(Qt::ToolTipRole).isValid());

    const QList<std::pair<Subscription, QString>> expected = {
        {Subscription::Subscribed, QStringLiteral("Subscribed")},
        {Subscription::NotSubscribed, QStringLiteral("Not subscribed")},
        {Subscription::Pending, QStringLiteral("Pending\u2026")},
        {Subscription::Failed, QStringLiteral("Failed")},
        {Subscription::Unknown, QStringLiteral("\u2014")},
    };
    for (const auto &[state, text] : expected) {
        m_model->setSubscription(row.id, int(state), QString());
        QCOMPARE(cell.data().toString(), text);
        QCOMPARE(cell.data(FleetTableModel::RawValueRole).toInt(), int(state));
        QCOMPARE(m_model->rowAt(0)->subscription, int(state));
    }

    const QString reason = QStringLiteral("The vehicle owner revoked access. Reconnect the vehicle.");
    m_model->setSubscription(row.id, int(Subscription::Failed), reason);
    QCOMPARE(cell.data(Qt::ToolTipRole).toString(), reason);
    QCOMPARE(m_model->rowAt(0)->subscriptionReason, reason);
    QVERIFY(cell.data(Qt::ForegroundRole).isValid()); // a failure stands out
    m_model->setSubscription(row.id, int(Subscription::Subscribed), QString());
    QVERIFY(!cell.data(Qt::ToolTipRole).isValid());
    QVERIFY(!cell.data(Qt::ForegroundRole).isValid());
}

void TestFleetTableModel::setSubscriptionSignalsOnlyThatCell() {
    const QList<VehicleRow> rows = makeRows(5);
    m_model->applyRows(rows);
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);

    m_model->setSubscription(rows.at(3).id, int(Subscription::Pending), QString());
    QCOMPARE(changed.size(), 1);
    const QModelIndex cell = m_model->index(3, FleetTableModel::SubscriptionColumn);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>(), cell);
    QCOMPARE(changed.at(0).at(1).value<QModelIndex>(), cell);

    // The same answer twice (a retry, a refresh) redraws nothing.
    m_model->setSubscription(rows.at(3).id, int(Subscription::Pending), QString());
    QCOMPARE(changed.size(), 1);
    // Only the reason changed: the tooltip must follow.
    m_model->setSubscription(rows.at(3).id, int(Subscription::Pending), QStringLiteral("queued"));
    QCOMPARE(changed.size(), 2);
    m_model->setSubscription(QString(), int(Subscription::Subscribed), QString());
    QCOMPARE(changed.size(), 2);
    QCOMPARE(inserted.size(), 0);
}

void TestFleetTableModel::subscriptionOfAnUnknownVehicleWaitsForItsRow() {
    const VehicleRow row = makeRow(4, 60);
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
    m_model->setSubscription(row.id, int(Subscription::Failed), QStringLiteral("Not compatible"));
    QCOMPARE(m_model->rowCount(), 0);
    QCOMPARE(changed.size(), 0);
    QCOMPARE(inserted.size(), 0);

    m_model->applyRows({row});
    QCOMPARE(inserted.size(), 1);
    const QModelIndex cell = m_model->index(0, FleetTableModel::SubscriptionColumn);
    QCOMPARE(cell.data().toString(), QStringLiteral("Failed"));
    QCOMPARE(cell.data(Qt::ToolTipRole).toString(), QStringLiteral("Not compatible"));
}

void TestFleetTableModel::applyRowsKeepsTheSubscription() {
    QList<VehicleRow> rows = makeRows(3);
    m_model->applyRows(rows);
    m_model->setSubscription(rows.at(1).id, int(Subscription::Subscribed), QString());
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);

    // The pipeline's snapshot says nothing about the subscription (Unknown): an unchanged snapshot
    // is still unchanged, and a changed one does not wipe the state.
    m_model->applyRows(rows);
    QCOMPARE(changed.size(), 0);
    rows[1].batteryPercent = 12.0;
    m_model->applyRows({rows[1]});
    QCOMPARE(changed.size(), 1);
    QCOMPARE(m_model->index(1, FleetTableModel::BatteryColumn).data().toString(), QStringLiteral("12 %"));
    QCOMPARE(m_model->index(1, FleetTableModel::SubscriptionColumn).data().toString(),
             QStringLiteral("Subscribed"));
    QCOMPARE(m_model->rowAt(1)->subscription, int(Subscription::Subscribed));
    QCOMPARE(m_model->index(0, FleetTableModel::SubscriptionColumn).data().toString(),
             QStringLiteral("\u2014"));
}

void TestFleetTableModel::listedVehicleIsAppendedOnce() {
    m_model->applyRows(makeRows(2));
    m_model->setSubscription(QStringLiteral("listed-1"), int(Subscription::NotSubscribed), QString());
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);

    VehicleRow listed;
    listed.id = QStringLiteral("listed-1");
    listed.make = QStringLiteral("TESLA");
    listed.model = QStringLiteral("Model 3");
    listed.year = 2023;
    listed.vin = QStringLiteral("5YJ3E1EA7PF000001");
    m_model->addListedVehicle(listed);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 2);
    QCOMPARE(inserted.at(0).at(2).toInt(), 2);
    QCOMPARE(m_model->rowCount(), 3);
    QCOMPARE(m_model->index(2, FleetTableModel::VehicleColumn).data().toString(),
             QStringLiteral("Tesla Model 3"));
    QCOMPARE(m_model->index(2, FleetTableModel::BatteryColumn).data().toString(), QStringLiteral("\u2014"));
    QCOMPARE(m_model->index(2, FleetTableModel::SubscriptionColumn).data().toString(),
             QStringLiteral("Not subscribed"));

    m_model->addListedVehicle(listed);
    VehicleRow noId = listed;
    noId.id.clear();
    m_model->addListedVehicle(noId);
    QCOMPARE(m_model->rowCount(), 3);
    QCOMPARE(inserted.size(), 1);

    // The first webhook fills the listed row in place.
    VehicleRow delivered = listed;
    delivered.batteryPercent = 64.0;
    delivered.lastUpdateAt = kNow;
    m_model->applyRows({delivered});
    QCOMPARE(m_model->rowCount(), 3);
    QCOMPARE(m_model->index(2, FleetTableModel::BatteryColumn).data().toString(), QStringLiteral("64 %"));
    QCOMPARE(m_model->index(2, FleetTableModel::SubscriptionColumn).data().toString(),
             QStringLiteral("Not subscribed"));
}

void TestFleetTableModel::listedVehicleNeverOverwritesAKnownRow() {
    const VehicleRow known = makeRow(5, 77);
    m_model->applyRows({known});
    QSignalSpy changed(m_model.get(), &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);

    VehicleRow listed;
    listed.id = known.id;
    listed.make = QStringLiteral("OTHER");
    m_model->addListedVehicle(listed);
    QCOMPARE(changed.size(), 0);
    QCOMPARE(inserted.size(), 0);
    QCOMPARE(*m_model->rowAt(0), known);
}

QTEST_GUILESS_MAIN(TestFleetTableModel)
#include "tst_FleetTableModel.moc"
