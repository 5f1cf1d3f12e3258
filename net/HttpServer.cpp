#include "net/HttpServer.h"

#include "net/HttpConnection.h"

#include <QTcpSocket>

namespace net {

HttpServer::HttpServer(RequestHandler *handler, const HttpLimits &limits, QObject *parent)
    : QTcpServer(parent)
    , m_handler(handler)
    , m_limits(limits) {
    // The kernel queue is not ours to cap; what is accepted is answered, over the cap with 503.
    setMaxPendingConnections(std::max(30, m_limits.maxConnections));
}

void HttpServer::incomingConnection(qintptr socketDescriptor) {
    auto *socket = new QTcpSocket;
    if (!socket->setSocketDescriptor(socketDescriptor)) {
        delete socket;
        return;
    }
    if (m_connectionCount >= m_limits.maxConnections) {
        // Answered without reading: the client learns why instead of seeing a reset.
        socket->setParent(this);
        socket->write(HttpResponse::error(503, QStringLiteral("too many connections")).serialize(false));
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        socket->disconnectFromHost();
        return;
    }
    ++m_connectionCount;
    auto *connection = new HttpConnection(socket, m_handler, m_limits, this);
    connect(connection, &QObject::destroyed, this, [this] { --m_connectionCount; });
}

} // namespace net
