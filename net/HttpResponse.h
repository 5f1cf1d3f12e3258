#pragma once

#include "net/HttpRequest.h"

namespace net {

// A response for the server to serialise. Content-Length, Date-free framing and Connection are
// added by the server; handlers set only what is specific to them.
struct HttpResponse {
    int status = 200;
    HttpHeaders headers;
    QByteArray body;
    bool closeConnection = false; // ask the server to close after writing it

    static HttpResponse json(int status, const QByteArray &body);
    static HttpResponse text(int status, const QByteArray &body);
    // {"error": message} with the given status: the shape every error of the endpoint takes.
    static HttpResponse error(int status, const QString &message);

    // The status line and headers (with Content-Length and Connection) followed by the body.
    QByteArray serialize(bool keepAlive) const;
    static QByteArray reasonPhrase(int status);
};

} // namespace net
