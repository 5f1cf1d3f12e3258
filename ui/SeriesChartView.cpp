#include "ui/SeriesChartView.h"

#include "model/SeriesDecimator.h"

#include <QDateTime>
#include <QDateTimeAxis>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QMouseEvent>
#include <QToolTip>
#include <QValueAxis>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace ui {

namespace {

// Zooming stops where a window would no longer be readable (one minute) or useful (ten years).
constexpr qint64 kMinSpanMs = 60LL * 1000;
constexpr qint64 kMaxSpanMs = 3653LL * 24 * 3600 * 1000;
// One wheel notch zooms by this factor; several notches compound.
constexpr double kZoomPerNotch = 0.8;
// Date labels need about this much room each.
constexpr int kPixelsPerTimeTick = 130;

// Distinct on white and on near-black, and still apart for the common colour blindnesses
// (Okabe-Ito-like order: blue, orange, green, vermilion, purple, sky, brown, pink).
const QColor kLineColors[] = {QColor(0x1f, 0x77, 0xb4), QColor(0xe6, 0x9f, 0x00), QColor(0x00, 0x9e, 0x73),
                              QColor(0xd5, 0x5e, 0x00), QColor(0x8e, 0x5c, 0xc4), QColor(0x56, 0xb4, 0xe9),
                              QColor(0x9c, 0x6b, 0x30), QColor(0xcc, 0x79, 0xa7)};

bool isDarkChartPalette(const QPalette &palette) {
    return palette.color(QPalette::Base).lightness() < 128;
}

QColor withAlpha(QColor c, int alpha) {
    c.setAlpha(alpha);
    return c;
}

} // namespace

SeriesChartView::SeriesChartView(const QString &title, const QString &unit, int decimals, QWidget *parent)
    : QChartView(new QChart, parent)
    , m_unit(unit)
    , m_decimals(decimals)
    , m_timeAxis(new QDateTimeAxis)
    , m_valueAxis(new QValueAxis) {
    QChart *c = chart();
    c->setTitle(title);
    c->setMargins(QMargins(2, 2, 8, 2));
    c->setBackgroundRoundness(0);
    // Animations would replay on every refresh of a live chart.
    c->setAnimationOptions(QChart::NoAnimation);
    c->legend()->setAlignment(Qt::AlignTop);
    c->legend()->setShowToolTips(true);

    m_timeAxis->setFormat(QStringLiteral("dd MMM HH:mm"));
    // Localized numbers read "58,000" rather than "58000". (Qt Charts 6.4 draws no labels at all
    // for "%d" once numbers are localized, hence "%.0f".)
    m_valueAxis->setLabelFormat(QStringLiteral("%.0f"));
    QLocale locale;
    locale.setNumberOptions(locale.numberOptions() & ~QLocale::OmitGroupSeparator);
    c->setLocale(locale);
    c->setLocalizeNumbers(true);
    m_valueAxis->setMinorTickCount(1);
    m_valueAxis->setRange(0, 100);
    c->addAxis(m_timeAxis, Qt::AlignBottom);
    c->addAxis(m_valueAxis, Qt::AlignLeft);
    // The view draws the grid, the axis lines and their tick marks (drawBackground) where Qt Charts
    // would, at the axes' evenly spaced ticks; the chart's own background would cover them, the
    // view's brush paints the same colour.
    for (QAbstractAxis *axis :
         {static_cast<QAbstractAxis *>(m_timeAxis), static_cast<QAbstractAxis *>(m_valueAxis)}) {
        axis->setGridLineVisible(false);
        axis->setMinorGridLineVisible(false);
        axis->setLineVisible(false); // the axis line and the tick marks
    }
    c->setBackgroundVisible(false);
    setCacheMode(QGraphicsView::CacheBackground);
    // The cached grid is redrawn only when where it goes changes.
    connect(m_timeAxis, &QDateTimeAxis::tickCountChanged, this, [this] { resetCachedContent(); });
    connect(m_valueAxis, &QValueAxis::tickCountChanged, this, [this] { resetCachedContent(); });
    connect(m_valueAxis, &QValueAxis::minorTickCountChanged, this, [this] { resetCachedContent(); });
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    setTimeRange(now - 24LL * 3600 * 1000, now);

    setRenderHint(QPainter::Antialiasing);
    setRubberBand(QChartView::NoRubberBand);
    setMinimumHeight(160);
    connect(c, &QChart::plotAreaChanged, this, [this](const QRectF &area) {
        resetCachedContent();
        const int width = int(area.width());
        if (width == m_lastPlotWidth)
            return;
        m_lastPlotWidth = width;
        updateTickCount();
        for (Line &line : m_lines)
            if (enforcePointBudget(line))
                line.series->replace(line.points);
        Q_EMIT plotWidthChanged(width);
    });
    applyPalette();
}

