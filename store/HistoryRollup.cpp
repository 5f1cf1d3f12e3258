#include "store/HistoryRollup.h"

#include <QHash>

#include <algorithm>
#include <unordered_map>
#include <vector>

namespace store {

// Named rather than anonymous: HistoryRollup::Pending, a member of a class with external linkage,
// holds these types.
namespace rollup {

// Min/max of some readings, the earlier reading on ties.
struct MinMax {
    qint64 minT = 0;
    double minV = 0;
    qint64 maxT = 0;
    double maxV = 0;
    qint64 n = 0;

    void add(qint64 t, double v) { merge({t, v, t, v, 1}); }
    void merge(const MinMax &o) {
        if (o.n == 0)
            return;
        if (n == 0) {
            *this = o;
            return;
        }
        if (o.minV < minV || (o.minV == minV && o.minT < minT)) {
            minT = o.minT;
            minV = o.minV;
        }
        if (o.maxV > maxV || (o.maxV == maxV && o.maxT < maxT)) {
            maxT = o.maxT;
            maxV = o.maxV;
        }
        n += o.n;
    }
};

struct BucketKey {
    int series = 0;
    int level = 0;
    qint64 bucket = 0;
    friend bool operator==(const BucketKey &, const BucketKey &) = default;
};

struct BucketKeyHash {
    size_t operator()(const BucketKey &k) const {
        return std::hash<qint64>()(k.bucket * 31 + k.level) ^ (size_t(k.series) << 40);
    }
};

} // namespace rollup

namespace {

// The same merge as MinMax::merge, for a bucket already stored.
const char kMergeSql[] =
    " ON CONFLICT(vehicle_id, code, field, level, bucket) DO UPDATE SET"
    " min_t = CASE WHEN excluded.min_v < min_v OR (excluded.min_v = min_v AND excluded.min_t < min_t)"
    "   THEN excluded.min_t ELSE min_t END,"
    " min_v = MIN(min_v, excluded.min_v),"
    " max_t = CASE WHEN excluded.max_v > max_v OR (excluded.max_v = max_v AND excluded.max_t < max_t)"
    "   THEN excluded.max_t ELSE max_t END,"
    " max_v = MAX(max_v, excluded.max_v),"
    " n = n + excluded.n";

const char kColumns[] = "vehicle_id, code, field, level, bucket, min_t, min_v, max_t, max_v, n";

QString codeListSql() {
    QStringList quoted;
    for (const QString &code : HistoryRollup::rolledUpCodes())
        quoted.append(QLatin1Char('\'') + code + QLatin1Char('\''));
    return quoted.join(QLatin1Char(','));
}

} // namespace

// The readings added since the last fold: level 0 aggregated as they come.
struct HistoryRollup::Pending {
    std::vector<Series> series;
    QHash<QByteArray, int> seriesIndex; // "vehicle\x1fcode\x1ffield"
    std::unordered_map<rollup::BucketKey, rollup::MinMax, rollup::BucketKeyHash> level0;
    QByteArray key; // reused for lookups
    quint64 readings = 0;

