#pragma once

#include "store/SqliteStatement.h"

#include <QByteArrayView>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <memory>

namespace store {

// The min/max pyramid of the charted signals, so a chart over years of readings reads a few
// thousand rows instead of millions. Table history_rollup holds, per (vehicle, code, field),
// level and time bucket, the lowest and the highest reading with their times (the earlier one on
// ties, like model::SeriesDecimator) and how many readings the bucket holds. Level 0 buckets are
// kFinestBucketMs wide, each level's are 8 times wider; bucket = t / width (t in epoch ms, t >= 0),
// so a level-L bucket is exactly the union of eight level L-1 buckets.
//
// Upkeep: the connection's writer reports each history row it really inserted (addReading; an
// INSERT OR IGNORE of a reading already stored changed nothing and is not reported, so a
// re-delivered reading never counts twice) and folds them into the pyramid with applyPending()
// inside the same transaction, so the pyramid commits (or rolls back) with the readings; after a
// rollback it calls discardPending(). The journal does this for every delivery. A write path that
// inserts history with SQL of its own (bulk generators, tests) calls rebuild() before it commits.
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
    static bool isRolledUp(QByteArrayView utf8Code);
    // The coarsest level whose buckets are at most spanMs / (2 * buckets) wide, so each chart
    // bucket spans at least two pyramid buckets; -1 when even level 0 is too coarse (raw rows).
    static int levelFor(qint64 spanMs, int buckets);

    // Schema step 2 -> 3: creates the table and builds it from the history already stored.
    static QStringList migrationSql();

    explicit HistoryRollup(QSqlDatabase &db);
    ~HistoryRollup();

    // Prepares the upsert. Once per read-write connection, after migration.
    bool prepare(QString *error);
    // A history row this connection's transaction inserted (texts as UTF-8); readings of signals
    // without a pyramid are ignored. Aggregated in memory until applyPending or discardPending.
    void addReading(QByteArrayView vehicleId, QByteArrayView code, QByteArrayView field, qint64 t,
                    double value);
    // Folds the added readings into the pyramid: per (series, level, bucket) in memory first, then
    // one merging upsert per touched bucket, in key order. Inside the transaction that inserted them.
    bool applyPending(QString *error);
    void discardPending(); // the transaction rolled back: the added readings are not stored
    // Recomputes the whole pyramid from the history table (set-based, like the migration), for
    // write paths that insert history rows without reporting them. Inside their transaction.
    bool rebuild(QString *error);
    // After history older than cutoffMs was deleted: drops the buckets wholly before the cutoff
    // and recomputes the ones it cuts through. Inside the pruning transaction.
    bool prune(qint64 cutoffMs, QString *error);

    quint64 foldedReadings() const { return m_foldedReadings; }

private:
    struct Series {
        QByteArray vehicleId;
        QByteArray code;
        QByteArray field;
    };
    struct Pending;
    bool recomputeBucket(const Series &series, int level, qint64 bucket, QString *error);

    QSqlDatabase &m_db;
    sqlite3 *m_handle = nullptr;
    SqliteStatement m_upsert;
    std::unique_ptr<Pending> m_pending;
    quint64 m_foldedReadings = 0;
};

} // namespace store
