// The subscription commands against a fake Smartcar account that records every call and answers
// only when told, through queued signals as the real client does from its network replies. The table
// with a few states and the progress dialog are also rendered to PNG (FLEETMON_SCREENSHOT_DIR, else
// the temp folder) for a human look.
#include "ui/SubscriptionController.h"

#include "model/AccountCommands.h"
#include "model/FleetTableModel.h"
#include "ui/VehicleTablePanel.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QMessageBox>
#include <QPointer>
#include <QProgressBar>
#include <QProgressDialog>
#include <QPushButton>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTest>

#include <memory>

using model::AccountCommands;
using model::FleetTableModel;
using model::VehicleRow;
using Subscription = AccountCommands::Subscription;
using ui::SubscriptionController;

namespace {

class FakeAccount final : public AccountCommands {
    Q_OBJECT
public:
    using AccountCommands::AccountCommands;

    bool configured = true;
    int connectCalls = 0;
    int cancelCalls = 0;
    QList<QStringList> subscribeCalls;
    QList<QStringList> unsubscribeCalls;

    bool isConfigured() const override { return configured; }
    void connectVehicles() override { ++connectCalls; }
    void subscribe(const QStringList &vehicleIds) override { subscribeCalls.append(vehicleIds); }
    void unsubscribe(const QStringList &vehicleIds) override { unsubscribeCalls.append(vehicleIds); }
    void cancelBulk() override { ++cancelCalls; }

    // Queued, like answers from network replies: nothing arrives before the event loop runs.
    void answer(const QString &id, Subscription state, const QString &reason = QString()) {
        later([=, this] { Q_EMIT subscriptionChanged(id, state, reason); });
    }
    void progress(int done, int total, int failed) {
        later([=, this] { Q_EMIT bulkProgress(done, total, failed); });
    }
    void finish(int succeeded, int failed, bool cancelled) {
        later([=, this] { Q_EMIT bulkFinished(succeeded, failed, cancelled); });
    }
    void list(const QString &id, const QString &make, const QString &modelName, int year,
              const QString &vin) {
        later([=, this] { Q_EMIT vehicleListed(id, make, modelName, year, vin); });
    }
    void tell(const QString &text) {
        later([=, this] { Q_EMIT notice(text); });
    }

private:
    template <typename F> void later(F &&f) {
        QMetaObject::invokeMethod(this, std::forward<F>(f), Qt::QueuedConnection);
    }
};

VehicleRow makeRow(int n, const QString &make, const QString &modelName, double battery) {
    VehicleRow row;
    row.id = QStringLiteral("%1-44d3-4b8e-a1f0-%2")
                 .arg(0x7c1e2a90u + 0x1f3b5u * uint(n), 8, 16, QLatin1Char('0'))
                 .arg(n, 12, 10, QLatin1Char('0'));
    row.make = make;
    row.model = modelName;
    row.year = 2022 + n % 3;
    row.batteryPercent = battery;
    row.pluggedIn = n % 2 == 0;
    row.charging = n % 4 == 0;
    row.odometerKm = 12'000.0 + 3'517.0 * n;
    row.openDoors = 0;
    row.lastUpdateAt = QDateTime::currentMSecsSinceEpoch() - 40'000 * n;
    return row;
}

QList<VehicleRow> fleet(int count) {
    static const QList<std::pair<QString, QString>> cars = {
        {QStringLiteral("TESLA"), QStringLiteral("Model 3")},
        {QStringLiteral("POLESTAR"), QStringLiteral("Polestar 2")},
        {QStringLiteral("VOLKSWAGEN"), QStringLiteral("ID.4")},
        {QStringLiteral("Hyundai"), QStringLiteral("IONIQ 5")},
        {QStringLiteral("BMW"), QStringLiteral("i4")},
        {QStringLiteral("KIA"), QStringLiteral("EV6")},
    };
    QList<VehicleRow> rows;
    for (int i = 0; i < count; ++i) {
        const auto &[make, modelName] = cars.at(i % cars.size());
        rows.append(makeRow(i, make, modelName, 18.0 + 13.0 * i));
    }
    return rows;
}

QString screenshotPath(const QString &name) {
    const QString dir = qEnvironmentVariable("FLEETMON_SCREENSHOT_DIR", QDir::tempPath());
    QDir().mkpath(dir);
    return QDir(dir).filePath(name);
}

QMessageBox *visibleMessageBox(QWidget *window) {
    for (QMessageBox *box : window->findChildren<QMessageBox *>())
        if (box->isVisible())
            return box;
    return nullptr;
}

} // namespace

