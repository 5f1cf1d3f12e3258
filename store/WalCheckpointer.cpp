#include "store/WalCheckpointer.h"

#include <QFileInfo>
#include <QThread>

#include <sys/statvfs.h>

#include <algorithm>

#include <sqlite3.h>

namespace store {

WalCheckpointer::~WalCheckpointer() {
    stop();
}

bool WalCheckpointer::start(const QString &path, sqlite3 *writer, const Limits &limits, QString *error) {
    if (m_thread) {
        *error = QStringLiteral("the checkpointer is already running");
        return false;
    }
    if (!writer) {
        *error = QStringLiteral("not an SQLite connection");
        return false;
    }
    const QByteArray file = path.toUtf8();
    if (sqlite3_open_v2(file.constData(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
        SQLITE_OK) {
        *error = QString::fromUtf8(m_db ? sqlite3_errmsg(m_db) : "out of memory");
        sqlite3_close(m_db);
        m_db = nullptr;
        return false;
    }
    // The first read attaches the connection to the WAL. FULL: the WAL is synced before pages are
    // copied from it and the database file before the WAL may be written over.
    char *message = nullptr;
    if (sqlite3_exec(m_db, "PRAGMA user_version; PRAGMA synchronous=FULL", nullptr, nullptr, &message) !=
        SQLITE_OK) {
        *error = QString::fromUtf8(message ? message : sqlite3_errmsg(m_db));
        sqlite3_free(message);
        sqlite3_close(m_db);
        m_db = nullptr;
        return false;
    }
    // How long a RESTART or TRUNCATE may hold the writer off waiting for a reader or the writer.
    sqlite3_busy_timeout(m_db, int(limits.restartWait.count()));
    m_limits = limits;
    m_path = path;
    fitLimitsToDisk();
    m_stopping = false;
    m_framesAtCheckpoint = 0;
    m_walFrames = 0;
    m_commits = 0;
    m_startOvers = 0;
    m_leftToWriter = false;
    m_writer = writer;
    sqlite3_wal_autocheckpoint(writer, 0);
    sqlite3_wal_hook(writer, &WalCheckpointer::walHook, this); // replaces the auto-checkpoint hook
    m_thread = QThread::create([this] { run(); });
    m_thread->setObjectName(QStringLiteral("checkpoint"));
    m_thread->start();
    return true;
}

int WalCheckpointer::walHook(void *self, sqlite3 *, const char *, int frames) {
    // Runs inside the writer's COMMIT: relaxed atomics only, nothing that can wait.
    auto *checkpointer = static_cast<WalCheckpointer *>(self);
    if (checkpointer->m_walFrames.exchange(frames, std::memory_order_relaxed) > frames)
        checkpointer->m_startOvers.fetch_add(1, std::memory_order_relaxed);
    checkpointer->m_commits.fetch_add(1, std::memory_order_relaxed);
    return SQLITE_OK;
}

bool WalCheckpointer::dueLocked() const {
    const int frames = m_walFrames.load(std::memory_order_relaxed);
    // Fewer frames than were copied: the WAL was started over since.
    const int fresh = frames >= m_framesAtCheckpoint ? frames - m_framesAtCheckpoint : frames;
    return fresh >= m_passiveFramesNow;
}

void WalCheckpointer::writerCommitted() {
    if (!m_thread)
        return;
    std::unique_lock lock(m_mutex);
    m_stats.largestWalFrames = std::max(m_stats.largestWalFrames, m_walFrames.load());
    if (m_restartWanted) {
        // SQLite's locks are not fair: a writer that commits back to back takes the write lock
        // again before a waiting RESTART ever gets it. So the writer steps aside here, between
        // transactions and after its answers went out, until the WAL was started over.
        m_writerParked = true;
        m_wake.notify_all();
        m_wake.wait_for(lock, 2 * m_limits.restartWait, [this] { return !m_restartWanted || m_stopping; });
        m_writerParked = false;
        return;
    }
    if (m_idle || dueLocked()) {
        lock.unlock();
        m_wake.notify_all();
    }
}

void WalCheckpointer::stop() {
    if (!m_thread)
        return;
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_one();
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    sqlite3_wal_autocheckpoint(m_writer, 1000); // SQLite's default, in place of the hook
    m_writer = nullptr;
    sqlite3_close(m_db);
    m_db = nullptr;
}

WalCheckpointer::Stats WalCheckpointer::stats() const {
    std::lock_guard lock(m_mutex);
    Stats stats = m_stats;
    stats.startOvers = m_startOvers.load(std::memory_order_relaxed);
    return stats;
}

void WalCheckpointer::fitLimitsToDisk() {
    constexpr qint64 kFrameBytes = 4096 + 24; // a page and its frame header
    constexpr int kFewestRestartFrames = 128; // 512 KB: below that, restarts would never end
    int restart = m_limits.restartFrames;
    struct statvfs volume {};
    if (::statvfs(QFile::encodeName(QFileInfo(m_path).absolutePath()).constData(), &volume) == 0) {
        const qint64 room = qint64(volume.f_bavail) * qint64(volume.f_frsize) +
                            QFileInfo(m_path + QStringLiteral("-wal")).size();
        restart = int(std::clamp<qint64>(room / 4 / kFrameBytes, kFewestRestartFrames, restart));
    }
    std::lock_guard lock(m_mutex);
    m_restartFramesNow = restart;
    m_passiveFramesNow = std::min(m_limits.passiveFrames, std::max(1, restart / 4));
}

void WalCheckpointer::syncDatabaseFile() {
    sqlite3_file *file = nullptr;
    if (sqlite3_file_control(m_db, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK || !file ||
        !file->pMethods)
        return;
    if (const int rc = file->pMethods->xSync(file, SQLITE_SYNC_NORMAL); rc != SQLITE_OK)
        qWarning("fleetmon: syncing the journal's database file failed: %s", sqlite3_errstr(rc));
}

bool WalCheckpointer::checkpoint(int mode, int *walFrames, int *copiedFrames) {
    const int rc = sqlite3_wal_checkpoint_v2(m_db, "main", mode, walFrames, copiedFrames);
    if (rc == SQLITE_OK)
        return true;
    if ((rc & 0xff) != SQLITE_BUSY)
        qWarning("fleetmon: checkpointing the journal failed: %s", sqlite3_errmsg(m_db));
    return false;
}

bool WalCheckpointer::startOver(int *walFrames, int *copiedFrames) {
    // "No commit during the round" does not prove the writer's next transaction begins after it:
    // one that began before (its commit still being synced) keeps the WAL going. So when the
    // writer was left to start over last time and has not, it is asked to wait this time.
    const quint64 startOvers = m_startOvers.load();
    const bool mayLeaveToWriter = !m_leftToWriter || startOvers != m_startOversWhenLeft;
    m_leftToWriter = false;
    int copiedBefore = *copiedFrames;
    for (int round = 0; round < m_limits.catchUpRounds; ++round) {
        const quint64 commitsBefore = m_commits.load();
        if (!checkpoint(SQLITE_CHECKPOINT_PASSIVE, walFrames, copiedFrames))
            return false;
        // Everything copied and synced, and nothing committed meanwhile: the writer's next
        // transaction begins with the WAL all copied and starts it over itself (unless a reader
        // holds on to it; then the WAL grows on and this is tried again at the next growth).
        if (mayLeaveToWriter && *copiedFrames == *walFrames && m_commits.load() == commitsBefore) {
            m_leftToWriter = true;
            m_startOversWhenLeft = startOvers;
            return true;
        }
        if (*copiedFrames < copiedBefore)
            return true; // the writer started the WAL over after an earlier round
        const int copiedThisRound = *copiedFrames - copiedBefore;
        copiedBefore = *copiedFrames;
        if (copiedThisRound <= m_limits.catchUpFrames)
            break;
    }
    // What the rounds copied reaches the disk before the writer is asked to wait, so the RESTART
    // below has only its own few pages to sync.
    syncDatabaseFile();
    // The writer steps aside between two transactions (or is idle: then it never does, and the
    // RESTART below takes the write lock as soon as it is free).
    std::unique_lock lock(m_mutex);
    m_restartWanted = true;
    const bool parked =
        m_wake.wait_for(lock, m_limits.restartWait, [this] { return m_writerParked || m_stopping; });
    m_stats.writerWaits += parked && m_writerParked ? 1 : 0;
    lock.unlock();
    const bool restarted = checkpoint(SQLITE_CHECKPOINT_RESTART, walFrames, copiedFrames);
    lock.lock();
    m_restartWanted = false;
    m_stats.restarts += restarted ? 1 : 0;
    lock.unlock();
    m_wake.notify_all();
    return restarted;
}

void WalCheckpointer::run() {
    quint64 quietCommits = 0; // the commits the last TRUNCATE covered
    std::unique_lock lock(m_mutex);
    for (;;) {
        if (m_commits.load() == quietCommits) {
            // Nothing written since the file was emptied: no quiet period to time, so no timer
            // (an idle app must not wake every few seconds). writerCommitted() wakes it.
            m_idle = true;
            m_wake.wait(lock, [&] { return m_stopping || m_commits.load() != quietCommits; });
            m_idle = false;
            ++m_stats.wakeups;
            if (m_stopping)
                return;
        }
        const bool due = m_wake.wait_for(lock, m_limits.quiet, [this] { return m_stopping || dueLocked(); });
        ++m_stats.wakeups;
        if (m_stopping)
            return;
        const quint64 commits = m_commits.load();
        if (!due && commits == quietCommits)
            continue; // nothing written since the file was emptied
        lock.unlock();
        int wal = 0;
        int copied = 0;
        bool startedOver = false;
        bool passive = false;
        bool gaveUp = false;
        if (due) {
            passive = checkpoint(SQLITE_CHECKPOINT_PASSIVE, &wal, &copied);
            if (passive)
                syncDatabaseFile();
            // Under steady load the WAL is never all copied when a commit begins: start it over.
            if (passive && wal >= m_restartFramesNow) {
                startedOver = startOver(&wal, &copied);
                gaveUp = !startedOver;
            }
        } else {
            // Quiet for a while: copy everything and give the disk space back.
            startedOver = checkpoint(SQLITE_CHECKPOINT_TRUNCATE, &wal, &copied);
            gaveUp = !startedOver;
            if (startedOver)
                quietCommits = commits;
        }
        fitLimitsToDisk();
        lock.lock();
        // The next passive one is due after passiveFrames more, whatever this one managed to
        // copy (a reader on an old snapshot can hold it back: no retrying in a loop). Measured
        // from the frames last reported: after a restart that count is stale until the writer's
        // next commit, which then reports fewer frames (see dueLocked).
        m_framesAtCheckpoint = m_walFrames.load();
        m_stats.passive += passive ? 1 : 0;
        m_stats.truncates += startedOver && !due ? 1 : 0;
        m_stats.busy += gaveUp ? 1 : 0;
    }
}

} // namespace store
