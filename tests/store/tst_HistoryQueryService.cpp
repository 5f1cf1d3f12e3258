// Chart queries on a real SQLite journal: the answer must be exactly the per-bucket min/max of
// the full series (model::SeriesDecimator's points when raw readings are read, the same over
// edges on the pyramid's grid when a pyramid level is), ranges clip and auto-extend, bursts
// coalesce, and a million readings come back as at most two points per bucket.

#include "ChartBruteForce.h"
#include "model/SeriesDecimator.h"
#include "store/Database.h"
#include "store/HistoryQueryService.h"
#include "store/HistoryRollup.h"
#include "store/Journal.h"
#include "store/JournalReader.h"

#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <optional>
#include <thread>

using model::HistorySample;
using model::SeriesRequest;
using model::SeriesResult;
using store::HistoryQueryService;

namespace {

const QString kSoc = QStringLiteral("tractionbattery-stateofcharge");
const QString kOdometer = QStringLiteral("odometer-traveleddistance");
const QString kValue = QStringLiteral("value");
constexpr qint64 kT0 = 1717200000000; // 2024-06-01 00:00 UTC

// Readings every `stepMs`, whole percent so that ties (equal minima and maxima) are common.
QList<HistorySample> batteryWalk(const QString &vehicle, int count, qint64 startMs, qint64 stepMs,
                                 quint32 seed) {
    QRandomGenerator random(seed);
    QList<HistorySample> out;
    int soc = 60;
    for (int i = 0; i < count; ++i) {
        soc = std::clamp(soc + int(random.bounded(7)) - 3, 0, 100);
        out.append(
            {vehicle, kSoc, kValue, startMs + i * stepMs + qint64(random.bounded(stepMs / 2)), double(soc)});
    }
    return out;
}

// Through the real write path: deliveries carrying history points, committed by the journal.
void writeThroughJournal(const QString &path, const QList<HistorySample> &samples) {
    store::Journal journal;
    QString error;
    QVERIFY2(journal.open(path, &error), qPrintable(error));
    for (qsizetype i = 0; i < samples.size(); i += 50) {
        model::Delivery d;
        d.receivedAtMs = kT0;
        d.eventId = QStringLiteral("event-%1-%2").arg(samples[i].vehicleId).arg(i);
        d.eventType = QStringLiteral("VEHICLE_STATE");
        d.vehicleId = samples[i].vehicleId;
        d.status = 200;
        d.body = "{}";
        d.samples = samples.mid(i, 50);
        journal.append(d);
    }
    journal.close();
}

QList<QPointF> pointsOf(const QList<HistorySample> &samples, const QString &vehicle, const QString &code,
                        const QString &field = kValue) {
    QList<HistorySample> mine;
    for (const HistorySample &s : samples)
        if (s.vehicleId == vehicle && s.code == code && s.field == field)
            mine.append(s);
    std::sort(mine.begin(), mine.end(),
              [](const auto &a, const auto &b) { return a.oemUpdatedAt < b.oemUpdatedAt; });
    QList<QPointF> out;
    for (const HistorySample &s : mine)
        out.append(QPointF(double(s.oemUpdatedAt), s.value));
    return out;
}

// Collects answers on the test thread: seriesReady comes from the worker, so this is queued.
class Collector : public QObject {
public:
    explicit Collector(model::HistorySource *source) {
        connect(source, &model::HistorySource::seriesReady, this, [this](const SeriesResult &r) {
            QVERIFY(QThread::currentThread() == thread());
            results.append(r);
        });
    }
    std::optional<SeriesResult> wait(quint64 requestId, int timeoutMs = 60000) {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            for (const SeriesResult &r : std::as_const(results))
                if (r.requestId == requestId)
                    return r;
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
        }
        return std::nullopt;
    }
    QList<SeriesResult> results;
};

SeriesRequest makeRequest(quint64 id, const QStringList &vehicles, qint64 from, qint64 to, int buckets,
                          const QString &code = kSoc) {
    SeriesRequest r;
    r.requestId = id;
    r.vehicleIds = vehicles;
    r.code = code;
    r.fromMs = from;
    r.toMs = to;
    r.buckets = buckets;
    return r;
}

} // namespace

