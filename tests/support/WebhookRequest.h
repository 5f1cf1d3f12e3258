#pragma once

// Smartcar webhook deliveries as raw HTTP/1.1 bytes, for tests that talk to the real server over
// RawHttpClient.

#include "smartcar/Signature.h"
#include "support/PostRequest.h"
#include "support/RawHttpClient.h"

#include <QByteArray>

namespace testsupport {

// A POST to the webhook as Smartcar sends it. A null `signature` leaves the SC-Signature header
// out; `extraHeaders` (whole "Name: value\r\n" lines) go before it.
inline QByteArray webhookRequest(const QByteArray &body, const QByteArray &signature,
                                 const QByteArray &extraHeaders = {}) {
    QByteArray headers = "Content-Type: application/json\r\n" + extraHeaders;
    if (!signature.isNull())
        headers += "SC-Signature: " + signature + "\r\n";
    return postRequest("/webhooks/smartcar", body, headers, "127.0.0.1");
}

// The same, signed with the application management token `amt`.
inline QByteArray signedWebhookRequest(const QByteArray &amt, const QByteArray &body) {
    return webhookRequest(body, smartcar::Signature::hmacSha256Hex(amt, body));
}

// Sends `request` on a connection of its own and reads the answer: its status, or 0 when the
// connection or the answer did not come within 15 s. The answer's body goes to `answer` if given.
inline int postOnNewConnection(quint16 port, const QByteArray &request, QByteArray *answer = nullptr) {
    RawHttpClient client(port);
    if (!client.waitConnected())
        return 0;
    client.send(request);
    RawResponse r;
    if (!client.read(&r, 15000))
        return 0;
    if (answer)
        *answer = r.body;
    return r.status;
}

} // namespace testsupport
