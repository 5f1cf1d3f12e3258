// One chart view on its own: what a refresh hands to Qt Charts (only lines whose points changed) and
// the grid and axis lines the view draws itself (one crisp pixel per tick, in the palette's colours,
// redrawn when the palette changes). The panel around it is tst_ChartPanel's.

#include "ui/SeriesChartView.h"

#include <QDateTimeAxis>
#include <QImage>
#include <QLineSeries>
#include <QSignalSpy>
#include <QValueAxis>
#include <QtTest>

#include <cmath>

using ui::SeriesChartView;

namespace {

constexpr qint64 kHour = 3600 * 1000;

QList<QPointF> ramp(qint64 fromMs, int count, double start) {
    QList<QPointF> points;
    for (int i = 0; i < count; ++i)
        points.append(QPointF(double(fromMs + i * 60 * 1000), start + i * 0.1));
    return points;
}

QPalette darkPalette() {
    QPalette dark(QColor(0x3a, 0x3a, 0x3e), QColor(0x2b, 0x2b, 0x2e));
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x21));
    dark.setColor(QPalette::Text, QColor(0xe8, 0xe8, 0xea));
    return dark;
}

// The plot area in viewport pixels (the scene is not transformed: scene = viewport coordinates).
QRectF plotRect(const SeriesChartView &view) {
    return view.chart()->mapRectToScene(view.chart()->plotArea());
}

} // namespace

class tst_SeriesChartView : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void unchangedPointsAreNotReplacedAgain() {
        SeriesChartView view(QStringLiteral("Odometer (km)"), QStringLiteral("km"), 1);
        view.resize(800, 300);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const qint64 from = 1'700'000'000'000;
        view.setTimeRange(from, from + 2 * kHour);
        view.setVehicles(
            {{QStringLiteral("a"), QStringLiteral("A")}, {QStringLiteral("b"), QStringLiteral("B")}});
        QLineSeries *a = view.lines()[0].series;
        QLineSeries *b = view.lines()[1].series;
        QSignalSpy replacedA(a, &QXYSeries::pointsReplaced);
        QSignalSpy replacedB(b, &QXYSeries::pointsReplaced);

        const QList<QPointF> first = ramp(from, 100, 1000);
        view.setPoints(QStringLiteral("a"), first);
        view.setPoints(QStringLiteral("b"), ramp(from, 50, 2000));
        QCOMPARE(replacedA.size(), 1);
        QCOMPARE(replacedB.size(), 1);
        QCOMPARE(a->points(), first);
        const double axisMax = view.valueAxis()->max();

        // A refresh that found no new reading: nothing goes to Qt Charts, nothing moves.
        view.setPoints(QStringLiteral("a"), first);
        view.setPoints(QStringLiteral("b"), ramp(from, 50, 2000));
        QCOMPARE(replacedA.size(), 1);
        QCOMPARE(replacedB.size(), 1);
        QCOMPARE(view.valueAxis()->max(), axisMax);

        // A new reading on one line: that line only, and the value axis follows it.
        const QList<QPointF> longer = ramp(from, 101, 1000) << QPointF(double(from + kHour + 1), 5000);
        view.setPoints(QStringLiteral("a"), longer);
        QCOMPARE(replacedA.size(), 2);
        QCOMPARE(replacedB.size(), 1);
        QCOMPARE(a->points(), longer);
        QVERIFY(view.valueAxis()->max() >= 5000);

        // Emptied: the line goes empty and the "no readings" text comes back.
        view.setEmptyText(QStringLiteral("No readings in this time range"));
        view.setPoints(QStringLiteral("a"), {});
        QCOMPARE(replacedA.size(), 3);
        QCOMPARE(a->count(), 0);
    }

    void gridIsOnePixelPerTickAndFollowsThePalette() {
        SeriesChartView view(QStringLiteral("Battery (%)"), QStringLiteral("%"), 0);
        view.setFixedValueRange(0, 100); // six ticks, 20 apart, a minor line between each two
        view.resize(900, 320);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const qint64 from = 1'700'000'000'000;
        view.setTimeRange(from, from + 24 * kHour);
        QTRY_VERIFY(plotRect(view).width() > 300 && plotRect(view).height() > 100);
        QTest::qWait(50); // the layout's last pass

        for (const QPalette &palette : {view.palette(), darkPalette()}) {
            view.setPalette(palette);
            QTest::qWait(20);
            const QImage image = view.grab().toImage();
            const QRectF plot = plotRect(view);
            const QColor base = palette.color(QPalette::Base);
            const int timeTicks = view.timeAxis()->tickCount();
            QVERIFY(timeTicks >= 3);
            // A row between a major and a minor line, where only vertical grid lines cross.
            const int y = int(plot.top() + plot.height() / 20);
            QCOMPARE(image.pixelColor(int(plot.left() + plot.width() / (timeTicks - 1) / 2), y), base);
            for (int i = 1; i + 1 < timeTicks; ++i) {
                const double x = plot.left() + plot.width() * i / (timeTicks - 1);
                const int column = int(std::floor(x));
                const QColor line = image.pixelColor(column, y);
                QVERIFY2(line != base, qPrintable(QStringLiteral("no grid line at x %1").arg(x)));
                // Crisp: the columns either side are plain background.
                QCOMPARE(image.pixelColor(column - 1, y), base);
                QCOMPARE(image.pixelColor(column + 1, y), base);
                // Lighter than the text on a light base, darker on a dark one: a faint line.
                QVERIFY(std::abs(line.lightness() - base.lightness()) <
                        std::abs(palette.color(QPalette::Text).lightness() - base.lightness()) / 3);
            }
            // The time axis: a line along the plot's bottom row, a tick mark under each tick.
            const int bottomRow = int(std::ceil(plot.bottom())) - 1;
            const int tickColumn = int(std::floor(plot.left() + plot.width() / (timeTicks - 1)));
            QVERIFY(image.pixelColor(tickColumn + 5, bottomRow) != base);
            QVERIFY(image.pixelColor(tickColumn, bottomRow + 2) != base);
            QCOMPARE(image.pixelColor(tickColumn + 5, bottomRow + 2), base);
            // Horizontal lines: majors and minors, every tenth of the height.
            const int x = int(plot.left() + plot.width() / (timeTicks - 1) / 2);
            for (int i = 1; i < 10; ++i) {
                const int row = int(std::floor(plot.bottom() - plot.height() * i / 10));
                QVERIFY2(image.pixelColor(x, row) != base,
                         qPrintable(QStringLiteral("no grid line at row %1").arg(row)));
                QCOMPARE(image.pixelColor(x, row - 2), base);
            }
        }
    }
};

QTEST_MAIN(tst_SeriesChartView)
#include "tst_SeriesChartView.moc"
