#include "ui/SubscriptionController.h"

#include "model/AccountCommands.h"
#include "model/FleetTableModel.h"

#include <QAction>
#include <QMessageBox>
#include <QModelIndex>
#include <QProgressDialog>
#include <QPushButton>
#include <QWidget>

#include <algorithm>
#include <utility>

namespace ui {

using model::AccountCommands;
using model::FleetTableModel;
using Subscription = AccountCommands::Subscription;

namespace {

QString notConfiguredText() {
    return SubscriptionController::tr("Set up the Smartcar application first (Settings \u2192 Setup\u2026): "
                                      "Connect and webhook subscriptions need its client id, client "
                                      "secret and webhook id.");
}

QString busyText() {
    return SubscriptionController::tr("Wait until \u201cSubscribe all\u201d ends.");
}

} // namespace

SubscriptionController::SubscriptionController(AccountCommands *account, FleetTableModel *table,
                                               SelectedIds selectedIds, QWidget *window)
    : QObject(window)
    , m_account(account)
    , m_table(table)
    , m_selectedIds(std::move(selectedIds))
    , m_window(window)
    , m_connect(new QAction(tr("&Connect vehicles\u2026"), this))
    , m_subscribe(new QAction(tr("&Subscribe"), this))
    , m_unsubscribe(new QAction(tr("&Unsubscribe"), this))
    , m_subscribeAll(new QAction(tr("Subscribe &all\u2026"), this)) {
    m_connect->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    connect(m_connect, &QAction::triggered, m_account, &AccountCommands::connectVehicles);
    connect(m_subscribe, &QAction::triggered, this, &SubscriptionController::subscribeSelected);
    connect(m_unsubscribe, &QAction::triggered, this, &SubscriptionController::unsubscribeSelected);
    connect(m_subscribeAll, &QAction::triggered, this, &SubscriptionController::subscribeAll);

    connect(m_account, &AccountCommands::subscriptionChanged, m_table,
            [this](const QString &vehicleId, Subscription state, const QString &reason) {
                m_table->setSubscription(vehicleId, int(state), reason);
            });
    connect(m_account, &AccountCommands::vehicleListed, m_table,
            [this](const QString &vehicleId, const QString &make, const QString &modelName, int year,
                   const QString &vin) {
                model::VehicleRow row;
                row.id = vehicleId;
                row.make = make;
                row.model = modelName;
                row.year = year;
                row.vin = vin;
                m_table->addListedVehicle(row);
            });
    connect(m_account, &AccountCommands::notice, this, &SubscriptionController::message);
    connect(m_account, &AccountCommands::bulkProgress, this, &SubscriptionController::onBulkProgress);
    connect(m_account, &AccountCommands::bulkFinished, this, &SubscriptionController::onBulkFinished);
    refreshActions();
}

SubscriptionController::~SubscriptionController() {
    delete m_progress.data(); // a window-modal dialog must not outlive the operation it shows
}

QProgressDialog *SubscriptionController::progressDialog() const {
    return m_progress;
}

QList<QAction *> SubscriptionController::tableActions() const {
    return {m_subscribe, m_unsubscribe};
}

void SubscriptionController::refreshActions() {
    const bool configured = m_account->isConfigured();
    const bool idle = !isBulkRunning();
    const bool selected = m_selectedIds && !m_selectedIds().isEmpty();

    const auto set = [](QAction *action, bool enabled, const QString &tip) {
        action->setEnabled(enabled);
        action->setToolTip(tip);
        action->setStatusTip(tip);
    };
    set(m_connect, configured,
        configured ? tr("Open Smartcar Connect in the browser to give access to more vehicles")
                   : notConfiguredText());
    const auto selectionTip = [&](const QString &what) {
        if (!configured)
            return notConfiguredText();
        if (!idle)
            return busyText();
        return selected ? what : tr("Select one or more vehicles first.");
    };
    set(m_subscribe, configured && idle && selected,
        selectionTip(tr("Have Smartcar send the selected vehicles' webhooks here")));
    set(m_unsubscribe, configured && idle && selected,
        selectionTip(tr("Stop Smartcar sending the selected vehicles' webhooks")));
    set(m_subscribeAll, configured && idle,
        !configured ? notConfiguredText()
        : !idle     ? busyText()
                    : tr("Subscribe every vehicle in the table that is not subscribed yet"));
}

void SubscriptionController::subscribeSelected() {
    const QStringList ids = m_selectedIds ? m_selectedIds() : QStringList();
    if (!ids.isEmpty())
        start(Bulk::Subscribe, ids, false);
}

void SubscriptionController::unsubscribeSelected() {
    const QStringList ids = m_selectedIds ? m_selectedIds() : QStringList();
    if (!ids.isEmpty())
        start(Bulk::Unsubscribe, ids, false);
}

void SubscriptionController::subscribeAll() {
    QStringList ids;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        const model::VehicleRow *vehicle = m_table->rowAt(row);
        if (vehicle->subscription != int(Subscription::Subscribed))
            ids.append(vehicle->id);
    }
    if (ids.isEmpty()) {
        Q_EMIT message(m_table->rowCount() == 0
                           ? tr("No vehicles to subscribe yet: connect vehicles first.")
                           : tr("All %1 vehicles are already subscribed.").arg(m_table->rowCount()));
        return;
    }
    start(Bulk::Subscribe, ids, true);
}

