#include "net/HttpClientConnection.h"

#include <QPointer>
#include <QTcpSocket>
#include <chrono>

namespace net {

// http-parser calls plain C functions; these forward to the connection stored in parser->data.
struct ClientParserCallbacks {
    static HttpClientConnection *self(http_parser *p) { return static_cast<HttpClientConnection *>(p->data); }
    static int messageBegin(http_parser *p) { return self(p)->onMessageBegin(); }
    static int headerField(http_parser *p, const char *at, size_t n) { return self(p)->onHeaderField(at, n); }
    static int headerValue(http_parser *p, const char *at, size_t n) { return self(p)->onHeaderValue(at, n); }
    static int headersComplete(http_parser *p) { return self(p)->onHeadersComplete(); }
    static int body(http_parser *p, const char *at, size_t n) { return self(p)->onBody(at, n); }
    static int messageComplete(http_parser *p) { return self(p)->onMessageComplete(); }

    static const http_parser_settings &settings() {
        static const http_parser_settings s = [] {
            http_parser_settings v;
            http_parser_settings_init(&v);
            v.on_message_begin = messageBegin;
            v.on_header_field = headerField;
            v.on_header_value = headerValue;
            v.on_headers_complete = headersComplete;
            v.on_body = body;
            v.on_message_complete = messageComplete;
            return v;
        }();
        return s;
    }
};

namespace {

// A server that streams without end must not exhaust memory; webhook answers are tiny.
constexpr qsizetype kMaxResponseBodyBytes = 16 * 1024 * 1024;

qint64 monotonicNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace

HttpClientConnection::HttpClientConnection(const QString &host, quint16 port, QObject *parent)
    : QObject(parent)
    , m_host(host)
    , m_port(port) {
    // An IPv6 literal needs brackets in Host, or the port would read as part of the address.
    m_hostHeader = host.contains(u':') ? '[' + host.toUtf8() + ']' : host.toUtf8();
    if (port != 80)
        m_hostHeader += ':' + QByteArray::number(port);
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer); // a coarse timer may fire up to 5 % early
    connect(&m_timer, &QTimer::timeout, this, &HttpClientConnection::onTimeout);
    resetParser();
}

HttpClientConnection::~HttpClientConnection() {
    dropSocket();
}

void HttpClientConnection::send(const QByteArray &method, const QByteArray &path, const HttpHeaders &headers,
                                const QByteArray &body, Callback done) {
    Pending pending;
    pending.isHead = method == "HEAD";
    pending.done = std::move(done);

    QByteArray &wire = pending.wire;
    wire.reserve(256 + body.size());
    wire += method;
    wire += ' ';
    wire += path.isEmpty() ? QByteArrayLiteral("/") : path;
    wire += " HTTP/1.1\r\n";
    bool hasHost = false;
    for (const auto &[name, value] : headers) {
        if (name.compare("Content-Length", Qt::CaseInsensitive) == 0)
            continue; // the framing must match the bytes written below
        if (name.compare("Host", Qt::CaseInsensitive) == 0)
            hasHost = true;
        wire += name;
        wire += ": ";
        wire += value;
        wire += "\r\n";
    }
    if (!hasHost) {
        wire += "Host: ";
        wire += m_hostHeader;
        wire += "\r\n";
    }
    // A GET or HEAD without a body stays without the header; every other method states its length
    // so the server never has to guess where the message ends.
    if (!body.isEmpty() || (method != "GET" && method != "HEAD")) {
        wire += "Content-Length: ";
        wire += QByteArray::number(body.size());
        wire += "\r\n";
    }
    wire += "\r\n";
    wire += body;

    m_queue.push_back(std::move(pending));
    if (!m_inFlight) {
        // Deferred so that a failure (refused connect, say) never calls back from inside send().
        QMetaObject::invokeMethod(this, &HttpClientConnection::pump, Qt::QueuedConnection);
    }
}

int HttpClientConnection::pendingCount() const {
    return int(m_queue.size());
}

void HttpClientConnection::pump() {
    if (m_inFlight || m_queue.empty())
        return;
    m_inFlight = true;
    m_startedNs = monotonicNs();
    m_timer.start(m_timeoutMs);
    resetParser();
    if (!m_socket)
        openSocket();
    else if (m_connected)
        writeCurrent();
    // else: a connect is under way; onConnected() writes.
}

void HttpClientConnection::openSocket() {
    auto *socket = new QTcpSocket(this);
    m_socket = socket;
    m_connected = false;
    ++m_connectAttempts;
    // The lambdas check the sender: a replaced socket's late signals must not touch the new one.
    connect(socket, &QTcpSocket::connected, this, [this, socket] {
        if (socket == m_socket)
            onConnected();
    });
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] {
        if (socket == m_socket)
            onReadyRead();
    });
    connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
        if (socket == m_socket)
            onSocketGone();
    });
    connect(socket, &QTcpSocket::errorOccurred, this, [this, socket] {
        // Errors on a live socket are followed by disconnected(); a failed connect is not.
        if (socket == m_socket && socket->state() == QAbstractSocket::UnconnectedState)
            onSocketGone();
    });
    socket->connectToHost(m_host, m_port);
}

void HttpClientConnection::dropSocket() {
    if (!m_socket)
        return;
    QTcpSocket *socket = std::exchange(m_socket, nullptr);
    m_connected = false;
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater(); // we may be inside one of its signals
}

void HttpClientConnection::writeCurrent() {
    m_socket->write(m_queue.front().wire);
}

void HttpClientConnection::onConnected() {
    m_connected = true;
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1); // small requests, latency matters
    if (m_inFlight)
        writeCurrent();
}

