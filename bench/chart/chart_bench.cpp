// Chart benchmark: builds a journal with one vehicle and N battery readings (one every 30 s, a
// daily charge/discharge cycle) directly through the store layer, with the min/max pyramid built
// by the product's own code (history rows inserted on a read-write store::Database, each inserted
// one reported with HistoryRollup::addReading and folded by applyPending in the same transaction,
// as the journal does); then, offscreen, times end to end the
// HistoryQueryService request until the series is replaced in a real ui::SeriesChartView of
// 1200x400 and rendered with grab(), for the all-time window and zoom windows; and, in the same
// run, the naive way: every reading of the range SELECTed and replace()d into a QLineSeries.
// Also measures what the pyramid costs the journal per delivery (A/B: charted vs. uncharted codes).
//
// Output: one "key=value" line per figure on stdout, progress on stderr.

#include "model/Delivery.h"
#include "model/HistorySource.h"
#include "store/Database.h"
#include "store/HistoryQueryService.h"
#include "store/HistoryRollup.h"
#include "store/Journal.h"
#include "store/SqliteStatement.h"
#include "ui/SeriesChartView.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QCommandLineParser>
#include <QDateTimeAxis>
#include <QElapsedTimer>
#include <QFile>
#include <QLineSeries>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

namespace {

const QString kVehicle = QStringLiteral("3f2c6a7e-9b1d-4c55-8e0a-2d7f41b6c9e3");
const QString kSoc = QStringLiteral("tractionbattery-stateofcharge");
constexpr qint64 kStepMs = 30000;
constexpr qint64 kT0 = 1420070400000; // 2015-01-01 UTC
constexpr qint64 kDayMs = 86400000;

void progress(const char *format, auto... args) {
    std::fprintf(stderr, format, args...);
    std::fputc('\n', stderr);
}

void figure(const QString &key, const QString &value) {
    std::printf("%s=%s\n", qPrintable(key), qPrintable(value));
    std::fflush(stdout);
}

// State of charge at reading i: overnight charging to a level that varies by day, two commutes
// and an occasional long trip that drain it, a slow idle drain, and sensor jitter.
class BatteryModel {
public:
    double at(qint64 i) {
        const qint64 t = i * kStepMs;
        const qint64 day = t / kDayMs;
        if (day != m_day)
            startDay(day);
        const double hour = double(t % kDayMs) / 3600000.0;
        double soc;
        if (hour < 6.0) { // charging since 22:00 of the previous day, to this morning's level
            soc = m_prevEvening + (m_morning - m_prevEvening) * std::min(1.0, (hour + 2.0) / 5.0);
        } else if (hour < 7.5) {
            soc = m_morning;
        } else if (hour < 8.5) {
            soc = m_morning - m_drive1 * (hour - 7.5);
        } else if (hour < 17.0) {
            soc = m_morning - m_drive1 - 0.2 * (hour - 8.5);
        } else if (hour < 18.5) {
            soc = m_morning - m_drive1 - 1.7 - m_drive2 * (hour - 17.0) / 1.5;
        } else if (hour < 22.0) {
            soc = m_evening;
        } else {
            soc = m_evening + (m_nextMorning - m_evening) * std::min(1.0, (hour - 22.0) / 5.0);
        }
        const double jitter = double((i * 7919) % 7 - 3) / 10.0;
        return std::clamp(std::round((soc + jitter) * 10.0) / 10.0, 0.0, 100.0);
    }

private:
    static double morningOf(qint64 day) { return 75.0 + double((day * 37) % 21); }
    void startDay(qint64 day) {
        m_day = day;
        QRandomGenerator random(quint32(day * 2654435761u));
        m_prevEvening = m_evening;
        m_morning = morningOf(day);
        m_nextMorning = morningOf(day + 1);
        m_drive1 = 8.0 + random.bounded(12.0);
        m_drive2 = (random.bounded(10) == 0 ? 45.0 : 8.0) + random.bounded(12.0); // a long trip now and then
        m_evening = std::max(3.0, m_morning - m_drive1 - 1.7 - m_drive2);
        if (m_day == 0)
            m_prevEvening = m_evening;
    }
    qint64 m_day = -1;
    double m_prevEvening = 50, m_evening = 50, m_morning = 80, m_nextMorning = 80, m_drive1 = 0, m_drive2 = 0;
};

bool generate(const QString &path, qint64 samples) {
    QFile::remove(path);
    QFile::remove(path + QStringLiteral("-wal"));
    QFile::remove(path + QStringLiteral("-shm"));
    store::Database db;
    QString error;
    if (!db.open(path, store::Database::Mode::ReadWrite, &error)) {
        progress("cannot create %s: %s", qPrintable(path), qPrintable(error));
        return false;
    }
    sqlite3 *handle = store::SqliteStatement::handleOf(db.connection());
    // A scratch file: no fsync per commit, a big page cache. The rows and the pyramid are written
    // exactly as the journal writes them otherwise (inserted readings reported, the same fold).
    store::SqliteStatement::exec(handle, "PRAGMA synchronous=OFF", nullptr);
    store::SqliteStatement::exec(handle, "PRAGMA cache_size=-262144", nullptr);
    store::SqliteStatement insert;
    if (!insert.prepare(handle, "INSERT OR IGNORE INTO history(vehicle_id, code, field, t, value)"
                                " VALUES(?,?,'value',?,?)")) {
        progress("prepare: %s", qPrintable(insert.error()));
        return false;
    }
    const QByteArray vehicle = kVehicle.toUtf8();
    const QByteArray code = kSoc.toUtf8();
    BatteryModel battery;
    QElapsedTimer timer;
    timer.start();
    qint64 foldMs = 0;
    constexpr qint64 kPerTransaction = 1000000;
    for (qint64 start = 0; start < samples; start += kPerTransaction) {
        if (!db.connection().transaction()) {
            progress("begin: %s", qPrintable(db.connection().lastError().text()));
            return false;
        }
        const qint64 end = std::min(samples, start + kPerTransaction);
        for (qint64 i = start; i < end; ++i) {
            insert.bind(1, vehicle);
            insert.bind(2, code);
            insert.bind(3, kT0 + i * kStepMs);
            insert.bind(4, battery.at(i));
            insert.step();
            if (!insert.ok()) {
                progress("insert: %s", qPrintable(insert.error()));
                return false;
            }
            if (insert.changes() == 1)
                db.historyRollup()->addReading(vehicle, code, "value", kT0 + i * kStepMs, battery.at(i));
            insert.reset();
        }
        QElapsedTimer fold;
        fold.start();
        if (!db.historyRollup()->applyPending(&error)) {
            progress("pyramid: %s", qPrintable(error));
            return false;
        }
        foldMs += fold.elapsed();
        if (!db.connection().commit()) {
            progress("commit: %s", qPrintable(db.connection().lastError().text()));
            return false;
        }
        progress("generated %lld of %lld readings (%lld ms)", end, samples, timer.elapsed());
    }
    store::SqliteStatement::exec(handle, "PRAGMA wal_checkpoint(TRUNCATE)", nullptr);
    figure(QStringLiteral("generate_ms"), QString::number(timer.elapsed()));
    figure(QStringLiteral("generate_pyramid_ms"), QString::number(foldMs));
    QSqlQuery count(db.connection());
    count.exec(QStringLiteral("SELECT COUNT(*) FROM history_rollup"));
    count.next();
    figure(QStringLiteral("pyramid_rows"), count.value(0).toString());
    return true;
}

// The cost of the pyramid to the journal: the same deliveries (20 readings each, two of them
// charted, 1,000 vehicles) once with the charted codes and once with those two renamed so the
// pyramid ignores them. Throughput-bound: everything is appended, then drained.
double journalMicrosPerDelivery(const QString &path, bool charted, int deliveries) {
    QFile::remove(path);
    store::Journal journal;
    QString error;
    if (!journal.open(path, &error)) {
        progress("journal: %s", qPrintable(error));
        return -1;
    }
    std::atomic<int> committed{0};
    journal.setCommitListener([&](const QList<store::AppendResult> &r) { committed += int(r.size()); });
    QList<model::Delivery> all;
    all.reserve(deliveries);
    for (int i = 0; i < deliveries; ++i) {
        model::Delivery d;
        d.receivedAtMs = kT0;
        d.eventId = QStringLiteral("evt-%1").arg(i);
        d.eventType = QStringLiteral("VEHICLE_STATE");
        d.vehicleId = QStringLiteral("vehicle-%1").arg(i % 1000);
        d.status = 200;
        d.body = QByteArray(4000, 'x');
        const qint64 t = kT0 + qint64(i / 1000) * 60000;
        d.samples.append({d.vehicleId, charted ? kSoc : QStringLiteral("uncharted-soc"),
                          QStringLiteral("value"), t, double(i % 100)});
        d.samples.append(
            {d.vehicleId,
             charted ? QStringLiteral("odometer-traveleddistance") : QStringLiteral("uncharted-km"),
             QStringLiteral("value"), t, double(i)});
        for (int s = 0; s < 18; ++s)
            d.samples.append(
                {d.vehicleId, QStringLiteral("other-%1").arg(s), QStringLiteral("value"), t, double(s)});
        all.append(std::move(d));
    }
    QElapsedTimer timer;
    timer.start();
    for (model::Delivery &d : all)
        journal.append(std::move(d));
    journal.close();
    const double us = double(timer.nsecsElapsed()) / 1000.0 / deliveries;
    if (committed != deliveries)
        progress("journal: only %d of %d committed", committed.load(), deliveries);
    return us;
}

struct Timed {
    double totalMs = 0;
    double queryMs = 0; // request until the answer arrived
    int points = 0;
};

class ChartBench {
public:
    ChartBench(const QString &path)
        : m_view(QStringLiteral("Battery"), QStringLiteral("%"), 0) {
        QString error;
        if (!m_service.open(path, &error))
            qFatal("cannot open the history: %s", qPrintable(error));
        QObject::connect(&m_service, &model::HistorySource::seriesReady, &m_view,
                         [this](const model::SeriesResult &r) { m_result = r; });
        m_view.resize(1200, 400);
        m_view.setVehicles({{kVehicle, QStringLiteral("Test vehicle")}});
        m_view.setFixedValueRange(0, 100);
        // Not shown: grab() is the one render per refresh (a shown widget would also repaint
        // itself on the next event loop pass, rendering every chart twice).
        m_view.grab(); // lays out once, so plotWidth() is the real one
    }

