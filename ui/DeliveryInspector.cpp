#include "ui/DeliveryInspector.h"

#include "model/DeliveryDetailSource.h"
#include "model/DeliveryLogFilterProxy.h"
#include "model/DeliveryLogModel.h"
#include "model/FleetCommands.h"
#include "ui/JsonHighlighter.h"

#include <QComboBox>
#include <QDateTime>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace ui {

namespace {

const QString kDeliveryInspectorSplitterKey = QStringLiteral("DeliveryInspector/splitter");
const QString kDetailSplitterKey = QStringLiteral("DeliveryInspector/detailSplitter");
const QString kDeliveryInspectorHeaderKey = QStringLiteral("DeliveryInspector/header");
const QString kDeliveryInspectorColumnCountKey = QStringLiteral("DeliveryInspector/columnCount");

using model::DeliveryLogModel;
using model::Verdict;

constexpr int kAllVerdicts = -1;

QPlainTextEdit *createTextView(QWidget *parent, const QString &accessibleName) {
    auto *view = new QPlainTextEdit(parent);
    view->setReadOnly(true);
    view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    // Long JSON lines scroll sideways; wrapping would break the indentation that makes it readable.
    view->setLineWrapMode(QPlainTextEdit::NoWrap);
    view->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    view->setAccessibleName(accessibleName);
    return view;
}

QLabel *createCaption(const QString &text, QWidget *parent) {
    auto *label = new QLabel(text, parent);
    QFont font = label->font();
    font.setBold(true);
    label->setFont(font);
    return label;
}

} // namespace

DeliveryInspector::DeliveryInspector(DeliveryLogModel *log, model::DeliveryDetailSource *details,
                                     model::FleetCommands *commands, QWidget *parent)
    : QWidget(parent)
    , m_log(log)
    , m_details(details)
    , m_commands(commands)
    , m_proxy(new model::DeliveryLogFilterProxy(this)) {
    Q_ASSERT(m_log && m_details && m_commands);
    // Connected before the proxy and the view are, so it runs first: a view whose current row is
    // removed moves the selection to a neighbour, and under load the log evicts its oldest rows on
    // every tick, so a selection at the bottom would hop (and fetch a body) ten times a second.
    connect(m_log, &QAbstractItemModel::rowsAboutToBeRemoved, this,
            [this](const QModelIndex &, int first, int last) { onLogRowsAboutToBeRemoved(first, last); });
    m_proxy->setSourceModel(m_log);

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->setObjectName(QStringLiteral("deliverySplitter"));
    m_splitter->setChildrenCollapsible(false);
    m_splitter->addWidget(createLogPane());
    m_splitter->addWidget(createDetailPane());
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(8, 8, 8, 0);
    layout->addWidget(m_splitter);
    setFocusProxy(m_view);

    // Queued even when the source lives on this thread: an answer is handled after the selection
    // that asked for it, never inside request().
    connect(m_details, &model::DeliveryDetailSource::detailReady, this, &DeliveryInspector::onDetailReady,
            Qt::QueuedConnection);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &DeliveryInspector::onSelectionChanged);
    connect(m_log, &QAbstractItemModel::rowsInserted, this,
            [this](const QModelIndex &, int first, int last) { learnEventTypes(first, last); });
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &DeliveryInspector::updateCountLabel);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &DeliveryInspector::updateCountLabel);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &DeliveryInspector::updateCountLabel);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &DeliveryInspector::updateCountLabel);

    if (m_log->rowCount() > 0)
        learnEventTypes(0, m_log->rowCount() - 1);
    updateCountLabel();
    onSelectionChanged();
}

DeliveryInspector::~DeliveryInspector() = default;

