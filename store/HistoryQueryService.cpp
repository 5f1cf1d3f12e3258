#include "store/HistoryQueryService.h"

#include "store/Database.h"
#include "store/HistoryRollup.h"
#include "store/SqliteStatement.h"

#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>
#include <vector>

namespace store {

namespace {

// Bucket b covers t in [lo(b), lo(b + 1)), lo(b) = from + ceil(b * span / n), the last bucket
// up to `to` inclusive: exactly floor((t - from) * n / span) in integer arithmetic, which is what
// model::SeriesDecimator does with whole-millisecond bounds. Per bucket, two top-1 searches over
// a primary-key range find the lowest and the highest reading (earliest on ties); the UNION drops
// a reading that is both. Nothing but the picked keys is ever held, whatever the range holds.
const QString kDecimateSql = QStringLiteral(
    "WITH RECURSIVE"
    " p(v, c, f, t0, t1, n) AS (SELECT ?, ?, ?, ?, ?, ?),"
    " bk(b) AS (SELECT 0 UNION ALL SELECT b + 1 FROM bk, p WHERE b + 1 < p.n),"
    " edges(lo, hi) AS (SELECT p.t0 + (b * (p.t1 - p.t0) + p.n - 1) / p.n,"
    "   CASE WHEN b = p.n - 1 THEN p.t1 + 1 ELSE p.t0 + ((b + 1) * (p.t1 - p.t0) + p.n - 1) / p.n END"
    "   FROM bk, p),"
    " picks(t) AS ("
    "   SELECT (SELECT h.t FROM history h WHERE h.vehicle_id = p.v AND h.code = p.c AND h.field = p.f"
    "           AND h.t >= e.lo AND h.t < e.hi ORDER BY h.value, h.t LIMIT 1) FROM edges e, p"
    "   UNION"
    "   SELECT (SELECT h.t FROM history h WHERE h.vehicle_id = p.v AND h.code = p.c AND h.field = p.f"
    "           AND h.t >= e.lo AND h.t < e.hi ORDER BY h.value DESC, h.t LIMIT 1) FROM edges e, p)"
    " SELECT h.t, h.value FROM history h, p"
    " WHERE h.vehicle_id = p.v AND h.code = p.c AND h.field = p.f"
    "   AND h.t IN (SELECT t FROM picks WHERE t IS NOT NULL)"
    " ORDER BY h.t");

// MIN and MAX each in their own subquery, so each is one seek at an end of the key range.
const QString kRangeSql =
    QStringLiteral("SELECT (SELECT MIN(t) FROM history WHERE vehicle_id = ? AND code = ? AND field = ?),"
                   "       (SELECT MAX(t) FROM history WHERE vehicle_id = ? AND code = ? AND field = ?)");

qint64 floorDiv(qint64 a, qint64 b) {
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

qint64 ceilDiv(qint64 a, qint64 b) {
    return -floorDiv(-a, b);
}

// The chart buckets of one vehicle's answer and the lowest and highest reading seen in each.
class ChartBuckets {
public:
    // Bucket b starts at from + ceil(b * span / n) (model::SeriesDecimator's edges), rounded down
    // to a multiple of gridMs, so that each pyramid bucket of that width lies wholly in one chart
    // bucket and the pyramid's extremes are the chart bucket's extremes. The last bucket ends
    // after `to`.
    ChartBuckets(qint64 from, qint64 to, int n, qint64 gridMs) {
        const qint64 span = to - from;
        m_starts.reserve(size_t(n));
        m_starts.push_back(from);
        for (qint64 b = 1; b < n; ++b)
            m_starts.push_back(std::max(from, floorDiv(from + (b * span + n - 1) / n, gridMs) * gridMs));
        m_extremes.resize(size_t(n));
    }

    void add(qint64 t, double v) {
        const auto it = std::upper_bound(m_starts.cbegin(), m_starts.cend(), t);
        if (it == m_starts.cbegin())
            return;
        Extremes &e = m_extremes[size_t(it - m_starts.cbegin() - 1)];
        // The earlier reading on ties, like the decimator.
        if (!e.any || v < e.minV || (v == e.minV && t < e.minT)) {
            e.minT = t;
            e.minV = v;
        }
        if (!e.any || v > e.maxV || (v == e.maxV && t < e.maxT)) {
            e.maxT = t;
            e.maxV = v;
        }
        e.any = true;
    }

    QList<QPointF> points() const {
        QList<QPointF> out;
        out.reserve(qsizetype(m_extremes.size()) * 2);
        for (const Extremes &e : m_extremes) {
            if (!e.any)
                continue;
            if (e.minT == e.maxT) {
                out.append(QPointF(double(e.minT), e.minV));
            } else if (e.minT < e.maxT) {
                out.append(QPointF(double(e.minT), e.minV));
                out.append(QPointF(double(e.maxT), e.maxV));
            } else {
                out.append(QPointF(double(e.maxT), e.maxV));
                out.append(QPointF(double(e.minT), e.minV));
            }
        }
        return out;
    }

private:
    struct Extremes {
        bool any = false;
        qint64 minT = 0;
        double minV = 0;
        qint64 maxT = 0;
        double maxV = 0;
    };
    std::vector<qint64> m_starts;
    std::vector<Extremes> m_extremes;
};

// Reads the candidate points of one series over [lo, hi): whole pyramid buckets of the chosen
// level where they fit, finer levels for the pieces at the ends, raw readings below level 0.
// Every read is one primary-key range, so the rows read stay within a few per chart bucket.
class PyramidReader {
public:
    bool prepare(sqlite3 *db) {
        return m_raw.prepare(db, "SELECT t, value FROM history WHERE vehicle_id = ? AND code = ?"
                                 " AND field = ? AND t >= ? AND t < ?") &&
               m_rollup.prepare(db, "SELECT min_t, min_v, max_t, max_v FROM history_rollup"
                                    " WHERE vehicle_id = ? AND code = ? AND field = ? AND level = ?"
                                    " AND bucket >= ? AND bucket < ?");
    }
    QString error() const { return !m_raw.ok() ? m_raw.error() : m_rollup.error(); }

    bool collect(const QByteArray &vehicle, const QByteArray &code, const QByteArray &field, qint64 lo,
                 qint64 hi, int level, ChartBuckets &into) {
        if (lo >= hi)
            return true;
        if (level < 0) {
            m_raw.reset();
            m_raw.bind(1, vehicle);
            m_raw.bind(2, code);
            m_raw.bind(3, field);
            m_raw.bind(4, lo);
            m_raw.bind(5, hi);
            while (m_raw.step())
                into.add(m_raw.int64At(0), m_raw.doubleAt(1));
            const bool ok = m_raw.ok();
            if (ok)
                m_raw.reset();
            return ok;
        }
        const qint64 width = store::HistoryRollup::bucketWidthMs(level);
        const qint64 first = ceilDiv(lo, width);
        const qint64 end = floorDiv(hi, width);
        if (first >= end)
            return collect(vehicle, code, field, lo, hi, level - 1, into);
        if (!collect(vehicle, code, field, lo, first * width, level - 1, into))
            return false;
        m_rollup.reset();
        m_rollup.bind(1, vehicle);
        m_rollup.bind(2, code);
        m_rollup.bind(3, field);
        m_rollup.bind(4, qint64(level));
        m_rollup.bind(5, first);
        m_rollup.bind(6, end);
        while (m_rollup.step()) {
            into.add(m_rollup.int64At(0), m_rollup.doubleAt(1));
            into.add(m_rollup.int64At(2), m_rollup.doubleAt(3));
        }
        if (!m_rollup.ok())
            return false;
        m_rollup.reset();
        return collect(vehicle, code, field, end * width, hi, level - 1, into);
    }

private:
    store::SqliteStatement m_raw;
    store::SqliteStatement m_rollup;
};

QString slotOf(const model::SeriesRequest &request) {
    return request.code + QLatin1Char('\x1f') + request.field;
}

} // namespace

HistoryQueryService::HistoryQueryService(QObject *parent)
    : model::HistorySource(parent) {
    qRegisterMetaType<model::SeriesResult>();
}

HistoryQueryService::~HistoryQueryService() {
    close();
}

bool HistoryQueryService::open(const QString &path, QString *error) {
    if (m_worker.isRunning()) {
        *error = QStringLiteral("the history service is already open");
        return false;
    }
    {
        std::lock_guard lock(m_mutex);
        m_stopping = false;
    }
    return m_worker.start(
        QStringLiteral("history"), path, Database::Mode::ReadOnly, [this](Database &db) { run(db); }, error);
}

void HistoryQueryService::close() {
    if (!m_worker.isRunning())
        return;
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        m_pending.clear();
        m_slotOrder.clear();
    }
    m_wake.notify_one();
    m_worker.join();
}

void HistoryQueryService::request(const model::SeriesRequest &request) {
    {
        std::lock_guard lock(m_mutex);
        if (m_worker.isOpen() && !m_stopping) {
            const QString slot = slotOf(request);
            if (!m_pending.contains(slot))
                m_slotOrder.append(slot);
            m_pending.insert(slot, request);
            m_wake.notify_one();
            return;
        }
    }
    model::SeriesResult result;
    result.requestId = request.requestId;
    result.code = request.code;
    result.fromMs = request.fromMs;
    result.toMs = request.toMs;
    result.error = QStringLiteral("the history is not open");
    answerLater(std::move(result));
}

void HistoryQueryService::answerLater(model::SeriesResult result) {
    // Never synchronously: the caller may be in the middle of issuing requests.
    QMetaObject::invokeMethod(
        this, [this, result = std::move(result)] { Q_EMIT seriesReady(result); }, Qt::QueuedConnection);
}

void HistoryQueryService::run(Database &db) {
    for (;;) {
        model::SeriesRequest next;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_slotOrder.isEmpty(); });
            if (m_stopping)
                return;
            next = m_pending.take(m_slotOrder.takeFirst());
        }
        const model::SeriesResult result = compute(db, next);
        {
            std::lock_guard lock(m_mutex);
            if (m_stopping)
                return; // nobody waits for it any more
        }
        ++m_computed;
        Q_EMIT seriesReady(result);
    }
}

