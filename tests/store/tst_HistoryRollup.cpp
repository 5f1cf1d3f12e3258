// The min/max pyramid on a real SQLite journal: every stored bucket must equal the min/max/count
// recomputed from the raw rows (through the real journal write path, with readings out of order,
// re-delivered and conflicting), after retention pruning, and after a v2 file is upgraded; and
// chart answers read from it must equal a brute-force min/max over the raw rows for random
// windows and windows on level boundaries.

#include "ChartBruteForce.h"
#include "model/Delivery.h"
#include "store/Database.h"
#include "store/HistoryQueryService.h"
#include "store/HistoryRollup.h"
#include "store/Journal.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <map>
#include <optional>
#include <tuple>

using model::HistorySample;
using store::HistoryRollup;

namespace {

const QString kSoc = QStringLiteral("tractionbattery-stateofcharge");
const QString kOdometer = QStringLiteral("odometer-traveleddistance");
const QString kValue = QStringLiteral("value");

struct Bucket {
    qint64 minT = 0;
    double minV = 0;
    qint64 maxT = 0;
    double maxV = 0;
    qint64 n = 0;
    friend bool operator==(const Bucket &, const Bucket &) = default;
};
using BucketKey = std::tuple<QString, QString, QString, int, qint64>;

// Readings of a charging/discharging battery and a growing odometer, `count` each, every ~step,
// whole values so ties are common.
QList<HistorySample> vehicleReadings(const QString &vehicle, int count, qint64 start, qint64 step,
                                     quint32 seed) {
    QRandomGenerator random(seed);
    QList<HistorySample> out;
    int soc = 50;
    double km = 1000;
    for (int i = 0; i < count; ++i) {
        const qint64 t = start + i * step + qint64(random.bounded(int(step / 2)));
        soc = std::clamp(soc + int(random.bounded(5)) - 2, 0, 100);
        km += random.bounded(3);
        out.append({vehicle, kSoc, kValue, t, double(soc)});
        out.append({vehicle, kOdometer, kValue, t, km});
    }
    // Not charted: must stay out of the pyramid.
    out.append(
        {vehicle, QStringLiteral("location-preciselocation"), QStringLiteral("latitude"), start, 48.1});
    return out;
}

// Through the real write path, in deliveries of `perDelivery` readings, in the given order.
void writeThroughJournal(const QString &path, const QList<HistorySample> &samples, int perDelivery,
                         const QString &eventPrefix) {
    store::Journal journal;
    QString error;
    QVERIFY2(journal.open(path, &error), qPrintable(error));
    for (qsizetype i = 0; i < samples.size(); i += perDelivery) {
        model::Delivery d;
        d.receivedAtMs = QDateTime::currentMSecsSinceEpoch();
        d.eventId = QStringLiteral("%1-%2").arg(eventPrefix).arg(i);
        d.eventType = QStringLiteral("VEHICLE_STATE");
        d.vehicleId = samples[i].vehicleId;
        d.status = 200;
        d.body = "{}";
        d.samples = samples.mid(i, perDelivery);
        journal.append(d);
    }
    journal.close(); // drains the queue
}

// Every bucket of every level, recomputed from the raw rows.
std::map<BucketKey, Bucket> expectedPyramid(QSqlDatabase &db) {
    std::map<BucketKey, Bucket> out;
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.exec(QStringLiteral("SELECT vehicle_id, code, field, t, value FROM history ORDER BY 1, 2, 3, 4"));
    while (q.next()) {
        const QString code = q.value(1).toString();
        if (!HistoryRollup::isRolledUp(code))
            continue;
        const qint64 t = q.value(3).toLongLong();
        const double v = q.value(4).toDouble();
        for (int level = 0; level < HistoryRollup::kLevels; ++level) {
            Bucket &b = out[{q.value(0).toString(), code, q.value(2).toString(), level,
                             t / HistoryRollup::bucketWidthMs(level)}];
            if (b.n == 0 || v < b.minV) // rows come in time order: strict keeps the earlier on ties
                b.minT = t, b.minV = v;
            if (b.n == 0 || v > b.maxV)
                b.maxT = t, b.maxV = v;
            ++b.n;
        }
    }
    return out;
}

std::map<BucketKey, Bucket> storedPyramid(QSqlDatabase &db) {
    std::map<BucketKey, Bucket> out;
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.exec(QStringLiteral("SELECT vehicle_id, code, field, level, bucket, min_t, min_v, max_t, max_v, n"
                          " FROM history_rollup"));
    while (q.next())
        out[{q.value(0).toString(), q.value(1).toString(), q.value(2).toString(), q.value(3).toInt(),
             q.value(4).toLongLong()}] = {q.value(5).toLongLong(), q.value(6).toDouble(),
                                          q.value(7).toLongLong(), q.value(8).toDouble(),
                                          q.value(9).toLongLong()};
    return out;
}

void verifyPyramid(const QString &path, qint64 *bucketCount = nullptr) {
    store::Database db;
    QString error;
    QVERIFY2(db.open(path, store::Database::Mode::ReadOnly, &error), qPrintable(error));
    const auto expected = expectedPyramid(db.connection());
    const auto stored = storedPyramid(db.connection());
    QVERIFY(!expected.empty());
    for (const auto &[key, bucket] : expected) {
        const auto it = stored.find(key);
        const QString where = QStringLiteral("%1 %2 level %3 bucket %4")
                                  .arg(std::get<0>(key), std::get<1>(key))
                                  .arg(std::get<3>(key))
                                  .arg(std::get<4>(key));
        QVERIFY2(it != stored.end(), qPrintable(QStringLiteral("missing: ") + where));
        QVERIFY2(it->second == bucket,
                 qPrintable(QStringLiteral(
                                "%1: stored n=%2 min %3@%4 max %5@%6, expected n=%7 min %8@%9 max %10@%11")
                                .arg(where)
                                .arg(it->second.n)
                                .arg(it->second.minV)
                                .arg(it->second.minT)
                                .arg(it->second.maxV)
                                .arg(it->second.maxT)
                                .arg(bucket.n)
                                .arg(bucket.minV)
                                .arg(bucket.minT)
                                .arg(bucket.maxV)
                                .arg(bucket.maxT)));
    }
    QCOMPARE(stored.size(), expected.size()); // nothing extra (pruned, never inserted)
    if (bucketCount)
        *bucketCount = qint64(stored.size());
}

QList<QPointF> rawPoints(const QString &path, const QString &vehicle, const QString &code) {
    store::Database db;
    QString error;
    if (!db.open(path, store::Database::Mode::ReadOnly, &error))
        return {};
    QSqlQuery q(db.connection());
    q.prepare(
        QStringLiteral("SELECT t, value FROM history WHERE vehicle_id = ? AND code = ? AND field = 'value'"
                       " ORDER BY t"));
    q.addBindValue(vehicle);
    q.addBindValue(code);
    q.exec();
    QList<QPointF> out;
    while (q.next())
        out.append(QPointF(double(q.value(0).toLongLong()), q.value(1).toDouble()));
    return out;
}

class Collector : public QObject {
public:
    explicit Collector(model::HistorySource *source) {
        connect(source, &model::HistorySource::seriesReady, this,
                [this](const model::SeriesResult &r) { results.append(r); });
    }
    std::optional<model::SeriesResult> wait(quint64 requestId) {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 60000) {
            for (const model::SeriesResult &r : std::as_const(results))
                if (r.requestId == requestId)
                    return r;
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
        }
        return std::nullopt;
    }
    QList<model::SeriesResult> results;
};

} // namespace