QWidget *DeliveryInspector::createLogPane() {
    auto *pane = new QWidget(this);

    m_verdictFilter = new QComboBox(pane);
    m_verdictFilter->setObjectName(QStringLiteral("verdictFilter"));
    m_verdictFilter->setAccessibleName(tr("Verdict filter"));
    m_verdictFilter->addItem(tr("All verdicts"), kAllVerdicts);
    for (Verdict verdict :
         {Verdict::Accepted, Verdict::Duplicate, Verdict::BadSignature, Verdict::Malformed, Verdict::Verify})
        m_verdictFilter->addItem(model::verdictName(verdict), int(verdict));
    connect(m_verdictFilter, &QComboBox::currentIndexChanged, this, &DeliveryInspector::applyVerdictFilter);

    m_eventTypeFilter = new QComboBox(pane);
    m_eventTypeFilter->setObjectName(QStringLiteral("eventTypeFilter"));
    m_eventTypeFilter->setAccessibleName(tr("Event type filter"));
    m_eventTypeFilter->setEditable(true);
    m_eventTypeFilter->setInsertPolicy(QComboBox::NoInsert);
    m_eventTypeFilter->setMinimumContentsLength(16);
    m_eventTypeFilter->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    // The empty first item is "every event type"; the line edit says so while it is empty.
    m_eventTypeFilter->addItem(QString());
    m_eventTypeFilter->lineEdit()->setPlaceholderText(tr("All event types"));
    m_eventTypeFilter->lineEdit()->setClearButtonEnabled(true);
    connect(m_eventTypeFilter, &QComboBox::editTextChanged, this, &DeliveryInspector::applyEventTypeFilter);

    m_countLabel = new QLabel(pane);
    m_countLabel->setObjectName(QStringLiteral("deliveryCountLabel"));
    m_countLabel->setAlignment(Qt::AlignRight | Qt::AlignVCenter);

    m_view = new QTableView(pane);
    m_view->setModel(m_proxy);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setShowGrid(false);
    m_view->setWordWrap(false);
    m_view->setCornerButtonEnabled(false);
    m_view->setAccessibleName(tr("Delivery log"));
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 10);
    QHeaderView *header = m_view->horizontalHeader();
    header->setSectionsMovable(true);
    header->setHighlightSections(false);
    // Unsorted shows arrival order, newest first; a third click on a header returns to it.
    header->setSortIndicatorClearable(true);
    header->setSortIndicator(-1, Qt::DescendingOrder);
    m_view->setSortingEnabled(true);
    applyDefaultColumnWidths();

    auto *filters = new QHBoxLayout;
    filters->setSpacing(8);
    filters->addWidget(m_verdictFilter);
    filters->addWidget(m_eventTypeFilter);
    filters->addStretch(1);
    filters->addWidget(m_countLabel);

    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 4, 0);
    layout->setSpacing(6);
    layout->addLayout(filters);
    layout->addWidget(m_view, 1);
    return pane;
}

QWidget *DeliveryInspector::createDetailPane() {
    auto *pane = new QWidget(this);

    m_title = new QLabel(pane);
    m_title->setObjectName(QStringLiteral("deliveryTitleLabel"));
    m_title->setTextFormat(Qt::PlainText);
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_title->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);

    m_replay = new QPushButton(tr("Replay"), pane);
    m_replay->setObjectName(QStringLiteral("replayButton"));
    m_replay->setToolTip(tr("Feed this delivery through the pipeline again; it is journaled as a replay"));
    connect(m_replay, &QPushButton::clicked, this, &DeliveryInspector::replaySelected);

    m_headers = createTextView(pane, tr("Delivery headers"));
    m_body = createTextView(pane, tr("Delivery body"));
    new JsonHighlighter(m_body->document());

    auto *headersBox = new QWidget(pane);
    auto *headersLayout = new QVBoxLayout(headersBox);
    headersLayout->setContentsMargins(0, 0, 0, 0);
    headersLayout->setSpacing(4);
    headersLayout->addWidget(createCaption(tr("Headers"), headersBox));
    headersLayout->addWidget(m_headers);

    auto *bodyBox = new QWidget(pane);
    auto *bodyLayout = new QVBoxLayout(bodyBox);
    bodyLayout->setContentsMargins(0, 4, 0, 0);
    bodyLayout->setSpacing(4);
    bodyLayout->addWidget(createCaption(tr("Body"), bodyBox));
    bodyLayout->addWidget(m_body);

    m_detailSplitter = new QSplitter(Qt::Vertical, pane);
    m_detailSplitter->setObjectName(QStringLiteral("deliveryDetailSplitter"));
    m_detailSplitter->setChildrenCollapsible(false);
    m_detailSplitter->addWidget(headersBox);
    m_detailSplitter->addWidget(bodyBox);
    // A handful of header lines; the body gets the height.
    const int line = m_headers->fontMetrics().lineSpacing();
    m_detailSplitter->setSizes({line * 5 + 30, line * 30});
    m_detailSplitter->setStretchFactor(0, 0);
    m_detailSplitter->setStretchFactor(1, 1);

    auto *top = new QHBoxLayout;
    top->setSpacing(8);
    top->addWidget(m_title, 1);
    top->addWidget(m_replay);

    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(4, 0, 0, 0);
    layout->setSpacing(6);
    layout->addLayout(top);
    layout->addWidget(m_detailSplitter, 1);
    return pane;
}

