#pragma once

#include "net/HttpRequest.h"
#include "net/HttpResponse.h"

#include <QPointer>
#include <memory>

namespace net {

class HttpConnection;
struct PendingResponse;

// The handle a handler answers a request through, now or later (after a database commit, say).
// Copyable; the first respond() wins. It must be used on the server's thread; when the client has
// gone away, respond() does nothing.
class Responder final {
public:
    Responder() = default;
    void respond(HttpResponse response) const;
    bool hasResponded() const;

private:
    friend class HttpConnection;
    Responder(HttpConnection *connection, std::shared_ptr<PendingResponse> slot);

    QPointer<HttpConnection> m_connection;
    std::shared_ptr<PendingResponse> m_slot;
};

// What the server hands complete requests to. It never sees a socket.
class RequestHandler {
public:
    virtual ~RequestHandler() = default;
    virtual void handleRequest(const HttpRequest &request, const Responder &responder) = 0;
};

} // namespace net
