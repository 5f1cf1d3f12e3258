#pragma once

// Runs an HttpServer on a thread of its own, as the app does, so a test can talk to it with
// blocking client sockets from the test thread.

#include "net/HttpServer.h"
#include "net/Router.h"

#include <QThread>

namespace testsupport {

class ServerThread {
public:
    ServerThread(net::RequestHandler *handler, const net::HttpLimits &limits = {}) {
        m_thread.start();
        QMetaObject::invokeMethod(
            &m_context,
            [&] {
                m_server = new net::HttpServer(handler, limits);
                m_server->listen(QHostAddress::LocalHost, 0);
                m_port = m_server->serverPort();
            },
            Qt::BlockingQueuedConnection);
    }
    ~ServerThread() {
        QMetaObject::invokeMethod(
            &m_context, [&] { delete m_server; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    quint16 port() const { return m_port; }
    // Runs f on the server thread and waits for it.
    template <typename F> void onServerThread(F f) {
        QMetaObject::invokeMethod(&m_context, f, Qt::BlockingQueuedConnection);
    }
    int connectionCount() {
        int n = 0;
        onServerThread([&] { n = m_server->connectionCount(); });
        return n;
    }
    QObject *context() { return &m_context; }

private:
    struct Context : QObject {
        explicit Context(QThread *t) { moveToThread(t); }
    };
    QThread m_thread;
    Context m_context{&m_thread};
    net::HttpServer *m_server = nullptr;
    quint16 m_port = 0;
};

} // namespace testsupport