SeriesChartView::~SeriesChartView() = default;

void SeriesChartView::setVehicles(const QList<QPair<QString, QString>> &idAndName) {
    QList<Line> old = std::move(m_lines);
    m_lines.clear();
    for (Line &line : old) {
        chart()->removeSeries(line.series);
        delete line.series;
        line.series = nullptr;
    }
    for (const auto &[id, name] : idAndName) {
        Line line;
        line.vehicleId = id;
        line.name = name;
        auto kept = std::find_if(old.begin(), old.end(), [&](const Line &l) { return l.vehicleId == id; });
        if (kept != old.end())
            line.points = std::move(kept->points);
        line.series = new QLineSeries;
        line.series->setName(name);
        chart()->addSeries(line.series);
        line.series->attachAxis(m_timeAxis);
        line.series->attachAxis(m_valueAxis);
        line.series->replace(line.points);
        connect(line.series, &QLineSeries::hovered, this,
                [this, id = line.vehicleId](const QPointF &at, bool on) {
                    if (!on) {
                        QToolTip::hideText();
                        return;
                    }
                    for (const Line &l : std::as_const(m_lines))
                        if (l.vehicleId == id)
                            showToolTip(l, at);
                });
        m_lines.append(std::move(line));
    }
    applyLinePens();
    updateValueAxis();
    viewport()->update();
}

void SeriesChartView::setPoints(const QString &vehicleId, const QList<QPointF> &points) {
    const bool wasEmpty = allLinesEmpty();
    bool changed = false;
    for (Line &line : m_lines) {
        if (line.vehicleId != vehicleId)
            continue;
        Line updated;
        updated.points = points;
        enforcePointBudget(updated);
        // A refresh mostly brings the same points back (no new reading in the window): replace()
        // would still rebuild the line's geometry and repaint the whole plot.
        if (updated.points == line.points)
            continue;
        line.points = std::move(updated.points);
        line.series->replace(line.points);
        changed = true;
    }
    if (!changed)
        return;
    updateValueAxis();
    // The series repaint themselves; the "no readings" text is the view's own.
    if (allLinesEmpty() != wasEmpty)
        viewport()->update();
}

bool SeriesChartView::allLinesEmpty() const {
    return std::all_of(m_lines.cbegin(), m_lines.cend(), [](const Line &l) { return l.points.isEmpty(); });
}

void SeriesChartView::clearPoints() {
    for (Line &line : m_lines) {
        line.points.clear();
        line.series->clear();
    }
    updateValueAxis();
}

bool SeriesChartView::enforcePointBudget(Line &line) const {
    const int width = plotWidth();
    if (line.points.size() <= 2 * qsizetype(width))
        return false;
    line.points = model::SeriesDecimator::decimate(line.points, double(m_fromMs), double(m_toMs), width);
    return true;
}

void SeriesChartView::setTimeRange(qint64 fromMs, qint64 toMs) {
    if (toMs <= fromMs)
        toMs = fromMs + kMinSpanMs;
    if (fromMs == m_fromMs && toMs == m_toMs)
        return;
    m_fromMs = fromMs;
    m_toMs = toMs;
    m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(fromMs), QDateTime::fromMSecsSinceEpoch(toMs));
    updateTickCount();
    // Seconds matter once the window is shorter than a couple of hours; the year once it spans one.
    const qint64 span = toMs - fromMs;
    if (span < 2LL * 3600 * 1000)
        m_timeAxis->setFormat(QStringLiteral("HH:mm:ss"));
    else if (span > 300LL * 24 * 3600 * 1000)
        m_timeAxis->setFormat(QStringLiteral("dd MMM yyyy"));
    else
        m_timeAxis->setFormat(QStringLiteral("dd MMM HH:mm"));
}

void SeriesChartView::setFixedValueRange(double min, double max) {
    m_fixedValueRange = true;
    m_valueAxis->setRange(min, max);
    m_valueAxis->setTickCount(6);
}

