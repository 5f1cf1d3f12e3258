#pragma once

#include <QByteArray>
#include <QString>

namespace smartcar {

// What went wrong with one Smartcar request, in Smartcar's own terms (smartcar-protocol.md §13),
// or the transport error when no answer came. OAuth errors ({"error","error_description"}) map
// onto type/description so callers need not tell the two hosts apart.
class SmartcarError final {
public:
    SmartcarError() = default;
    // From an HTTP answer: status, the raw body (JSON or not) and the retry-after header value.
    // reasonPhrase is the server's status text, the last resort of userMessage().
    static SmartcarError fromResponse(int httpStatus, const QByteArray &body,
                                      const QByteArray &retryAfter = {},
                                      const QByteArray &requestIdHeader = {},
                                      const QString &reasonPhrase = {});
    // No HTTP answer at all (timeout, refused, DNS, TLS): status stays 0.
    static SmartcarError transport(const QString &message);
    // A failure decided on this side (no token for a vehicle, bad configuration...).
    static SmartcarError local(const QString &message);

    bool isError() const { return m_isError; }
    int httpStatus() const { return m_httpStatus; }
    const QString &type() const { return m_type; }
    const QString &code() const { return m_code; }
    const QString &description() const { return m_description; }
    const QString &suggestedUserMessage() const { return m_suggestedUserMessage; }
    const QString &resolution() const { return m_resolution; } // RETRY_LATER, REAUTHENTICATE, ... or empty
    const QString &requestId() const { return m_requestId; }
    int retryAfterSeconds() const { return m_retryAfterSeconds; } // -1 when the header was absent

    bool isTransport() const { return m_isError && m_httpStatus == 0 && !m_local; }
    bool isRateLimited() const { return m_httpStatus == 429; }
    bool isServerError() const { return m_httpStatus >= 500 && m_httpStatus != 501; }
    bool isAuthentication() const { return m_httpStatus == 401; }
    // The refresh token is dead (revoked, expired, already rotated): only a new Connect helps.
    bool needsReconnect() const;

    // For people: suggestedUserMessage, else description, else the HTTP status text.
    QString userMessage() const;
    // userMessage() plus type/code and request id, for logs and a CLI's stderr. Never holds tokens.
    QString detailedMessage() const;

private:
    bool m_isError = false;
    bool m_local = false;
    int m_httpStatus = 0;
    int m_retryAfterSeconds = -1;
    QString m_statusText, m_type, m_code, m_description, m_suggestedUserMessage, m_resolution, m_requestId;
};

} // namespace smartcar
