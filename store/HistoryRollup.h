#pragma once

#include "store/SqliteStatement.h"

#include <QSqlDatabase>
#include <QString>
#include <QStringList>

namespace store {

// The min/max pyramid of the charted signals, so a chart over years of readings reads a few
// thousand rows instead of millions. Table history_rollup holds, per (vehicle, code, field),
// level and time bucket, the lowest and the highest reading with their times (the earlier one on
// ties, like model::SeriesDecimator) and how many readings the bucket holds. Level 0 buckets are
// kFinestBucketMs wide, each level's are 8 times wider; bucket = t / width (t in epoch ms, t >= 0),
// so a level-L bucket is exactly the union of eight level L-1 buckets.
//
// Upkeep: every read-write connection logs the history rows really inserted for a charted code
// (a temporary trigger, so INSERT OR IGNORE of a reading already stored adds nothing), and the
// writer folds that log into the pyramid with applyPending() inside the same transaction, so the
// pyramid commits (or rolls back) with the readings. A write path that inserts history must call
// applyPending() before it commits.
class HistoryRollup final {
    Q_DISABLE_COPY_MOVE(HistoryRollup)
public:
    static constexpr int kLevels = 6;
    static constexpr qint64 kFinestBucketMs = 64000;
    static constexpr int kLevelShift = 3; // x8 per level
    static qint64 bucketWidthMs(int level) { return kFinestBucketMs << (kLevelShift * level); }

    // The signals with a pyramid (the charted ones); the one place that lists them.
    static const QStringList &rolledUpCodes();
    static bool isRolledUp(const QString &code);
    // The coarsest level whose buckets are at most spanMs / (2 * buckets) wide, so each chart
    // bucket spans at least two pyramid buckets; -1 when even level 0 is too coarse (raw rows).
    static int levelFor(qint64 spanMs, int buckets);

    // Schema step 2 -> 3: creates the table and builds it from the history already stored.
    static QStringList migrationSql();

    explicit HistoryRollup(QSqlDatabase &db);
    ~HistoryRollup();

    // Creates this connection's log and trigger. Once per read-write connection, after migration.
    bool installFeed(QString *error);
    // Folds what the log holds into the pyramid (aggregated in memory first, one upsert per
    // touched bucket with min/max merging), then empties the log. Call inside the transaction
    // that inserted the history rows.
    bool applyPending(QString *error);
    // After history older than cutoffMs was deleted: drops the buckets wholly before the cutoff
    // and recomputes the ones it cuts through. Inside the pruning transaction.
    bool prune(qint64 cutoffMs, QString *error);

    quint64 foldedReadings() const { return m_foldedReadings; }

private:
    struct Series;
    bool recomputeBucket(const Series &series, int level, qint64 bucket, QString *error);

    QSqlDatabase &m_db;
    sqlite3 *m_handle = nullptr;
    SqliteStatement m_readLog;
    SqliteStatement m_clearLog;
    SqliteStatement m_upsert;
    quint64 m_foldedReadings = 0;
};

} // namespace store
