#pragma once

#include "net/RequestHandler.h"

#include <QObject>
#include <QPointer>

namespace smartcar {

class ConnectFlow;

// The app's `GET /oauth/callback`, where Smartcar Connect sends the browser back. Lives on the
// HTTP server's thread (route handleOAuthCallback there); the ConnectFlow may live on another
// (the GUI thread): the query is handed to it queued, and the browser gets its page once the flow
// has exchanged the code, "Vehicles connected, you can close this tab" or the reason it failed.
class OAuthCallbackEndpoint final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OAuthCallbackEndpoint)
public:
    explicit OAuthCallbackEndpoint(ConnectFlow *flow, QObject *parent = nullptr);

    void handleOAuthCallback(const net::HttpRequest &request, const net::Responder &responder);

    static net::HttpResponse page(bool ok, const QString &message);

private:
    QPointer<ConnectFlow> m_flow;
};

} // namespace smartcar
