#pragma once

#include "net/RequestHandler.h"

#include <QHash>
#include <functional>

namespace net {

// Dispatches on exact path and method: 404 for an unknown path, 405 (with Allow) for a known path
// asked with another method. Routes are fixed before the server starts; dispatch is lock-free.
class Router final : public RequestHandler {
public:
    using Route = std::function<void(const HttpRequest &, const Responder &)>;

    void addRoute(const QByteArray &method, const QByteArray &path, Route route);
    void handleRequest(const HttpRequest &request, const Responder &responder) override;

private:
    QHash<QByteArray, QHash<QByteArray, Route>> m_routes; // path -> method -> route
};

} // namespace net