void DeliveryInspector::applyDefaultColumnWidths() {
    const QFontMetrics fm = m_view->fontMetrics();
    const int padding = 2 * fm.horizontalAdvance(QLatin1Char('M'));
    const auto sample = [&](const QString &text) { return fm.horizontalAdvance(text) + padding; };
    const QList<std::pair<int, int>> widths = {
        {DeliveryLogModel::TimeColumn, sample(QStringLiteral("00:00:00.000"))},
        {DeliveryLogModel::EventColumn, sample(QStringLiteral("VEHICLE_STATE"))},
        // Vehicle ids are UUIDs: the start is enough to tell vehicles apart, the tooltip has it all.
        {DeliveryLogModel::VehicleColumn, sample(QStringLiteral("875d9333-bbbb-4444"))},
        {DeliveryLogModel::VerdictColumn, sample(QStringLiteral("bad-signature"))},
        {DeliveryLogModel::StatusColumn, sample(QStringLiteral("000"))},
        {DeliveryLogModel::SizeColumn, sample(QStringLiteral("000.0 KB"))},
        {DeliveryLogModel::ProcessingColumn, sample(QStringLiteral("00.0 ms"))},
        {DeliveryLogModel::ReplayColumn, sample(QStringLiteral("replay"))},
    };
    QHeaderView *header = m_view->horizontalHeader();
    for (const auto &[column, width] : widths)
        header->resizeSection(column, std::max(width, header->sectionSizeHint(column)));
    header->setMinimumSectionSize(fm.horizontalAdvance(QStringLiteral("0000")));
    header->setStretchLastSection(true);
}

void DeliveryInspector::onLogRowsAboutToBeRemoved(int first, int last) {
    if (!m_view || !m_view->selectionModel()->hasSelection())
        return;
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    const int sourceRow = rows.isEmpty() ? -1 : m_proxy->mapToSource(rows.constFirst()).row();
    if (sourceRow < first || sourceRow > last)
        return;
    // The detail stays as it is: the journal still has the delivery, and the manager may be reading it.
    m_evictingSelection = true;
    m_view->selectionModel()->clear();
    m_evictingSelection = false;
}

void DeliveryInspector::onSelectionChanged() {
    if (m_evictingSelection)
        return;
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    const QModelIndex row = rows.isEmpty() ? QModelIndex() : rows.constFirst();
    const model::DeliveryLogEntry *entry =
        row.isValid() ? m_log->entryAt(m_proxy->mapToSource(row).row()) : nullptr;
    if (!entry) {
        m_selectedId = 0;
        m_replayable = false;
        m_replay->setEnabled(false);
        m_title->setText(tr("No delivery selected"));
        m_title->setToolTip(QString());
        showPlaceholder(tr("Select a delivery to see its headers and body."));
        return;
    }
    if (entry->journalId == m_selectedId)
        return;
    m_selectedId = entry->journalId;
    // Rejections keep no body, so there is nothing to feed through the pipeline again.
    m_replayable = entry->verdict != Verdict::BadSignature;
    m_replay->setEnabled(m_replayable);
    m_title->setText(tr("Delivery #%1 \u00b7 %2 \u00b7 %3 (%4)")
                         .arg(entry->journalId)
                         .arg(entry->eventType.isEmpty() ? tr("no event type") : entry->eventType,
                              model::verdictName(entry->verdict),
                              entry->status > 0 ? QString::number(entry->status) : QStringLiteral("\u2014")));
    // The rest is in the table row already; the tooltip has it whole for copying into a ticket.
    QStringList facts{tr("Received %1")
                          .arg(QDateTime::fromMSecsSinceEpoch(entry->receivedAtMs)
                                   .toString(QStringLiteral("yyyy-MM-dd hh:mm:ss.zzz")))};
    if (!entry->eventId.isEmpty())
        facts.append(tr("Event id %1").arg(entry->eventId));
    if (!entry->vehicleId.isEmpty())
        facts.append(tr("Vehicle %1").arg(entry->vehicleId));
    m_title->setToolTip(facts.join(QLatin1Char('\n')));
    showPlaceholder(tr("Loading delivery #%1\u2026").arg(entry->journalId));
    m_details->request(entry->journalId);
}

