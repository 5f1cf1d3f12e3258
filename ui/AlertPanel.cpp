#include "ui/AlertPanel.h"

#include "model/AlertModel.h"
#include "model/FleetCommands.h"
#include "ui/AlertBanner.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QIcon>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QShortcut>
#include <QSortFilterProxyModel>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>
#include <utility>

#include <algorithm>

namespace ui {

namespace {

const QString kAlertPanelHeaderKey = QStringLiteral("AlertPanel/header");
const QString kAlertPanelColumnCountKey = QStringLiteral("AlertPanel/columnCount");
const QString kShowClearedKey = QStringLiteral("AlertPanel/showCleared");

using model::AlertModel;
using model::AlertSeverity;

// Adds what only a widget layer can give (the style's severity icons) and hides cleared alerts.
// AlertModel itself stays free of QStyle, and sorting uses its RawValueRole so times sort as numbers.
class AlertProxy final : public QSortFilterProxyModel {
public:
    AlertProxy(const QStyle *style, QObject *parent)
        : QSortFilterProxyModel(parent)
        , m_critical(style->standardIcon(QStyle::SP_MessageBoxCritical))
        , m_warning(style->standardIcon(QStyle::SP_MessageBoxWarning))
        , m_info(style->standardIcon(QStyle::SP_MessageBoxInformation)) {
        setSortRole(AlertModel::RawValueRole);
        setSortCaseSensitivity(Qt::CaseInsensitive);
    }

    bool showsCleared() const { return m_showCleared; }
    void setShowCleared(bool show) {
        if (show == m_showCleared)
            return;
        m_showCleared = show;
        invalidateFilter();
    }

    QVariant data(const QModelIndex &index, int role) const override {
        if (role != Qt::DecorationRole || index.column() != AlertModel::SeverityColumn)
            return QSortFilterProxyModel::data(index, role);
        const QIcon &icon = iconFor(AlertSeverity(index.data(AlertModel::SeverityRole).toInt()));
        if (index.data(AlertModel::IsActiveRole).toBool())
            return icon;
        // Greyed like the rest of a cleared row.
        return icon.pixmap(16, QIcon::Disabled);
    }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override {
        return m_showCleared ||
               sourceModel()->index(sourceRow, 0, sourceParent).data(AlertModel::IsActiveRole).toBool();
    }

private:
    const QIcon &iconFor(AlertSeverity severity) const {
        switch (severity) {
        case AlertSeverity::Critical:
            return m_critical;
        case AlertSeverity::Warning:
            return m_warning;
        case AlertSeverity::Info:
            break;
        }
        return m_info;
    }

    QIcon m_critical;
    QIcon m_warning;
    QIcon m_info;
    bool m_showCleared = false;
};

bool needsAcknowledgement(const model::Alert &alert) {
    return !alert.isCleared() && !alert.isAcknowledged();
}

} // namespace

AlertPanel::AlertPanel(AlertModel *model, model::FleetCommands *commands, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_commands(commands)
    , m_user(qEnvironmentVariable("USER").trimmed())
    , m_proxy(new AlertProxy(style(), this))
    , m_banner(new AlertBanner(this))
    , m_summary(new QLabel(this))
    , m_showCleared(new QCheckBox(tr("Show cleared"), this))
    , m_acknowledge(new QPushButton(tr("Acknowledge"), this))
    , m_acknowledgeAll(new QPushButton(tr("Acknowledge all"), this))
    , m_view(new QTableView(this)) {
    Q_ASSERT(m_model && m_commands);
    qRegisterMetaType<model::Alert>(); // for queued receivers of criticalAlertRaised
    if (m_user.isEmpty())
        m_user = QStringLiteral("user");

    m_proxy->setSourceModel(m_model);

    m_summary->setObjectName(QStringLiteral("alertSummaryLabel"));
    m_showCleared->setToolTip(tr("Also list alerts that were acknowledged or went away by themselves"));
    connect(m_showCleared, &QCheckBox::toggled, this, &AlertPanel::setShowCleared);

    m_acknowledge->setToolTip(tr("Acknowledge the selected alerts (Space, Ctrl+K)"));
    m_acknowledgeAll->setToolTip(tr("Acknowledge every active alert (Ctrl+Shift+K)"));
    connect(m_acknowledge, &QPushButton::clicked, this, &AlertPanel::acknowledgeSelected);
    connect(m_acknowledgeAll, &QPushButton::clicked, this, &AlertPanel::acknowledgeAll);
    connect(m_banner, &AlertBanner::acknowledgeRequested, this,
            [this](qint64 id) { m_commands->acknowledgeAlert(id, m_user); });

    // Scoped to the panel so the same keys stay free for other panels; Space only on the table,
    // where it cannot be mistaken for pressing a focused button.
    auto *ackKey =
        new QShortcut(QKeySequence(Qt::CTRL | Qt::Key_K), this, this, &AlertPanel::acknowledgeSelected);
    ackKey->setContext(Qt::WidgetWithChildrenShortcut);
    auto *ackAllKey = new QShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K), this, this,
                                    &AlertPanel::acknowledgeAll);
    ackAllKey->setContext(Qt::WidgetWithChildrenShortcut);
    auto *spaceKey =
        new QShortcut(QKeySequence(Qt::Key_Space), m_view, this, &AlertPanel::acknowledgeSelected);
    spaceKey->setContext(Qt::WidgetShortcut);

