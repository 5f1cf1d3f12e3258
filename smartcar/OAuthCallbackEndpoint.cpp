#include "smartcar/OAuthCallbackEndpoint.h"

#include "smartcar/ConnectFlow.h"

#include <QUrlQuery>

namespace smartcar {

OAuthCallbackEndpoint::OAuthCallbackEndpoint(ConnectFlow *flow, QObject *parent)
    : QObject(parent)
    , m_flow(flow) {}

net::HttpResponse OAuthCallbackEndpoint::page(bool ok, const QString &message) {
    const QString title = ok ? QStringLiteral("Vehicles connected") : QStringLiteral("Connect failed");
    const QString lead = ok ? QStringLiteral("Vehicles connected, you can close this tab.")
                            : QStringLiteral("Smartcar Connect did not complete.");
    const QString html =
        QStringLiteral("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>%1 - Fleet Monitor</title>"
                       "</head><body style=\"font-family:sans-serif;margin:3em\"><h1>%2</h1><p>%3</p>"
                       "<p>Fleet Monitor</p></body></html>")
            .arg(title, lead.toHtmlEscaped(), message.toHtmlEscaped());
    net::HttpResponse response;
    response.status = ok ? 200 : 400;
    response.headers.append(
        {QByteArrayLiteral("Content-Type"), QByteArrayLiteral("text/html; charset=utf-8")});
    // The URL held a one-time code: keep it out of caches and referrers.
    response.headers.append({QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store")});
    response.headers.append({QByteArrayLiteral("Referrer-Policy"), QByteArrayLiteral("no-referrer")});
    response.body = html.toUtf8();
    return response;
}

void OAuthCallbackEndpoint::handleOAuthCallback(const net::HttpRequest &request,
                                                const net::Responder &responder) {
    ConnectFlow *flow = m_flow.data();
    if (!flow) {
        responder.respond(page(false, QStringLiteral("Fleet Monitor is not ready to connect vehicles.")));
        return;
    }
    const QUrlQuery query(QString::fromUtf8(request.query));
    const QPointer<OAuthCallbackEndpoint> self(this);
    // Runs on the flow's thread; the answer comes back to this (the server's) thread, where the
    // responder must be used.
    QMetaObject::invokeMethod(flow, [flow, query, responder, self] {
        flow->handleCallback(query, [responder, self](bool ok, const QString &message) {
            if (!self)
                return;
            QMetaObject::invokeMethod(self.data(), [responder, ok, message] {
                responder.respond(page(ok, ok ? QString() : message));
            });
        });
    });
}

} // namespace smartcar
