#include "ui/ChartPanel.h"

#include "ui/SeriesChartView.h"

#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QStackedWidget>
#include <QStandardPaths>
#include <QVBoxLayout>

#include <algorithm>

namespace ui {

namespace {

const QString kBatteryCode = QStringLiteral("tractionbattery-stateofcharge");
const QString kOdometerCode = QStringLiteral("odometer-traveleddistance");
const QString kRangeKey = QStringLiteral("ChartPanel/range");

// ~15 refreshes a second at most (QGroundControl's chart rate): live to the eye, and a flood of
// webhooks costs the GUI thread no more than a trickle.
constexpr int kRefreshIntervalMs = 66;
// Wheel notches and drag steps closer together than this become one query.
constexpr int kEditDelayMs = 40;
constexpr int kResizeDelayMs = 150;
constexpr int kSlideIntervalMs = 60 * 1000;
// An answer this late is taken as lost (the source dropped it), so refreshes are not held forever.
constexpr qint64 kLostAfterMs = 5000;
// A window around a lone reading, so it is not drawn on the frame.
constexpr qint64 kLonePaddingMs = 30LL * 60 * 1000;

QString csvField(const QString &text) {
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
        !text.contains(QLatin1Char('\n')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

} // namespace

ChartPanel::ChartPanel(model::HistorySource *source, QWidget *parent)
    : QWidget(parent)
    , m_source(source)
    , m_rangeBar(new ChartRangeBar(this))
    , m_exportPng(new QPushButton(tr("Export PNG…"), this))
    , m_exportCsv(new QPushButton(tr("Export CSV…"), this))
    , m_stack(new QStackedWidget(this))
    , m_placeholder(new QLabel(tr("Select vehicles to see their battery and odometer history"), this))
    , m_chartsPage(new QWidget(this)) {
    m_battery.code = kBatteryCode;
    m_battery.view = new SeriesChartView(tr("Battery (%)"), QStringLiteral("%"), 0, m_chartsPage);
    m_battery.view->setFixedValueRange(0, 100);
    m_battery.view->setObjectName(QStringLiteral("batteryChart"));
    m_odometer.code = kOdometerCode;
    m_odometer.view = new SeriesChartView(tr("Odometer (km)"), tr("km"), 1, m_chartsPage);
    m_odometer.view->setObjectName(QStringLiteral("odometerChart"));
    // Same vehicles, same colours: one legend, above both charts, is enough.
    m_odometer.view->setLegendShown(false);

    auto *hint = new QLabel(tr("Wheel: zoom · drag: pan · double-click: reset"), this);
    hint->setToolTip(hint->text());
    hint->setForegroundRole(QPalette::PlaceholderText);
    // The first thing to give up when the panel is narrow.
    hint->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_exportPng->setToolTip(tr("Save both charts as an image"));
    m_exportCsv->setToolTip(tr("Save the plotted points as comma-separated values"));
    auto *top = new QHBoxLayout;
    top->setContentsMargins(8, 8, 8, 0);
    top->setSpacing(8);
    top->addWidget(m_rangeBar);
    top->addSpacing(8);
    top->addWidget(hint, 1);
    top->addWidget(m_exportPng);
    top->addWidget(m_exportCsv);

    m_placeholder->setAlignment(Qt::AlignCenter);
    m_placeholder->setWordWrap(true);
    m_placeholder->setForegroundRole(QPalette::PlaceholderText);
    QFont placeholderFont = m_placeholder->font();
    placeholderFont.setPointSizeF(placeholderFont.pointSizeF() * 1.2);
    m_placeholder->setFont(placeholderFont);
    auto *charts = new QVBoxLayout(m_chartsPage);
    charts->setContentsMargins(0, 0, 0, 0);
    charts->setSpacing(0);
    charts->addWidget(m_battery.view, 1);
    charts->addWidget(m_odometer.view, 1);
    m_stack->addWidget(m_placeholder);
    m_stack->addWidget(m_chartsPage);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addLayout(top);
    layout->addWidget(m_stack, 1);

    // Queued even if a source answers inside request(): applying never re-enters requesting.
    connect(m_source, &model::HistorySource::seriesReady, this, &ChartPanel::applyResult,
            Qt::QueuedConnection);
    connect(m_rangeBar, &ChartRangeBar::presetChosen, this, &ChartPanel::onPresetChosen);
    connect(m_exportPng, &QPushButton::clicked, this, &ChartPanel::chooseExportPng);
    connect(m_exportCsv, &QPushButton::clicked, this, &ChartPanel::chooseExportCsv);
    for (SeriesChartView *view : {m_battery.view, m_odometer.view}) {
        connect(view, &SeriesChartView::timeRangeEdited, this, &ChartPanel::onTimeRangeEdited);
        connect(view, &SeriesChartView::resetRequested, this,
                [this] { onPresetChosen(m_rangeBar->preset()); });
        connect(view, &SeriesChartView::plotWidthChanged, this, &ChartPanel::onPlotWidthChanged);
    }

    // Named, so that a trace of the GUI thread's events tells the panel's timers apart.
    m_refreshTimer.setObjectName(QStringLiteral("chartRefreshTimer"));
    m_editTimer.setObjectName(QStringLiteral("chartEditTimer"));
    m_resizeTimer.setObjectName(QStringLiteral("chartResizeTimer"));
    m_slideTimer.setObjectName(QStringLiteral("chartSlideTimer"));
    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setInterval(kRefreshIntervalMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, [this] { requestAll(false); });
    m_editTimer.setSingleShot(true);
    m_editTimer.setInterval(kEditDelayMs);
    connect(&m_editTimer, &QTimer::timeout, this, [this] { requestAll(true); });
    m_resizeTimer.setSingleShot(true);
    m_resizeTimer.setInterval(kResizeDelayMs);
    connect(&m_resizeTimer, &QTimer::timeout, this, [this] {
        for (Chart *chart : {&m_battery, &m_odometer})
            if (chart->buckets != chart->view->plotWidth())
                request(*chart, true);
    });
    m_slideTimer.setInterval(kSlideIntervalMs);
    connect(&m_slideTimer, &QTimer::timeout, this, [this] {
        if (!m_custom && m_rangeBar->preset() != RangePreset::All)
            requestAll(false);
    });
    m_slideTimer.start();

    updateEmptyState();
    qint64 from = 0;
    qint64 to = 0;
    requestedRange(&from, &to);
    if (to != 0)
        showRange(from, to);
}

ChartPanel::~ChartPanel() = default;

void ChartPanel::setVehicles(const QList<QPair<QString, QString>> &idAndName) {
    const QList<QPair<QString, QString>> vehicles = idAndName.mid(0, kMaxVehicles);
    if (vehicles == m_vehicles)
        return;
    m_vehicles = vehicles;
    for (Chart *chart : {&m_battery, &m_odometer}) {
        chart->view->setVehicles(m_vehicles);
        // Until the answer comes, an empty chart is loading, not empty.
        chart->view->setEmptyText(QString());
        chart->view->setError(QString());
        chart->dataFromMs = chart->dataToMs = 0;
        chart->inFlight = false;
    }
    updateEmptyState();
    requestAll(true);
}

void ChartPanel::notifyNewData(const QStringList &vehicleIds) {
    if (m_refreshTimer.isActive())
        return;
    const bool shown =
        std::any_of(m_vehicles.cbegin(), m_vehicles.cend(),
                    [&](const QPair<QString, QString> &v) { return vehicleIds.contains(v.first); });
    if (shown)
        m_refreshTimer.start();
}

void ChartPanel::setRangePreset(RangePreset preset) {
    onPresetChosen(preset);
}

RangePreset ChartPanel::rangePreset() const {
    return m_rangeBar->preset();
}

qint64 ChartPanel::viewFromMs() const {
    return m_battery.view->timeFrom();
}

qint64 ChartPanel::viewToMs() const {
    return m_battery.view->timeTo();
}

void ChartPanel::requestedRange(qint64 *fromMs, qint64 *toMs) const {
    if (m_custom) {
        *fromMs = m_customFromMs;
        *toMs = m_customToMs;
        return;
    }
    const qint64 span = ChartRangeBar::durationMs(m_rangeBar->preset());
    if (span == 0) { // All: the source says where the data is
        *fromMs = *toMs = 0;
        return;
    }
    *toMs = QDateTime::currentMSecsSinceEpoch();
    *fromMs = *toMs - span;
}

void ChartPanel::showRange(qint64 fromMs, qint64 toMs) {
    m_battery.view->setTimeRange(fromMs, toMs);
    m_odometer.view->setTimeRange(fromMs, toMs);
}

void ChartPanel::requestAll(bool now) {
    qint64 from = 0;
    qint64 to = 0;
    requestedRange(&from, &to);
    if (to != 0) // a known window moves at once; All waits for the data's extent
        showRange(from, to);
    request(m_battery, now);
    request(m_odometer, now);
}

void ChartPanel::request(Chart &chart, bool now) {
    if (m_vehicles.isEmpty())
        return;
    if (!now && chart.inFlight && chart.sentAt.elapsed() < kLostAfterMs) {
        chart.stale = true; // asked again when the answer arrives
        return;
    }
    model::SeriesRequest r;
    r.requestId = m_nextRequestId++;
    for (const auto &vehicle : std::as_const(m_vehicles))
        r.vehicleIds.append(vehicle.first);
    r.code = chart.code;
    requestedRange(&r.fromMs, &r.toMs);
    // One bucket per pixel column: at most two points per column, all a screen can show.
    r.buckets = chart.view->plotWidth();
    chart.latestId = r.requestId;
    if (now)
        chart.validFromId = r.requestId;
    chart.inFlight = true;
    chart.stale = false;
    chart.sentAt.start();
    chart.buckets = r.buckets;
    m_source->request(r);
}

void ChartPanel::applyResult(const model::SeriesResult &result) {
    Chart *chart = result.code == m_battery.code    ? &m_battery
                   : result.code == m_odometer.code ? &m_odometer
                                                    : nullptr;
    // An answer from before the last change shows the wrong vehicles or window. One to an older
    // refresh is still right, only less fresh: drawn, so that slow queries cannot starve the chart.
    if (!chart || result.requestId < chart->validFromId || result.requestId <= chart->appliedId ||
        result.requestId > chart->latestId)
        return;
    chart->appliedId = result.requestId;
    if (result.requestId == chart->latestId)
        chart->inFlight = false;
    chart->view->setError(result.error.isEmpty() ? QString()
                                                 : tr("Cannot load history: %1").arg(result.error));
    if (!m_custom && m_rangeBar->preset() == RangePreset::All) {
        chart->dataFromMs = result.fromMs;
        chart->dataToMs = result.toMs;
        // Both charts span the data of both, so their time axes line up.
        qint64 from = 0;
        qint64 to = 0;
        for (const Chart *c : {&m_battery, &m_odometer}) {
            if (c->dataToMs == 0)
                continue;
            from = from == 0 ? c->dataFromMs : std::min(from, c->dataFromMs);
            to = std::max(to, c->dataToMs);
        }
        if (to != 0) {
            if (to - from < 2 * kLonePaddingMs) {
                from -= kLonePaddingMs;
                to += kLonePaddingMs;
            }
            showRange(from, to);
        }
    }
    for (const model::VehicleSeries &series : result.series)
        chart->view->setPoints(series.vehicleId, series.points);
    chart->view->setEmptyText(tr("No readings in this time range"));
    if (chart->stale && !chart->inFlight)
        request(*chart, false);
}

void ChartPanel::onPresetChosen(RangePreset preset) {
    m_custom = false;
    m_rangeBar->setPreset(preset);
    for (Chart *chart : {&m_battery, &m_odometer})
        chart->dataFromMs = chart->dataToMs = 0;
    requestAll(true);
}

void ChartPanel::onTimeRangeEdited(qint64 fromMs, qint64 toMs) {
    m_custom = true;
    m_customFromMs = fromMs;
    m_customToMs = toMs;
    m_rangeBar->clearSelection();
    showRange(fromMs, toMs); // the other chart follows at once
    m_editTimer.start();
}

void ChartPanel::onPlotWidthChanged() {
    m_resizeTimer.start();
}

void ChartPanel::updateEmptyState() {
    const bool empty = m_vehicles.isEmpty();
    m_stack->setCurrentWidget(empty ? static_cast<QWidget *>(m_placeholder) : m_chartsPage);
    m_exportPng->setEnabled(!empty);
    m_exportCsv->setEnabled(!empty);
}

int ChartPanel::seriesPointCount() const {
    return m_battery.view->pointCount() + m_odometer.view->pointCount();
}

int ChartPanel::maxSeriesPointCount() const {
    return std::max(m_battery.view->maxLinePointCount(), m_odometer.view->maxLinePointCount());
}

bool ChartPanel::exportPng(const QString &path) const {
    return m_chartsPage->grab().save(path, "PNG");
}

bool ChartPanel::exportCsv(const QString &path, QString *error) const {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text)) {
        if (error)
            *error = file.errorString();
        return false;
    }
    QByteArray out = "signal,unit,vehicle_id,vehicle,time_utc,epoch_ms,value\n";
    for (const Chart *chart : {&m_battery, &m_odometer}) {
        const QString prefix = csvField(chart->code) + QLatin1Char(',') + csvField(chart->view->unit());
        for (const SeriesChartView::Line &line : chart->view->lines()) {
            const QString vehicle = csvField(line.vehicleId) + QLatin1Char(',') + csvField(line.name);
            for (const QPointF &p : line.points) {
                const auto ms = qint64(p.x());
                // Concatenated, not arg()ed: names may hold "%1".
                const QString row = prefix + QLatin1Char(',') + vehicle + QLatin1Char(',') +
                                    QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs) +
                                    QLatin1Char(',') + QString::number(ms) + QLatin1Char(',') +
                                    QString::number(p.y(), 'g', 15) + QLatin1Char('\n');
                out += row.toUtf8();
            }
        }
    }
    file.write(out);
    if (!file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    return true;
}

void ChartPanel::chooseExportPng() {
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    const QString suggested = QDir(dir).filePath(
        QStringLiteral("fleet-history-%1.png").arg(QDate::currentDate().toString(Qt::ISODate)));
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export Charts"), suggested, tr("PNG image (*.png)"));
    if (!path.isEmpty() && !exportPng(path))
        QMessageBox::warning(this, tr("Export Charts"),
                             tr("Could not write %1.").arg(QDir::toNativeSeparators(path)));
}

void ChartPanel::chooseExportCsv() {
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    const QString suggested = QDir(dir).filePath(
        QStringLiteral("fleet-history-%1.csv").arg(QDate::currentDate().toString(Qt::ISODate)));
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export Chart Data"), suggested, tr("CSV (*.csv)"));
    QString error;
    if (!path.isEmpty() && !exportCsv(path, &error))
        QMessageBox::warning(this, tr("Export Chart Data"),
                             tr("Could not write %1: %2").arg(QDir::toNativeSeparators(path), error));
}

void ChartPanel::saveSettings(QSettings &settings) const {
    settings.setValue(kRangeKey, ChartRangeBar::key(m_rangeBar->preset()));
}

void ChartPanel::restoreSettings(const QSettings &settings) {
    // "All" first: a new fleet's history is hours long, and the whole of it is what to see.
    setRangePreset(ChartRangeBar::fromKey(settings.value(kRangeKey).toString(), RangePreset::All));
}

} // namespace ui
