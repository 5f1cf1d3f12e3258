#include "model/SeriesDecimator.h"

#include <algorithm>
#include <cmath>

namespace model {

namespace {

// Exactly representable integers only: beyond 2^53 a double cannot say whether it is whole.
constexpr double kMaxExactInteger = 9007199254740992.0;

bool isWhole(double v) {
    return std::isfinite(v) && std::abs(v) < kMaxExactInteger && std::floor(v) == v;
}

// Where bucket b starts. Bounds in whole milliseconds use integer division rounding up, the same
// rounding the SQL query does, so a point on a boundary lands in the same bucket in both.
class BucketEdges {
public:
    BucketEdges(double from, double to, int buckets)
        : m_from(from)
        , m_span(to - from)
        , m_buckets(buckets)
        , m_integral(isWhole(from) && isWhole(to) && m_span * buckets < kMaxExactInteger) {}

    double start(int b) const {
        if (b == 0)
            return m_from;
        if (m_integral) {
            const auto num = qint64(m_span) * b;
            return m_from + double((num + m_buckets - 1) / m_buckets);
        }
        return m_from + m_span * b / m_buckets;
    }

private:
    double m_from;
    double m_span;
    int m_buckets;
    bool m_integral;
};

} // namespace

QList<QPointF> SeriesDecimator::decimate(const QList<QPointF> &sortedPoints, double fromX, double toX,
                                         int buckets) {
    QList<QPointF> out;
    if (sortedPoints.isEmpty() || buckets < 1 || !(toX >= fromX))
        return out;
    if (toX == fromX)
        buckets = 1;
    out.reserve(std::min<qsizetype>(sortedPoints.size(), qsizetype(buckets) * 2));

    const BucketEdges edges(fromX, toX, buckets);
    auto it = std::lower_bound(sortedPoints.cbegin(), sortedPoints.cend(), fromX,
                               [](const QPointF &p, double x) { return p.x() < x; });
    const auto end = sortedPoints.cend();
    int bucket = 0;
    double nextStart = buckets > 1 ? edges.start(1) : toX;
    while (it != end && it->x() <= toX) {
        // Skip empty buckets until the one holding *it; the last bucket also takes x == toX.
        while (bucket < buckets - 1 && it->x() >= nextStart) {
            ++bucket;
            nextStart = bucket < buckets - 1 ? edges.start(bucket + 1) : toX;
        }
        const bool last = bucket == buckets - 1;
        auto lowest = end;
        auto highest = end;
        for (; it != end && (last ? it->x() <= toX : it->x() < nextStart); ++it) {
            if (std::isnan(it->y()))
                continue;
            // Strict comparisons keep the earlier point on ties.
            if (lowest == end || it->y() < lowest->y())
                lowest = it;
            if (highest == end || it->y() > highest->y())
                highest = it;
        }
        if (lowest != end) {
            if (lowest == highest) {
                out.append(*lowest);
            } else {
                out.append(*std::min(lowest, highest));
                out.append(*std::max(lowest, highest));
            }
        }
        if (last)
            break;
    }
    return out;
}

} // namespace model
