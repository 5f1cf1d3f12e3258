#pragma once

#include <QList>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <functional>

class QAction;
class QModelIndex;
class QProgressDialog;
class QWidget;

namespace model {
class AccountCommands;
class FleetTableModel;
} // namespace model

namespace ui {

// The manager's commands on the Smartcar account (Connect, subscribe, unsubscribe) as actions for
// the main window, and the account's answers shown where the manager looks: each vehicle's state in
// the table's Webhook column, vehicles the account lists as rows before their first webhook, bulk
// operations in a window-modal progress dialog that ends with a summary, and Smartcar's notices as
// message() for the status bar (one per failed vehicle would be a storm of message boxes).
//
// The account runs commands one after another, each ending with one bulkFinished (cancelBulk() ends
// the queued ones at once, newest first, and the running one last); the controller keeps its own
// commands in the same order to know which one an answer belongs to.
//
// Actions are disabled, with a tooltip saying why, while the account is not configured or while
// "Subscribe all" runs; Subscribe and Unsubscribe also need a selection. Call refreshActions() when
// the selection or the account's configuration changes.
class SubscriptionController final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SubscriptionController)
public:
    using SelectedIds = std::function<QStringList()>;

    // All must outlive the controller; `window` (may be null) parents the dialogs and the controller.
    SubscriptionController(model::AccountCommands *account, model::FleetTableModel *table,
                           SelectedIds selectedIds, QWidget *window);
    ~SubscriptionController() override;

    QList<QAction *> tableActions() const; // Subscribe, Unsubscribe: for the table's context menu
    QAction *connectAction() const { return m_connect; }
    QAction *subscribeAction() const { return m_subscribe; }
    QAction *unsubscribeAction() const { return m_unsubscribe; }
    QAction *subscribeAllAction() const { return m_subscribeAll; }

    // Toggles the subscription of the vehicle whose Webhook cell was double-clicked; other columns
    // are ignored. A proxy index works as well, as long as the proxy keeps the columns.
    void handleDoubleClick(const QModelIndex &sourceIndex);

    bool isBulkRunning() const { return !m_progress.isNull(); } // "Subscribe all" runs
    QProgressDialog *progressDialog() const;                    // null unless "Subscribe all" runs

    // "Subscribed 198 of 200; 2 failed (see the Webhook column)".
    static QString bulkSummary(bool subscribing, int succeeded, int failed, int total, bool cancelled);

public Q_SLOTS:
    void refreshActions();

Q_SIGNALS:
    // For the status bar: notices from Smartcar and outcomes of commands.
    void message(const QString &text);

private:
    enum class Bulk { Subscribe, Unsubscribe };
    struct Command {
        Bulk kind = Bulk::Subscribe;
        int total = 0;
        bool withProgress = false; // "Subscribe all": the dialog and the summary box are its own
    };

    void subscribeSelected();
    void unsubscribeSelected();
    void subscribeAll();
    void start(Bulk kind, const QStringList &ids, bool showProgress);
    void onBulkProgress(int done, int total, int failed);
    void onBulkFinished(int succeeded, int failed, bool cancelled);
    void onCancelRequested();

    model::AccountCommands *m_account;
    model::FleetTableModel *m_table;
    SelectedIds m_selectedIds;
    QWidget *m_window;
    QAction *m_connect;
    QAction *m_subscribe;
    QAction *m_unsubscribe;
    QAction *m_subscribeAll;
    QPointer<QProgressDialog> m_progress;
    QList<Command> m_commands; // sent and not finished, oldest first
    bool m_cancelRequested = false;
};

} // namespace ui