    void clear() {
        series.clear();
        seriesIndex.clear();
        level0.clear();
        readings = 0;
    }
};

const QStringList &HistoryRollup::rolledUpCodes() {
    static const QStringList codes = {QStringLiteral("tractionbattery-stateofcharge"),
                                      QStringLiteral("odometer-traveleddistance")};
    return codes;
}

bool HistoryRollup::isRolledUp(const QString &code) {
    return rolledUpCodes().contains(code);
}

bool HistoryRollup::isRolledUp(QByteArrayView utf8Code) {
    static const QList<QByteArray> codes = [] {
        QList<QByteArray> out;
        for (const QString &code : rolledUpCodes())
            out.append(code.toUtf8());
        return out;
    }();
    for (const QByteArray &code : codes)
        if (code == utf8Code)
            return true;
    return false;
}

int HistoryRollup::levelFor(qint64 spanMs, int buckets) {
    if (buckets < 1)
        return -1;
    for (int level = kLevels - 1; level >= 0; --level)
        if (bucketWidthMs(level) * 2 * buckets <= spanMs)
            return level;
    return -1;
}

namespace {
// Fills an empty history_rollup from the history table.
QStringList buildSql() {
    QStringList sql = {
        // Level 0 from the readings, one merging upsert each (in key order, so the writes are
        // sequential); every coarser level from the eight buckets under it.
        QStringLiteral("INSERT INTO history_rollup(%1) SELECT vehicle_id, code, field, 0, t / %2,"
                       " t, value, t, value, 1 FROM history WHERE code IN (%3)%4")
            .arg(QLatin1String(kColumns))
            .arg(HistoryRollup::kFinestBucketMs)
            .arg(codeListSql(), QLatin1String(kMergeSql)),
    };
    for (int level = 1; level < HistoryRollup::kLevels; ++level)
        sql.append(QStringLiteral("INSERT INTO history_rollup(%1) SELECT vehicle_id, code, field, %2,"
                                  " bucket >> %3, min_t, min_v, max_t, max_v, n FROM history_rollup"
                                  " WHERE level = %4%5")
                       .arg(QLatin1String(kColumns))
                       .arg(level)
                       .arg(HistoryRollup::kLevelShift)
                       .arg(level - 1)
                       .arg(QLatin1String(kMergeSql)));
    return sql;
}
} // namespace

QStringList HistoryRollup::migrationSql() {
    return QStringList{
               QStringLiteral("CREATE TABLE history_rollup ("
                              " vehicle_id TEXT NOT NULL, code TEXT NOT NULL, field TEXT NOT NULL,"
                              " level INTEGER NOT NULL, bucket INTEGER NOT NULL,"
                              " min_t INTEGER NOT NULL, min_v REAL NOT NULL,"
                              " max_t INTEGER NOT NULL, max_v REAL NOT NULL, n INTEGER NOT NULL,"
                              " PRIMARY KEY (vehicle_id, code, field, level, bucket)) WITHOUT ROWID")} +
           buildSql();
}

HistoryRollup::HistoryRollup(QSqlDatabase &db)
    : m_db(db)
    , m_pending(std::make_unique<Pending>()) {}

HistoryRollup::~HistoryRollup() = default;

bool HistoryRollup::prepare(QString *error) {
    m_handle = SqliteStatement::handleOf(m_db);
    if (!m_handle) {
        *error = QStringLiteral("the history pyramid needs an SQLite connection");
        return false;
    }
    const QByteArray upsert = QStringLiteral("INSERT INTO history_rollup(%1) VALUES(?,?,?,?,?,?,?,?,?,?)%2")
                                  .arg(QLatin1String(kColumns), QLatin1String(kMergeSql))
                                  .toUtf8();
    if (!m_upsert.prepare(m_handle, upsert.constData())) {
        *error = m_upsert.error();
        return false;
    }
    return true;
}

void HistoryRollup::addReading(QByteArrayView vehicleId, QByteArrayView code, QByteArrayView field, qint64 t,
                               double value) {
    if (!isRolledUp(code))
        return;
    Pending &p = *m_pending;
    p.key.clear();
    p.key.append(vehicleId).append('\x1f').append(code).append('\x1f').append(field);
    auto it = p.seriesIndex.constFind(p.key);
    if (it == p.seriesIndex.cend()) {
        p.series.push_back({vehicleId.toByteArray(), code.toByteArray(), field.toByteArray()});
        it = p.seriesIndex.insert(p.key, int(p.series.size()) - 1);
    }
    p.level0[{it.value(), 0, t / kFinestBucketMs}].add(t, value);
    ++p.readings;
}

void HistoryRollup::discardPending() {
    m_pending->clear();
}

bool HistoryRollup::applyPending(QString *error) {
    if (!m_handle) {
        *error = QStringLiteral("the history pyramid is not set up on this connection");
        return false;
    }
    Pending &p = *m_pending;
    if (p.readings == 0)
        return true;

    // Each level from the one below: eight buckets fold into one.
    std::vector<std::pair<rollup::BucketKey, rollup::MinMax>> touched(p.level0.begin(), p.level0.end());
    std::unordered_map<rollup::BucketKey, rollup::MinMax, rollup::BucketKeyHash> below = std::move(p.level0);
    for (int level = 1; level < kLevels; ++level) {
        std::unordered_map<rollup::BucketKey, rollup::MinMax, rollup::BucketKeyHash> above;
        above.reserve(below.size() / 4 + 1);
        for (const auto &[k, mm] : below)
            above[{k.series, level, k.bucket >> kLevelShift}].merge(mm);
        touched.insert(touched.end(), above.begin(), above.end());
        below = std::move(above);
    }
    // Key order keeps the B-tree writes local.
    std::sort(touched.begin(), touched.end(), [&](const auto &a, const auto &b) {
        const Series &sa = p.series[size_t(a.first.series)];
        const Series &sb = p.series[size_t(b.first.series)];
        return std::tie(sa.vehicleId, sa.code, sa.field, a.first.level, a.first.bucket) <
               std::tie(sb.vehicleId, sb.code, sb.field, b.first.level, b.first.bucket);
    });
    for (const auto &[k, mm] : touched) {
        const Series &s = p.series[size_t(k.series)];
        m_upsert.bind(1, s.vehicleId);
        m_upsert.bind(2, s.code);
        m_upsert.bind(3, s.field);
        m_upsert.bind(4, qint64(k.level));
        m_upsert.bind(5, k.bucket);
        m_upsert.bind(6, mm.minT);
        m_upsert.bind(7, mm.minV);
        m_upsert.bind(8, mm.maxT);
        m_upsert.bind(9, mm.maxV);
        m_upsert.bind(10, mm.n);
        m_upsert.step();
        if (!m_upsert.ok()) {
            *error = m_upsert.error();
            m_upsert.reset();
            p.clear();
            return false;
        }
        m_upsert.reset();
    }
    m_foldedReadings += p.readings;
    p.clear();
    return true;
}

bool HistoryRollup::rebuild(QString *error) {
    if (!m_handle) {
        *error = QStringLiteral("the history pyramid is not set up on this connection");
        return false;
    }
    if (!SqliteStatement::exec(m_handle, "DELETE FROM history_rollup", error))
        return false;
    for (const QString &sql : buildSql())
        if (!SqliteStatement::exec(m_handle, sql.toUtf8().constData(), error))
            return false;
    return true;
}

bool HistoryRollup::prune(qint64 cutoffMs, QString *error) {
    if (!m_handle) {
        *error = QStringLiteral("the history pyramid is not set up on this connection");
        return false;
    }
    if (cutoffMs <= 0)
        return true;
    QStringList whollyBefore;
    QStringList cutThrough;
    for (int level = 0; level < kLevels; ++level) {
        const qint64 first = cutoffMs / bucketWidthMs(level); // the first bucket not wholly before
        whollyBefore.append(QStringLiteral("(level = %1 AND bucket < %2)").arg(level).arg(first));
        if (first * bucketWidthMs(level) < cutoffMs)
            cutThrough.append(QStringLiteral("(level = %1 AND bucket = %2)").arg(level).arg(first));
    }
    const QByteArray drop = QStringLiteral("DELETE FROM history_rollup WHERE %1")
                                .arg(whollyBefore.join(QLatin1String(" OR ")))
                                .toUtf8();
    if (!SqliteStatement::exec(m_handle, drop.constData(), error))
        return false;
    if (cutThrough.isEmpty())
        return true;

    std::vector<Series> series;
    {
        SqliteStatement cut;
        const QByteArray sql = QStringLiteral("SELECT vehicle_id, code, field FROM history_rollup WHERE %1"
                                              " GROUP BY vehicle_id, code, field")
                                   .arg(cutThrough.join(QLatin1String(" OR ")))
                                   .toUtf8();
        if (!cut.prepare(m_handle, sql.constData())) {
            *error = cut.error();
            return false;
        }
        while (cut.step())
            series.push_back({cut.textAt(0), cut.textAt(1), cut.textAt(2)});
        if (!cut.ok()) {
            *error = cut.error();
            return false;
        }
    }
    // Bottom up: a level's cut bucket is recomputed from the (already recomputed) level below.
    for (const Series &s : series)
        for (int level = 0; level < kLevels; ++level) {
            const qint64 bucket = cutoffMs / bucketWidthMs(level);
            if (bucket * bucketWidthMs(level) < cutoffMs && !recomputeBucket(s, level, bucket, error))
                return false;
        }
    return true;
}

bool HistoryRollup::recomputeBucket(const Series &s, int level, qint64 bucket, QString *error) {
    rollup::MinMax mm;
    SqliteStatement source;
    const bool fromReadings = level == 0;
    if (!source.prepare(m_handle, fromReadings
                                      ? "SELECT t, value FROM history WHERE vehicle_id = ? AND code = ?"
                                        " AND field = ? AND t >= ? AND t < ?"
                                      : "SELECT min_t, min_v, max_t, max_v, n FROM history_rollup"
                                        " WHERE vehicle_id = ? AND code = ? AND field = ? AND level = ?"
                                        " AND bucket >= ? AND bucket < ?")) {
        *error = source.error();
        return false;
    }
    source.bind(1, s.vehicleId);
    source.bind(2, s.code);
    source.bind(3, s.field);
    if (fromReadings) {
        source.bind(4, bucket * kFinestBucketMs);
        source.bind(5, (bucket + 1) * kFinestBucketMs);
    } else {
        source.bind(4, qint64(level - 1));
        source.bind(5, bucket << kLevelShift);
        source.bind(6, (bucket + 1) << kLevelShift);
    }
    while (source.step()) {
        if (fromReadings)
            mm.add(source.int64At(0), source.doubleAt(1));
        else
            mm.merge({source.int64At(0), source.doubleAt(1), source.int64At(2), source.doubleAt(3),
                      source.int64At(4)});
    }
    if (!source.ok()) {
        *error = source.error();
        return false;
    }
    SqliteStatement write;
    const bool keep = mm.n > 0;
    if (!write.prepare(m_handle, keep
                                     ? "INSERT OR REPLACE INTO history_rollup(vehicle_id, code, field, level,"
                                       " bucket, min_t, min_v, max_t, max_v, n) VALUES(?,?,?,?,?,?,?,?,?,?)"
                                     : "DELETE FROM history_rollup WHERE vehicle_id = ? AND code = ?"
                                       " AND field = ? AND level = ? AND bucket = ?")) {
        *error = write.error();
        return false;
    }
    write.bind(1, s.vehicleId);
    write.bind(2, s.code);
    write.bind(3, s.field);
    write.bind(4, qint64(level));
    write.bind(5, bucket);
    if (keep) {
        write.bind(6, mm.minT);
        write.bind(7, mm.minV);
        write.bind(8, mm.maxT);
        write.bind(9, mm.maxV);
        write.bind(10, mm.n);
    }
    write.step();
    if (!write.ok()) {
        *error = write.error();
        return false;
    }
    return true;
}

} // namespace store
