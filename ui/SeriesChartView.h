#pragma once

#include <QChartView>
#include <QList>
#include <QPair>
#include <QPointF>
#include <QString>

class QDateTimeAxis;
class QLineSeries;
class QValueAxis;

namespace ui {

// One time chart: a line per vehicle over a date-time axis, drawn from already decimated points.
// Each line is fed with a single QLineSeries::replace() (appending point by point is quadratic in
// Qt Charts 6.4) and never holds more than two points per pixel column of the plot: a line that
// would (the plot shrank since its points were computed) is re-decimated on the spot.
//
// The mouse edits the time window (wheel zooms around the cursor, left drag pans, double-click
// asks for the preset back); the view only reports the new window, the owner decides what to load.
// Hovering a line shows the nearest reading's exact value and time.
//
// Live charts repaint several times a second, so the view keeps that cheap: a line whose points did
// not change is not handed to Qt Charts again (replace() rebuilds the line's geometry and repaints
// the plot), and the grid and the axis lines are drawn by the view itself, crisp and without
// antialiasing, into a cached background (Qt Charts strokes each of them antialiased on every paint,
// most of a chart's paint).
class SeriesChartView final : public QChartView {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SeriesChartView)
public:
    struct Line {
        QString vehicleId;
        QString name;
        QLineSeries *series = nullptr;
        QList<QPointF> points; // what the series shows, kept for tooltips and export
    };

    // `unit` follows values in tooltips ("%", "km"); `decimals` is how they are rounded there.
    SeriesChartView(const QString &title, const QString &unit, int decimals, QWidget *parent = nullptr);
    ~SeriesChartView() override;

    // Lines in legend order, (vehicle id, display name). Vehicles still listed keep their points.
    void setVehicles(const QList<QPair<QString, QString>> &idAndName);
    void setPoints(const QString &vehicleId, const QList<QPointF> &points);
    void clearPoints();

    void setTimeRange(qint64 fromMs, qint64 toMs);
    qint64 timeFrom() const { return m_fromMs; }
    qint64 timeTo() const { return m_toMs; }

    // A fixed value axis (percent); without one the axis follows the data with some headroom.
    void setFixedValueRange(double min, double max);
    // Shown across the plot while every line is empty ("no readings"); empty while loading.
    void setEmptyText(const QString &text);
    // Shown across the plot whatever it holds, until cleared.
    void setError(const QString &error);
    void setLegendShown(bool shown);

    int plotWidth() const;  // pixels; the bucket count for this chart's queries
    int pointCount() const; // over all lines
    int maxLinePointCount() const;
    const QList<Line> &lines() const { return m_lines; }
    QString unit() const { return m_unit; }
    QDateTimeAxis *timeAxis() const { return m_timeAxis; }
    QValueAxis *valueAxis() const { return m_valueAxis; }

Q_SIGNALS:
    void timeRangeEdited(qint64 fromMs, qint64 toMs);
    void resetRequested();
    void plotWidthChanged(int width);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void changeEvent(QEvent *event) override;
    void drawBackground(QPainter *painter, const QRectF &rect) override;
    void drawForeground(QPainter *painter, const QRectF &rect) override;

private:
    void applyPalette();
    void applyLinePens();
    void updateValueAxis();
    void updateTickCount();
    bool enforcePointBudget(Line &line) const; // true when it had to thin the line out
    bool allLinesEmpty() const;
    void showToolTip(const Line &line, const QPointF &at);

    QString m_unit;
    int m_decimals;
    QDateTimeAxis *m_timeAxis;
    QValueAxis *m_valueAxis;
    QList<Line> m_lines;
    QString m_emptyText;
    QString m_error;
    qint64 m_fromMs = 0;
    qint64 m_toMs = 0;
    bool m_fixedValueRange = false;
    bool m_dragging = false;
    double m_dragLastX = 0;
    int m_lastPlotWidth = 0;
};

} // namespace ui
