#pragma once

#include <QList>
#include <QPointF>

namespace model {

// Min/max-per-bucket decimation, the in-memory twin of the SQL in store::HistoryQueryService (the
// two must agree point for point, which the tests check).
//
// [fromX, toX] is cut into `buckets` buckets; x falls in bucket floor((x - fromX) * buckets /
// (toX - fromX)), x == toX in the last one, points outside the range are dropped. When both bounds
// are whole numbers (epoch milliseconds) bucket b starts at fromX + ceil(b * span / buckets), the
// integer arithmetic SQLite uses. Each bucket keeps its lowest and its highest point, the earlier
// one on ties; when they are the same point, it is kept once. So the result has at most
// 2 * buckets points, keeps every bucket's extremes (spikes survive) and keeps input order.
class SeriesDecimator final {
public:
    // sortedPoints must be in ascending x. Points whose y is NaN are skipped. toX == fromX is one
    // bucket; toX < fromX or buckets < 1 gives nothing.
    static QList<QPointF> decimate(const QList<QPointF> &sortedPoints, double fromX, double toX, int buckets);
};

} // namespace model