class tst_HistoryRollup : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void levelsAreChosenByBucketWidth() {
        const qint64 w0 = HistoryRollup::bucketWidthMs(0);
        QCOMPARE(HistoryRollup::bucketWidthMs(1), 8 * w0);
        QCOMPARE(HistoryRollup::levelFor(2 * 1000 * w0 - 1, 1000), -1);
        QCOMPARE(HistoryRollup::levelFor(2 * 1000 * w0, 1000), 0);
        QCOMPARE(HistoryRollup::levelFor(2 * 1000 * 8 * w0 - 1, 1000), 0);
        QCOMPARE(HistoryRollup::levelFor(2 * 1000 * 8 * w0, 1000), 1);
        QCOMPARE(HistoryRollup::levelFor(qint64(1) << 60, 1000), HistoryRollup::kLevels - 1);
        QVERIFY(HistoryRollup::isRolledUp(kSoc));
        QVERIFY(HistoryRollup::isRolledUp(kOdometer));
        QVERIFY(!HistoryRollup::isRolledUp(QStringLiteral("location-preciselocation")));
    }

    // Out of order, re-delivered (same eventId: a duplicate; new eventId: the same readings again,
    // some with a different value, which INSERT OR IGNORE drops) and across many transactions.
    void pyramidMatchesRawRowsWithDisorderAndDuplicates() {
        const QString path = m_dir.filePath(QStringLiteral("disorder.sqlite"));
        const qint64 t0 = 1700000000000;
        QList<HistorySample> samples = vehicleReadings(QStringLiteral("v1"), 6000, t0, 45000, 1);
        samples += vehicleReadings(QStringLiteral("v2"), 3000, t0 + 5000000, 20000, 2);
        QList<HistorySample> shuffled = samples;
        QRandomGenerator random(3);
        for (qsizetype i = shuffled.size() - 1; i > 0; --i)
            shuffled.swapItemsAt(i, qsizetype(random.bounded(int(i + 1))));
        writeThroughJournal(path, shuffled.mid(0, shuffled.size() / 2), 7, QStringLiteral("a"));
        writeThroughJournal(path, shuffled, 7, QStringLiteral("a")); // first half: duplicate events
        QList<HistorySample> again = samples.mid(0, 2000);
        for (qsizetype i = 0; i < again.size(); i += 3)
            again[i].value += 1000; // conflicting re-delivery: history keeps the first value
        writeThroughJournal(path, again, 11, QStringLiteral("b"));
        qint64 buckets = 0;
        verifyPyramid(path, &buckets);
        QVERIFY(buckets > 1000);

        // Every answer equals a brute-force min/max over the raw rows.
        store::HistoryQueryService service;
        QString error;
        QVERIFY2(service.open(path, &error), qPrintable(error));
        Collector collector(&service);
        const QList<QPointF> soc = rawPoints(path, QStringLiteral("v1"), kSoc);
        const QList<QPointF> km = rawPoints(path, QStringLiteral("v1"), kOdometer);
        QVERIFY(soc.size() > 5990); // a few random times coincide
        const qint64 first = qint64(soc.first().x());
        const qint64 last = qint64(soc.last().x());
        struct Window {
            qint64 from, to;
            int buckets;
        };
        QList<Window> windows = {{first, last, 300}, {first, last, 7}, {first, last, 1}};
        // Spans right at a level's threshold, with ends on and just off the pyramid's grid.
        for (int level = 0; level < 3; ++level) {
            const qint64 w = HistoryRollup::bucketWidthMs(level);
            const int n = 20;
            const qint64 aligned = (first / w + 2) * w;
            windows.append({aligned, aligned + 2 * n * w, n});
            windows.append({aligned, aligned + 2 * n * w - 1, n});
            windows.append({aligned + 1, aligned + 2 * n * w + 1, n});
            windows.append({aligned - 1, aligned + 2 * n * w + w, n});
        }
        for (int i = 0; i < 40; ++i) {
            const qint64 a = first + qint64(random.bounded(double(last - first)));
            const qint64 b = first + qint64(random.bounded(double(last - first)));
            windows.append({std::min(a, b), std::max(a, b), 1 + int(random.bounded(400))});
        }
        quint64 id = 1;
        int levelsUsed = 0;
        for (const Window &w : std::as_const(windows)) {
            model::SeriesRequest r;
            r.requestId = id++;
            r.vehicleIds = {QStringLiteral("v1")};
            r.code = (id % 2) ? kSoc : kOdometer;
            r.fromMs = w.from;
            r.toMs = w.to;
            r.buckets = w.buckets;
            service.request(r);
            const auto result = collector.wait(r.requestId);
            QVERIFY(result && result->error.isEmpty());
            const QList<QPointF> expected =
                bruteForceChart(r.code == kSoc ? soc : km, double(w.from), double(w.to), w.buckets);
            QVERIFY2(result->series.value(0).points == expected,
                     qPrintable(QStringLiteral("window %1..%2, %3 buckets, %4: %5 points, expected %6")
                                    .arg(w.from)
                                    .arg(w.to)
                                    .arg(w.buckets)
                                    .arg(r.code)
                                    .arg(result->series.value(0).points.size())
                                    .arg(expected.size())));
            QVERIFY(result->series.value(0).points.size() <= 2 * w.buckets);
            if (HistoryRollup::levelFor(w.to - w.from, w.buckets) >= 0)
                ++levelsUsed;
        }
        QVERIFY(levelsUsed > 10); // the pyramid was really read, not only raw rows
    }

    void pruningPrunesThePyramid() {
        const QString path = m_dir.filePath(QStringLiteral("prune.sqlite"));
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        // 60 days back to now, one reading every ~10 minutes; keep 30 days.
        const QList<HistorySample> samples =
            vehicleReadings(QStringLiteral("v1"), 60 * 144, now - 60LL * 86400000, 600000, 4);
        writeThroughJournal(path, samples, 20, QStringLiteral("p"));
        {
            // Pruning runs between batches: asked for once everything is written.
            store::Journal journal;
            QString error;
            QVERIFY2(journal.open(path, &error), qPrintable(error));
            journal.setHistoryRetentionDays(30);
            journal.close();
        }
        verifyPyramid(path);
        store::Database db;
        QString error;
        QVERIFY2(db.open(path, store::Database::Mode::ReadOnly, &error), qPrintable(error));
        QSqlQuery q(db.connection());
        QVERIFY(q.exec(
            QStringLiteral("SELECT MIN(t), COUNT(*) FROM history WHERE code = 'odometer-traveleddistance'")));
        QVERIFY(q.next());
        QVERIFY(q.value(0).toLongLong() >= now - 30LL * 86400000);
        QVERIFY(q.value(1).toInt() < 60 * 144 * 6 / 10); // about half is gone
        QVERIFY(q.exec(QStringLiteral("SELECT MIN(min_t) FROM history_rollup")));
        QVERIFY(q.next());
        QVERIFY(q.value(0).toLongLong() >= now - 30LL * 86400000);
    }

    // A file written by the previous version (schema 2, history already there) is upgraded in
    // place and gets its pyramid in the same upgrade.
    void schemaTwoFileUpgradesWithItsPyramid() {
        const QString path = m_dir.filePath(QStringLiteral("v2.sqlite"));
        {
            const QString connection = QStringLiteral("v2-writer");
            {
                QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
                db.setDatabaseName(path);
                QVERIFY(db.open());
                QSqlQuery q(db);
                const QStringList schemaTwo = {
                    QStringLiteral(
                        "CREATE TABLE deliveries (id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL,"
                        " event_id TEXT, event_type TEXT, vehicle_id TEXT, verdict TEXT NOT NULL,"
                        " status INTEGER NOT NULL, headers TEXT, body BLOB,"
                        " replay INTEGER NOT NULL DEFAULT 0)"),
                    QStringLiteral("CREATE TABLE event_ids (event_id TEXT PRIMARY KEY) WITHOUT ROWID"),
                    QStringLiteral("CREATE INDEX deliveries_verdict ON deliveries(verdict, id)"),
                    QStringLiteral("CREATE TABLE history (vehicle_id TEXT NOT NULL, code TEXT NOT NULL,"
                                   " field TEXT NOT NULL, t INTEGER NOT NULL, value REAL NOT NULL,"
                                   " PRIMARY KEY (vehicle_id, code, field, t)) WITHOUT ROWID"),
                    QStringLiteral("CREATE TABLE alerts (id INTEGER PRIMARY KEY, vehicle_id TEXT NOT NULL,"
                                   " kind TEXT NOT NULL, subject TEXT NOT NULL, severity TEXT NOT NULL,"
                                   " message TEXT NOT NULL, first_seen INTEGER NOT NULL,"
                                   " last_seen INTEGER NOT NULL, fire_count INTEGER NOT NULL,"
                                   " cleared_at INTEGER NOT NULL, cleared_by TEXT NOT NULL,"
                                   " acknowledged_at INTEGER NOT NULL, acknowledged_by TEXT NOT NULL)"),
                    QStringLiteral("PRAGMA user_version=2"),
                };
                for (const QString &sql : schemaTwo)
                    QVERIFY2(q.exec(sql), qPrintable(q.lastError().text()));
                QVERIFY(db.transaction());
                QVERIFY(q.prepare(QStringLiteral("INSERT INTO history VALUES(?,?,?,?,?)")));
                for (const HistorySample &s :
                     vehicleReadings(QStringLiteral("old"), 20000, 1600000000000, 30000, 5)) {
                    q.addBindValue(s.vehicleId);
                    q.addBindValue(s.code);
                    q.addBindValue(s.field);
                    q.addBindValue(s.oemUpdatedAt);
                    q.addBindValue(s.value);
                    QVERIFY(q.exec());
                }
                QVERIFY(db.commit());
            }
            QSqlDatabase::removeDatabase(connection);
        }
        {
            store::Database db;
            QString error;
            QVERIFY2(db.open(path, store::Database::Mode::ReadWrite, &error), qPrintable(error));
            QSqlQuery q(db.connection());
            QVERIFY(q.exec(QStringLiteral("PRAGMA user_version")) && q.next());
            QCOMPARE(q.value(0).toInt(), store::Database::kSchemaVersion);
            // Schema 6 dropped the verdict index, which only cost every commit a page.
            QVERIFY(q.exec(QStringLiteral(
                        "SELECT count(*) FROM sqlite_master WHERE name = 'deliveries_verdict'")) &&
                    q.next());
            QCOMPARE(q.value(0).toInt(), 0);
        }
        qint64 buckets = 0;
        verifyPyramid(path, &buckets);
        QVERIFY(buckets > 20000 / 2);
        // Readings journaled after the upgrade join the pyramid built by it.
        writeThroughJournal(path, vehicleReadings(QStringLiteral("old"), 500, 1600000000000 + 7, 29000, 6), 9,
                            QStringLiteral("after"));
        verifyPyramid(path);
    }

    // A write path with SQL of its own (bulk generators) rebuilds the pyramid from the table,
    // including rows it inserted twice or with conflicting values; the journal's feed then
    // continues from the rebuilt pyramid.
    void rebuildAfterBulkInsertsMatchesRawRows() {
        const QString path = m_dir.filePath(QStringLiteral("bulk.sqlite"));
        writeThroughJournal(path, vehicleReadings(QStringLiteral("j"), 300, 1700000000000, 40000, 7), 10,
                            QStringLiteral("before"));
        {
            store::Database db;
            QString error;
            QVERIFY2(db.open(path, store::Database::Mode::ReadWrite, &error), qPrintable(error));
            QVERIFY(db.connection().transaction());
            QSqlQuery q(db.connection());
            QVERIFY(q.prepare(QStringLiteral("INSERT OR IGNORE INTO history VALUES(?,?,?,?,?)")));
            QList<HistorySample> bulk =
                vehicleReadings(QStringLiteral("bulk"), 5000, 1700000000000, 30000, 8);
            bulk += vehicleReadings(QStringLiteral("j"), 500, 1700000000000 + 3, 25000, 9);
            bulk += bulk.mid(0, 700); // the same rows again: ignored
            for (const HistorySample &h : std::as_const(bulk)) {
                q.addBindValue(h.vehicleId);
                q.addBindValue(h.code);
                q.addBindValue(h.field);
                q.addBindValue(h.oemUpdatedAt);
                q.addBindValue(h.value + 1); // values of the repeated rows differ: first one stays
                QVERIFY2(q.exec(), qPrintable(q.lastError().text()));
            }
            QVERIFY2(db.historyRollup()->rebuild(&error), qPrintable(error));
            QVERIFY(db.connection().commit());
        }
        qint64 buckets = 0;
        verifyPyramid(path, &buckets);
        QVERIFY(buckets > 5000);
        writeThroughJournal(path, vehicleReadings(QStringLiteral("bulk"), 400, 1700000000000 + 11, 31000, 10),
                            13, QStringLiteral("after"));
        verifyPyramid(path);
    }

    // Readings reported in a transaction that rolls back must not reach the next one's fold.
    void discardedReadingsNeverReachThePyramid() {
        const QString path = m_dir.filePath(QStringLiteral("discard.sqlite"));
        writeThroughJournal(path, vehicleReadings(QStringLiteral("d"), 50, 1700000000000, 60000, 11), 5,
                            QStringLiteral("d"));
        {
            store::Database db;
            QString error;
            QVERIFY2(db.open(path, store::Database::Mode::ReadWrite, &error), qPrintable(error));
            HistoryRollup *rollup = db.historyRollup();
            QVERIFY(db.connection().transaction());
            QSqlQuery q(db.connection());
            QVERIFY(q.exec(QStringLiteral("INSERT INTO history VALUES('d', '%1', 'value', 1700000000001, 7)")
                               .arg(kSoc)));
            rollup->addReading("d", kSoc.toUtf8(), "value", 1700000000001, 7);
            QVERIFY(db.connection().rollback());
            rollup->discardPending();
            QVERIFY(db.connection().transaction());
            QVERIFY(q.exec(QStringLiteral("INSERT INTO history VALUES('d', '%1', 'value', 1700000000002, 8)")
                               .arg(kOdometer)));
            rollup->addReading("d", kOdometer.toUtf8(), "value", 1700000000002, 8);
            rollup->addReading("d", "not-charted", "value", 1700000000002, 8); // ignored
            QVERIFY2(rollup->applyPending(&error), qPrintable(error));
            QVERIFY(db.connection().commit());
            QCOMPARE(rollup->foldedReadings(), quint64(1));
        }
        verifyPyramid(path);
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(tst_HistoryRollup)
#include "tst_HistoryRollup.moc"
