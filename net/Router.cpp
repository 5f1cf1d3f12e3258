#include "net/Router.h"

#include <QStringList>

namespace net {

void Router::addRoute(const QByteArray &method, const QByteArray &path, Route route) {
    m_routes[path].insert(method, std::move(route));
}

void Router::handleRequest(const HttpRequest &request, const Responder &responder) {
    auto byPath = m_routes.constFind(request.path);
    if (byPath == m_routes.constEnd()) {
        responder.respond(HttpResponse::error(
            404, QStringLiteral("no such path: %1").arg(QString::fromUtf8(request.path.left(200)))));
        return;
    }
    auto route = byPath->constFind(request.method);
    if (route == byPath->constEnd()) {
        QList<QByteArray> allowed = byPath->keys();
        std::sort(allowed.begin(), allowed.end());
        HttpResponse response = HttpResponse::error(
            405, QStringLiteral("method %1 not allowed here").arg(QString::fromLatin1(request.method)));
        response.headers.append(qMakePair(QByteArray("Allow"), allowed.join(", ")));
        responder.respond(std::move(response));
        return;
    }
    (*route)(request, responder);
}

} // namespace net
