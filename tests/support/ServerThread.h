#pragma once

// Runs an HttpServer on a thread of its own, as the app does, so a test can talk to it with
// blocking client sockets from the test thread.

#include "net/HttpServer.h"
#include "net/Router.h"

#include <QThread>

namespace testsupport {

class ServerThread {
public:
    // With a TLS configuration (certificate and key), the server speaks HTTPS.
    ServerThread(net::RequestHandler *handler, const net::HttpLimits &limits = {},
                 const QSslConfiguration &tls = QSslConfiguration()) {
        m_thread.start();
        QMetaObject::invokeMethod(
            &m_context,
            [&] {
                m_server = new net::HttpServer(handler, limits);
                if (!tls.isNull())
                    m_server->setTlsConfiguration(tls);
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
    net::HttpServer *server() const { return m_server; } // use on the server thread only

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
