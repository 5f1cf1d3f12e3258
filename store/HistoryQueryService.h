#pragma once

#include "model/HistorySource.h"
#include "store/DatabaseThread.h"

#include <QHash>
#include <QList>
#include <QString>
#include <atomic>
#include <condition_variable>
#include <mutex>

namespace store {

class Database;

// Chart data from the journal's history table, computed on a worker thread with its own read
// connection, so the GUI thread never runs SQL. A vehicle's answer has at most 2 * buckets
// points: each bucket's lowest and highest reading (the earlier one on ties), always real
// readings, in time order.
//
// The charted signals (HistoryRollup::rolledUpCodes) are answered from the min/max pyramid: the
// coarsest level whose buckets are no wider than half a chart bucket is read
// by primary-key range and reduced in memory, so a chart over ten million readings reads a few
// thousand rows. The chart bucket edges are model::SeriesDecimator's rounded down to that level's
// grid (each pyramid bucket then lies in one chart bucket, and the answer is exactly the min/max
// of the readings per rounded bucket); when no level is fine enough the raw readings are read and
// the answer equals model::SeriesDecimator's point for point. Other signals are decimated in
// SQLite (min and max per bucket over a primary-key range scan).
//
// Requests wait in slots, one per (code, field): a request replaces the one still waiting in its
// slot, so a burst from one chart costs one query. Every request is answered with seriesReady
// (emitted on the worker thread; connect queued or auto) unless a newer request for the same slot
// replaced it before the worker took it up. Slots are served oldest first.
class HistoryQueryService final : public model::HistorySource {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HistoryQueryService)
public:
    explicit HistoryQueryService(QObject *parent = nullptr);
    ~HistoryQueryService() override; // close()

    // Starts the worker and opens the journal read-only there; blocks until it knows. The file
    // must already be a current journal (the app opens store::Journal first).
    bool open(const QString &path, QString *error);
    // Finishes the query in progress, drops the waiting ones, stops the worker.
    void close();

    // Thread-safe. Before open() or after close() the answer is an error result.
    void request(const model::SeriesRequest &request) override;

    // Requests computed so far (answered from SQL); a burst of N requests for one slot adds far
    // fewer than N.
    quint64 computedCount() const { return m_computed.load(); }

    // Bounds the work of one vehicle's query whatever a caller asks for.
    static constexpr int kMaxBuckets = 10000;

private:
    void run(Database &db);
    model::SeriesResult compute(Database &db, const model::SeriesRequest &request);
    model::SeriesResult computeFromPyramid(Database &db, const model::SeriesRequest &request,
                                           model::SeriesResult result, int buckets);
    void answerLater(model::SeriesResult result);

    DatabaseThread m_worker;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    QHash<QString, model::SeriesRequest> m_pending; // by slot
    QList<QString> m_slotOrder;                     // slots waiting, oldest first
    bool m_stopping = false;
    std::atomic<quint64> m_computed{0};
};

} // namespace store