void SeriesChartView::setEmptyText(const QString &text) {
    if (text == m_emptyText)
        return;
    m_emptyText = text;
    viewport()->update();
}

void SeriesChartView::setError(const QString &error) {
    if (error == m_error)
        return;
    m_error = error;
    viewport()->update();
}

void SeriesChartView::setLegendShown(bool shown) {
    chart()->legend()->setVisible(shown);
}

void SeriesChartView::updateValueAxis() {
    if (m_fixedValueRange)
        return;
    double lo = 0;
    double hi = 0;
    bool any = false;
    for (const Line &line : std::as_const(m_lines)) {
        for (const QPointF &p : line.points) {
            lo = any ? std::min(lo, p.y()) : p.y();
            hi = any ? std::max(hi, p.y()) : p.y();
            any = true;
        }
    }
    if (!any) {
        m_valueAxis->setRange(0, 100);
        m_valueAxis->setTickCount(3);
        return;
    }
    // Headroom keeps the lines off the frame; a flat line still gets a readable scale.
    const double pad = hi > lo ? (hi - lo) * 0.05 : std::max(1.0, std::abs(hi) * 0.01);
    lo -= pad;
    hi += pad;
    // Ticks on round numbers (1, 2, 2.5 or 5 times a power of ten), about six of them.
    // Large values (kilometres) get whole-number ticks of 1, 2 or 5: a label such as "46,572.25" is too
    // wide for the axis and Qt Charts elides it to "...".
    const bool large = std::max(std::abs(lo), std::abs(hi)) >= 100;
    const double rough = large ? std::max((hi - lo) / 6, 1.0) : (hi - lo) / 6;
    const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
    double step = 10 * magnitude;
    for (const double f : {1.0, 2.0, 2.5, 5.0}) {
        if (large && f == 2.5)
            continue;
        if (f * magnitude >= rough) {
            step = f * magnitude;
            break;
        }
    }
    const double niceLo = std::floor(lo / step) * step;
    const double niceHi = std::ceil(hi / step) * step;
    m_valueAxis->setRange(niceLo, niceHi);
    m_valueAxis->setTickCount(int(std::lround((niceHi - niceLo) / step)) + 1);
    // As many decimals as the step needs (2.5 needs one, 25 none), so neighbouring labels differ.
    int decimals = 0;
    while (decimals < 6 &&
           std::abs(step * std::pow(10.0, decimals) - std::round(step * std::pow(10.0, decimals))) > 1e-6)
        ++decimals;
    m_valueAxis->setLabelFormat(QStringLiteral("%.%1f").arg(decimals));
}

void SeriesChartView::updateTickCount() {
    // Evenly spread ticks land on odd times; a count that cuts the window into a round interval
    // (3 h, a day, 5 days...) puts every label at the same time of day, easy to read across.
    constexpr qint64 kHour = 3600 * 1000;
    static constexpr qint64 kRoundIntervals[] = {kHour,      2 * kHour,   3 * kHour,   4 * kHour,
                                                 6 * kHour,  12 * kHour,  24 * kHour,  48 * kHour,
                                                 72 * kHour, 120 * kHour, 168 * kHour, 336 * kHour};
    const int most = std::clamp(plotWidth() / kPixelsPerTimeTick + 1, 2, 12);
    const qint64 span = m_toMs - m_fromMs;
    int ticks = most;
    for (int n = most; n >= std::max(3, most / 2); --n) {
        if (span % (n - 1) == 0 && std::find(std::begin(kRoundIntervals), std::end(kRoundIntervals),
                                             span / (n - 1)) != std::end(kRoundIntervals)) {
            ticks = n;
            break;
        }
    }
    m_timeAxis->setTickCount(ticks);
}

int SeriesChartView::plotWidth() const {
    const int width = int(chart()->plotArea().width());
    // Before the first layout the plot has no size yet; guess from the widget.
    return width > 0 ? width : std::max(100, this->width() - 80);
}

int SeriesChartView::pointCount() const {
    int total = 0;
    for (const Line &line : m_lines)
        total += int(line.series->count());
    return total;
}

int SeriesChartView::maxLinePointCount() const {
    int most = 0;
    for (const Line &line : m_lines)
        most = std::max(most, int(line.series->count()));
    return most;
}