    // One chart refresh as the app does it: request, wait for the answer (queued to this thread),
    // set the range and the points (one replace()), render.
    Timed run(qint64 from, qint64 to) {
        QElapsedTimer timer;
        timer.start();
        model::SeriesRequest r;
        r.requestId = ++m_nextId;
        r.vehicleIds = {kVehicle};
        r.code = kSoc;
        r.fromMs = from;
        r.toMs = to;
        r.buckets = m_view.plotWidth();
        m_result.reset();
        m_service.request(r);
        while (!m_result || m_result->requestId != r.requestId)
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
        Timed t;
        t.queryMs = double(timer.nsecsElapsed()) / 1e6;
        if (!m_result->error.isEmpty())
            qFatal("query failed: %s", qPrintable(m_result->error));
        const QList<QPointF> points = m_result->series.value(0).points;
        m_view.setTimeRange(m_result->fromMs, m_result->toMs);
        m_view.setPoints(kVehicle, points);
        const QPixmap image = m_view.grab();
        t.totalMs = double(timer.nsecsElapsed()) / 1e6;
        t.points = int(points.size());
        if (image.isNull())
            qFatal("nothing rendered");
        return t;
    }
    int buckets() const { return m_view.plotWidth(); }
    QPixmap grab() { return m_view.grab(); }

private:
    store::HistoryQueryService m_service;
    ui::SeriesChartView m_view;
    std::optional<model::SeriesResult> m_result;
    quint64 m_nextId = 0;
};

struct Naive {
    double selectMs = 0, replaceMs = 0, renderMs = 0, totalMs = 0;
    qint64 points = 0;
};

// Every reading of [from, to] into one QLineSeries of a chart the same size, then rendered.
Naive naive(const QString &path, qint64 from, qint64 to) {
    Naive n;
    QElapsedTimer timer;
    timer.start();
    QList<QPointF> points;
    {
        store::Database db;
        QString error;
        if (!db.open(path, store::Database::Mode::ReadOnly, &error))
            qFatal("%s", qPrintable(error));
        QSqlQuery q(db.connection());
        q.setForwardOnly(true);
        q.prepare(QStringLiteral(
            "SELECT t, value FROM history WHERE vehicle_id = ? AND code = ? AND field = 'value'"
            " AND t >= ? AND t <= ? ORDER BY t"));
        q.addBindValue(kVehicle);
        q.addBindValue(kSoc);
        q.addBindValue(from);
        q.addBindValue(to);
        if (!q.exec())
            qFatal("%s", qPrintable(q.lastError().text()));
        while (q.next())
            points.append(QPointF(double(q.value(0).toLongLong()), q.value(1).toDouble()));
    }
    n.selectMs = double(timer.nsecsElapsed()) / 1e6;
    n.points = points.size();
    QChartView view;
    auto *series = new QLineSeries;
    auto *timeAxis = new QDateTimeAxis;
    auto *valueAxis = new QValueAxis;
    view.chart()->addSeries(series);
    view.chart()->addAxis(timeAxis, Qt::AlignBottom);
    view.chart()->addAxis(valueAxis, Qt::AlignLeft);
    series->attachAxis(timeAxis);
    series->attachAxis(valueAxis);
    timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(from), QDateTime::fromMSecsSinceEpoch(to));
    valueAxis->setRange(0, 100);
    view.chart()->setAnimationOptions(QChart::NoAnimation);
    view.setRenderHint(QPainter::Antialiasing);
    view.resize(1200, 400);
    view.grab();
    QElapsedTimer step;
    step.start();
    series->replace(points);
    n.replaceMs = double(step.nsecsElapsed()) / 1e6;
    step.restart();
    view.grab();
    n.renderMs = double(step.nsecsElapsed()) / 1e6;
    n.totalMs = n.selectMs + n.replaceMs + n.renderMs;
    return n;
}