void DeliveryInspector::onDetailReady(const model::DeliveryDetail &detail) {
    // The answer to a selection the manager already moved away from.
    if (m_selectedId == 0 || detail.journalId != m_selectedId)
        return;
    if (!detail.error.isEmpty()) {
        showPlaceholder(detail.error);
        return;
    }
    m_headers->setPlaceholderText(tr("(no headers kept)"));
    m_headers->setPlainText(detail.headers);
    m_body->setPlaceholderText(QString());
    m_body->setPlainText(detail.body);
    // A rejected VERIFY keeps no body either, whatever its verdict says.
    if (detail.bodyBytes == 0) {
        m_replayable = false;
        m_replay->setEnabled(false);
    }
}

void DeliveryInspector::showPlaceholder(const QString &text) {
    m_headers->clear();
    m_headers->setPlaceholderText(QString());
    m_body->clear();
    m_body->setPlaceholderText(text);
}

void DeliveryInspector::replaySelected() {
    if (m_selectedId > 0 && m_replayable)
        m_commands->replayDelivery(m_selectedId);
}

void DeliveryInspector::applyVerdictFilter() {
    const int verdict = m_verdictFilter->currentData().toInt();
    m_proxy->setVerdicts(verdict == kAllVerdicts ? QSet<Verdict>() : QSet<Verdict>{Verdict(verdict)});
}

void DeliveryInspector::applyEventTypeFilter(const QString &text) {
    // Typed in any case, matched against the spelling Smartcar uses when that type has been seen.
    const QString typed = text.trimmed();
    const int known = typed.isEmpty() ? -1 : m_eventTypeFilter->findText(typed, Qt::MatchFixedString);
    m_proxy->setEventType(known > 0 ? m_eventTypeFilter->itemText(known) : typed);
}

void DeliveryInspector::learnEventTypes(int first, int last) {
    for (int row = first; row <= last; ++row) {
        const model::DeliveryLogEntry *entry = m_log->entryAt(row);
        if (!entry || entry->eventType.isEmpty() || m_eventTypeFilter->findText(entry->eventType) >= 0)
            continue;
        // Kept sorted after the empty "all" item; a handful of types at most.
        int position = 1;
        while (position < m_eventTypeFilter->count() &&
               m_eventTypeFilter->itemText(position).compare(entry->eventType) < 0)
            ++position;
        const QString edited = m_eventTypeFilter->currentText();
        m_eventTypeFilter->insertItem(position, entry->eventType);
        if (m_eventTypeFilter->currentText() != edited)
            m_eventTypeFilter->setEditText(edited);
    }
}

void DeliveryInspector::updateCountLabel() {
    const QLocale locale;
    const int shown = m_proxy->rowCount();
    const int total = m_log->rowCount();
    m_countLabel->setText(
        shown == total ? tr("%1 deliveries").arg(locale.toString(total))
                       : tr("%1 of %2 deliveries").arg(locale.toString(shown), locale.toString(total)));
}

void DeliveryInspector::saveSettings(QSettings &settings) const {
    settings.setValue(kDeliveryInspectorSplitterKey, m_splitter->saveState());
    settings.setValue(kDetailSplitterKey, m_detailSplitter->saveState());
    settings.setValue(kDeliveryInspectorHeaderKey, m_view->horizontalHeader()->saveState());
    settings.setValue(kDeliveryInspectorColumnCountKey, int(DeliveryLogModel::ColumnCount));
}

void DeliveryInspector::restoreSettings(const QSettings &settings) {
    m_splitter->restoreState(settings.value(kDeliveryInspectorSplitterKey).toByteArray());
    m_detailSplitter->restoreState(settings.value(kDetailSplitterKey).toByteArray());
    // A state saved by a version with other columns would put widths on the wrong ones.
    if (settings.value(kDeliveryInspectorColumnCountKey).toInt() != DeliveryLogModel::ColumnCount)
        return;
    m_view->horizontalHeader()->restoreState(settings.value(kDeliveryInspectorHeaderKey).toByteArray());
}

} // namespace ui
