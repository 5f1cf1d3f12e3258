#include "ui/VehicleTablePanel.h"

#include "model/FleetTableModel.h"
#include "ui/BatteryBarDelegate.h"

#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLineEdit>
#include <QMenu>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace ui {

namespace {

const QString kVehicleTablePanelHeaderKey = QStringLiteral("VehicleTable/header");
const QString kVehicleTablePanelColumnCountKey = QStringLiteral("VehicleTable/columnCount");

} // namespace

using model::FleetTableModel;

VehicleTablePanel::VehicleTablePanel(FleetTableModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_proxy(new QSortFilterProxyModel(this))
    , m_filter(new QLineEdit(this))
    , m_view(new QTableView(this)) {
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(FleetTableModel::RawValueRole);
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setFilterRole(FleetTableModel::SearchTextRole);
    m_proxy->setFilterKeyColumn(FleetTableModel::VehicleColumn);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);

    m_filter->setPlaceholderText(tr("Filter by make, model, id, VIN or nickname"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setAccessibleName(tr("Vehicle filter"));
    connect(m_filter, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);

    m_view->setModel(m_proxy);
    m_view->setItemDelegateForColumn(FleetTableModel::BatteryColumn, new BatteryBarDelegate(m_view));
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    // Several vehicles may be selected: their histories are overlaid in the charts.
    m_view->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->setCornerButtonEnabled(false);
    // Row numbers mean nothing once the table is sorted.
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 12);

    QHeaderView *header = m_view->horizontalHeader();
    header->setSectionsMovable(true);
    header->setHighlightSections(false);
    header->setDefaultAlignment(Qt::AlignLeft | Qt::AlignVCenter);
    // A third click returns to arrival order.
    header->setSortIndicatorClearable(true);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(FleetTableModel::VehicleColumn, Qt::AscendingOrder);
    applyDefaultColumnWidths();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 0);
    layout->setSpacing(6);
    layout->addWidget(m_filter);
    layout->addWidget(m_view, 1);
    setFocusProxy(m_view);

    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this] { Q_EMIT selectedVehiclesChanged(selectedVehicleIds()); });
    setUpColumnChooser();
    setUpContextMenu();

    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &VehicleTablePanel::emitRowCounts);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &VehicleTablePanel::emitRowCounts);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &VehicleTablePanel::emitRowCounts);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &VehicleTablePanel::emitRowCounts);
}

VehicleTablePanel::~VehicleTablePanel() = default;

QStringList VehicleTablePanel::selectedVehicleIds() const {
    QStringList ids;
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    for (const QModelIndex &index : rows)
        ids << index.data(FleetTableModel::IdRole).toString();
    return ids;
}

void VehicleTablePanel::setUpColumnChooser() {
    // Right-click on the header: which columns to show. Hidden columns persist with the header state.
    QHeaderView *header = m_view->horizontalHeader();
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(header, &QHeaderView::customContextMenuRequested, this, [this, header](const QPoint &pos) {
        QMenu menu(this);
        for (int column = 0; column < m_model->columnCount(); ++column) {
            QAction *action = menu.addAction(m_model->headerData(column, Qt::Horizontal).toString());
            action->setCheckable(true);
            action->setChecked(!header->isSectionHidden(column));
            action->setEnabled(column != FleetTableModel::VehicleColumn); // the table needs a name column
            connect(action, &QAction::toggled, header,
                    [header, column](bool shown) { header->setSectionHidden(column, !shown); });
        }
        menu.exec(header->mapToGlobal(pos));
    });
}

void VehicleTablePanel::setUpContextMenu() {
    auto *copyId = new QAction(tr("Copy vehicle id"), this);
    copyId->setShortcut(QKeySequence::Copy);
    copyId->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(copyId, &QAction::triggered, this,
            [this] { QGuiApplication::clipboard()->setText(selectedVehicleIds().join(QLatin1Char('\n'))); });
    auto *showHistory = new QAction(tr("Show history"), this);
    showHistory->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_H));
    showHistory->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(showHistory, &QAction::triggered, this,
            [this] { Q_EMIT historyRequested(selectedVehicleIds()); });
    m_view->addAction(copyId);
    m_view->addAction(showHistory);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
}

void VehicleTablePanel::applyDefaultColumnWidths() {
    // Sized for their widest likely content, so a typical fleet needs no manual resizing; the
    // vehicle name takes whatever width is left.
    const QFontMetrics fm = m_view->fontMetrics();
    const int padding = 4 * fm.horizontalAdvance(QLatin1Char('M'));
    const auto sample = [&](const QString &text) { return fm.horizontalAdvance(text) + padding; };
    const QList<std::pair<int, int>> widths = {
        {FleetTableModel::IdColumn, sample(QStringLiteral("8888ffff"))},
        {FleetTableModel::YearColumn, sample(QStringLiteral("2024"))},
        {FleetTableModel::BatteryColumn, fm.horizontalAdvance(QStringLiteral("100 %")) * 4 + 12},
        {FleetTableModel::PluggedColumn, sample(tr("Yes"))},
        {FleetTableModel::ChargingColumn, sample(tr("Yes"))},
        {FleetTableModel::OdometerColumn, sample(QStringLiteral("888,888 km"))},
        {FleetTableModel::DoorsColumn, sample(tr("Open 4"))},
        {FleetTableModel::ErrorsColumn, sample(QStringLiteral("00"))},
        {FleetTableModel::LastUpdateColumn, sample(tr("59 min ago"))},
        {FleetTableModel::SubscriptionColumn, sample(tr("Not subscribed"))},
    };
    QHeaderView *header = m_view->horizontalHeader();
    for (const auto &[column, width] : widths)
        header->resizeSection(column, std::max(width, header->sectionSizeHint(column)));
    header->setMinimumSectionSize(fm.horizontalAdvance(QStringLiteral("00000")));
    header->setSectionResizeMode(FleetTableModel::VehicleColumn, QHeaderView::Stretch);
}

void VehicleTablePanel::focusFilter() {
    m_filter->setFocus(Qt::ShortcutFocusReason);
    m_filter->selectAll();
}

int VehicleTablePanel::visibleRowCount() const {
    return m_proxy->rowCount();
}

void VehicleTablePanel::saveSettings(QSettings &settings) const {
    settings.setValue(kVehicleTablePanelHeaderKey, m_view->horizontalHeader()->saveState());
    settings.setValue(kVehicleTablePanelColumnCountKey, int(FleetTableModel::ColumnCount));
}

void VehicleTablePanel::restoreSettings(const QSettings &settings) {
    // A state saved by a version with other columns would put widths on the wrong ones.
    if (settings.value(kVehicleTablePanelColumnCountKey).toInt() != FleetTableModel::ColumnCount)
        return;
    m_view->horizontalHeader()->restoreState(settings.value(kVehicleTablePanelHeaderKey).toByteArray());
}

void VehicleTablePanel::emitRowCounts() {
    Q_EMIT rowCountsChanged(m_proxy->rowCount(), m_model->rowCount());
}

} // namespace ui
