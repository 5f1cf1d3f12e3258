#include "net/HttpConnection.h"

#include <QDateTime>
#include <QTcpSocket>
#include <algorithm>

namespace net {

// http-parser calls plain C functions; these forward to the connection stored in parser->data.
struct ParserCallbacks {
    static HttpConnection *self(http_parser *p) { return static_cast<HttpConnection *>(p->data); }
    static int messageBegin(http_parser *p) { return self(p)->onMessageBegin(); }
    static int url(http_parser *p, const char *at, size_t n) { return self(p)->onUrl(at, n); }
    static int headerField(http_parser *p, const char *at, size_t n) { return self(p)->onHeaderField(at, n); }
    static int headerValue(http_parser *p, const char *at, size_t n) { return self(p)->onHeaderValue(at, n); }
    static int headersComplete(http_parser *p) { return self(p)->onHeadersComplete(); }
    static int chunkHeader(http_parser *p) { return self(p)->onChunkHeader(); }
    static int body(http_parser *p, const char *at, size_t n) { return self(p)->onBody(at, n); }
    static int messageComplete(http_parser *p) { return self(p)->onMessageComplete(); }

    static const http_parser_settings &settings() {
        static const http_parser_settings s = [] {
            http_parser_settings v;
            http_parser_settings_init(&v);
            v.on_message_begin = messageBegin;
            v.on_url = url;
            v.on_header_field = headerField;
            v.on_header_value = headerValue;
            v.on_headers_complete = headersComplete;
            v.on_chunk_header = chunkHeader;
            v.on_body = body;
            v.on_message_complete = messageComplete;
            return v;
        }();
        return s;
    }
};

namespace {
// Bytes a header line costs beyond its name and value (": " and CRLF); counted so the limit tracks
// the size on the wire, and 10,000 tiny headers cannot slip under it.
constexpr qsizetype kHeaderLineOverhead = 4;
constexpr qsizetype kReadChunk = 64 * 1024;
constexpr qsizetype kMaxUnsentBytes = 1024 * 1024;
} // namespace

Responder::Responder(HttpConnection *connection, std::shared_ptr<PendingResponse> slot)
    : m_connection(connection)
    , m_slot(std::move(slot)) {}

void Responder::respond(HttpResponse response) const {
    if (m_slot && !m_slot->ready && m_connection)
        m_connection->fulfil(m_slot, std::move(response));
}

bool Responder::hasResponded() const {
    return !m_slot || m_slot->ready;
}

HttpConnection::HttpConnection(QTcpSocket *socket, RequestHandler *handler, const HttpLimits &limits,
                               QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_handler(handler)
    , m_limits(limits) {
    m_socket->setParent(this);
    http_parser_init(&m_parser, HTTP_REQUEST);
    m_parser.data = this;
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, &HttpConnection::onDeadline);
    // Bounded: Qt stops reading from the kernel when this much is buffered and reading is paused.
    m_socket->setReadBufferSize(kReadChunk * 4);
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::bytesWritten, this, [this] {
        if (!m_closing)
            parseBuffered();
    });
    connect(m_socket, &QTcpSocket::disconnected, this, &QObject::deleteLater);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this] {
        if (m_socket->state() == QAbstractSocket::UnconnectedState)
            deleteLater();
    });
    armIdleTimer();
    if (m_socket->bytesAvailable() > 0)
        onReadyRead();
}

HttpConnection::~HttpConnection() = default;

void HttpConnection::onReadyRead() {
    if (m_closing) {
        m_socket->readAll(); // the connection is done; what the client still sends is discarded
        return;
    }
    parseBuffered();
}

bool HttpConnection::isReadingPaused() const {
    // A client that pipelines faster than it is answered, or does not read its answers, waits in
    // the kernel's buffers rather than in this process's memory.
    return qsizetype(m_queue.size()) >= m_limits.maxPipelinedRequests ||
           m_socket->bytesToWrite() > kMaxUnsentBytes;
}

