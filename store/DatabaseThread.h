#pragma once

#include "store/Database.h"

#include <atomic>
#include <functional>

class QThread;

namespace store {

// A thread that owns one database connection: it opens the file on the thread (Qt SQL connections
// must stay on the thread that made them), reports whether that worked, then runs the owner's loop
// with the connection until the loop returns. The journal and the read-side services each use one.
class DatabaseThread final {
    Q_DISABLE_COPY_MOVE(DatabaseThread)
public:
    using Loop = std::function<void(Database &db)>;

    DatabaseThread() = default;
    ~DatabaseThread(); // join()

    // Blocks until the open is known; on failure the thread has ended and `error` says why.
    bool start(const QString &threadName, const QString &path, Database::Mode mode, Loop loop,
               QString *error);
    // Waits for the loop to return (the owner must have told it to stop).
    void join();

    bool isRunning() const { return m_thread != nullptr; }
    bool isOpen() const { return m_open.load(); } // any thread

private:
    QThread *m_thread = nullptr;
    std::atomic<bool> m_open{false};
};

} // namespace store
