#pragma once

#include "model/Alert.h"
#include "model/Delivery.h"
#include "store/DatabaseThread.h"
#include "store/DeliveryJournal.h"
#include "store/FleetSnapshot.h"
#include "store/WalCheckpointer.h"

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

namespace store {

// The single writer of the database, on its own thread. Appends from any thread queue up; the store
// thread writes everything queued in one transaction and commits (group commit: while one batch
// is being synced, the next one gathers), then reports the whole batch to the listener at once.
// A delivery appended as Accepted with an eventId seen before is stored as Duplicate: the
// decision is made inside the transaction, against a unique constraint.
class Journal final : public DeliveryJournal {
    Q_DISABLE_COPY_MOVE(Journal)
public:
    Journal();
    ~Journal() override; // drains what is queued, then stops

    // Starts the store thread and opens (or creates) the file there. Blocks until it knows.
    bool open(const QString &path, QString *error);
    void setCommitListener(CommitListener listener) override; // before the first append
    // Told on the store thread when the journal stops being writable and when it is again: once
    // per episode, however many deliveries it refuses meanwhile. Before open().
    void setHealthListener(HealthListener listener) override;
    static constexpr auto kRetryFirst = std::chrono::milliseconds(250);
    static constexpr auto kRetryMax = std::chrono::seconds(2);
    // "Writable again" is reported once writes went on working this long after the file was
    // reopened; a failure before that continues the same episode (one report, not one per flap).
    static constexpr auto kRecoveryConfirm = std::chrono::seconds(2);
    quint64 append(model::Delivery delivery) override; // thread-safe
    // Stores alert snapshots (insert or replace by id), in order with the deliveries. Thread-safe.
    void saveAlerts(const QList<model::Alert> &alerts) override;
    // Records how far the journal has followed something kept elsewhere (a replica of a shared
    // fleet: the acknowledgements it applied), under `name`. Thread-safe; written in the same
    // transaction as the alert snapshots saved before it, or a later one, so it never claims more
    // than is stored. JournalReader::progress() reads it back.
    void saveProgress(const QString &name, qint64 value);
    // History older than this many days is deleted now and then on the store thread; 0 keeps all.
    void setHistoryRetentionDays(int days);
    void close() override; // drains, then stops the thread

    // WAL checkpoints run on a thread of their own, never inside a commit (see WalCheckpointer).
    // Limits: before open().
    void setWalCheckpointLimits(const WalCheckpointer::Limits &limits) { m_walLimits = limits; }
    WalCheckpointer::Stats walCheckpointStats() const { return m_walCheckpointer.stats(); }