void HttpConnection::parseBuffered() {
    if (m_parsing)
        return; // a handler answered from inside a parser callback; the outer loop carries on
    m_parsing = true;
    while (!m_closing && !isReadingPaused()) {
        if (m_unparsed.isEmpty()) {
            // Sized to what is buffered: read(kReadChunk) allocates the whole chunk every time,
            // which for one 5 KB webhook per read cost more than parsing its headers.
            const qint64 available = m_socket->bytesAvailable();
            if (available <= 0)
                break;
            m_unparsed = m_socket->read(std::min<qint64>(available, kReadChunk));
        }
        if (m_unparsed.isEmpty())
            break;
        if (!m_head.done && !scanHead(m_unparsed.constData(), m_unparsed.size())) {
            reject(m_rejectStatus, m_rejectMessage);
            break;
        }
        const size_t parsed = http_parser_execute(&m_parser, &ParserCallbacks::settings(),
                                                  m_unparsed.constData(), size_t(m_unparsed.size()));
        const auto error = http_errno(HTTP_PARSER_ERRNO(&m_parser));
        m_unparsed.remove(0, qsizetype(parsed));
        if (error == HPE_PAUSED) {
            http_parser_pause(&m_parser, 0); // at the end of a message, see onMessageComplete()
        } else if (error != HPE_OK) {
            if (m_rejectStatus != 0)
                reject(m_rejectStatus, m_rejectMessage);
            else if (error == HPE_HEADER_OVERFLOW)
                reject(431, QStringLiteral("request header block too large"));
            else
                reject(400, QStringLiteral("malformed request: %1")
                                .arg(QString::fromLatin1(http_errno_description(error))));
            break;
        }
        if (m_parser.upgrade) {
            // Protocol upgrades are not offered; the request was answered, the rest is not HTTP/1.1.
            m_closing = true;
            m_unparsed.clear();
        }
    }
    m_parsing = false;
}

void HttpConnection::onDeadline() {
    if (m_inMessage) {
        reject(408, QStringLiteral("request not completed within %1 ms").arg(m_limits.requestTimeoutMs));
    } else if (m_queue.empty()) {
        m_socket->disconnectFromHost(); // idle keep-alive connection
    }
}

void HttpConnection::armIdleTimer() {
    if (!m_inMessage && m_queue.empty() && !m_closing)
        m_deadline.start(m_limits.requestTimeoutMs);
}

void HttpConnection::fulfil(const std::shared_ptr<PendingResponse> &slot, HttpResponse response) {
    slot->response = std::move(response);
    slot->ready = true;
    flush();
}

void HttpConnection::reject(int status, const QString &message) {
    HttpResponse response = HttpResponse::error(status, message);
    response.closeConnection = true;
    m_closing = true;
    m_inMessage = false;
    m_deadline.stop();
    m_unparsed.clear();
    std::shared_ptr<PendingResponse> slot = m_currentSlot;
    if (!slot || slot->ready) {
        // The request got no slot yet (its headers never completed): it gets one at the end.
        slot = std::make_shared<PendingResponse>();
        m_queue.push_back(slot);
    }
    m_currentSlot.reset();
    fulfil(slot, std::move(response));
}

void HttpConnection::flush() {
    while (!m_queue.empty()) {
        const std::shared_ptr<PendingResponse> &front = m_queue.front();
        if (!front->ready) {
            if (front->expectContinue && !front->continueSent) {
                front->continueSent = true;
                m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");
            }
            break;
        }
        const bool lastBeforeClose = m_closing && m_queue.size() == 1;
        const bool keepAlive = front->keepAlive && !front->response.closeConnection && !lastBeforeClose;
        m_socket->write(front->response.serialize(keepAlive));
        m_queue.pop_front();
        if (!keepAlive) {
            m_closing = true;
            m_queue.clear();
            m_deadline.stop();
            m_socket->disconnectFromHost(); // writes what is buffered, then closes
            return;
        }
    }
    if (m_queue.empty())
        armIdleTimer();
    parseBuffered(); // reading may have paused while answers were owed
}

void HttpConnection::resetMessage() {
    m_current = HttpRequest{};
    m_headerField.clear();
    m_headerValue.clear();
    m_lastWasValue = false;
    m_inTrailers = false;
    m_headerBytes = 0;
}

void HttpConnection::appendHeader() {
    // The parser drops the whitespace before a value but keeps what trails it, which is not part of
    // the value either (RFC 7230 3.2.4): "SC-Signature: <hex> " must verify like "<hex>".
    qsizetype end = m_headerValue.size();
    while (end > 0 && (m_headerValue[end - 1] == ' ' || m_headerValue[end - 1] == '\t'))
        --end;
    m_headerValue.truncate(end);
    m_current.headers.append({m_headerField, m_headerValue});
}

bool HttpConnection::refuse(int status, const QString &message) {
    m_rejectStatus = status;
    m_rejectMessage = message;
    return false;
}

