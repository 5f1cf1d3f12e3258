#pragma once

// The chart answer computed the slow, obvious way from every reading, to check
// store::HistoryQueryService against: with raw readings (no pyramid level fine enough) it is
// model::SeriesDecimator; with a pyramid level of width w, the same min/max per bucket over
// bucket edges rounded down to multiples of w.

#include "model/SeriesDecimator.h"
#include "store/HistoryRollup.h"

#include <QList>
#include <QPointF>

inline QList<QPointF> bruteForceChart(const QList<QPointF> &sorted, double fromX, double toX, int buckets) {
    const auto from = qint64(fromX);
    const auto to = qint64(toX);
    if (sorted.isEmpty() || to < from || buckets < 1)
        return {};
    const qint64 span = to - from;
    if (span == 0)
        buckets = 1;
    const int level = store::HistoryRollup::levelFor(span, buckets);
    if (level < 0)
        return model::SeriesDecimator::decimate(sorted, fromX, toX, buckets);
    const qint64 w = store::HistoryRollup::bucketWidthMs(level);
    QList<qint64> starts = {from};
    for (qint64 b = 1; b < buckets; ++b)
        starts.append((from + (b * span + buckets - 1) / buckets) / w * w);
    starts.append(to + 1);
    QList<QPointF> out;
    for (int b = 0; b < buckets; ++b) {
        const QPointF *lowest = nullptr;
        const QPointF *highest = nullptr;
        for (const QPointF &p : sorted) {
            if (p.x() < double(starts[b]) || p.x() >= double(starts[b + 1]))
                continue;
            if (!lowest || p.y() < lowest->y())
                lowest = &p;
            if (!highest || p.y() > highest->y())
                highest = &p;
        }
        if (!lowest)
            continue;
        if (lowest == highest) {
            out.append(*lowest);
        } else {
            out.append(lowest->x() < highest->x() ? *lowest : *highest);
            out.append(lowest->x() < highest->x() ? *highest : *lowest);
        }
    }
    return out;
}