class tst_HistoryQueryService : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void openFailsWithoutJournal() {
        HistoryQueryService service;
        QString error;
        QVERIFY(!service.open(m_dir.filePath(QStringLiteral("missing.sqlite")), &error));
        QVERIFY2(error.contains(QLatin1String("no journal")), qPrintable(error));
        // Not open: still answered, with an error, later rather than inside request().
        Collector collector(&service);
        service.request(makeRequest(1, {QStringLiteral("v1")}, 0, 0, 10));
        QVERIFY(collector.results.isEmpty());
        const auto result = collector.wait(1);
        QVERIFY(result);
        QVERIFY(!result->error.isEmpty());
    }

    void matchesDecimatorExactly_data() {
        QTest::addColumn<int>("buckets");
        QTest::newRow("1") << 1;
        QTest::newRow("7") << 7;
        QTest::newRow("640") << 640;
        QTest::newRow("5000 (more than points)") << 5000;
    }
    void matchesDecimatorExactly() {
        QFETCH(int, buckets);
        const QString path = m_dir.filePath(QStringLiteral("small-%1.sqlite").arg(buckets));
        QList<HistorySample> samples = batteryWalk(QStringLiteral("v1"), 3000, kT0, 60000, 1);
        samples += batteryWalk(QStringLiteral("v2"), 2500, kT0 + 3600000, 60000, 2);
        writeThroughJournal(path, samples);

        HistoryQueryService service;
        QString error;
        QVERIFY2(service.open(path, &error), qPrintable(error));
        Collector collector(&service);
        const qint64 from = kT0;
        const qint64 to = kT0 + 3000 * 60000;
        service.request(makeRequest(7, {QStringLiteral("v1"), QStringLiteral("v2")}, from, to, buckets));
        const auto result = collector.wait(7);
        QVERIFY(result);
        QVERIFY2(result->error.isEmpty(), qPrintable(result->error));
        QCOMPARE(result->code, kSoc);
        QCOMPARE(result->fromMs, from);
        QCOMPARE(result->toMs, to);
        QCOMPARE(result->series.size(), 2);
        for (const model::VehicleSeries &s : result->series) {
            const QList<QPointF> expected =
                bruteForceChart(pointsOf(samples, s.vehicleId, kSoc), double(from), double(to), buckets);
            QVERIFY(!expected.isEmpty());
            QCOMPARE(s.points, expected);
            QVERIFY(s.points.size() <= 2 * buckets);
        }
    }

    void rangeIsClipped() {
        const QString path = m_dir.filePath(QStringLiteral("clip.sqlite"));
        const QList<HistorySample> samples = batteryWalk(QStringLiteral("v1"), 5000, kT0, 30000, 3);
        writeThroughJournal(path, samples);
        HistoryQueryService service;
        QString error;
        QVERIFY2(service.open(path, &error), qPrintable(error));
        Collector collector(&service);
        // A window in the middle whose ends fall between readings.
        const qint64 from = kT0 + 1000 * 30000 + 7;
        const qint64 to = kT0 + 2000 * 30000 + 11;
        service.request(makeRequest(1, {QStringLiteral("v1")}, from, to, 100));
        const auto result = collector.wait(1);
        QVERIFY(result && result->error.isEmpty());
        const QList<QPointF> points = result->series.value(0).points;
        QVERIFY(!points.isEmpty());
        for (const QPointF &p : points)
            QVERIFY(p.x() >= double(from) && p.x() <= double(to));
        QCOMPARE(points, bruteForceChart(pointsOf(samples, QStringLiteral("v1"), kSoc), double(from),
                                         double(to), 100));

        // A range before all the data: empty, no error.
        service.request(makeRequest(2, {QStringLiteral("v1")}, kT0 - 100000, kT0 - 1, 100));
        const auto before = collector.wait(2);
        QVERIFY(before && before->error.isEmpty());
        QCOMPARE(before->series.size(), 1);
        QVERIFY(before->series.first().points.isEmpty());
    }

    void severalVehiclesShareTheAutoRange() {
        const QString path = m_dir.filePath(QStringLiteral("auto.sqlite"));
        QList<HistorySample> samples = batteryWalk(QStringLiteral("early"), 400, kT0, 60000, 4);
        samples += batteryWalk(QStringLiteral("late"), 400, kT0 + 86400000, 60000, 5);
        // Other signals and fields of the same vehicles must not leak into the answer.
        samples.append({QStringLiteral("early"), kOdometer, kValue, kT0 - 5000000, 12000});
        samples.append({QStringLiteral("late"), kSoc, QStringLiteral("other"), kT0 + 999999999, 1});
        writeThroughJournal(path, samples);
        const QList<QPointF> early = pointsOf(samples, QStringLiteral("early"), kSoc);
        const QList<QPointF> late = pointsOf(samples, QStringLiteral("late"), kSoc);

        HistoryQueryService service;
        QString error;
        QVERIFY2(service.open(path, &error), qPrintable(error));
        Collector collector(&service);
        const QStringList ids = {QStringLiteral("late"), QStringLiteral("nobody"), QStringLiteral("early")};
        service.request(makeRequest(1, ids, 0, 0, 50));
        const auto result = collector.wait(1);
        QVERIFY(result && result->error.isEmpty());
        QCOMPARE(qint64(result->fromMs), qint64(early.first().x()));
        QCOMPARE(qint64(result->toMs), qint64(late.last().x()));
        QCOMPARE(result->series.size(), 3); // in the order asked, a vehicle without data included
        QCOMPARE(result->series[0].vehicleId, QStringLiteral("late"));
        QCOMPARE(result->series[1].vehicleId, QStringLiteral("nobody"));
        QVERIFY(result->series[1].points.isEmpty());
        const double from = double(result->fromMs);
        const double to = double(result->toMs);
        QCOMPARE(result->series[0].points, bruteForceChart(late, from, to, 50));
        QCOMPARE(result->series[2].points, bruteForceChart(early, from, to, 50));

        // One open end: from the given start to the last reading.
        const qint64 start = kT0 + 86400000 + 3600000;
        service.request(makeRequest(2, {QStringLiteral("late")}, start, 0, 20));
        const auto halfOpen = collector.wait(2);
        QVERIFY(halfOpen && halfOpen->error.isEmpty());
        QCOMPARE(halfOpen->fromMs, start);
        QCOMPARE(qint64(halfOpen->toMs), qint64(late.last().x()));
        QCOMPARE(halfOpen->series[0].points,
                 bruteForceChart(late, double(start), double(halfOpen->toMs), 20));

        // Nothing at all: empty series, the range left open.
        service.request(makeRequest(3, {QStringLiteral("nobody")}, 0, 0, 20));
        const auto none = collector.wait(3);
        QVERIFY(none && none->error.isEmpty());
        QCOMPARE(none->fromMs, qint64(0));
        QCOMPARE(none->toMs, qint64(0));
        QVERIFY(none->series.value(0).points.isEmpty());

        // A single reading: a zero-width range is one bucket.
        service.request(makeRequest(4, {QStringLiteral("early")}, 0, 0, 20, kOdometer));
        const auto single = collector.wait(4);
        QVERIFY(single && single->error.isEmpty());
        QCOMPARE(single->fromMs, single->toMs);
        QCOMPARE(single->series[0].points, QList<QPointF>({QPointF(double(kT0 - 5000000), 12000)}));
    }

    void burstsCoalesce() {
        const QString path = m_dir.filePath(QStringLiteral("burst.sqlite"));
        insertGenerated(path, QStringLiteral("v1"), 200000);
        HistoryQueryService service;
        QString error;
        QVERIFY2(service.open(path, &error), qPrintable(error));
        Collector collector(&service);

        // From several threads at once, as the API allows; ids grow per slot.
        constexpr int kPerThread = 100;
        std::atomic<quint64> nextId{1};
        std::vector<std::thread> threads;
        std::mutex order;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&] {
                for (int i = 0; i < kPerThread; ++i) {
                    std::lock_guard lock(order); // ids reach the service in increasing order
                    service.request(makeRequest(nextId++, {QStringLiteral("v1")}, 0, 0, 500));
                }
            });
        for (std::thread &t : threads)
            t.join();
        const quint64 last = nextId - 1;
        QVERIFY(collector.wait(last));
        QTest::qWait(50); // nothing else may arrive after the latest
        QCOMPARE(collector.results.last().requestId, last);
        for (qsizetype i = 1; i < collector.results.size(); ++i)
            QVERIFY(collector.results[i - 1].requestId < collector.results[i].requestId);
        qInfo("%llu requests, %lld answered, %llu computed", last, qint64(collector.results.size()),
              service.computedCount());
        QVERIFY(service.computedCount() < last);
        QCOMPARE(quint64(collector.results.size()), service.computedCount());

        // Different slots do not replace each other.
        service.request(makeRequest(1000, {QStringLiteral("v1")}, 0, 0, 100, kSoc));
        service.request(makeRequest(1001, {QStringLiteral("v1")}, 0, 0, 100, kOdometer));
        QVERIFY(collector.wait(1000));
        QVERIFY(collector.wait(1001));

        // Closing with work queued (50 slots) neither hangs nor crashes, and nothing is computed
        // afterwards; answers emitted before close() returned may still be in the event queue.
        for (quint64 i = 0; i < 50; ++i)
            service.request(makeRequest(2000 + i, {QStringLiteral("v1")}, 0, 0, 500, QString::number(i)));
        service.close();
        const quint64 computed = service.computedCount();
        QCoreApplication::processEvents();
        const qsizetype answered = collector.results.size();
        QTest::qWait(100);
        QCOMPARE(collector.results.size(), answered);
        QCOMPARE(service.computedCount(), computed);
        // Closed: still answered, with an error.
        service.request(makeRequest(3000, {QStringLiteral("v1")}, 0, 0, 500));
        const auto closed = collector.wait(3000);
        QVERIFY(closed && !closed->error.isEmpty());
    }

    void millionRowsAreDecimatedInSql() {
        const QString path = m_dir.filePath(QStringLiteral("million.sqlite"));
        constexpr int kRows = 1000000;
        QElapsedTimer fill;
        fill.start();
        insertGenerated(path, QStringLiteral("big"), kRows);
        insertGenerated(path, QStringLiteral("neighbour"), 1000); // other keys around the range
        qInfo("writing %d rows took %lld ms", kRows, fill.elapsed());

        HistoryQueryService service;
        QString error;
        QVERIFY2(service.open(path, &error), qPrintable(error));
        Collector collector(&service);
        constexpr int kBuckets = 1000;
        QElapsedTimer timer;
        timer.start();
        service.request(makeRequest(1, {QStringLiteral("big")}, 0, 0, kBuckets));
        const auto all = collector.wait(1, 120000);
        const qint64 allMs = timer.elapsed();
        QVERIFY(all && all->error.isEmpty());
        const QList<QPointF> points = all->series.value(0).points;
        qInfo("1,000,000 rows, auto range, %d buckets: %lld points in %lld ms", kBuckets,
              qint64(points.size()), allMs);
        QVERIFY(!points.isEmpty());
        QVERIFY(points.size() <= 2 * kBuckets);

        // A week out of the 11.6 days, as the 7 d preset asks.
        timer.restart();
        service.request(
            makeRequest(2, {QStringLiteral("big")}, kT0 + 86400000, kT0 + 8 * 86400000, kBuckets));
        const auto week = collector.wait(2, 120000);
        QVERIFY(week && week->error.isEmpty());
        qInfo("1,000,000 rows, 7 d window, %d buckets: %lld points in %lld ms", kBuckets,
              qint64(week->series.value(0).points.size()), timer.elapsed());
        QVERIFY(week->series.value(0).points.size() <= 2 * kBuckets);

        // The very same points as decimating the whole series in memory (the test may hold it all).
        QList<QPointF> full;
        full.reserve(kRows);
        store::JournalReader reader;
        QVERIFY2(reader.open(path, &error), qPrintable(error));
        store::JournalReader::HistoryFilter filter;
        filter.vehicleId = QStringLiteral("big");
        filter.code = kSoc;
        QVERIFY2(reader.forEachSample(
                     filter,
                     [&](const HistorySample &s) {
                         full.append(QPointF(double(s.oemUpdatedAt), s.value));
                         return true;
                     },
                     &error),
                 qPrintable(error));
        QCOMPARE(full.size(), kRows);
        QCOMPARE(points, bruteForceChart(full, double(all->fromMs), double(all->toMs), kBuckets));
        QCOMPARE(week->series.value(0).points,
                 bruteForceChart(full, double(kT0 + 86400000), double(kT0 + 8 * 86400000), kBuckets));
    }

private:
    // Bulk rows straight into the table (a reading a second), generated inside SQLite, and the
    // pyramid rebuilt from them: the point is the size, not the write path, which the other cases use.
    static void insertGenerated(const QString &path, const QString &vehicle, int rows) {
        store::Database db;
        QString error;
        QVERIFY2(db.open(path, store::Database::Mode::ReadWrite, &error), qPrintable(error));
        QSqlQuery q(db.connection());
        QVERIFY(q.prepare(QStringLiteral(
            "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i + 1 < ?)"
            " INSERT INTO history(vehicle_id, code, field, t, value)"
            " SELECT ?, ?, 'value', ? + i * 1000, 50 + abs((i / 3000) % 80 - 40) + ((i * 7919) % 97) / 10.0"
            " FROM c")));
        q.addBindValue(rows);
        q.addBindValue(vehicle);
        q.addBindValue(kSoc);
        q.addBindValue(kT0);
        QVERIFY(db.connection().transaction());
        QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
        QVERIFY2(db.historyRollup()->rebuild(&error), qPrintable(error)); // rows it was not told of
        QVERIFY(db.connection().commit());
    }

    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(tst_HistoryQueryService)
#include "tst_HistoryQueryService.moc"
