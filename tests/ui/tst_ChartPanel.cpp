// The chart panel against a fake history source (answers from memory, queued like the real one)
// and against the real SQL service on a temporary journal: lines per vehicle, the two-points-per-
// pixel bound, range presets, zoom and pan, stale answers, paced refreshes, exports and settings.
// It also renders itself to PNG (FLEETMON_SCREENSHOT_DIR, else the temp folder) for a human look.

#include "model/SeriesDecimator.h"
#include "store/Database.h"
#include "store/HistoryQueryService.h"
#include "store/HistoryRollup.h"
#include "ui/ChartPanel.h"
#include "ui/ChartRangeBar.h"
#include "ui/SeriesChartView.h"

#include <QAbstractButton>
#include <QDateTimeAxis>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QToolTip>
#include <QValueAxis>
#include <QtTest>

using model::SeriesDecimator;
using model::SeriesRequest;
using model::SeriesResult;
using ui::ChartPanel;
using ui::RangePreset;
using ui::SeriesChartView;

namespace {

const QString kSoc = QStringLiteral("tractionbattery-stateofcharge");
const QString kOdometer = QStringLiteral("odometer-traveleddistance");
constexpr qint64 kMinute = 60 * 1000;
constexpr qint64 kDay = 24 * 60 * kMinute;

struct Sample {
    qint64 t;
    double soc;
    double km;
};

// A working vehicle, a reading a minute: out on trips by day (the battery drains, the odometer
// climbs), charging at the depot at night.
QList<Sample> workingVehicle(qint64 fromMs, qint64 toMs, double startKm, quint32 seed) {
    QRandomGenerator random(seed);
    QList<Sample> out;
    double soc = 55 + random.bounded(30);
    double km = startKm;
    int tripLeft = 0;
    for (qint64 t = fromMs; t <= toMs; t += kMinute) {
        const int hour = QDateTime::fromMSecsSinceEpoch(t).time().hour();
        if (tripLeft == 0 && hour >= 7 && hour < 19 && soc > 15 && random.bounded(90) == 0)
            tripLeft = 20 + random.bounded(100);
        if (tripLeft > 0) {
            --tripLeft;
            soc -= 0.15 + random.bounded(0.2);
            km += 0.5 + random.bounded(0.6);
        } else if (hour >= 20 || hour < 6) {
            soc = std::min(90.0, soc + 0.12);
        }
        soc = std::clamp(soc, 3.0, 100.0);
        out.append({t, std::round(soc * 10) / 10, std::round(km * 10) / 10});
    }
    return out;
}

// Answers from memory with the same decimation the SQL does, always later (queued), or holds
// requests for the test to answer in any order.
class FakeHistorySource : public model::HistorySource {
public:
    void add(const QString &vehicle, const QString &code, QList<QPointF> points) {
        m_data[vehicle + code] = points;
    }
    void addVehicle(const QString &vehicle, const QList<Sample> &samples) {
        QList<QPointF> soc, km;
        for (const Sample &s : samples) {
            soc.append(QPointF(double(s.t), s.soc));
            km.append(QPointF(double(s.t), s.km));
        }
        add(vehicle, kSoc, soc);
        add(vehicle, kOdometer, km);
    }
    void request(const SeriesRequest &request) override {
        requests.append(request);
        if (hold)
            held.append(request);
        else
            answer(request);
    }
    void answer(const SeriesRequest &request) {
        const SeriesResult result = compute(request);
        QMetaObject::invokeMethod(
            this, [this, result] { Q_EMIT seriesReady(result); }, Qt::QueuedConnection);
    }
    SeriesResult compute(const SeriesRequest &request) const {
        SeriesResult result;
        result.requestId = request.requestId;
        result.code = request.code;
        result.fromMs = request.fromMs;
        result.toMs = request.toMs;
        if (request.fromMs == 0 || request.toMs == 0) {
            bool any = false;
            for (const QString &id : request.vehicleIds) {
                const QList<QPointF> points = m_data.value(id + request.code);
                if (points.isEmpty())
                    continue;
                result.fromMs =
                    any ? std::min(result.fromMs, qint64(points.first().x())) : qint64(points.first().x());
                result.toMs =
                    any ? std::max(result.toMs, qint64(points.last().x())) : qint64(points.last().x());
                any = true;
            }
        }
        for (const QString &id : request.vehicleIds)
            result.series.append(
                {id, SeriesDecimator::decimate(m_data.value(id + request.code), double(result.fromMs),
                                               double(result.toMs), request.buckets)});
        return result;
    }
    const SeriesRequest *lastRequest(const QString &code) const {
        for (auto it = requests.crbegin(); it != requests.crend(); ++it)
            if (it->code == code)
                return &*it;
        return nullptr;
    }