// http-parser 2.9.4 as Debian builds it (HTTP_PARSER_STRICT=0) takes a bare LF for a line end,
// joins obs-fold continuation lines, and accepts spaces in header names: "Content-Length : 5"
// frames the body by 5 bytes while the header, looked up by name, does not exist, and an indented
// first header is no Content-Length at all, so its body is read as the next request. Any of these
// lets a proxy in front of this server and the server disagree about where a request ends. They
// are refused here, before the parser sees the bytes (RFC 7230 3.2.4, 3.5: 400).
bool HttpConnection::scanHead(const char *data, qsizetype size) {
    for (qsizetype i = 0; i < size && !m_head.done; ++i) {
        const char c = data[i];
        if (m_head.afterCr && c != '\n')
            return refuse(400, QStringLiteral("CR without LF in the request head"));
        if (c == '\r') {
            m_head.afterCr = true;
            continue;
        }
        if (c == '\n') {
            const bool crlf = std::exchange(m_head.afterCr, false);
            if (m_head.line == 0 && m_head.lineLength == 0)
                continue; // empty lines before a request line are ignored (RFC 7230 3.5)
            if (!crlf)
                return refuse(400, QStringLiteral("LF without CR in the request head"));
            if (m_head.lineLength == 0) {
                m_head.done = true;
                break;
            }
            ++m_head.line;
            m_head.lineLength = 0;
            m_head.colonSeen = false;
            continue;
        }
        if (m_head.line > 0 && !m_head.colonSeen) {
            if (c == ':')
                m_head.colonSeen = true;
            else if ((c == ' ' || c == '\t') && m_head.lineLength == 0)
                return refuse(400, QStringLiteral("folded or indented header line"));
            else if (c == ' ' || c == '\t')
                return refuse(400, QStringLiteral("whitespace in a header name"));
        }
        ++m_head.lineLength;
    }
    return true;
}

bool HttpConnection::acceptableTransferEncoding() {
    if (m_parser.http_minor == 0)
        return refuse(400, QStringLiteral("Transfer-Encoding in an HTTP/1.0 request"));
    // Every Transfer-Encoding header, in order, as one list of codings (RFC 7230 3.2.2).
    QList<QByteArray> codings;
    for (const auto &[name, value] : std::as_const(m_current.headers)) {
        if (name.compare("Transfer-Encoding", Qt::CaseInsensitive) != 0)
            continue;
        for (const QByteArray &coding : value.split(','))
            codings.append(coding.trimmed().toLower());
    }
    if (codings == QList<QByteArray>{"chunked"})
        return true;
    if (codings.count("chunked") != 1 || codings.constLast() != "chunked")
        return refuse(400, QStringLiteral("Transfer-Encoding must end in chunked, once"));
    // Chunked last after a coding this server does not undo: a gzip body must not be handed on as
    // if it were the plain one.
    return refuse(501, QStringLiteral("transfer coding not supported: %1")
                           .arg(QString::fromLatin1(codings.join(", ").left(100))));
}

bool HttpConnection::countHeaderBytes(size_t length) {
    m_headerBytes += qsizetype(length);
    if (m_headerBytes <= m_limits.maxHeaderBytes)
        return true;
    m_rejectStatus = 431;
    m_rejectMessage = QStringLiteral("request header block exceeds %1 bytes").arg(m_limits.maxHeaderBytes);
    return false;
}

int HttpConnection::onMessageBegin() {
    resetMessage();
    m_inMessage = true;
    m_deadline.start(m_limits.requestTimeoutMs); // the whole request must arrive within the timeout
    return 0;
}

int HttpConnection::onUrl(const char *at, size_t length) {
    if (!countHeaderBytes(length))
        return -1;
    m_current.target.append(at, qsizetype(length));
    return 0;
}

int HttpConnection::onHeaderField(const char *at, size_t length) {
    if (m_lastWasValue) {
        if (!m_inTrailers) // trailer fields are counted but never mistaken for request headers
            appendHeader();
        m_headerField.clear();
        m_headerValue.clear();
        m_lastWasValue = false;
    }
    if (m_headerField.isEmpty() && !countHeaderBytes(kHeaderLineOverhead))
        return -1;
    if (!countHeaderBytes(length))
        return -1;
    m_headerField.append(at, qsizetype(length));
    return 0;
}

int HttpConnection::onHeaderValue(const char *at, size_t length) {
    if (!countHeaderBytes(length))
        return -1;
    m_headerValue.append(at, qsizetype(length));
    m_lastWasValue = true;
    return 0;
}

