#include "store/DatabaseThread.h"

#include <QThread>
#include <future>
#include <memory>

namespace store {

DatabaseThread::~DatabaseThread() {
    join();
}

bool DatabaseThread::start(const QString &threadName, const QString &path, Database::Mode mode, Loop loop,
                           QString *error) {
    if (m_thread) {
        *error = QStringLiteral("%1 is already open").arg(path);
        return false;
    }
    // Shared, so neither thread can destroy it while the other still uses it. Empty string: open.
    auto opened = std::make_shared<std::promise<QString>>();
    std::future<QString> outcome = opened->get_future();
    m_thread = QThread::create([this, path, mode, loop = std::move(loop), opened] {
        Database db;
        QString openError;
        const bool ok = db.open(path, mode, &openError);
        m_open = ok;
        opened->set_value(
            ok ? QString() : (openError.isEmpty() ? QStringLiteral("cannot open %1").arg(path) : openError));
        if (ok)
            loop(db);
        m_open = false;
    });
    m_thread->setObjectName(threadName);
    m_thread->start();
    const QString result = outcome.get();
    if (!result.isEmpty()) {
        *error = result;
        join();
        return false;
    }
    return true;
}

void DatabaseThread::join() {
    if (!m_thread)
        return;
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
}

} // namespace store