void SeriesChartView::showToolTip(const Line &line, const QPointF &at) {
    if (line.points.isEmpty())
        return;
    // The nearest reading in time, not the mouse position, so the numbers are the real ones.
    auto it = std::lower_bound(line.points.cbegin(), line.points.cend(), at.x(),
                               [](const QPointF &p, double x) { return p.x() < x; });
    if (it == line.points.cend() ||
        (it != line.points.cbegin() && std::abs((it - 1)->x() - at.x()) < std::abs(it->x() - at.x())))
        --it;
    const QString when = QLocale().toString(QDateTime::fromMSecsSinceEpoch(qint64(it->x())),
                                            QStringLiteral("ddd dd MMM yyyy HH:mm:ss"));
    const QString value = QLocale().toString(it->y(), 'f', m_decimals);
    QToolTip::showText(QCursor::pos(),
                       QStringLiteral("<b>%1</b><br>%2 %3<br>%4")
                           .arg(line.name.toHtmlEscaped(), value, m_unit.toHtmlEscaped(), when),
                       this);
}

void SeriesChartView::wheelEvent(QWheelEvent *event) {
    const double notches = event->angleDelta().y() / 120.0;
    if (notches == 0) {
        event->ignore();
        return;
    }
    const QRectF area = chart()->plotArea();
    const double span = double(m_toMs - m_fromMs);
    const double frac =
        std::clamp((event->position().x() - area.left()) / std::max(1.0, area.width()), 0.0, 1.0);
    const double anchor = double(m_fromMs) + frac * span;
    const double newSpan =
        std::clamp(span * std::pow(kZoomPerNotch, notches), double(kMinSpanMs), double(kMaxSpanMs));
    const auto from = qint64(std::llround(anchor - frac * newSpan));
    setTimeRange(from, from + qint64(std::llround(newSpan)));
    Q_EMIT timeRangeEdited(m_fromMs, m_toMs);
    event->accept();
}

void SeriesChartView::mousePressEvent(QMouseEvent *event) {
    if (event->button() == Qt::LeftButton && chart()->plotArea().contains(event->position())) {
        m_dragging = true;
        m_dragLastX = event->position().x();
        viewport()->setCursor(Qt::ClosedHandCursor);
        event->accept();
        return;
    }
    QChartView::mousePressEvent(event);
}

void SeriesChartView::mouseMoveEvent(QMouseEvent *event) {
    if (!m_dragging) {
        QChartView::mouseMoveEvent(event); // hover, for the tooltips
        return;
    }
    const double dx = event->position().x() - m_dragLastX;
    m_dragLastX = event->position().x();
    const double msPerPixel = double(m_toMs - m_fromMs) / std::max(1, plotWidth());
    const auto shift = qint64(std::llround(-dx * msPerPixel));
    if (shift == 0)
        return;
    setTimeRange(m_fromMs + shift, m_toMs + shift);
    Q_EMIT timeRangeEdited(m_fromMs, m_toMs);
    event->accept();
}

void SeriesChartView::mouseReleaseEvent(QMouseEvent *event) {
    if (m_dragging && event->button() == Qt::LeftButton) {
        m_dragging = false;
        viewport()->unsetCursor();
        event->accept();
        return;
    }
    QChartView::mouseReleaseEvent(event);
}

void SeriesChartView::mouseDoubleClickEvent(QMouseEvent *event) {
    if (event->button() == Qt::LeftButton) {
        Q_EMIT resetRequested();
        event->accept();
        return;
    }
    QChartView::mouseDoubleClickEvent(event);
}

void SeriesChartView::changeEvent(QEvent *event) {
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        applyPalette();
}