void SubscriptionController::handleDoubleClick(const QModelIndex &sourceIndex) {
    if (!sourceIndex.isValid() || sourceIndex.column() != FleetTableModel::SubscriptionColumn)
        return;
    if (!m_account->isConfigured()) {
        Q_EMIT message(notConfiguredText());
        return;
    }
    if (isBulkRunning()) {
        Q_EMIT message(busyText());
        return;
    }
    const QString id = sourceIndex.data(FleetTableModel::IdRole).toString();
    const auto state = Subscription(sourceIndex.data(FleetTableModel::RawValueRole).toInt());
    if (id.isEmpty())
        return;
    if (state == Subscription::Pending) {
        // A second request would race the first; its answer is on its way.
        Q_EMIT message(tr("Smartcar has not answered for this vehicle yet."));
        return;
    }
    // Unknown and Failed offer another try at subscribing: that is what the manager came for.
    start(state == Subscription::Subscribed ? Bulk::Unsubscribe : Bulk::Subscribe, {id}, false);
}

void SubscriptionController::start(Bulk kind, const QStringList &ids, bool showProgress) {
    m_commands.append(Command{kind, int(ids.size()), showProgress});
    if (showProgress) {
        auto *dialog = new QProgressDialog(m_window);
        dialog->setWindowTitle(tr("Subscribe all"));
        dialog->setLabelText(tr("Subscribing vehicles to the webhook\u2026\n0 of %1 done").arg(ids.size()));
        // Wide enough that the changing label never resizes the dialog under the manager's eyes.
        dialog->setMinimumWidth(dialog->fontMetrics().horizontalAdvance(QLatin1Char('M')) * 26);
        dialog->setCancelButtonText(tr("Cancel"));
        dialog->setRange(0, int(ids.size()));
        dialog->setValue(0);
        // The manager may step away from a long run: the dialog stays until the summary replaces it.
        dialog->setAutoClose(false);
        dialog->setAutoReset(false);
        dialog->setMinimumDuration(0);
        dialog->setWindowModality(Qt::WindowModal);
        // Cancel stops after the request in flight, so the dialog stays to show that it is stopping.
        // QProgressDialog made that connection by name, which a pointer-to-member disconnect misses.
        disconnect(dialog, SIGNAL(canceled()), dialog, SLOT(cancel()));
        connect(dialog, &QProgressDialog::canceled, this, &SubscriptionController::onCancelRequested);
        m_progress = dialog;
        m_cancelRequested = false;
        refreshActions();
        dialog->show();
    }
    // The account may answer (Pending, first progress) before these calls return.
    if (kind == Bulk::Subscribe)
        m_account->subscribe(ids);
    else
        m_account->unsubscribe(ids);
}

void SubscriptionController::onCancelRequested() {
    if (m_cancelRequested || !m_progress)
        return;
    m_cancelRequested = true;
    m_progress->setLabelText(tr("Stopping after the request in flight\u2026"));
    if (auto *button = m_progress->findChild<QPushButton *>())
        button->setEnabled(false);
    m_account->cancelBulk(); // may finish everything, and end the dialog, before it returns
}

void SubscriptionController::onBulkProgress(int done, int total, int failed) {
    // Progress is about the command running now, the oldest one.
    if (m_commands.isEmpty())
        return;
    Command &running = m_commands.first();
    if (total > 0)
        running.total = total;
    if (!running.withProgress || !m_progress || m_cancelRequested)
        return;
    // Same numbers as the bar: "done" counts the failed ones too.
    QString text = tr("Subscribing vehicles to the webhook\u2026\n%1 of %2 done").arg(done).arg(total);
    if (failed > 0)
        text += tr("; %1 failed").arg(failed);
    m_progress->setLabelText(text);
    m_progress->setMaximum(std::max(total, 1));
    // Last: on a modal dialog setValue() processes events, and bulkFinished may end the dialog there.
    m_progress->setValue(std::clamp(done, 0, std::max(total, 1)));
}

void SubscriptionController::onBulkFinished(int succeeded, int failed, bool cancelled) {
    if (m_commands.isEmpty())
        return; // not ours
    // Normally the oldest command ends; a cancel ends the queued ones first, newest first.
    const Command command = cancelled ? m_commands.takeLast() : m_commands.takeFirst();
    const int total = std::max(command.total, succeeded + failed);
    const QString summary = bulkSummary(command.kind == Bulk::Subscribe, succeeded, failed, total, cancelled);
    if (!command.withProgress) {
        // One vehicle speaks for itself in the Webhook column; several deserve a line.
        if (command.total > 1)
            Q_EMIT message(summary);
        return;
    }
    if (QProgressDialog *dialog = std::exchange(m_progress, nullptr)) {
        // Later: an account that answers cancelBulk() at once would still be inside its Cancel click.
        dialog->hide();
        dialog->deleteLater();
    }
    m_cancelRequested = false;
    refreshActions();
    Q_EMIT message(summary);
    // It replaces the progress dialog the manager was looking at; open() keeps the event loop free.
    auto *box = new QMessageBox(failed > 0 ? QMessageBox::Warning : QMessageBox::Information,
                                tr("Subscribe all"), summary, QMessageBox::Ok, m_window);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setWindowModality(Qt::WindowModal);
    box->open();
}

QString SubscriptionController::bulkSummary(bool subscribing, int succeeded, int failed, int total,
                                            bool cancelled) {
    QString text = subscribing ? tr("Subscribed %1 of %2").arg(succeeded).arg(total)
                               : tr("Unsubscribed %1 of %2").arg(succeeded).arg(total);
    if (failed > 0)
        text += tr("; %1 failed (see the Webhook column)").arg(failed);
    if (cancelled)
        text += tr("; cancelled before the rest");
    return text;
}

} // namespace ui
