// libFuzzer target: the query string a browser brings back to GET /oauth/callback, through the real
// OAuthCallbackEndpoint and ConnectFlow::handleCallback (state check, Connect's error, the code).
//
// Input: the query, without the '?'. Every "@STATE@" in it becomes the state a fresh ConnectFlow
// just issued, so the paths behind a valid state are reachable; the flow has no client secret, so
// a valid callback with a code ends at "not configured" instead of the network.
//
// Checks: every callback fails exactly once and never connects; a state is good for one callback
// only; the page shown to the browser carries the message escaped (a hostile error_description
// adds no markup).

#include "FuzzApplication.h"
#include "smartcar/ConnectFlow.h"
#include "smartcar/OAuthCallbackEndpoint.h"
#include "smartcar/SmartcarApiClient.h"
#include "smartcar/TokenStore.h"

#include <QUrlQuery>

#include <cstdio>
#include <cstdlib>

namespace {

[[noreturn]] void fail(const char *what, const QString &detail = {}) {
    std::fprintf(stderr, "fuzz_oauth_callback: %s\n%s\n", what, qPrintable(detail.left(2000)));
    std::abort();
}

struct Outcome {
    int failures = 0;
    int connections = 0;
    QString message;
};

Outcome callback(smartcar::ConnectFlow &flow, const QByteArray &query) {
    Outcome outcome;
    QObject context;
    QObject::connect(&flow, &smartcar::ConnectFlow::connectFailed, &context, [&](const QString &message) {
        ++outcome.failures;
        outcome.message = message;
    });
    QObject::connect(&flow, &smartcar::ConnectFlow::connected, &context, [&] { ++outcome.connections; });
    smartcar::OAuthCallbackEndpoint endpoint(&flow);
    net::HttpRequest request;
    request.method = "GET";
    request.target = "/oauth/callback?" + query;
    request.path = "/oauth/callback";
    request.query = query;
    // No connection behind it: the flow and the endpoint share this thread, so the whole callback
    // runs before handleOAuthCallback returns, and what it answers is seen through the signals.
    endpoint.handleOAuthCallback(request, net::Responder{});
    return outcome;
}

int tagCount(const QByteArray &html) {
    return int(html.count('<'));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz::ensureApplication();
    static smartcar::SmartcarApiClient *client =
        new smartcar::SmartcarApiClient(smartcar::SmartcarEndpoints{});
    static smartcar::TokenStore *tokens =
        new smartcar::TokenStore(QStringLiteral("/nonexistent/fleetmon-fuzz/tokens.json"));
    static const int pageTags =
        tagCount(smartcar::OAuthCallbackEndpoint::page(false, QStringLiteral("x")).body);

    smartcar::ConnectFlow flow(smartcar::ConnectFlow::Settings{}, client, tokens);
    const QString state = QUrlQuery(flow.authorizeUrl()).queryItemValue(QStringLiteral("state"));
    if (state.isEmpty())
        fail("authorizeUrl() carries no state");
    QByteArray query(reinterpret_cast<const char *>(data), qsizetype(size));
    query.replace("@STATE@", state.toLatin1());

    const Outcome first = callback(flow, query);
    if (first.failures != 1 || first.connections != 0)
        fail("a callback must fail exactly once without credentials", QString::fromUtf8(query));
    const Outcome second = callback(flow, query);
    if (second.failures != 1 || second.connections != 0 ||
        !second.message.contains(QLatin1String("state mismatch")))
        fail("a state was accepted twice", QString::fromUtf8(query));

    const net::HttpResponse page = smartcar::OAuthCallbackEndpoint::page(false, first.message);
    if (page.status != 400 || tagCount(page.body) != pageTags)
        fail("the failure page does not escape the message", first.message);
    return 0;
}