class TestSubscriptionController final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void subscribeAndUnsubscribeSendTheSelectedIds();
    void actionsNeedASelection();
    void stateChangesAppearInTheWebhookColumn();
    void subscribeAllShowsProgressThenASummary();
    void cancelAsksTheAccountToStop();
    void finishingRightAfterProgressIsSafe();
    void severalSelectedEndWithAStatusMessage();
    void answersFollowTheOrderOfCommands();
    void cancelEndsQueuedCommandsNewestFirst();
    void listedVehiclesAppearBeforeAnyWebhook();
    void unconfiguredAccountDisablesConnect();
    void doubleClickOnTheWebhookCellToggles();
    void noticesBecomeMessages();
    void summaryTexts();
    void screenshots();

private:
    void makeController();

    std::unique_ptr<FleetTableModel> m_table;
    std::unique_ptr<QAbstractItemModelTester> m_tester;
    std::unique_ptr<FakeAccount> m_account;
    std::unique_ptr<QWidget> m_window;
    SubscriptionController *m_controller = nullptr; // owned by the window
    QStringList m_selection;
};

void TestSubscriptionController::init() {
    m_table = std::make_unique<FleetTableModel>();
    m_tester = std::make_unique<QAbstractItemModelTester>(
        m_table.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_account = std::make_unique<FakeAccount>();
    m_window = std::make_unique<QWidget>();
    m_window->resize(900, 400);
    m_window->show();
    m_selection.clear();
}

void TestSubscriptionController::cleanup() {
    m_window.reset(); // the controller and its dialogs first: they point at the account and table
    m_controller = nullptr;
    m_account.reset();
    m_tester.reset();
    m_table.reset();
}

void TestSubscriptionController::makeController() {
    m_controller = new SubscriptionController(
        m_account.get(), m_table.get(), [this] { return m_selection; }, m_window.get());
}

void TestSubscriptionController::subscribeAndUnsubscribeSendTheSelectedIds() {
    m_table->applyRows(fleet(4));
    makeController();
    QCOMPARE(m_controller->tableActions(),
             (QList<QAction *>{m_controller->subscribeAction(), m_controller->unsubscribeAction()}));

    m_selection = {m_table->rowAt(1)->id, m_table->rowAt(3)->id};
    m_controller->refreshActions();
    QVERIFY(m_controller->subscribeAction()->isEnabled());
    m_controller->subscribeAction()->trigger();
    QCOMPARE(m_account->subscribeCalls, QList<QStringList>{m_selection});

    // Several vehicles are one bulk operation; after it, a single one.
    m_account->finish(2, 0, false);
    QTRY_VERIFY(!m_controller->isBulkRunning());
    m_selection = {m_table->rowAt(2)->id};
    m_controller->refreshActions();
    m_controller->unsubscribeAction()->trigger();
    QCOMPARE(m_account->unsubscribeCalls, QList<QStringList>{m_selection});
    QCOMPARE(m_account->subscribeCalls.size(), 1);
}

void TestSubscriptionController::actionsNeedASelection() {
    m_table->applyRows(fleet(2));
    makeController();
    QVERIFY(!m_controller->subscribeAction()->isEnabled());
    QVERIFY(!m_controller->unsubscribeAction()->isEnabled());
    QVERIFY(m_controller->subscribeAction()->toolTip().contains(QStringLiteral("Select")));
    QVERIFY(m_controller->subscribeAllAction()->isEnabled()); // needs no selection
    m_controller->subscribeAction()->trigger();               // disabled: does nothing
    QVERIFY(m_account->subscribeCalls.isEmpty());

    m_selection = {m_table->rowAt(0)->id};
    m_controller->refreshActions();
    QVERIFY(m_controller->subscribeAction()->isEnabled());
    QVERIFY(m_controller->unsubscribeAction()->isEnabled());
}

void TestSubscriptionController::stateChangesAppearInTheWebhookColumn() {
    m_table->applyRows(fleet(3));
    makeController();
    const QString id = m_table->rowAt(1)->id;
    const QModelIndex cell = m_table->index(1, FleetTableModel::SubscriptionColumn);
    const QString reason = QStringLiteral("The vehicle's owner revoked access. Reconnect the vehicle.");

    m_account->answer(id, Subscription::Pending);
    QCOMPARE(cell.data().toString(), QStringLiteral("\u2014")); // queued: nothing yet
    QTRY_COMPARE(cell.data().toString(), QStringLiteral("Pending\u2026"));
    m_account->answer(id, Subscription::Failed, reason);
    QTRY_COMPARE(cell.data().toString(), QStringLiteral("Failed"));
    QCOMPARE(cell.data(Qt::ToolTipRole).toString(), reason);
    m_account->answer(id, Subscription::Subscribed);
    QTRY_COMPARE(cell.data().toString(), QStringLiteral("Subscribed"));
    QVERIFY(!cell.data(Qt::ToolTipRole).isValid());
    m_account->answer(id, Subscription::NotSubscribed);
    QTRY_COMPARE(cell.data().toString(), QStringLiteral("Not subscribed"));

    // A vehicle the table does not know yet keeps its state for when its row arrives.
    const VehicleRow later = makeRow(40, QStringLiteral("KIA"), QStringLiteral("EV9"), 70);
    m_account->answer(later.id, Subscription::Subscribed);
    QTest::qWait(10);
    QCOMPARE(m_table->rowCount(), 3);
    m_table->applyRows({later});
    QCOMPARE(m_table->index(3, FleetTableModel::SubscriptionColumn).data().toString(),
             QStringLiteral("Subscribed"));
}

void TestSubscriptionController::subscribeAllShowsProgressThenASummary() {
    m_table->applyRows(fleet(5));
    m_table->setSubscription(m_table->rowAt(2)->id, int(Subscription::Subscribed), QString());
    m_table->setSubscription(m_table->rowAt(4)->id, int(Subscription::Failed), QStringLiteral("x"));
    makeController();
    QSignalSpy messages(m_controller, &SubscriptionController::message);

    m_controller->subscribeAllAction()->trigger();
    QCOMPARE(m_account->subscribeCalls.size(), 1);
    const QStringList ids = m_account->subscribeCalls.at(0);
    QCOMPARE(ids.size(), 4); // everyone but the one already subscribed; the failed one gets another try
    QVERIFY(!ids.contains(m_table->rowAt(2)->id));
    QVERIFY(ids.contains(m_table->rowAt(4)->id));

    const QPointer<QProgressDialog> dialog = m_controller->progressDialog(); // deleted when finished
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    QCOMPARE(dialog->windowModality(), Qt::WindowModal);
    QCOMPARE(dialog->parentWidget(), m_window.get());
    QCOMPARE(dialog->maximum(), 4);
    QVERIFY(m_controller->isBulkRunning());
    QVERIFY(!m_controller->subscribeAllAction()->isEnabled());

    m_account->progress(2, 4, 1);
    QTRY_COMPARE(dialog->value(), 2);
    QVERIFY2(dialog->labelText().contains(QStringLiteral("1 failed")), qPrintable(dialog->labelText()));

    m_account->finish(3, 1, false);
    QTRY_VERIFY(!m_controller->progressDialog());
    QTRY_VERIFY(!dialog);
    QMessageBox *box = visibleMessageBox(m_window.get());
    QVERIFY(box);
    const QString summary = QStringLiteral("Subscribed 3 of 4; 1 failed (see the Webhook column)");
    QCOMPARE(box->text(), summary);
    QCOMPARE(box->icon(), QMessageBox::Warning);
    QCOMPARE(messages.size(), 1);
    QCOMPARE(messages.at(0).at(0).toString(), summary);
    QVERIFY(!m_controller->isBulkRunning());
    QVERIFY(m_controller->subscribeAllAction()->isEnabled());

    // Once everyone is subscribed there is nothing to do, and no dialog.
    box->close();
    for (int row = 0; row < m_table->rowCount(); ++row)
        m_table->setSubscription(m_table->rowAt(row)->id, int(Subscription::Subscribed), QString());
    m_controller->subscribeAllAction()->trigger();
    QCOMPARE(m_account->subscribeCalls.size(), 1);
    QVERIFY(!m_controller->progressDialog());
    QCOMPARE(messages.last().at(0).toString(), QStringLiteral("All 5 vehicles are already subscribed."));
}

void TestSubscriptionController::cancelAsksTheAccountToStop() {
    m_table->applyRows(fleet(6));
    makeController();
    m_controller->subscribeAllAction()->trigger();
    QProgressDialog *dialog = m_controller->progressDialog();
    QVERIFY(dialog);
    m_account->progress(1, 6, 0);
    QTRY_COMPARE(dialog->value(), 1);

    auto *cancel = dialog->findChild<QPushButton *>();
    QVERIFY(cancel);
    QTest::mouseClick(cancel, Qt::LeftButton);
    QCOMPARE(m_account->cancelCalls, 1);
    // The request in flight still finishes: the dialog says so and waits for the account.
    QVERIFY(dialog->isVisible());
    QVERIFY(!cancel->isEnabled());
    QVERIFY2(dialog->labelText().contains(QStringLiteral("Stopping")), qPrintable(dialog->labelText()));
    dialog->close(); // closing the window again must not ask twice
    QCOMPARE(m_account->cancelCalls, 1);

    m_account->finish(2, 0, true);
    QTRY_VERIFY(!m_controller->progressDialog());
    QMessageBox *box = visibleMessageBox(m_window.get());
    QVERIFY(box);
    QCOMPARE(box->text(), QStringLiteral("Subscribed 2 of 6; cancelled before the rest"));
    QCOMPARE(box->icon(), QMessageBox::Information);
}

void TestSubscriptionController::finishingRightAfterProgressIsSafe() {
    // A modal QProgressDialog runs the event loop inside setValue(), where the queued bulkFinished
    // behind a bulkProgress arrives and ends the dialog.
    m_table->applyRows(fleet(4));
    makeController();
    m_controller->subscribeAllAction()->trigger();
    QVERIFY(m_controller->progressDialog());
    m_account->progress(1, 4, 0);
    QTRY_COMPARE(m_controller->progressDialog()->value(), 1);
    m_account->progress(3, 4, 0);
    m_account->progress(4, 4, 0);
    m_account->finish(4, 0, false);
    QTRY_VERIFY(!m_controller->progressDialog());
    QTRY_VERIFY(visibleMessageBox(m_window.get()));
    QCOMPARE(visibleMessageBox(m_window.get())->text(), QStringLiteral("Subscribed 4 of 4"));
}

void TestSubscriptionController::severalSelectedEndWithAStatusMessage() {
    m_table->applyRows(fleet(3));
    makeController();
    QSignalSpy messages(m_controller, &SubscriptionController::message);
    m_selection = {m_table->rowAt(0)->id, m_table->rowAt(1)->id, m_table->rowAt(2)->id};
    m_controller->refreshActions();
    m_controller->unsubscribeAction()->trigger();
    QVERIFY(!m_controller->progressDialog());              // the dialog is for "Subscribe all" only
    QVERIFY(m_controller->subscribeAction()->isEnabled()); // the account queues commands
    m_account->finish(3, 0, false);
    QTRY_COMPARE(messages.size(), 1);
    QCOMPARE(messages.at(0).at(0).toString(), QStringLiteral("Unsubscribed 3 of 3"));
    QVERIFY(!visibleMessageBox(m_window.get()));
    QVERIFY(m_controller->subscribeAction()->isEnabled());
}

void TestSubscriptionController::answersFollowTheOrderOfCommands() {
    // As SmartcarAccount does: every command, one vehicle or many, ends with one bulkFinished.
    m_table->applyRows(fleet(5));
    makeController();
    QSignalSpy messages(m_controller, &SubscriptionController::message);
    m_controller->handleDoubleClick(m_table->index(0, FleetTableModel::SubscriptionColumn));
    m_controller->subscribeAllAction()->trigger();
    QCOMPARE(m_account->subscribeCalls.size(), 2);
    const QPointer<QProgressDialog> dialog = m_controller->progressDialog();
    QVERIFY(dialog);

    // The single vehicle's command runs first: its numbers are not the dialog's.
    m_account->progress(0, 1, 0);
    m_account->progress(1, 1, 0);
    m_account->finish(1, 0, false);
    QTest::qWait(20);
    QVERIFY(dialog && dialog->isVisible());
    QCOMPARE(dialog->value(), 0);
    QCOMPARE(messages.size(), 0); // one vehicle speaks for itself in the Webhook column

    m_account->progress(0, 5, 0);
    m_account->progress(4, 5, 0);
    QTRY_COMPARE(dialog->value(), 4);
    m_account->finish(5, 0, false);
    QTRY_VERIFY(!dialog);
    QCOMPARE(messages.size(), 1);
    QCOMPARE(messages.at(0).at(0).toString(), QStringLiteral("Subscribed 5 of 5"));
}

void TestSubscriptionController::cancelEndsQueuedCommandsNewestFirst() {
    m_table->applyRows(fleet(4));
    makeController();
    QSignalSpy messages(m_controller, &SubscriptionController::message);
    m_controller->handleDoubleClick(m_table->index(1, FleetTableModel::SubscriptionColumn));
    m_controller->subscribeAllAction()->trigger(); // queued behind the single vehicle
    QPushButton *cancel = m_controller->progressDialog()->findChild<QPushButton *>();
    QVERIFY(cancel);
    QTest::mouseClick(cancel, Qt::LeftButton);
    QCOMPARE(m_account->cancelCalls, 1);

    // The account drops the queued "Subscribe all" at once, then the running command ends.
    m_account->finish(0, 0, true);
    QTRY_VERIFY(!m_controller->progressDialog());
    QCOMPARE(messages.size(), 1);
    QCOMPARE(messages.at(0).at(0).toString(), QStringLiteral("Subscribed 0 of 4; cancelled before the rest"));
    m_account->finish(1, 0, true);
    QTest::qWait(20);
    QCOMPARE(messages.size(), 1);
    QVERIFY(m_controller->subscribeAllAction()->isEnabled());
}

void TestSubscriptionController::listedVehiclesAppearBeforeAnyWebhook() {
    m_table->applyRows(fleet(1));
    makeController();
    const VehicleRow known = *m_table->rowAt(0);
    m_account->list(QStringLiteral("f3a9c1d2-0000-4000-8000-00000000abcd"), QStringLiteral("TESLA"),
                    QStringLiteral("Model Y"), 2024, QStringLiteral("7SAYGDEE0PA000001"));
    m_account->list(known.id, QStringLiteral("OTHER"), QStringLiteral("Name"), 1999, QString());
    QTRY_COMPARE(m_table->rowCount(), 2);
    QTest::qWait(10);
    QCOMPARE(m_table->rowCount(), 2);
    QCOMPARE(m_table->index(1, FleetTableModel::VehicleColumn).data().toString(),
             QStringLiteral("Tesla Model Y"));
    QCOMPARE(m_table->index(1, FleetTableModel::YearColumn).data().toString(), QStringLiteral("2024"));
    QCOMPARE(m_table->rowAt(1)->vin, QStringLiteral("7SAYGDEE0PA000001"));
    QCOMPARE(m_table->index(1, FleetTableModel::BatteryColumn).data().toString(), QStringLiteral("\u2014"));
    QCOMPARE(*m_table->rowAt(0), known); // what webhooks said is newer than the account's list
}

void TestSubscriptionController::unconfiguredAccountDisablesConnect() {
    m_account->configured = false;
    m_table->applyRows(fleet(2));
    m_selection = {m_table->rowAt(0)->id};
    makeController();
    QAction *connectAction = m_controller->connectAction();
    QVERIFY(!connectAction->isEnabled());
    QVERIFY2(connectAction->toolTip().contains(QStringLiteral("Setup")),
             qPrintable(connectAction->toolTip()));
    QCOMPARE(connectAction->statusTip(), connectAction->toolTip());
    QCOMPARE(connectAction->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    // Subscriptions need the webhook id as much as Connect needs the client id.
    QVERIFY(!m_controller->subscribeAction()->isEnabled());
    QVERIFY(!m_controller->subscribeAllAction()->isEnabled());
    connectAction->trigger();
    QCOMPARE(m_account->connectCalls, 0);

    // The setup wizard ran.
    m_account->configured = true;
    m_controller->refreshActions();
    QVERIFY(connectAction->isEnabled());
    QVERIFY(!connectAction->toolTip().contains(QStringLiteral("Setup")));
    QVERIFY(m_controller->subscribeAction()->isEnabled());
    connectAction->trigger();
    QCOMPARE(m_account->connectCalls, 1);
}

void TestSubscriptionController::doubleClickOnTheWebhookCellToggles() {
    m_table->applyRows(fleet(4));
    const auto id = [this](int row) { return m_table->rowAt(row)->id; };
    m_table->setSubscription(id(0), int(Subscription::Subscribed), QString());
    m_table->setSubscription(id(1), int(Subscription::NotSubscribed), QString());
    m_table->setSubscription(id(2), int(Subscription::Pending), QString());
    m_table->setSubscription(id(3), int(Subscription::Failed), QStringLiteral("Rate limited"));
    makeController();
    const auto cell = [this](int row) { return m_table->index(row, FleetTableModel::SubscriptionColumn); };

    m_controller->handleDoubleClick(cell(0));
    QCOMPARE(m_account->unsubscribeCalls, QList<QStringList>{{id(0)}});
    m_controller->handleDoubleClick(cell(1));
    m_controller->handleDoubleClick(cell(3)); // a failure gets another try
    QCOMPARE(m_account->subscribeCalls, (QList<QStringList>{{id(1)}, {id(3)}}));
    m_controller->handleDoubleClick(cell(2)); // in flight: no second request
    m_controller->handleDoubleClick(m_table->index(0, FleetTableModel::BatteryColumn));
    m_controller->handleDoubleClick(QModelIndex());
    QCOMPARE(m_account->subscribeCalls.size(), 2);
    QCOMPARE(m_account->unsubscribeCalls.size(), 1);

    // Through the view's sorting proxy, as the main window delivers it.
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(m_table.get());
    proxy.sort(FleetTableModel::BatteryColumn, Qt::DescendingOrder);
    QTableView view;
    view.setModel(&proxy);
    connect(&view, &QAbstractItemView::doubleClicked, m_controller, [this, &proxy](const QModelIndex &index) {
        m_controller->handleDoubleClick(proxy.mapToSource(index));
    });
    Q_EMIT view.doubleClicked(proxy.index(0, FleetTableModel::SubscriptionColumn)); // row 3, Failed
    QCOMPARE(m_account->subscribeCalls.last(), QStringList{id(3)});
    m_controller->handleDoubleClick(proxy.index(3, FleetTableModel::SubscriptionColumn)); // row 0
    QCOMPARE(m_account->unsubscribeCalls.last(), QStringList{id(0)});

    m_account->configured = false;
    QSignalSpy messages(m_controller, &SubscriptionController::message);
    m_controller->handleDoubleClick(cell(1));
    QCOMPARE(m_account->subscribeCalls.size(), 3);
    QCOMPARE(messages.size(), 1);
}

void TestSubscriptionController::noticesBecomeMessages() {
    makeController();
    QSignalSpy messages(m_controller, &SubscriptionController::message);
    m_account->tell(QStringLiteral("Smartcar: the vehicle needs to be reconnected."));
    QTRY_COMPARE(messages.size(), 1);
    QCOMPARE(messages.at(0).at(0).toString(),
             QStringLiteral("Smartcar: the vehicle needs to be reconnected."));
}

void TestSubscriptionController::summaryTexts() {
    QCOMPARE(SubscriptionController::bulkSummary(true, 198, 2, 200, false),
             QStringLiteral("Subscribed 198 of 200; 2 failed (see the Webhook column)"));
    QCOMPARE(SubscriptionController::bulkSummary(true, 200, 0, 200, false),
             QStringLiteral("Subscribed 200 of 200"));
    QCOMPARE(SubscriptionController::bulkSummary(false, 4, 1, 5, false),
             QStringLiteral("Unsubscribed 4 of 5; 1 failed (see the Webhook column)"));
    QCOMPARE(
        SubscriptionController::bulkSummary(true, 50, 2, 200, true),
        QStringLiteral("Subscribed 50 of 200; 2 failed (see the Webhook column); cancelled before the rest"));
}

void TestSubscriptionController::screenshots() {
    m_window->resize(1100, 330);
    auto *panel = new ui::VehicleTablePanel(m_table.get(), m_window.get());
    panel->resize(m_window->size());
    panel->show();
    m_table->applyRows(fleet(6));
    m_selection = {m_table->rowAt(1)->id};
    makeController();
    const auto id = [this](int row) { return m_table->rowAt(row)->id; };
    m_account->answer(id(0), Subscription::Subscribed);
    m_account->answer(id(1), Subscription::Pending);
    m_account->answer(id(2), Subscription::Failed, QStringLiteral("Vehicle not compatible"));
    m_account->answer(id(3), Subscription::NotSubscribed);
    m_account->answer(id(4), Subscription::Subscribed);
    m_account->list(QStringLiteral("0d1e2f3a-0000-4000-8000-000000000099"), QStringLiteral("FORD"),
                    QStringLiteral("Mustang Mach-E"), 2023, QString());
    QTRY_COMPARE(m_table->rowCount(), 7);
    QTRY_COMPARE(m_table->index(2, FleetTableModel::SubscriptionColumn).data().toString(),
                 QStringLiteral("Failed"));
    QTest::qWait(50);
    const QString tablePath = screenshotPath(QStringLiteral("subscription_table.png"));
    QVERIFY(panel->grab().save(tablePath));
    qInfo("screenshot: %s", qPrintable(tablePath));

    m_controller->subscribeAllAction()->trigger();
    QProgressDialog *dialog = m_controller->progressDialog();
    QVERIFY(dialog);
    m_account->progress(3, 5, 1);
    QTRY_COMPARE(dialog->value(), 3);
    QTest::qWait(50);
    const QString dialogPath = screenshotPath(QStringLiteral("subscription_progress.png"));
    QVERIFY(dialog->grab().save(dialogPath));
    qInfo("screenshot: %s", qPrintable(dialogPath));

    m_account->finish(4, 1, false);
    QTRY_VERIFY(visibleMessageBox(m_window.get()));
    QTest::qWait(50);
    const QString summaryPath = screenshotPath(QStringLiteral("subscription_summary.png"));
    QVERIFY(visibleMessageBox(m_window.get())->grab().save(summaryPath));
    qInfo("screenshot: %s", qPrintable(summaryPath));
}

QTEST_MAIN(TestSubscriptionController)
#include "tst_SubscriptionController.moc"