void SeriesChartView::drawBackground(QPainter *painter, const QRectF &rect) {
    QChartView::drawBackground(painter, rect); // the view's brush: the palette's base
    const QRectF plot = chart()->mapRectToScene(chart()->plotArea());
    if (plot.width() < 2 || plot.height() < 2)
        return;
    // Qt Charts puts the ticks (and their labels) evenly across the plot area, from the left and from
    // the bottom; each line goes in the pixel column or row that holds its position. One-pixel
    // rectangles: crisp, and the raster engine fills them without stroking anything. Tick marks
    // stick out of the plot by Qt Charts' label padding, minor ones by half of it.
    constexpr int kTickLength = 4;
    const QColor text = palette().color(QPalette::Text);
    const QColor major = withAlpha(text, 38);
    const QColor minor = withAlpha(text, 16);
    const QColor axisLine = withAlpha(text, 110);
    const int left = int(std::floor(plot.left()));
    const int top = int(std::floor(plot.top()));
    const int right = std::max(left, int(std::ceil(plot.right())) - 1);
    const int bottom = std::max(top, int(std::ceil(plot.bottom())) - 1);
    const int width = right - left + 1;
    const int height = bottom - top + 1;
    const auto column = [&](double x) { return std::clamp(int(std::floor(x)), left, right); };
    const auto row = [&](double y) { return std::clamp(int(std::floor(y)), top, bottom); };
    const int timeTicks = std::max(2, m_timeAxis->tickCount());
    for (int i = 0; i < timeTicks; ++i) {
        const int x = column(plot.left() + plot.width() * i / (timeTicks - 1));
        painter->fillRect(QRect(x, top, 1, height), major);
        painter->fillRect(QRect(x, bottom + 1, 1, kTickLength), axisLine);
    }
    const int valueTicks = std::max(2, m_valueAxis->tickCount());
    const int minorPerStep = m_valueAxis->minorTickCount();
    const double step = plot.height() / (valueTicks - 1);
    for (int i = 0; i < valueTicks; ++i) {
        const double y = plot.bottom() - step * i;
        painter->fillRect(QRect(left, row(y), width, 1), major);
        painter->fillRect(QRect(left - kTickLength, row(y), kTickLength, 1), axisLine);
        for (int m = 1; i + 1 < valueTicks && m <= minorPerStep; ++m) {
            const int minorRow = row(y - step * m / (minorPerStep + 1));
            painter->fillRect(QRect(left, minorRow, width, 1), minor);
            painter->fillRect(QRect(left - kTickLength / 2, minorRow, kTickLength / 2, 1), axisLine);
        }
    }
    painter->fillRect(QRect(left, bottom, width, 1), axisLine);
    painter->fillRect(QRect(left, top, 1, height), axisLine);
}

void SeriesChartView::drawForeground(QPainter *painter, const QRectF &rect) {
    QChartView::drawForeground(painter, rect);
    const bool empty = allLinesEmpty();
    const QString text = !m_error.isEmpty() ? m_error : empty ? m_emptyText : QString();
    if (text.isEmpty())
        return;
    painter->save();
    painter->setPen(m_error.isEmpty() ? palette().color(QPalette::PlaceholderText)
                                      : palette().color(QPalette::Text));
    painter->drawText(chart()->plotArea().adjusted(8, 8, -8, -8), Qt::AlignCenter | Qt::TextWordWrap, text);
    painter->restore();
}

void SeriesChartView::applyPalette() {
    const QPalette pal = palette();
    const QColor text = pal.color(QPalette::Text);
    const QColor base = pal.color(QPalette::Base);
    QChart *c = chart();
    c->setBackgroundBrush(base);
    c->setBackgroundPen(Qt::NoPen);
    c->setPlotAreaBackgroundVisible(false);
    c->setTitleBrush(text);
    QFont titleFont = font();
    titleFont.setBold(true);
    c->setTitleFont(titleFont);
    c->legend()->setLabelColor(text);
    c->legend()->setFont(font());
    setBackgroundBrush(base);
    for (QAbstractAxis *axis :
         {static_cast<QAbstractAxis *>(m_timeAxis), static_cast<QAbstractAxis *>(m_valueAxis)}) {
        axis->setLabelsBrush(text);
        axis->setLabelsFont(font());
        axis->setTitleBrush(text);
    }
    resetCachedContent(); // the grid's colours
    applyLinePens();
}

void SeriesChartView::applyLinePens() {
    const bool dark = isDarkChartPalette(palette());
    for (qsizetype i = 0; i < m_lines.size(); ++i) {
        QColor color = kLineColors[i % std::size(kLineColors)];
        if (dark)
            color = color.lighter(125);
        QPen pen(color, 2);
        // Bevel joins: round ones make the raster engine stroke a curve at each of the up to
        // 2 * width vertices of a decimated line (two points per pixel column, often a full-height
        // zigzag), which tripled the render time; at 2 px the difference does not show.
        pen.setCapStyle(Qt::FlatCap);
        pen.setJoinStyle(Qt::BevelJoin);
        m_lines[i].series->setPen(pen);
    }
}

} // namespace ui
