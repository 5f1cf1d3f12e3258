// Min/max-per-bucket decimation: the bounds the charts rely on (at most two points per pixel
// column), extremes kept, order kept, and the edge cases.

#include "model/SeriesDecimator.h"

#include <QRandomGenerator>
#include <QtTest>

#include <cmath>

using model::SeriesDecimator;

namespace {

QList<QPointF> randomWalk(int count, double fromX, double stepX, quint32 seed) {
    QRandomGenerator random(seed);
    QList<QPointF> points;
    double y = 50;
    for (int i = 0; i < count; ++i) {
        y += random.bounded(2.0) - 1.0;
        points.append(QPointF(fromX + i * stepX, y));
    }
    return points;
}

// The same bucketing, written the slow and obvious way: floor((x - from) * n / span) on whole
// numbers, computed in integers.
QList<int> bucketsOf(const QList<QPointF> &points, qint64 from, qint64 to, int n) {
    QList<int> out;
    for (const QPointF &p : points) {
        const auto x = qint64(p.x());
        out.append(to == from ? 0 : int(std::min<qint64>((x - from) * n / (to - from), n - 1)));
    }
    return out;
}

} // namespace

class tst_SeriesDecimator : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void emptyAndInvalidInputGiveNothing() {
        QVERIFY(SeriesDecimator::decimate({}, 0, 100, 10).isEmpty());
        const QList<QPointF> some = {{1, 1}, {2, 2}};
        QVERIFY(SeriesDecimator::decimate(some, 0, 100, 0).isEmpty());
        QVERIFY(SeriesDecimator::decimate(some, 0, 100, -3).isEmpty());
        QVERIFY(SeriesDecimator::decimate(some, 100, 0, 10).isEmpty());
        QVERIFY(SeriesDecimator::decimate(some, 50, 100, 10).isEmpty()); // all before the range
        QVERIFY(SeriesDecimator::decimate(some, -10, 0, 10).isEmpty());  // all after it
    }

    void onePointIsKept() {
        const QList<QPointF> one = {{42, 7.5}};
        QCOMPARE(SeriesDecimator::decimate(one, 0, 100, 10), one);
        QCOMPARE(SeriesDecimator::decimate(one, 42, 42, 10), one);  // zero-width range: one bucket
        QCOMPARE(SeriesDecimator::decimate(one, 0, 42, 10), one);   // x == to: the last bucket
        QCOMPARE(SeriesDecimator::decimate(one, 42, 100, 10), one); // x == from: the first
    }

    void allInOneBucketGiveMinAndMaxInOrder() {
        const QList<QPointF> points = {{10, 5}, {11, 9}, {12, 1}, {13, 9}, {14, 1}, {15, 4}};
        // Max (9 at 11, the first of the tie) comes before min (1 at 12, the first of its tie).
        const QList<QPointF> expected = {{11, 9}, {12, 1}};
        QCOMPARE(SeriesDecimator::decimate(points, 0, 1000, 1), expected);
        QCOMPARE(SeriesDecimator::decimate(points, 10, 15, 1), expected);
        QCOMPARE(SeriesDecimator::decimate(points, 0, 1000, 5), expected); // width 200: all in bucket 0
    }

    void flatBucketGivesOnePoint() {
        const QList<QPointF> flat = {{0, 3}, {1, 3}, {2, 3}};
        QCOMPARE(SeriesDecimator::decimate(flat, 0, 2, 1), QList<QPointF>({{0, 3}}));
    }

    void fewPointsPassUnchanged() {
        const QList<QPointF> points = randomWalk(50, 1000, 10, 7);
        // 50 points over 500 buckets: at most one per bucket, so nothing can be dropped.
        QCOMPARE(SeriesDecimator::decimate(points, 1000, 1490, 500), points);
    }

    void boundsExtremesAndOrder_data() {
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("buckets");
        QTest::newRow("100k into 800") << 100000 << 800;
        QTest::newRow("10k into 1") << 10000 << 1;
        QTest::newRow("10k into 7") << 10000 << 7;
        QTest::newRow("1000 into 999") << 1000 << 999;
        QTest::newRow("3 into 2") << 3 << 2;
    }
    void boundsExtremesAndOrder() {
        QFETCH(int, count);
        QFETCH(int, buckets);
        const qint64 from = 1700000000000;
        const QList<QPointF> points = randomWalk(count, double(from), 1000, quint32(count + buckets));
        const qint64 to = qint64(points.last().x());
        const QList<QPointF> out = SeriesDecimator::decimate(points, double(from), double(to), buckets);

        QVERIFY(out.size() <= 2 * buckets);
        for (qsizetype i = 1; i < out.size(); ++i)
            QVERIFY2(out[i - 1].x() < out[i].x(), "time order");
        for (const QPointF &p : out)
            QVERIFY(points.contains(p)); // real readings, never invented

        // Per bucket: the kept points are exactly that bucket's min and max.
        const QList<int> inBucket = bucketsOf(points, from, to, buckets);
        const QList<int> outBucket = bucketsOf(out, from, to, buckets);
        QHash<int, std::pair<double, double>> extremes;
        for (qsizetype i = 0; i < points.size(); ++i) {
            auto it = extremes.find(inBucket[i]);
            if (it == extremes.end())
                extremes.insert(inBucket[i], {points[i].y(), points[i].y()});
            else
                *it = {std::min(it->first, points[i].y()), std::max(it->second, points[i].y())};
        }
        QHash<int, QList<double>> kept;
        for (qsizetype i = 0; i < out.size(); ++i)
            kept[outBucket[i]].append(out[i].y());
        QCOMPARE(kept.size(), extremes.size()); // every non-empty bucket is represented
        for (auto it = extremes.cbegin(); it != extremes.cend(); ++it) {
            const QList<double> ys = kept.value(it.key());
            QVERIFY(ys.size() == 1 || ys.size() == 2);
            QCOMPARE(*std::min_element(ys.begin(), ys.end()), it->first);
            QCOMPARE(*std::max_element(ys.begin(), ys.end()), it->second);
        }
    }

    void spikeSurvives() {
        QList<QPointF> points;
        for (int i = 0; i < 100000; ++i)
            points.append(QPointF(i, i == 61234 ? 500.0 : 1.0));
        const QList<QPointF> out = SeriesDecimator::decimate(points, 0, 99999, 100);
        QVERIFY(out.contains(QPointF(61234, 500)));
    }

    void rangeClipsPoints() {
        const QList<QPointF> points = randomWalk(1000, 0, 1, 3);
        const QList<QPointF> out = SeriesDecimator::decimate(points, 100, 199, 10);
        QVERIFY(!out.isEmpty());
        for (const QPointF &p : out)
            QVERIFY(p.x() >= 100 && p.x() <= 199);
    }

    void boundaryPointsFollowIntegerBuckets() {
        // span 10 into 3 buckets: starts at 0, ceil(10/3) = 4, ceil(20/3) = 7.
        QList<QPointF> points;
        for (int x = 0; x <= 10; ++x)
            points.append(QPointF(x, x % 2 ? 100 : -x));
        const QList<QPointF> out = SeriesDecimator::decimate(points, 0, 10, 3);
        // [0,4): max 100 at 1, min -2 at 2; [4,7): min -6 at 6, max 100 at 5; [7,10]: 100 at 7, -10 at 10.
        const QList<QPointF> expected = {{1, 100}, {2, -2}, {5, 100}, {6, -6}, {7, 100}, {10, -10}};
        QCOMPARE(out, expected);
    }

    void nanIsSkipped() {
        const QList<QPointF> points = {{0, qQNaN()}, {1, 2}, {2, qQNaN()}, {3, 1}};
        QCOMPARE(SeriesDecimator::decimate(points, 0, 3, 1), QList<QPointF>({{1, 2}, {3, 1}}));
        QVERIFY(SeriesDecimator::decimate({{0, qQNaN()}}, 0, 3, 1).isEmpty());
    }

    void fractionalBoundsWork() {
        const QList<QPointF> points = {{0.6, 1}, {1.0, 3}, {1.3, 2}};
        // Bucket 0 = [0.5, 1.0): one point; bucket 1 = [1.0, 1.5]: max 3 at 1.0, min 2 at 1.3.
        QCOMPARE(SeriesDecimator::decimate(points, 0.5, 1.5, 2), points);
        // Whole bounds mean whole milliseconds: bucket 1 of [0, 1] starts at ceil(0.5) = 1, so
        // everything before 1 shares bucket 0, as in SQL.
        QCOMPARE(SeriesDecimator::decimate({{0.25, 1}, {0.5, 3}, {0.75, 2}}, 0, 1, 2),
                 QList<QPointF>({{0.25, 1}, {0.5, 3}}));
    }
};

QTEST_GUILESS_MAIN(tst_SeriesDecimator)
#include "tst_SeriesDecimator.moc"
