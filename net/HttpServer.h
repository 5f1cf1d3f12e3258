#pragma once

#include "net/HttpLimits.h"
#include "net/RequestHandler.h"

#include <QTcpServer>

namespace net {

// Accepts connections and enforces the connection cap; everything else about a client is its
// HttpConnection's business. Lives on, and must be used from, the thread that owns it (the ingest
// thread in the app), never the GUI thread.
class HttpServer final : public QTcpServer {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpServer)
public:
    HttpServer(RequestHandler *handler, const HttpLimits &limits = {}, QObject *parent = nullptr);

    int connectionCount() const { return m_connectionCount; }
    const HttpLimits &limits() const { return m_limits; }

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    RequestHandler *m_handler;
    HttpLimits m_limits;
    int m_connectionCount = 0;
};

} // namespace net
