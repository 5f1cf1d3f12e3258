#pragma once

#include "net/HttpClientReply.h"
#include "net/HttpRequest.h"

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QTimer>
#include <deque>
#include <functional>
#include <http_parser.h>

class QTcpSocket;

namespace net {

// One keep-alive HTTP/1.1 client connection to a fixed host:port (plain TCP; TLS is the tunnel's
// business). Requests queue and go out one at a time (no pipelining), so replies come in send
// order. The connection opens lazily and is reopened when the server has closed it. A request whose
// connection closed before any byte of its response arrived is sent once more on a fresh connection:
// that is what a server timing out an idle keep-alive connection looks like. The retry may repeat
// a request the server did process before dying, which webhook receivers absorb (they dedupe on
// eventId). Every other failure reaches the caller as an error reply.
// Every request ends in exactly one call of its callback, never from inside send(), unless the
// connection object is destroyed first: then pending callbacks are dropped without a call. A
// callback that wants the connection gone uses deleteLater().
class HttpClientConnection final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpClientConnection)
public:
    using Callback = std::function<void(const HttpClientReply &)>;

    HttpClientConnection(const QString &host, quint16 port, QObject *parent = nullptr);
    ~HttpClientConnection() override;

    // Queues a request. Host and Content-Length are added here (a Host given in headers wins;
    // a given Content-Length is replaced by the real one). path is the request target as sent.
    void send(const QByteArray &method, const QByteArray &path, const HttpHeaders &headers,
              const QByteArray &body, Callback done);

    // Requests queued or in flight.
    int pendingCount() const;

    // Per request, from the moment the connection starts on it (connect included) to the last byte.
    void setTimeout(int ms) { m_timeoutMs = ms; }
    int timeout() const { return m_timeoutMs; }

    // TCP connections opened so far (successfully or not): lets callers and tests see reuse.
    int connectAttempts() const { return m_connectAttempts; }

    QString host() const { return m_host; }
    quint16 port() const { return m_port; }

private:
    friend struct ClientParserCallbacks;

    struct Pending {
        QByteArray wire; // request line, headers and body, ready to write
        bool isHead = false;
        int attempts = 0;
        Callback done;
    };

    void pump();
    void openSocket();
    void dropSocket();
    void writeCurrent();
    void onConnected();
    void onReadyRead();
    void feed(const char *data, size_t length);
    void onSocketGone();
    void onTimeout();
    void complete(HttpClientReply reply);
    void fail(const QString &error);
    void resetParser();

    int onMessageBegin();
    int onHeaderField(const char *at, size_t length);
    int onHeaderValue(const char *at, size_t length);
    int onHeadersComplete();
    int onBody(const char *at, size_t length);
    int onMessageComplete();
    void flushHeader();

    QString m_host;
    quint16 m_port;
    QByteArray m_hostHeader;
    int m_timeoutMs = 15'000;
    int m_connectAttempts = 0;

    QTcpSocket *m_socket = nullptr; // one per TCP connection; replaced on reconnect
    bool m_connected = false;
    QTimer m_timer;
    std::deque<Pending> m_queue; // front is in flight when m_inFlight
    bool m_inFlight = false;
    qint64 m_startedNs = 0;

    http_parser m_parser;
    bool m_responseStarted = false; // a byte of the current response arrived: no silent retry
    bool m_messageDone = false;
    bool m_bodyTooLarge = false;
    HttpClientReply m_reply;
    QByteArray m_headerField;
    QByteArray m_headerValue;
    bool m_lastWasValue = false;
};

} // namespace net