int HttpConnection::onHeadersComplete() {
    if (!m_headerField.isEmpty())
        appendHeader();
    m_headerField.clear();
    m_headerValue.clear();
    m_lastWasValue = false;
    m_inTrailers = true;

    if (m_parser.http_major != 1) {
        refuse(505, QStringLiteral("only HTTP/1.0 and HTTP/1.1 are served"));
        return -1;
    }
    if (m_current.hasHeader("Transfer-Encoding") && !acceptableTransferEncoding())
        return -1;

    m_current.method = http_method_str(http_method(m_parser.method));
    m_current.versionMajor = m_parser.http_major;
    m_current.versionMinor = m_parser.http_minor;
    m_current.peer = m_socket->peerAddress();

    // Origin-form ("/path?q") and absolute-form ("http://host/path?q") both reduce to path + query.
    http_parser_url url;
    http_parser_url_init(&url);
    const QByteArray &target = m_current.target;
    const bool isConnect = m_parser.method == HTTP_CONNECT;
    if (http_parser_parse_url(target.constData(), size_t(target.size()), isConnect ? 1 : 0, &url) != 0) {
        m_rejectStatus = 400;
        m_rejectMessage = QStringLiteral("malformed request target");
        return -1;
    }
    if (url.field_set & (1 << UF_PATH))
        m_current.path = target.mid(url.field_data[UF_PATH].off, url.field_data[UF_PATH].len);
    else
        m_current.path = "/";
    if (url.field_set & (1 << UF_QUERY))
        m_current.query = target.mid(url.field_data[UF_QUERY].off, url.field_data[UF_QUERY].len);

    auto slot = std::make_shared<PendingResponse>();
    slot->keepAlive = http_should_keep_alive(&m_parser) != 0;
    m_currentSlot = slot;
    m_queue.push_back(slot);

    const bool chunked = (m_parser.flags & F_CHUNKED) != 0;
    if (!chunked && m_parser.content_length != ULLONG_MAX &&
        m_parser.content_length > quint64(m_limits.maxBodyBytes)) {
        // Decided from the header alone: the body is never read.
        m_rejectStatus = 413;
        m_rejectMessage = QStringLiteral("request body exceeds %1 bytes").arg(m_limits.maxBodyBytes);
        return -1;
    }
    if (!chunked && m_parser.content_length != ULLONG_MAX)
        m_current.body.reserve(qsizetype(m_parser.content_length));

    if (m_current.header("Expect").compare("100-continue", Qt::CaseInsensitive) == 0) {
        slot->expectContinue = true;
        flush();
    }
    return 0;
}

int HttpConnection::onChunkHeader() {
    // The chunk's size is known before its data: a chunk that would cross the limit is refused now.
    if (m_parser.content_length > quint64(m_limits.maxBodyBytes - m_current.body.size())) {
        refuse(413, QStringLiteral("request body exceeds %1 bytes").arg(m_limits.maxBodyBytes));
        return -1;
    }
    if (m_parser.content_length == 0) {
        // The last chunk: the trailer section that follows is a header block like any other and is
        // checked the same way before the parser reads it.
        m_head = HeadScan{};
        m_head.line = 1;
        http_parser_pause(&m_parser, 1);
    }
    return 0;
}

int HttpConnection::onBody(const char *at, size_t length) {
    if (m_current.body.size() + qsizetype(length) > m_limits.maxBodyBytes) {
        m_rejectStatus = 413;
        m_rejectMessage = QStringLiteral("request body exceeds %1 bytes").arg(m_limits.maxBodyBytes);
        return -1;
    }
    m_current.body.append(at, qsizetype(length));
    return 0;
}

int HttpConnection::onMessageComplete() {
    m_inMessage = false;
    m_deadline.stop(); // the handler owns the time from here
    m_current.receivedAtMs = QDateTime::currentMSecsSinceEpoch();
    m_current.receivedAtNs = HttpRequest::monotonicNs();
    std::shared_ptr<PendingResponse> slot = std::exchange(m_currentSlot, nullptr);
    if (!slot->keepAlive)
        m_closing = true; // "Connection: close" or HTTP/1.0: no further request is read
    HttpRequest request = std::exchange(m_current, HttpRequest{});
    m_head = HeadScan{}; // the next byte starts the next request's head
    m_handler->handleRequest(request, Responder(this, slot));
    // Always paused: the loop in parseBuffered() checks the next request's head before the parser
    // reads it, and stops reading while answers are owed or the connection is closing.
    http_parser_pause(&m_parser, 1);
    return 0;
}

} // namespace net
