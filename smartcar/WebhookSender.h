#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QUrl>
#include <vector>

namespace net {
class HttpClientConnection;
}

namespace smartcar {

// Posts webhook bodies the way Smartcar does (POST, JSON, SC-Signature = hex HMAC-SHA256 of the
// exact body under the Application Management Token) to one http:// URL over a fixed pool of
// keep-alive connections. Each body goes to the next idle connection in round-robin order, or to
// the next one in turn when all are busy (it then waits there: one request per connection at a
// time). No retries beyond the connection's own reconnect: what failed is reported, not resent.
class WebhookSender final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebhookSender)
public:
    // url must be http:// with a host (see urlError()); connections is clamped to at least 1.
    WebhookSender(const QUrl &url, const QByteArray &amt, int connections, QObject *parent = nullptr);
    ~WebhookSender() override;

    // Why url cannot be posted to, or an empty string when it can.
    static QString urlError(const QUrl &url);

    void post(const QByteArray &body);

    // Per request; the default matches the 15 s Smartcar gives a receiver.
    void setTimeout(int ms);

    int inFlight() const { return m_inFlight; }
    qint64 sentCount() const { return m_sent; }
    qint64 acknowledgedCount() const { return m_acknowledged; } // answered 2xx
    qint64 failedCount() const { return m_failed; }             // answered otherwise, or not at all
    int connectionCount() const { return int(m_connections.size()); }

Q_SIGNALS:
    // The receiver answered 2xx: Smartcar would count the delivery as done.
    void delivered(int status, qint64 latencyNs);
    // Anything else: "HTTP <status>" for an answer outside 2xx, else the transport error.
    void failed(const QString &error);

private:
    net::HttpClientConnection *pickConnection();

    QByteArray m_amt;
    QByteArray m_target; // path and query, as sent in the request line
    std::vector<net::HttpClientConnection *> m_connections;
    size_t m_next = 0;
    int m_inFlight = 0;
    qint64 m_sent = 0;
    qint64 m_acknowledged = 0;
    qint64 m_failed = 0;
};

} // namespace smartcar
