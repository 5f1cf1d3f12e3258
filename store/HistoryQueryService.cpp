#include "store/HistoryQueryService.h"

#include "store/Database.h"

#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

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

} // namespace store
