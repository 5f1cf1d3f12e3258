#include "smartcar/WebhookSender.h"

#include "net/HttpClientConnection.h"
#include "smartcar/Signature.h"

#include <algorithm>

namespace smartcar {

WebhookSender::WebhookSender(const QUrl &url, const QByteArray &amt, int connections, QObject *parent)
    : QObject(parent)
    , m_amt(amt) {
    m_target = url.path(QUrl::FullyEncoded).toUtf8();
    if (m_target.isEmpty())
        m_target = "/";
    if (url.hasQuery())
        m_target += '?' + url.query(QUrl::FullyEncoded).toUtf8();
    const QString host = url.host();
    const auto port = quint16(url.port(80));
    const int count = std::max(1, connections);
    m_connections.reserve(size_t(count));
    for (int i = 0; i < count; ++i)
        m_connections.push_back(new net::HttpClientConnection(host, port, this));
}

WebhookSender::~WebhookSender() = default;

QString WebhookSender::urlError(const QUrl &url) {
    if (!url.isValid())
        return QStringLiteral("invalid URL: %1").arg(url.errorString());
    if (url.scheme() != QLatin1String("http"))
        return QStringLiteral("only http:// URLs are supported (put TLS in a tunnel or proxy), got \"%1\"")
            .arg(url.toString());
    if (url.host().isEmpty())
        return QStringLiteral("URL has no host: \"%1\"").arg(url.toString());
    return {};
}

void WebhookSender::setTimeout(int ms) {
    for (auto *connection : m_connections)
        connection->setTimeout(ms);
}

net::HttpClientConnection *WebhookSender::pickConnection() {
    // Round robin, but an idle connection beats queueing behind a busy one.
    const size_t count = m_connections.size();
    for (size_t i = 0; i < count; ++i) {
        auto *candidate = m_connections[(m_next + i) % count];
        if (candidate->pendingCount() == 0) {
            m_next = (m_next + i + 1) % count;
            return candidate;
        }
    }
    auto *connection = m_connections[m_next];
    m_next = (m_next + 1) % count;
    return connection;
}

void WebhookSender::post(const QByteArray &body) {
    const net::HttpHeaders headers = {
        {QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")},
        {QByteArrayLiteral("SC-Signature"), Signature::hmacSha256Hex(m_amt, body)},
        {QByteArrayLiteral("User-Agent"), QByteArrayLiteral("Smartcar/sim")},
    };
    ++m_sent;
    ++m_inFlight;
    // The connections are children of this object: they never outlive it, so `this` stays valid in
    // the callback.
    pickConnection()->send(
        QByteArrayLiteral("POST"), m_target, headers, body, [this](const net::HttpClientReply &reply) {
            --m_inFlight;
            if (reply.ok()) {
                ++m_acknowledged;
                Q_EMIT delivered(reply.status, reply.latencyNs);
            } else {
                ++m_failed;
                Q_EMIT failed(reply.error.isEmpty() ? QStringLiteral("HTTP %1").arg(reply.status)
                                                    : reply.error);
            }
        });
}

} // namespace smartcar