QString ms(double v) {
    return QString::number(v, 'f', v < 10 ? 2 : 1);
}

} // namespace

int main(int argc, char **argv) {
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOptions(
        {{QStringLiteral("db"), QStringLiteral("journal file"), QStringLiteral("path")},
         {QStringLiteral("samples"), QStringLiteral("readings"), QStringLiteral("n"),
          QStringLiteral("10000000")},
         {QStringLiteral("repeat"), QStringLiteral("runs per window"), QStringLiteral("n"),
          QStringLiteral("7")},
         {QStringLiteral("random"), QStringLiteral("random windows"), QStringLiteral("n"),
          QStringLiteral("40")},
         {QStringLiteral("journal-deliveries"), QStringLiteral("deliveries for the pyramid cost"),
          QStringLiteral("n"), QStringLiteral("20000")},
         {QStringLiteral("skip-naive"), QStringLiteral("no naive all-time run")}});
    parser.process(app);
    const QString path = parser.value(QStringLiteral("db"));
    const qint64 samples = parser.value(QStringLiteral("samples")).toLongLong();
    const int repeat = parser.value(QStringLiteral("repeat")).toInt();
    if (path.isEmpty())
        qFatal("--db is required");

    // What the pyramid costs the journal, per delivery, in the same conditions.
    const int deliveries = parser.value(QStringLiteral("journal-deliveries")).toInt();
    if (deliveries > 0) {
        const QString jpath = path + QStringLiteral(".journal-ab");
        const double without = journalMicrosPerDelivery(jpath, false, deliveries);
        const double with = journalMicrosPerDelivery(jpath, true, deliveries);
        const double without2 = journalMicrosPerDelivery(jpath, false, deliveries);
        const double with2 = journalMicrosPerDelivery(jpath, true, deliveries);
        QFile::remove(jpath);
        QFile::remove(jpath + QStringLiteral("-wal"));
        QFile::remove(jpath + QStringLiteral("-shm"));
        const double a = std::min(without, without2);
        const double b = std::min(with, with2);
        progress("journal: %.1f us/delivery without the pyramid, %.1f with", a, b);
        figure(QStringLiteral("journal_us_without"), QString::number(a, 'f', 1));
        figure(QStringLiteral("journal_us_with"), QString::number(b, 'f', 1));
    }

    if (!generate(path, samples))
        return 1;
    const qint64 first = kT0;
    const qint64 last = kT0 + (samples - 1) * kStepMs;

    ChartBench bench(path);
    figure(QStringLiteral("buckets"), QString::number(bench.buckets()));
    QRandomGenerator random(42);
    struct Window {
        QString name;
        qint64 span; // 0: all time
    };
    const QList<Window> windows = {{QStringLiteral("all"), 0},
                                   {QStringLiteral("hour"), 3600000},
                                   {QStringLiteral("day"), kDayMs},
                                   {QStringLiteral("week"), 7 * kDayMs},
                                   {QStringLiteral("month"), 30 * kDayMs},
                                   {QStringLiteral("year"), 365 * kDayMs}};
    bench.run(0, 0); // warm the caches once, like a chart shown before
    for (const Window &w : windows) {
        QList<double> totals;
        QList<double> queries;
        int points = 0;
        for (int i = 0; i < repeat; ++i) {
            qint64 from = 0, to = 0;
            if (w.span > 0) {
                from = first + qint64(random.bounded(double(last - first - w.span)));
                to = from + w.span;
            }
            const Timed t = bench.run(from, to);
            totals.append(t.totalMs);
            queries.append(t.queryMs);
            points = std::max(points, t.points);
        }
        std::sort(totals.begin(), totals.end());
        std::sort(queries.begin(), queries.end());
        figure(w.name + QStringLiteral("_median_ms"), ms(totals[totals.size() / 2]));
        figure(w.name + QStringLiteral("_worst_ms"), ms(totals.last()));
        figure(w.name + QStringLiteral("_query_median_ms"), ms(queries[queries.size() / 2]));
        figure(w.name + QStringLiteral("_points"), QString::number(points));
        progress("%s: median %.2f ms, worst %.2f ms (query median %.2f ms), %d points", qPrintable(w.name),
                 totals[totals.size() / 2], totals.last(), queries[queries.size() / 2], points);
    }
    {
        // Random windows, spans from a minute to everything (log-uniform).
        QList<double> totals;
        const int n = parser.value(QStringLiteral("random")).toInt();
        for (int i = 0; i < n; ++i) {
            const double logSpan =
                std::log(60000.0) +
                random.generateDouble() * (std::log(double(last - first)) - std::log(60000.0));
            const qint64 span = qint64(std::exp(logSpan));
            const qint64 from =
                first + qint64(random.bounded(double(std::max<qint64>(1, last - first - span))));
            totals.append(bench.run(from, from + span).totalMs);
        }
        std::sort(totals.begin(), totals.end());
        figure(QStringLiteral("random_median_ms"), ms(totals[totals.size() / 2]));
        figure(QStringLiteral("random_worst_ms"), ms(totals.last()));
        progress("random windows (%d): median %.2f ms, worst %.2f ms", n, totals[totals.size() / 2],
                 totals.last());
    }

    // The naive way, for a week and (once, it is slow) for all time.
    {
        const qint64 from = first + (last - first) / 2;
        const Naive week = naive(path, from, from + 7 * kDayMs);
        figure(QStringLiteral("naive_week_ms"), ms(week.totalMs));
        figure(QStringLiteral("naive_week_points"), QString::number(week.points));
        progress("naive week: %lld points, %.1f ms", week.points, week.totalMs);
    }
    if (!parser.isSet(QStringLiteral("skip-naive"))) {
        progress("naive all time: selecting every reading...");
        const Naive all = naive(path, first, last);
        figure(QStringLiteral("naive_all_ms"), ms(all.totalMs));
        figure(QStringLiteral("naive_all_select_ms"), ms(all.selectMs));
        figure(QStringLiteral("naive_all_replace_ms"), ms(all.replaceMs));
        figure(QStringLiteral("naive_all_render_ms"), ms(all.renderMs));
        figure(QStringLiteral("naive_all_points"), QString::number(all.points));
        progress("naive all time: %lld points, select %.0f ms, replace %.0f ms, render %.0f ms", all.points,
                 all.selectMs, all.replaceMs, all.renderMs);
    }
    return 0;
}
