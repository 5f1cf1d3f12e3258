#pragma once

#include <QSet>
#include <QWidget>

class QCheckBox;
class QLabel;
class QPushButton;
class QSettings;
class QSortFilterProxyModel;
class QTableView;

namespace model {
class AlertModel;
class FleetCommands;
struct Alert;
} // namespace model

namespace ui {

class AlertBanner;

// The alert list: newest first, severity as an icon and a colour, cleared alerts hidden unless
// "Show cleared" is ticked. Acknowledging goes through model::FleetCommands in the manager's login
// name; the table changes only when the pipeline sends the acknowledged alert back, so what it shows
// is always what the journal holds.
//
// While an unacknowledged airbag (critical) alert exists, the panel's AlertBanner shows it. The
// banner sits at the top of the panel; a main window may move it elsewhere (addWidget reparents it)
// and the panel keeps driving it.
class AlertPanel final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertPanel)
public:
    // Neither may be null; both must outlive the panel. Critical alerts already in the model count
    // as announced: criticalAlertRaised is for alerts that arrive later.
    AlertPanel(model::AlertModel *model, model::FleetCommands *commands, QWidget *parent = nullptr);
    ~AlertPanel() override;

    bool showsCleared() const;
    void setShowCleared(bool show);

    // The name acknowledgements are recorded under: $USER, else "user".
    QString userName() const { return m_user; }

    // Column order, widths and sort order, and the "Show cleared" box.
    void saveSettings(QSettings &settings) const;
    void restoreSettings(const QSettings &settings);

    AlertBanner *banner() const { return m_banner; }
    QTableView *view() const { return m_view; }
    QSortFilterProxyModel *proxyModel() const { return m_proxy; }
    QCheckBox *showClearedBox() const { return m_showCleared; }
    QPushButton *acknowledgeButton() const { return m_acknowledge; }
    QPushButton *acknowledgeAllButton() const { return m_acknowledgeAll; }

public Q_SLOTS:
    void acknowledgeSelected(); // every selected alert that is active and not yet acknowledged
    void acknowledgeAll();

Q_SIGNALS:
    // Once per critical alert id, when it first appears unacknowledged (tray notification, sound).
    void criticalAlertRaised(const model::Alert &alert);

private:
    void onModelChanged();
    void updateCritical(bool announce);
    void updateActions();
    void applyDefaultColumnWidths();
    QList<qint64> selectedAlertIds() const;

    model::AlertModel *m_model;
    bool m_modelChangedInBatch = false; // a row signal came while the model applied a batch
    model::FleetCommands *m_commands;
    QString m_user;
    QSet<qint64> m_announced; // critical alert ids already reported through criticalAlertRaised
    QSortFilterProxyModel *m_proxy;
    AlertBanner *m_banner;
    QLabel *m_summary;
    QCheckBox *m_showCleared;
    QPushButton *m_acknowledge;
    QPushButton *m_acknowledgeAll;
    QTableView *m_view;
};

} // namespace ui