void HttpClientConnection::onReadyRead() {
    const QByteArray data = m_socket->readAll();
    if (data.isEmpty())
        return;
    if (!m_inFlight) {
        // Bytes nobody asked for: the framing can no longer be trusted, start afresh next time.
        dropSocket();
        return;
    }
    m_responseStarted = true;
    feed(data.constData(), size_t(data.size()));
}

void HttpClientConnection::feed(const char *data, size_t length) {
    const size_t parsed = http_parser_execute(&m_parser, &ClientParserCallbacks::settings(), data, length);
    const auto error = http_errno(HTTP_PARSER_ERRNO(&m_parser));

    if (m_messageDone) {
        // Anything after the response is a protocol violation (we never pipeline): do not reuse.
        const bool reusable = http_should_keep_alive(&m_parser) && !m_parser.upgrade && parsed == length;
        if (!reusable)
            dropSocket();
        complete(std::exchange(m_reply, {}));
        return;
    }
    if (error != HPE_OK) {
        dropSocket();
        fail(m_bodyTooLarge ? QStringLiteral("response body larger than %1 bytes").arg(kMaxResponseBodyBytes)
                            : QStringLiteral("malformed response: %1")
                                  .arg(QString::fromLatin1(http_errno_description(error))));
    }
}

void HttpClientConnection::onSocketGone() {
    QTcpSocket *const socket = m_socket;
    if (socket->bytesAvailable() > 0)
        onReadyRead(); // the last bytes before the close may complete the response
    if (m_socket != socket)
        return; // that finished the request and let this socket go (a next request may be under way)

    const bool wasConnected = m_connected;
    const QString reason = socket->error() == QAbstractSocket::RemoteHostClosedError ||
                                   socket->error() == QAbstractSocket::UnknownSocketError
                               ? QStringLiteral("connection closed by the server")
                               : socket->errorString();
    dropSocket();
    if (!m_inFlight)
        return; // an idle keep-alive connection timed out on the server; the next request reconnects

    if (m_responseStarted) {
        // End of stream is how a response without Content-Length or chunking ends.
        http_parser_execute(&m_parser, &ClientParserCallbacks::settings(), nullptr, 0);
        if (m_messageDone)
            complete(std::exchange(m_reply, {}));
        else
            fail(QStringLiteral("%1 before the response was complete").arg(reason));
        return;
    }
    Pending &current = m_queue.front();
    if (wasConnected && current.attempts == 0) {
        // Closed without a byte of answer: typically a keep-alive connection the server timed out
        // just as the request went out, so it never saw it. One more try on a fresh connection;
        // the deadline keeps running across both attempts.
        ++current.attempts;
        resetParser();
        openSocket();
        return;
    }
    fail(reason);
}

void HttpClientConnection::onTimeout() {
    if (!m_inFlight)
        return;
    // A late response would be taken for the next request's: the connection has to go.
    dropSocket();
    fail(QStringLiteral("no response within %1 ms").arg(m_timeoutMs));
}

void HttpClientConnection::fail(const QString &error) {
    HttpClientReply reply;
    reply.error = error;
    complete(std::move(reply));
}

void HttpClientConnection::complete(HttpClientReply reply) {
    m_timer.stop();
    reply.latencyNs = monotonicNs() - m_startedNs;
    Pending finished = std::move(m_queue.front());
    m_queue.pop_front();
    m_inFlight = false;
    resetParser();

    QPointer<HttpClientConnection> self(this);
    if (finished.done)
        finished.done(reply);
    if (self)
        pump();
}

void HttpClientConnection::resetParser() {
    http_parser_init(&m_parser, HTTP_RESPONSE);
    m_parser.data = this;
    m_responseStarted = false;
    m_messageDone = false;
    m_bodyTooLarge = false;
    m_reply = {};
    m_headerField.clear();
    m_headerValue.clear();
    m_lastWasValue = false;
}

int HttpClientConnection::onMessageBegin() {
    // Also discards an interim 1xx response that came first.
    m_reply = {};
    m_headerField.clear();
    m_headerValue.clear();
    m_lastWasValue = false;
    return 0;
}

int HttpClientConnection::onHeaderField(const char *at, size_t length) {
    if (m_lastWasValue)
        flushHeader();
    m_headerField.append(at, qsizetype(length));
    m_lastWasValue = false;
    return 0;
}

int HttpClientConnection::onHeaderValue(const char *at, size_t length) {
    m_headerValue.append(at, qsizetype(length));
    m_lastWasValue = true;
    return 0;
}

void HttpClientConnection::flushHeader() {
    if (!m_headerField.isEmpty())
        m_reply.headers.append({m_headerField, m_headerValue});
    m_headerField.clear();
    m_headerValue.clear();
}

int HttpClientConnection::onHeadersComplete() {
    flushHeader();
    m_reply.status = int(m_parser.status_code);
    // 1 tells http-parser that no body follows, whatever Content-Length says: the answer to HEAD.
    return !m_queue.empty() && m_queue.front().isHead ? 1 : 0;
}

int HttpClientConnection::onBody(const char *at, size_t length) {
    if (m_reply.body.size() + qsizetype(length) > kMaxResponseBodyBytes) {
        m_bodyTooLarge = true;
        return 1;
    }
    m_reply.body.append(at, qsizetype(length));
    return 0;
}

int HttpClientConnection::onMessageComplete() {
    if (m_reply.status >= 100 && m_reply.status < 200 && m_reply.status != 101)
        return 0; // interim answer (100 Continue, 103 Early Hints): the final one follows
    m_messageDone = true;
    http_parser_pause(&m_parser, 1); // stop here; what follows is not ours
    return 0;
}

} // namespace net
