#pragma once

#include "net/ConnectionLobby.h"
#include "net/HttpLimits.h"
#include "net/RequestHandler.h"

#include <QSslConfiguration>
#include <QSslServer>
#include <QTimer>
#include <memory>
#include <unordered_map>

class QTcpSocket;

namespace net {

// Accepts connections and enforces the connection cap (see HttpLimits for the policy); everything
// else about a client is its HttpConnection's business. Serves plain HTTP, or HTTPS once given a
// TLS configuration (QSslServer does the handshake, bounded by the request timeout). Lives on, and
// must be used from, the thread that owns it (the ingest thread in the app), never the GUI thread.
class HttpServer final : public QSslServer {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpServer)
public:
    HttpServer(RequestHandler *handler, const HttpLimits &limits = {}, QObject *parent = nullptr);
    ~HttpServer() override;

    // Before listen(): every connection accepted afterwards must complete a TLS handshake with this
    // configuration (certificate and key set) before its first request is read.
    void setTlsConfiguration(const QSslConfiguration &configuration);
    bool isTls() const { return m_tls; }

    // Connections held: those still waiting for their header block (plain HTTP, ConnectionLobby)
    // and TLS handshakes in progress included.
    int connectionCount() const { return m_connectionCount + m_lobby.size(); }
    // Connections closed to make room for a newcomer at the cap.
    qint64 evictedCount() const { return m_evicted; }
    const HttpLimits &limits() const { return m_limits; }

    // Raises this process's soft RLIMIT_NOFILE to its hard limit (each connection holds a
    // descriptor; Linux's usual soft limit of 1,024 would cap the server below its own cap) and
    // returns the soft limit in force afterwards.
    static quint64 raiseOpenFileLimit();
    // Descriptors kept for everything else the process opens (database, WAL, logs, tunnel pipes).
    static constexpr int kReservedDescriptors = 128;

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    class Tracked;

    void adopt(int fd, qint64 acceptedNs);
    void track(QTcpSocket *socket, qint64 lastProgressNs);
    void serve(QTcpSocket *socket);
    void makeRoom();
    void onAcceptError(QAbstractSocket::SocketError error);

    RequestHandler *m_handler;
    HttpLimits m_limits;
    bool m_tls = false;
    int m_connectionCount = 0;
    qint64 m_evicted = 0;
    // Every connection held, by socket, with when it last completed a request.
    std::unordered_map<QTcpSocket *, std::unique_ptr<Tracked>> m_tracked;
    QObject *m_lifetimes; // context of the sockets' destroyed() connections
    QTimer m_resumeAccepting;
    ConnectionLobby m_lobby; // last: its thread ends before anything it hands over to goes
};

} // namespace net
