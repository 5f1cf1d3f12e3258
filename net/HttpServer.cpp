#include "net/HttpServer.h"

#include "net/HttpConnection.h"

#include <QSslSocket>
#include <QTcpSocket>
#include <limits>
#include <sys/resource.h>
#include <unistd.h>

namespace net {

namespace {

quint64 softOpenFileLimit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
        return std::numeric_limits<quint64>::max();
    return quint64(limit.rlim_cur);
}

// How long accepting pauses after the kernel refused to give a descriptor (EMFILE, ENFILE, ENOMEM):
// long enough not to spin, short enough that a client retrying its SYN barely notices.
constexpr int kAcceptRetryMs = 100;

} // namespace

// Stands between a connection and the handler to note when the connection last completed a
// request: the measure of which client goes first when the server is full.
class HttpServer::Tracked final : public RequestHandler {
public:
    Tracked(RequestHandler *inner, qint64 lastProgressNs)
        : m_inner(inner)
        , m_lastProgressNs(lastProgressNs) {}

    void handleRequest(const HttpRequest &request, const Responder &responder) override {
        m_lastProgressNs = HttpRequest::monotonicNs();
        m_inner->handleRequest(request, responder);
    }

    RequestHandler *m_inner;
    qint64 m_lastProgressNs;         // accept, or the last complete request
    bool m_counted = true;           // false once evicted: its place is already given away
    QMetaObject::Connection m_watch; // the socket's destroyed(), which forgets it
};

HttpServer::HttpServer(RequestHandler *handler, const HttpLimits &limits, QObject *parent)
    : QSslServer(parent)
    , m_handler(handler)
    , m_limits(limits)
    , m_lifetimes(new QObject(this))
    , m_lobby(m_limits, [this](int fd, qint64 acceptedNs) {
        // On the lobby's thread: the socket becomes an HttpConnection on this server's thread.
        QMetaObject::invokeMethod(
            this, [this, fd, acceptedNs] { adopt(fd, acceptedNs); }, Qt::QueuedConnection);
    }) {
    // Past the descriptor limit accept() fails with EMFILE, and Qt 6.4 retries it in a tight loop
    // (a core busy, nobody accepted) until some connection happens to close: the cap stays below
    // the limit so that the eviction below, not the kernel, decides who goes.
    const quint64 descriptors = softOpenFileLimit();
    if (descriptors < quint64(m_limits.maxConnections) + kReservedDescriptors)
        m_limits.maxConnections = int(std::max<qint64>(1, qint64(descriptors) - kReservedDescriptors));
    // The kernel queue holds connections until the event loop gets to them; a burst of clients
    // (or of a slow-client attack) must not overflow it and make honest clients wait for SYN retries.
    setListenBacklogSize(1024);
    // QSslServer counts handshakes in progress as pending and stops accepting at this number, before
    // incomingConnection() could make room: it stays above the cap, which decides.
    setMaxPendingConnections(m_limits.maxConnections + 64);
    // The ClientHello has the request timeout in the lobby; QSslServer then gives the rest of the
    // handshake half of it (it restarts its timer on the first byte, which is already there; without
    // a lobby, half before the first byte and half after keep the handshake within the timeout).
    setHandshakeTimeout(std::max(1, m_limits.requestTimeoutMs / 2));
    m_resumeAccepting.setSingleShot(true);
    connect(&m_resumeAccepting, &QTimer::timeout, this, [this] { resumeAccepting(); });
    connect(this, &QTcpServer::acceptError, this, &HttpServer::onAcceptError);
    // TLS: served once the handshake completes.
    connect(this, &QTcpServer::pendingConnectionAvailable, this, [this] {
        while (QTcpSocket *socket = nextPendingConnection())
            serve(socket);
    });
}

HttpServer::~HttpServer() {
    // The connections use the trackers as their handler: they go first, and no socket that goes
    // after them may reach for the trackers.
    for (const auto &entry : m_tracked)
        disconnect(entry.second->m_watch);
    qDeleteAll(findChildren<HttpConnection *>(Qt::FindDirectChildrenOnly));
}