    m_view->setModel(m_proxy);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->setCornerButtonEnabled(false);
    m_view->setTextElideMode(Qt::ElideRight);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 12);
    m_view->setAccessibleName(tr("Alerts"));

    QHeaderView *header = m_view->horizontalHeader();
    header->setSectionsMovable(true);
    header->setHighlightSections(false);
    header->setSortIndicatorClearable(true);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(AlertModel::FirstSeenColumn, Qt::DescendingOrder);
    applyDefaultColumnWidths();

    auto *bar = new QHBoxLayout;
    bar->setSpacing(10);
    bar->addWidget(m_summary, 1);
    bar->addWidget(m_showCleared);
    bar->addSpacing(8);
    bar->addWidget(m_acknowledge);
    bar->addWidget(m_acknowledgeAll);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 0);
    layout->setSpacing(6);
    layout->addWidget(m_banner);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);
    setFocusProxy(m_view);

    connect(m_model, &QAbstractItemModel::rowsInserted, this, &AlertPanel::onModelChanged);
    connect(m_model, &QAbstractItemModel::rowsRemoved, this, &AlertPanel::onModelChanged);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &AlertPanel::onModelChanged);
    connect(m_model, &QAbstractItemModel::modelReset, this, &AlertPanel::onModelChanged);
    connect(m_model, &model::AlertModel::batchApplied, this, [this] {
        if (std::exchange(m_modelChangedInBatch, false))
            onModelChanged();
    });
    connect(m_model, &QAbstractItemModel::layoutChanged, this, &AlertPanel::onModelChanged);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &AlertPanel::updateActions);

    updateCritical(false);
    updateActions();
}

AlertPanel::~AlertPanel() = default;

void AlertPanel::applyDefaultColumnWidths() {
    // Sized for their widest likely content; the alert text takes whatever width is left.
    const QFontMetrics fm = m_view->fontMetrics();
    const int padding = 3 * fm.horizontalAdvance(QLatin1Char('M'));
    const int icon = style()->pixelMetric(QStyle::PM_SmallIconSize, nullptr, m_view) + 6;
    const auto sample = [&](const QString &text) { return fm.horizontalAdvance(text) + padding; };
    const QList<std::pair<int, int>> widths = {
        {AlertModel::SeverityColumn, sample(AlertModel::severityText(AlertSeverity::Critical)) + icon},
        {AlertModel::VehicleColumn, sample(QStringLiteral("Volkswagen ID.4 (2023)"))},
        {AlertModel::FirstSeenColumn, sample(QStringLiteral("2024-05-31 12:03"))},
        {AlertModel::LastSeenColumn, sample(QStringLiteral("2024-05-31 12:03"))},
        {AlertModel::StateColumn, sample(tr("Cleared %1").arg(QStringLiteral("2024-05-31 12:03")))},
    };
    QHeaderView *header = m_view->horizontalHeader();
    for (const auto &[column, width] : widths)
        header->resizeSection(column, std::max(width, header->sectionSizeHint(column)));
    header->setMinimumSectionSize(fm.horizontalAdvance(QStringLiteral("00000")));
    header->setSectionResizeMode(AlertModel::MessageColumn, QHeaderView::Stretch);
}

bool AlertPanel::showsCleared() const {
    return static_cast<AlertProxy *>(m_proxy)->showsCleared();
}