model::SeriesResult HistoryQueryService::compute(Database &db, const model::SeriesRequest &request) {
    model::SeriesResult result;
    result.requestId = request.requestId;
    result.code = request.code;
    result.fromMs = request.fromMs;
    result.toMs = request.toMs;
    for (const QString &id : request.vehicleIds)
        result.series.append({id, {}});

    const auto fail = [&](const QSqlQuery &q) {
        result.error = QStringLiteral("cannot read history from %1: %2").arg(db.path(), q.lastError().text());
        for (model::VehicleSeries &s : result.series)
            s.points.clear();
        return result;
    };

    // An open end means "where the data ends", over all the requested vehicles, so their lines
    // share one time axis.
    if (request.fromMs == 0 || request.toMs == 0) {
        QSqlQuery range(db.connection());
        range.setForwardOnly(true);
        if (!range.prepare(kRangeSql))
            return fail(range);
        qint64 first = 0;
        qint64 last = 0;
        bool any = false;
        for (const QString &id : request.vehicleIds) {
            for (int i = 0; i < 2; ++i) {
                range.addBindValue(id);
                range.addBindValue(request.code);
                range.addBindValue(request.field);
            }
            if (!range.exec())
                return fail(range);
            if (!range.next() || range.value(0).isNull())
                continue;
            const qint64 lo = range.value(0).toLongLong();
            const qint64 hi = range.value(1).toLongLong();
            first = any ? std::min(first, lo) : lo;
            last = any ? std::max(last, hi) : hi;
            any = true;
        }
        range.finish();
        if (!any)
            return result; // no data: the range stays as asked, open ends 0
        if (request.fromMs == 0)
            result.fromMs = first;
        if (request.toMs == 0)
            result.toMs = last;
    }
    if (result.toMs < result.fromMs)
        return result;

    const qint64 span = result.toMs - result.fromMs;
    const int buckets = span == 0 ? 1 : std::clamp(request.buckets, 1, kMaxBuckets);
    if (HistoryRollup::isRolledUp(request.code))
        return computeFromPyramid(db, request, std::move(result), buckets);
    QSqlQuery q(db.connection());
    q.setForwardOnly(true);
    if (!q.prepare(kDecimateSql))
        return fail(q);
    for (model::VehicleSeries &series : result.series) {
        {
            std::lock_guard lock(m_mutex);
            if (m_stopping)
                return result;
        }
        q.addBindValue(series.vehicleId);
        q.addBindValue(request.code);
        q.addBindValue(request.field);
        q.addBindValue(result.fromMs);
        q.addBindValue(result.toMs);
        q.addBindValue(buckets);
        if (!q.exec())
            return fail(q);
        while (q.next())
            series.points.append(QPointF(double(q.value(0).toLongLong()), q.value(1).toDouble()));
        if (q.lastError().isValid())
            return fail(q);
        q.finish();
    }
    return result;
}