void HttpServer::setTlsConfiguration(const QSslConfiguration &configuration) {
    setSslConfiguration(configuration);
    m_tls = true;
    m_lobby.setTls(true);
}

quint64 HttpServer::raiseOpenFileLimit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    return softOpenFileLimit();
}

void HttpServer::incomingConnection(qintptr socketDescriptor) {
    if (connectionCount() >= m_limits.maxConnections)
        makeRoom();
    if (m_lobby.isRunning()) {
        // adopt() once its header block (or ClientHello) is in
        m_lobby.add(int(socketDescriptor), HttpRequest::monotonicNs());
        return;
    }
    adopt(int(socketDescriptor), HttpRequest::monotonicNs());
}

void HttpServer::adopt(int fd, qint64 acceptedNs) {
    if (m_tls) {
        // QSslServer makes the socket (its newest child) and runs the handshake; serve() follows
        // once it is encrypted. Tracked from now, so that it counts, and can be evicted, like any
        // other connection.
        QSslServer::incomingConnection(fd);
        const QObjectList &children = this->children();
        auto *socket = children.isEmpty() ? nullptr : qobject_cast<QSslSocket *>(children.last());
        if (socket && socket->socketDescriptor() == fd)
            track(socket, acceptedNs);
        return;
    }
    auto *socket = new QTcpSocket;
    if (!socket->setSocketDescriptor(fd)) {
        delete socket;
        ::close(fd);
        return;
    }
    track(socket, acceptedNs);
    serve(socket);
}

void HttpServer::track(QTcpSocket *socket, qint64 lastProgressNs) {
    if (m_tracked.count(socket) != 0)
        return;
    Tracked *tracked =
        m_tracked.emplace(socket, std::make_unique<Tracked>(m_handler, lastProgressNs)).first->second.get();
    ++m_connectionCount;
    // Not `this` as the context: QSslServer disconnects the socket from the server once encrypted.
    tracked->m_watch = connect(socket, &QObject::destroyed, m_lifetimes, [this, socket] {
        const auto it = m_tracked.find(socket);
        if (it == m_tracked.end())
            return;
        if (it->second->m_counted)
            --m_connectionCount;
        m_tracked.erase(it);
    });
}

void HttpServer::serve(QTcpSocket *socket) {
    track(socket, HttpRequest::monotonicNs()); // a no-op unless the handshake began unseen
    new HttpConnection(socket, m_tracked.at(socket).get(), m_limits, this);
}

void HttpServer::makeRoom() {
    Tracked *stalest = nullptr;
    QTcpSocket *socket = nullptr;
    for (const auto &[s, tracked] : m_tracked) {
        if (tracked->m_counted && (!stalest || tracked->m_lastProgressNs < stalest->m_lastProgressNs)) {
            stalest = tracked.get();
            socket = s;
        }
    }
    // Connections still in the lobby have never completed a request: the oldest of them goes unless
    // a served one has waited longer.
    if ((!stalest || m_lobby.oldestAcceptedNs() <= stalest->m_lastProgressNs) && m_lobby.evictOldest()) {
        ++m_evicted;
        return;
    }
    if (!stalest)
        return;
    stalest->m_counted = false;
    --m_connectionCount;
    ++m_evicted;
    // At once, whatever it had buffered: a client that never completes a request is owed nothing,
    // and a graceful close would keep the descriptor until a client that does not read, reads.
    const bool handshaking = socket->parent() == this; // still QSslServer's, no HttpConnection yet
    socket->abort();
    if (handshaking)
        socket->deleteLater(); // QSslServer would only let go of it at its handshake timeout
}

void HttpServer::onAcceptError(QAbstractSocket::SocketError error) {
    // Qt pauses accepting for good after an accept() error it does not deem temporary (ENOBUFS,
    // ENOMEM): the stalest connection gives back what it held, and accepting resumes shortly.
    if (error == QAbstractSocket::SocketResourceError)
        makeRoom();
    m_resumeAccepting.start(kAcceptRetryMs);
}

} // namespace net
