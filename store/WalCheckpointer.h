#pragma once

#include <QString>
#include <QtGlobal>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

class QThread;
struct sqlite3;

namespace store {

// Checkpoints the journal's WAL on a thread and connection of its own, so the writer's commits
// never pay for copying pages into the database file and syncing it: SQLite's auto-checkpoint
// runs inside the COMMIT that crosses its threshold, before that batch's answers can go out.
// Durability is unchanged: in WAL mode a commit is durable once its frames are synced to the WAL;
// checkpoints only move committed pages into the main file (synced before the WAL is reused).
//
// A PASSIVE checkpoint (never blocks anyone) runs whenever the WAL has grown by passiveFrames
// since the last one. Passive checkpoints alone cannot bound the WAL under steady load: SQLite
// starts writing the WAL from its beginning again only when a write transaction begins with
// every frame copied, which rarely happens while commits keep coming. So once the WAL holds
// restartFrames, the checkpointer catches up in rounds, each copying what was committed during
// the one before (fewer frames each time, as copying outpaces committing). A round that copied
// everything with no commit during it is enough: the writer's next transaction starts the WAL
// over by itself, without waiting for anything. Otherwise, once a round found at most
// catchUpFrames left, the writer is asked to step aside after its next reported commit, and a
// RESTART checkpoint copies the few frames left and makes the next commit start over: the writer
// waits for those frames and one sync of the database file (at most about restartWait; a RESTART
// that cannot finish gives up and is tried again at the next growth). After a quiet period with
// commits since the last checkpoint, a TRUNCATE checkpoint empties the file; then the thread
// sleeps, with no timer, until the writer reports its next commit.
//
// On a nearly full disk the WAL must not be what fills it: a WAL that took the last free bytes
// before its first checkpoint can never be copied into a database file that has no room to grow,
// and the journal could not write again until more room were made than the WAL holds. So both
// limits shrink to keep the WAL within a quarter of the room it may use (the free space plus
// the WAL file's own size, which is reused after a start-over), checked after every checkpoint.
class WalCheckpointer final {
    Q_DISABLE_COPY_MOVE(WalCheckpointer)
public:
    struct Limits {
        int passiveFrames = 4096;  // 16 MB of 4 KiB pages
        int restartFrames = 16384; // 64 MB: the WAL file stays about this size under load
        int catchUpFrames = 256;   // a catch-up round this small is the last before the writer waits
        int catchUpRounds = 4;     // at most; then the writer waits for whatever is left
        std::chrono::milliseconds quiet{2000};
        std::chrono::milliseconds restartWait{250};
    };
    struct Stats {
        quint64 passive = 0;
        quint64 restarts = 0;
        quint64 truncates = 0;
        quint64 busy = 0;        // a RESTART or TRUNCATE gave up (a reader or the writer held on)
        quint64 writerWaits = 0; // the writer stepped aside for a RESTART
        quint64 startOvers = 0;  // the writer's commits began the WAL from its start again
        int largestWalFrames = 0;
        quint64 wakeups = 0; // the thread's waits that ended (woken, or a quiet period passed)
    };

    WalCheckpointer() = default;
    ~WalCheckpointer(); // stop()

    // On the writer's thread: opens a second connection to path, turns the writer's
    // auto-checkpoint off, and watches its commits through the WAL hook.
    bool start(const QString &path, sqlite3 *writer, const Limits &limits, QString *error);
    // On the writer's thread, after the commits were reported: wakes the checkpointer when due.
    void writerCommitted();
    // On the writer's thread: gives the writer its auto-checkpoint back and ends the thread.
    void stop();
    bool isRunning() const { return m_thread != nullptr; }
    Stats stats() const; // any thread

private:
    static int walHook(void *self, sqlite3 *db, const char *name, int frames);
    void run();
    // One checkpoint of the given SQLite mode; false when it could not finish (busy or error).
    bool checkpoint(int mode, int *walFrames, int *copiedFrames);
    // Starts the WAL over under load (see the class comment); false when a checkpoint gave up.
    bool startOver(int *walFrames, int *copiedFrames);
    bool dueLocked() const;
    // Flushes the pages checkpoints copied into the database file. SQLite syncs that file only when
    // a checkpoint reaches the WAL's end, which under load is the RESTART, with the writer waiting:
    // it then flushed every page copied since the last start-over (11-36 ms measured, most of the
    // wait). Done after every passive checkpoint instead, on the checkpointer's thread.
    void syncDatabaseFile();
    // The limits for the room left on the journal's disk; on the checkpointer's thread.
    void fitLimitsToDisk();

    QThread *m_thread = nullptr;
    sqlite3 *m_writer = nullptr;
    sqlite3 *m_db = nullptr;
    Limits m_limits;
    QString m_path;
    int m_passiveFramesNow = 0; // m_limits' frames, or fewer on a nearly full disk (m_mutex)
    int m_restartFramesNow = 0;
    std::atomic<int> m_walFrames{0};      // after the writer's latest commit (WAL hook)
    std::atomic<quint64> m_commits{0};    // commits seen by the hook
    std::atomic<quint64> m_startOvers{0}; // commits the hook saw with fewer frames than the one before
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    bool m_restartWanted = false; // the checkpointer asks the writer to step aside
    bool m_writerParked = false;  // the writer did, between two transactions
    bool m_idle = false;          // the checkpointer waits for the writer's next commit, no timer
    int m_framesAtCheckpoint = 0; // the frames last reported when the last checkpoint ended
    bool m_leftToWriter = false;  // the last start-over was left to the writer's next transaction
    quint64 m_startOversWhenLeft = 0;
    Stats m_stats;
};

} // namespace store