model::SeriesResult HistoryQueryService::computeFromPyramid(Database &db, const model::SeriesRequest &request,
                                                            model::SeriesResult result, int buckets) {
    PyramidReader reader;
    if (!reader.prepare(SqliteStatement::handleOf(db.connection()))) {
        result.error = QStringLiteral("cannot read history from %1: %2").arg(db.path(), reader.error());
        return result;
    }
    const qint64 span = result.toMs - result.fromMs;
    const int level = HistoryRollup::levelFor(span, buckets);
    const qint64 grid = level < 0 ? 1 : HistoryRollup::bucketWidthMs(level);
    const QByteArray code = request.code.toUtf8();
    const QByteArray field = request.field.toUtf8();
    for (model::VehicleSeries &series : result.series) {
        {
            std::lock_guard lock(m_mutex);
            if (m_stopping)
                return result;
        }
        ChartBuckets chart(result.fromMs, result.toMs, buckets, grid);
        if (!reader.collect(series.vehicleId.toUtf8(), code, field, result.fromMs, result.toMs + 1, level,
                            chart)) {
            result.error = QStringLiteral("cannot read history from %1: %2").arg(db.path(), reader.error());
            for (model::VehicleSeries &s : result.series)
                s.points.clear();
            return result;
        }
        series.points = chart.points();
    }
    return result;
}

} // namespace store