    // Fleet snapshot checkpoints. After a batch is reported to the listener, and at most every
    // kCheckpointInterval or kCheckpointDeliveries, the requester runs on the store thread with the
    // last committed id and the vehicles with accepted deliveries since the previous request
    // (everyVehicle: a checkpoint failed, send them all). It answers with saveSnapshot() carrying
    // the state as of exactly that id. Set before the first append; without one nothing is tracked.
    using CheckpointRequester =
        std::function<void(qint64 coveredId, const QSet<QString> &vehicles, bool everyVehicle)>;
    void setCheckpointRequester(CheckpointRequester requester);
    void saveSnapshot(qint64 coveredId, QList<FleetSnapshot::Entry> entries); // thread-safe
    // A checkpoint answered with the vehicles it covers only, their rows asked for a slice at a
    // time, encoded on the fleet's thread (FleetSnapshot::EncodedRows): copies of the vehicles
    // would share their containers with the fleet, and each vehicle the fleet changed meanwhile
    // would get a copy of its own (Qt's copy-on-write), made and kept on the fleet's thread while
    // the store thread freed the old one later. A whole fleet's worth (10,000 vehicles under 2,000
    // deliveries/s) made ~6 MB more for the second or two the snapshot took, and glibc kept those
    // pages; a slice at a time holds kSnapshotChunk rows at most. A slice's rows may be
    // newer than coveredId, which a start handles like any snapshot row newer than its cover: it
    // replays the deliveries after the cover, and applying one again changes nothing. Thread-safe.
    struct SnapshotVehicle {
        QString id;
        qint64 position = 0; // in the fleet's first-seen order
    };
    void planSnapshot(qint64 coveredId, QList<SnapshotVehicle> vehicles);
    // Asked on the store thread for the rows of the next slice of a planned snapshot, which it
    // answers (on the fleet's thread) with supplySnapshotSlice(plan, rows); a vehicle it does not
    // know is left out. `spare` is the slice written before, emptied, its room kept: filled again,
    // one buffer goes back and forth for the whole checkpoint instead of one being made on the
    // fleet's thread and freed on the store thread per slice (the next one was made while the
    // last was still held, and glibc's arena kept room for both). Set before the first
    // planSnapshot().
    using SliceSupplier = std::function<void(quint64 plan, const QList<SnapshotVehicle> &slice,
                                             FleetSnapshot::EncodedRows spare)>;
    void setSliceSupplier(SliceSupplier supplier);
    void supplySnapshotSlice(quint64 plan, FleetSnapshot::EncodedRows rows); // thread-safe
    // The most vehicles whose entries the journal held at once for a checkpoint (given whole, or
    // one slice of a planned one).
    qsizetype largestSnapshotHeld() const { return m_largestSnapshotHeld.load(); }
    // After close(): what no checkpoint has covered yet, for a last snapshot by the owner.
    struct Checkpoint {
        qint64 coveredId = 0;
        QSet<QString> vehicles;
        bool everyVehicle = false;
    };
    Checkpoint uncheckpointed() const;
    static constexpr auto kCheckpointInterval = std::chrono::seconds(60);
    static constexpr qint64 kCheckpointDeliveries = 50'000;
    // Vehicles per snapshot transaction. A slice runs between two batches and holds the next one
    // up: 256 vehicles (~700 KB of rows) took 10 ms of CPU and 20-40 ms in all under load.
    static constexpr qsizetype kSnapshotChunk = 64;

private:
    struct Pending {
        quint64 ticket = 0; // 0 for alert snapshots, which nobody waits for
        model::Delivery delivery;
        QList<model::Alert> alerts;
        QHash<QString, qint64> progress;
        qint64 snapshotCoveredId = 0; // > 0: a fleet snapshot checkpoint, nobody waits for it
        QList<FleetSnapshot::Entry> snapshot;
        QList<SnapshotVehicle> planned; // with snapshotCoveredId: a planned checkpoint's vehicles
        quint64 suppliedPlan = 0;       // > 0: `supplied` is a slice of that planned checkpoint
        FleetSnapshot::EncodedRows supplied;
    };
    void enqueue(Pending p); // any thread: queued for the store thread, which is woken
    void noteCommitted(const std::deque<Pending> &batch, const QList<AppendResult> &results);
    struct SnapshotInProgress {
        qint64 coveredId = 0;
        QList<FleetSnapshot::Entry> remaining;
        // A planned snapshot: its number, the vehicles it covers not asked for yet (all of them
        // while nobody was asked: no second copy of the list), whether a slice was asked for and
        // has not arrived (and its vehicles, for a stop meanwhile), and the rows of the one that
        // arrived.
        quint64 plan = 0;
        QList<SnapshotVehicle> unasked;
        bool asked = false;
        QList<SnapshotVehicle> inFlight;
        FleetSnapshot::EncodedRows supplied;
    };
    void writeSnapshotChunk(Database &db);
    // Store thread: the connection commits without syncing since the last snapshot slice.
    bool m_snapshotSyncRelaxed = false;
    // Store thread: the oldest snapshot has a slice to write or to ask for.
    bool snapshotWritable() const;
    void askNextSlice();
    void run(Database &db);
    // Writes until told to stop (true) or until a write fails (false: the connection must go).
    bool serve(Database &db);
    // After a failed write: closes, then reopens and probes the file until a write commits (true)
    // or the journal is told to stop (false). Deliveries arriving meanwhile are refused at once.
    bool recover(Database &db);
    bool probeWrite(Database &db, QString *error);
    void confirmRecovery();
    // Reports deliveries as not committed; keeps alert snapshots for later, drops fleet snapshots.
    void refuse(std::deque<Pending> &batch, const QString &error);
    // The answers for the deliveries of `batch` that wait for one: none committed, all with `error`.
    static QList<AppendResult> refusedResults(const std::deque<Pending> &batch, const QString &error);
    bool writeBatch(std::deque<Pending> &batch, Database &db, class JournalWriter &writer);
    void pruneHistory(Database &db);
    bool writeTransaction(Database &db, JournalWriter &writer,
                          const std::function<bool(JournalWriter &)> &write, QString *error);

    DatabaseThread m_worker;
    WalCheckpointer::Limits m_walLimits;
    WalCheckpointer m_walCheckpointer; // started and stopped by the store thread
    CommitListener m_listener;
    HealthListener m_healthListener;
    JournalHealth m_health; // store thread only
    QString m_failure;      // store thread: the error that ended the last serve()
    int m_failureCode = 0;
    // Store thread: the episode of not being writable, from its first failure until confirmed over.
    bool m_episodeOpen = false;
    std::chrono::steady_clock::time_point m_downSince;
    std::chrono::steady_clock::time_point m_writableAgainAt;
    std::chrono::steady_clock::time_point m_confirmAt; // store thread: its SQLite result code
    QList<model::Alert> m_heldAlerts;      // store thread: alert snapshots that could not be written yet
    QHash<QString, qint64> m_heldProgress; // store thread: progress values waiting with them
    bool m_snapshotLost = false;           // store thread: a checkpoint was dropped while not writable
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::deque<Pending> m_queue;
    quint64 m_nextTicket = 1;
    bool m_stopping = false;
    bool m_pruneRequested = false;
    std::atomic<int> m_retentionDays{0};
    // Checkpoint bookkeeping, store thread only (read by uncheckpointed() after close()).
    CheckpointRequester m_checkpointRequester;
    std::deque<SnapshotInProgress> m_snapshotBacklog; // written a slice per batch, oldest first
    SliceSupplier m_sliceSupplier;
    FleetSnapshot::EncodedRows m_spareRows; // store thread: the last slice written, emptied
    quint64 m_nextPlan = 1;                 // store thread only
    std::atomic<qsizetype> m_largestSnapshotHeld{0};
    Checkpoint m_uncheckpointed;
    qint64 m_acceptedSinceCheckpoint = 0;
    std::chrono::steady_clock::time_point m_nextCheckpoint;
};

} // namespace store