    QList<SeriesRequest> requests;
    QList<SeriesRequest> held;
    bool hold = false;

private:
    QHash<QString, QList<QPointF>> m_data;
};

QString screenshotDir() {
    const QString dir = qEnvironmentVariable("FLEETMON_SCREENSHOT_DIR");
    return dir.isEmpty() ? QDir::tempPath() : dir;
}

QList<QPointF> linePoints(const SeriesChartView *view, int line) {
    return view->lines().value(line).series ? view->lines().value(line).series->points() : QList<QPointF>();
}

const QList<QPair<QString, QString>> kTwoVehicles = {
    {QStringLiteral("v-polestar"), QStringLiteral("Polestar 2 · KX-204")},
    {QStringLiteral("v-ipace"), QStringLiteral("Jaguar I-PACE · LM-881")}};

} // namespace

class tst_ChartPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QStandardPaths::setTestModeEnabled(true);
        m_now = QDateTime::currentMSecsSinceEpoch();
        m_source.addVehicle(kTwoVehicles[0].first, workingVehicle(m_now - 40 * kDay, m_now, 18250, 1));
        m_source.addVehicle(kTwoVehicles[1].first, workingVehicle(m_now - 12 * kDay, m_now, 40310, 2));
    }

    void emptyStateShowsPlaceholder() {
        FakeHistorySource source;
        ChartPanel panel(&source);
        panel.resize(900, 600);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        const auto labels = panel.findChildren<QLabel *>();
        const auto placeholder = std::find_if(labels.begin(), labels.end(), [](QLabel *l) {
            return l->text() == QLatin1String("Select vehicles to see their battery and odometer history");
        });
        QVERIFY(placeholder != labels.end());
        QVERIFY((*placeholder)->isVisible());
        QVERIFY(!panel.batteryView()->isVisible());
        QCOMPARE(panel.seriesPointCount(), 0);
        QVERIFY(source.requests.isEmpty());
        for (QPushButton *button : panel.findChildren<QPushButton *>())
            QVERIFY(!button->isEnabled()); // nothing to export

        panel.setVehicles(kTwoVehicles);
        QVERIFY(!(*placeholder)->isVisible());
        QVERIFY(panel.batteryView()->isVisible());
        panel.setVehicles({});
        QVERIFY((*placeholder)->isVisible());
    }

    void twoVehiclesShowTwoSeries() {
        ChartPanel panel(&m_source);
        panel.resize(1100, 700);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.setVehicles(kTwoVehicles);
        for (SeriesChartView *view : {panel.batteryView(), panel.odometerView()}) {
            QCOMPARE(view->lines().size(), 2);
            QCOMPARE(view->lines()[0].series->name(), kTwoVehicles[0].second);
            QCOMPARE(view->lines()[1].series->name(), kTwoVehicles[1].second);
            QTRY_VERIFY(view->lines()[0].series->count() > 0 && view->lines()[1].series->count() > 0);
        }
        // What is drawn is exactly the source's answer to the latest request.
        QTRY_COMPARE(m_source.lastRequest(kSoc)->buckets, panel.batteryView()->plotWidth());
        const SeriesRequest *last = m_source.lastRequest(kSoc);
        QVERIFY(last);
        QCOMPARE(last->vehicleIds, QStringList({kTwoVehicles[0].first, kTwoVehicles[1].first}));
        QCOMPARE(last->toMs - last->fromMs, kDay);
        QCOMPARE(last->buckets, panel.batteryView()->plotWidth());
        const SeriesResult expected = m_source.compute(*last);
        QTRY_COMPARE(linePoints(panel.batteryView(), 0), expected.series[0].points);
        QCOMPARE(linePoints(panel.batteryView(), 1), expected.series[1].points);
        QVERIFY(panel.maxSeriesPointCount() <= 2 * panel.batteryView()->plotWidth());
        // The odometer climbs: its axis follows the data instead of 0-100.
        QVERIFY(panel.odometerView()->valueAxis()->min() > 10000);
        QCOMPARE(panel.batteryView()->valueAxis()->max(), 100.0);
    }

    void denseDataStaysWithinTwoPointsPerPixel() {
        FakeHistorySource source;
        QList<QPointF> dense;
        QRandomGenerator random(9);
        for (qint64 t = m_now - kDay; t <= m_now; t += 400) // 216,000 readings in the day
            dense.append(QPointF(double(t), random.bounded(100.0)));
        source.add(QStringLiteral("dense"), kSoc, dense);
        source.add(QStringLiteral("dense"), kOdometer, dense);
        ChartPanel panel(&source);
        panel.resize(1000, 640);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.setVehicles({{QStringLiteral("dense"), QStringLiteral("Dense")}});
        QTRY_VERIFY(panel.maxSeriesPointCount() > 100);
        QVERIFY(panel.maxSeriesPointCount() <= 2 * panel.batteryView()->plotWidth());
        // Narrower: the lines are re-decimated at once, then re-asked at the new width.
        panel.resize(600, 640);
        QTRY_VERIFY(panel.batteryView()->plotWidth() < 560);
        QVERIFY(panel.maxSeriesPointCount() <= 2 * panel.batteryView()->plotWidth());
        QTRY_COMPARE(source.lastRequest(kSoc)->buckets, panel.batteryView()->plotWidth());
        QTRY_COMPARE(panel.batteryView()->lines()[0].series->count(),
                     source.compute(*source.lastRequest(kSoc)).series[0].points.size());
        QVERIFY(panel.maxSeriesPointCount() <= 2 * panel.batteryView()->plotWidth());
    }

    void presetsChangeTheRequestedRange() {
        ChartPanel panel(&m_source);
        panel.resize(1000, 640);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.setVehicles(kTwoVehicles);
        QTRY_VERIFY(panel.seriesPointCount() > 0);
        const struct {
            RangePreset preset;
            qint64 span;
        } cases[] = {
            {RangePreset::Week, 7 * kDay}, {RangePreset::Month, 30 * kDay}, {RangePreset::Day, kDay}};
        for (const auto &c : cases) {
            const qsizetype before = m_source.requests.size();
            panel.rangeBar()->button(c.preset)->click();
            QVERIFY(panel.rangeBar()->button(c.preset)->isChecked());
            QCOMPARE(m_source.requests.size(), before + 2); // one per chart, at once
            for (const QString &code : {kSoc, kOdometer}) {
                const SeriesRequest *r = m_source.lastRequest(code);
                QCOMPARE(r->toMs - r->fromMs, c.span);
                QVERIFY(qAbs(r->toMs - QDateTime::currentMSecsSinceEpoch()) < 5000);
            }
            QCOMPARE(panel.viewToMs() - panel.viewFromMs(), c.span);
        }
        panel.rangeBar()->button(RangePreset::All)->click();
        QCOMPARE(m_source.lastRequest(kSoc)->fromMs, 0);
        QCOMPARE(m_source.lastRequest(kSoc)->toMs, 0);
        // The axis spans the data of both vehicles (the first reading is 40 days old).
        QTRY_VERIFY(qAbs(panel.viewFromMs() - (m_now - 40 * kDay)) < kMinute);
        QCOMPARE(panel.odometerView()->timeFrom(), panel.viewFromMs());
        QCOMPARE(panel.rangePreset(), RangePreset::All);
    }

    void wheelAndDragEditTheWindow() {
        ChartPanel panel(&m_source);
        panel.resize(1000, 640);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.setVehicles(kTwoVehicles);
        QTRY_VERIFY(panel.seriesPointCount() > 0);
        SeriesChartView *view = panel.batteryView();
        const QPoint center = view->chart()->plotArea().center().toPoint();
        const qint64 spanBefore = panel.viewToMs() - panel.viewFromMs();

        QWheelEvent wheel(center, view->mapToGlobal(center), QPoint(), QPoint(0, 240), Qt::NoButton,
                          Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(view->viewport(), &wheel);
        QVERIFY(panel.isCustomRange());
        QVERIFY(!panel.rangeBar()->hasPreset());
        const qint64 zoomedSpan = panel.viewToMs() - panel.viewFromMs();
        QVERIFY(zoomedSpan < spanBefore * 0.7);
        QCOMPARE(panel.odometerView()->timeFrom(), panel.viewFromMs()); // the other chart follows
        QTRY_COMPARE(m_source.lastRequest(kSoc)->toMs - m_source.lastRequest(kSoc)->fromMs, zoomedSpan);

        const qint64 fromBefore = panel.viewFromMs();
        QTest::mousePress(view->viewport(), Qt::LeftButton, Qt::NoModifier, center);
        QTest::mouseMove(view->viewport(), center + QPoint(200, 0));
        QTest::mouseRelease(view->viewport(), Qt::LeftButton, Qt::NoModifier, center + QPoint(200, 0));
        QVERIFY(panel.viewFromMs() < fromBefore); // dragged right: earlier times come into view
        QCOMPARE(panel.viewToMs() - panel.viewFromMs(), zoomedSpan);
        QTRY_COMPARE(m_source.lastRequest(kOdometer)->fromMs, panel.viewFromMs());

        QTest::mouseDClick(view->viewport(), Qt::LeftButton, Qt::NoModifier, center);
        QVERIFY(!panel.isCustomRange());
        QVERIFY(panel.rangeBar()->button(RangePreset::Day)->isChecked());
        QCOMPARE(panel.viewToMs() - panel.viewFromMs(), kDay);
    }

    void staleAnswersAreDropped() {
        FakeHistorySource source;
        source.addVehicle(QStringLiteral("a"), workingVehicle(m_now - 10 * kDay, m_now, 100, 3));
        source.hold = true;
        ChartPanel panel(&source);
        panel.resize(900, 600);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QTest::qWait(250); // let the first layout's resize settle
        panel.setVehicles({{QStringLiteral("a"), QStringLiteral("A")}});
        panel.setRangePreset(RangePreset::Week);
        QCOMPARE(source.held.size(), 4);
        const SeriesRequest dayBattery = source.held[0];
        const SeriesRequest weekBattery = source.held[2];
        QCOMPARE(weekBattery.code, kSoc);
        source.answer(weekBattery);
        QTRY_VERIFY(panel.batteryView()->pointCount() > 0);
        const QList<QPointF> week = linePoints(panel.batteryView(), 0);
        QCOMPARE(week, source.compute(weekBattery).series[0].points);
        source.answer(dayBattery); // late, and older: ignored
        QTest::qWait(50);
        QCOMPARE(linePoints(panel.batteryView(), 0), week);
    }

    void refreshWaitsForTheAnswerInFlight() {
        FakeHistorySource source;
        source.addVehicle(QStringLiteral("a"), workingVehicle(m_now - 2 * kDay, m_now, 100, 4));
        source.hold = true;
        ChartPanel panel(&source);
        panel.resize(900, 600);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QTest::qWait(250);
        panel.setVehicles({{QStringLiteral("a"), QStringLiteral("A")}});
        QCOMPARE(source.held.size(), 2);
        for (const SeriesRequest &r : std::exchange(source.held, {}))
            source.answer(r);
        QTRY_VERIFY(panel.batteryView()->pointCount() > 0 && panel.odometerView()->pointCount() > 0);

        panel.notifyNewData({QStringLiteral("a")});
        QTRY_COMPARE(source.held.size(), 2); // one refresh per chart
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 300) {
            panel.notifyNewData({QStringLiteral("a")});
            QTest::qWait(5);
        }
        QCOMPARE(source.held.size(), 2); // nothing more while those are unanswered
        source.answer(source.held[0]);
        // The data that arrived meanwhile is asked for once the answer is in.
        QTRY_COMPARE(source.held.size(), 3);
        QCOMPARE(source.held[2].code, source.held[0].code);
    }

    void hoverShowsTheExactReading() {
        ChartPanel panel(&m_source);
        panel.resize(1000, 640);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.setVehicles(kTwoVehicles);
        QTRY_VERIFY(panel.batteryView()->pointCount() > 0);
        const SeriesChartView::Line &line = panel.batteryView()->lines()[1];
        const QPointF reading = line.points[line.points.size() / 2];
        // Near the line, not on a reading: the tooltip names the nearest reading, to the second.
        Q_EMIT line.series->hovered(reading + QPointF(1500, 0.4), true);
        QVERIFY(QToolTip::isVisible());
        const QString text = QToolTip::text();
        QVERIFY2(text.contains(kTwoVehicles[1].second), qPrintable(text));
        QVERIFY2(text.contains(QLocale().toString(reading.y(), 'f', 0) + QStringLiteral(" %")),
                 qPrintable(text));
        QVERIFY2(text.contains(QLocale().toString(QDateTime::fromMSecsSinceEpoch(qint64(reading.x())),
                                                  QStringLiteral("HH:mm:ss"))),
                 qPrintable(text));
        Q_EMIT line.series->hovered(reading, false);
        QTRY_VERIFY(!QToolTip::isVisible());
    }

    void newDataRefreshesAtMostFifteenTimesASecond() {
        ChartPanel panel(&m_source);
        panel.resize(900, 600);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.setVehicles(kTwoVehicles);
        QTRY_VERIFY(panel.seriesPointCount() > 0);
        QTest::qWait(300);
        qsizetype before = m_source.requests.size();
        panel.notifyNewData({QStringLiteral("someone-else")});
        QTest::qWait(150);
        QCOMPARE(m_source.requests.size(), before); // not a selected vehicle

        QElapsedTimer timer;
        timer.start();
        int notifications = 0;
        while (timer.elapsed() < 1000) {
            for (int i = 0; i < 100; ++i, ++notifications)
                panel.notifyNewData({kTwoVehicles[1].first});
            QTest::qWait(2);
        }
        QTest::qWait(150);
        const qsizetype made = m_source.requests.size() - before;
        qInfo("%d notifications in 1 s gave %lld requests", notifications, qint64(made));
        QVERIFY(made >= 2);
        QVERIFY(made <= 2 * 17); // two charts, ~15 refreshes a second
    }

    void exportsWritePngAndCsv() {
        ChartPanel panel(&m_source);
        panel.resize(1000, 640);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.setVehicles({{kTwoVehicles[0].first, QStringLiteral("Polestar, \"KX\"")}, kTwoVehicles[1]});
        QTRY_VERIFY(panel.batteryView()->pointCount() > 0 && panel.odometerView()->pointCount() > 0);

        const QString png = m_dir.filePath(QStringLiteral("charts.png"));
        QVERIFY(panel.exportPng(png));
        const QImage image(png);
        QVERIFY(!image.isNull());
        QVERIFY(image.width() > 500 && image.height() > 300);

        const QString csv = m_dir.filePath(QStringLiteral("charts.csv"));
        QString error;
        QVERIFY2(panel.exportCsv(csv, &error), qPrintable(error));
        QFile file(csv);
        QVERIFY(file.open(QIODevice::ReadOnly | QIODevice::Text));
        const QList<QByteArray> lines = file.readAll().split('\n');
        QCOMPARE(lines.first(), QByteArray("signal,unit,vehicle_id,vehicle,time_utc,epoch_ms,value"));
        QCOMPARE(lines.last(), QByteArray()); // ends with a newline
        QCOMPARE(lines.size() - 2, panel.seriesPointCount());
        const QByteArray first = lines[1];
        QVERIFY2(first.startsWith("tractionbattery-stateofcharge,%,v-polestar,\"Polestar, \"\"KX\"\"\",20"),
                 first.constData());
        QVERIFY(!panel.exportCsv(m_dir.filePath(QStringLiteral("no/such/dir/x.csv")), &error));
    }

    void rangePresetIsRemembered() {
        const QString ini = m_dir.filePath(QStringLiteral("settings.ini"));
        {
            ChartPanel panel(&m_source);
            panel.setRangePreset(RangePreset::Month);
            QSettings settings(ini, QSettings::IniFormat);
            panel.saveSettings(settings);
        }
        FakeHistorySource source;
        ChartPanel panel(&source);
        panel.setVehicles(kTwoVehicles);
        const QSettings settings(ini, QSettings::IniFormat);
        panel.restoreSettings(settings);
        QCOMPARE(panel.rangePreset(), RangePreset::Month);
        QVERIFY(panel.rangeBar()->button(RangePreset::Month)->isChecked());
        QCOMPARE(source.lastRequest(kSoc)->toMs - source.lastRequest(kSoc)->fromMs, 30 * kDay);
    }

    void realServiceAndScreenshots() {
        // A journal with two weeks of a three-vehicle fleet, queried by the real SQL service.
        const QString path = m_dir.filePath(QStringLiteral("journal.sqlite"));
        const QList<QPair<QString, QString>> fleet = {
            kTwoVehicles[0],
            kTwoVehicles[1],
            {QStringLiteral("v-id4"), QStringLiteral("Volkswagen ID.4 · RT-310")}};
        {
            store::Database db;
            QString error;
            QVERIFY2(db.open(path, store::Database::Mode::ReadWrite, &error), qPrintable(error));
            QVERIFY(db.connection().transaction());
            QSqlQuery insert(db.connection());
            QVERIFY(insert.prepare(QStringLiteral(
                "INSERT INTO history(vehicle_id, code, field, t, value) VALUES(?, ?, 'value', ?, ?)")));
            for (int v = 0; v < fleet.size(); ++v) {
                for (const Sample &s : workingVehicle(m_now - 14 * kDay, m_now, 12000 + 21000 * v, 10 + v)) {
                    for (const auto &[code, value] : {std::pair{kSoc, s.soc}, std::pair{kOdometer, s.km}}) {
                        insert.addBindValue(fleet[v].first);
                        insert.addBindValue(code);
                        insert.addBindValue(s.t);
                        insert.addBindValue(value);
                        QVERIFY2(insert.exec(), qPrintable(insert.lastError().text()));
                    }
                }
            }
            // Rows inserted with SQL of its own: the min/max pyramid is rebuilt from them.
            QVERIFY2(db.historyRollup()->rebuild(&error), qPrintable(error));
            QVERIFY(db.connection().commit());
        }
        store::HistoryQueryService service;
        QString error;
        QVERIFY2(service.open(path, &error), qPrintable(error));

        ChartPanel panel(&service);
        panel.resize(1200, 760);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        panel.setVehicles(fleet);
        panel.setRangePreset(RangePreset::Week);
        QTRY_VERIFY_WITH_TIMEOUT(panel.batteryView()->lines()[2].series->count() > 0, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(panel.odometerView()->lines()[2].series->count() > 0, 20000);
        QTest::qWait(400); // the resize-settled re-request, if any
        QTRY_VERIFY_WITH_TIMEOUT(panel.odometerView()->lines()[2].series->count() > 0, 20000);
        QVERIFY(panel.maxSeriesPointCount() <= 2 * panel.batteryView()->plotWidth());
        for (const SeriesChartView::Line &line : panel.batteryView()->lines())
            for (const QPointF &p : line.points)
                QVERIFY(p.y() >= 0 && p.y() <= 100);

        QVERIFY(panel.grab().save(QDir(screenshotDir()).filePath(QStringLiteral("chartpanel-light.png"))));
        // A dark palette as a desktop theme would set it, derived roles included.
        QPalette dark(QColor(0x3a, 0x3a, 0x3e), QColor(0x2b, 0x2b, 0x2e));
        dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x21));
        dark.setColor(QPalette::Text, QColor(0xe8, 0xe8, 0xea));
        dark.setColor(QPalette::WindowText, QColor(0xe8, 0xe8, 0xea));
        dark.setColor(QPalette::ButtonText, QColor(0xe8, 0xe8, 0xea));
        dark.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9a, 0xa0));
        dark.setColor(QPalette::Highlight, QColor(0x3d, 0x7a, 0xd6));
        dark.setColor(QPalette::HighlightedText, Qt::white);
        panel.setPalette(dark);
        QTest::qWait(50);
        QVERIFY(panel.grab().save(QDir(screenshotDir()).filePath(QStringLiteral("chartpanel-dark.png"))));
        ChartPanel empty(&service);
        empty.resize(900, 400);
        QVERIFY(empty.grab().save(QDir(screenshotDir()).filePath(QStringLiteral("chartpanel-empty.png"))));
        qInfo("screenshots in %s", qPrintable(screenshotDir()));
    }

private:
    QTemporaryDir m_dir;
    FakeHistorySource m_source;
    qint64 m_now = 0;
};

QTEST_MAIN(tst_ChartPanel)
#include "tst_ChartPanel.moc"