void AlertPanel::setShowCleared(bool show) {
    static_cast<AlertProxy *>(m_proxy)->setShowCleared(show);
    if (m_showCleared->isChecked() != show)
        m_showCleared->setChecked(show);
    updateActions();
}

QList<qint64> AlertPanel::selectedAlertIds() const {
    QList<qint64> ids;
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    for (const QModelIndex &row : rows) {
        const int sourceRow = m_proxy->mapToSource(row).row();
        if (const model::Alert *alert = m_model->alertAt(sourceRow); alert && needsAcknowledgement(*alert))
            ids.append(alert->id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

void AlertPanel::acknowledgeSelected() {
    for (qint64 id : selectedAlertIds())
        m_commands->acknowledgeAlert(id, m_user);
}

void AlertPanel::acknowledgeAll() {
    if (m_acknowledgeAll->isEnabled())
        m_commands->acknowledgeAllAlerts(m_user);
}

void AlertPanel::onModelChanged() {
    // Both summaries scan every alert: once per batch, not once per row signal of it (a tick that
    // touches a thousand alerts would otherwise scan them a thousand times).
    if (m_model->isApplyingBatch()) {
        m_modelChangedInBatch = true;
        return;
    }
    updateCritical(true);
    updateActions();
}

void AlertPanel::updateCritical(bool announce) {
    // Rows are newest first, so the first pending critical alert is the newest one.
    const model::Alert *newest = nullptr;
    int newestRow = -1;
    int pending = 0;
    QList<const model::Alert *> raised;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const model::Alert *alert = m_model->alertAt(row);
        if (alert->severity != AlertSeverity::Critical || !needsAcknowledgement(*alert))
            continue;
        ++pending;
        if (!newest) {
            newest = alert;
            newestRow = row;
        }
        if (!m_announced.contains(alert->id)) {
            m_announced.insert(alert->id);
            raised.append(alert);
        }
    }
    if (newest) {
        const QString vehicle = m_model->index(newestRow, AlertModel::VehicleColumn).data().toString();
        const QString time = m_model->index(newestRow, AlertModel::FirstSeenColumn).data().toString();
        m_banner->showAlert(newest->id, vehicle, time, pending - 1);
    } else {
        m_banner->clearAlert();
    }
    if (!announce)
        return;
    // Copies, oldest first: a receiver may change the model (and so these rows) while handling one.
    QList<model::Alert> copies;
    for (auto it = raised.crbegin(); it != raised.crend(); ++it)
        copies.append(**it);
    for (const model::Alert &alert : std::as_const(copies))
        Q_EMIT criticalAlertRaised(alert);
}

void AlertPanel::updateActions() {
    // Counted here rather than taken from activeCount(): the model updates that after its row signals.
    int active = 0;
    int unacknowledged = 0;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const model::Alert *alert = m_model->alertAt(row);
        active += alert->isCleared() ? 0 : 1;
        unacknowledged += needsAcknowledgement(*alert) ? 1 : 0;
    }
    m_acknowledge->setEnabled(!selectedAlertIds().isEmpty());
    m_acknowledgeAll->setEnabled(unacknowledged > 0);
    const QString activeText = active == 1 ? tr("1 active alert") : tr("%1 active alerts").arg(active);
    if (active == 0)
        m_summary->setText(tr("No active alerts"));
    else if (unacknowledged == 0)
        m_summary->setText(tr("%1, all acknowledged").arg(activeText));
    else
        m_summary->setText(tr("%1 \u00b7 %2 not acknowledged").arg(activeText).arg(unacknowledged));
}

void AlertPanel::saveSettings(QSettings &settings) const {
    settings.setValue(kAlertPanelHeaderKey, m_view->horizontalHeader()->saveState());
    settings.setValue(kAlertPanelColumnCountKey, int(AlertModel::ColumnCount));
    settings.setValue(kShowClearedKey, showsCleared());
}

void AlertPanel::restoreSettings(const QSettings &settings) {
    setShowCleared(settings.value(kShowClearedKey, false).toBool());
    // A state saved by a version with other columns would put widths on the wrong ones.
    if (settings.value(kAlertPanelColumnCountKey).toInt() != AlertModel::ColumnCount)
        return;
    m_view->horizontalHeader()->restoreState(settings.value(kAlertPanelHeaderKey).toByteArray());
}

} // namespace ui
