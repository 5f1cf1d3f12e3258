#pragma once

// A fake Smartcar (Connect, OAuth token endpoint, v2.0 vehicle and webhook REST, the v3 Management
// subscription call and the iam client-credentials token endpoint) as a REAL HTTP
// server on loopback, on a thread of its own. It enforces what smartcar-protocol.md §8-§13 say:
// methods, paths, which credential goes where (user token for vehicle calls and subscribe, the
// AMT for unsubscribe, HTTP Basic client credentials and a form body for /oauth/token), paging
// limits, single-use codes and rotating refresh tokens; v3 subscribe takes only a live app token from
// iam (client credentials in a form body) and a JSON:API body naming the vehicle's real user. Everything a
// client gets wrong is answered the way Smartcar would and also listed in violations(). Tests can inject 401,
// 429 with retry-after, 5xx, an app-wide rate limit and slow answers. Thread-safe: state is behind a mutex.

#include "net/RequestHandler.h"
#include "net/Router.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QSet>
#include <QStringList>
#include <memory>
#include <optional>

namespace testsupport {

class ServerThread;

class FakeSmartcar final : public net::RequestHandler {
public:
    struct Fault {
        QByteArray method;       // empty: any
        QByteArray pathContains; // empty: any path
        int status = 500;
        int times = 1; // how many matching requests get it
        int retryAfterSeconds = -1;
        QString type = QStringLiteral("SERVER");
        QString code = QStringLiteral("INTERNAL");
        QString description = QStringLiteral("Something went wrong on Smartcar's side.");
        QString suggestedUserMessage;
        QString resolution; // e.g. RETRY_LATER
    };

    FakeSmartcar(QString clientId, QByteArray clientSecret, QString webhookId, QByteArray amt);
    ~FakeSmartcar() override;

    quint16 port() const;
    QString baseUrl() const; // http://127.0.0.1:PORT, for every FLEETMON_SMARTCAR_* variable

    // The vehicles the next Connect (authorize or issueCode) grants, with make/model/year.
    void setVehiclesForNextGrant(const QStringList &ids);
    // An authorization code as if Connect had redirected with it (the headless `--code` path).
    QString issueCode(const QString &redirectUri);
    void setAccessTokenLifetime(int seconds);
    void expireAccessTokens();             // every access token issued so far answers 401 from now on
    void revokeRefreshTokens();            // every refresh token is dead (invalid_grant)
    void setAppTokenLifetime(int seconds); // expires_in of iam app tokens (default 3600)
    void expireAppTokens();                // every app token issued so far answers 401 from now on
    // Marks a vehicle subscribed as if done elsewhere (dashboard): v3 subscribe then answers 409.
    void markSubscribed(const QString &vehicleId);
    void addFault(const Fault &fault);
    void setDelayMs(int ms);
    // Smartcar's app-wide bucket (§13) on /v2.0 calls: 429 RATE_LIMIT/SMARTCAR_API with retry-after.
    void setRateLimit(double capacity, double refillPerSecond, int retryAfterSeconds);

    // authorize token refresh list attributes vin subscribe unsubscribe user apptoken subscribe_v3
    int count(const QByteArray &kind) const;
    int acceptedSubscribes(const QString &vehicleId) const;
    int subscribeAttempts(const QString &vehicleId) const;
    int rateLimited() const;
    bool isSubscribed(const QString &vehicleId) const;
    QStringList subscribedVehicles() const;
    QStringList violations() const;
    QList<QByteArray> issuedSecrets() const; // every token and code issued, to grep outputs for

    void handleRequest(const net::HttpRequest &request, const net::Responder &responder) override;

private:
    struct Grant {
        QStringList vehicles;
        QByteArray refreshToken;
        QString userId; // what GET /v2.0/user answers and v3 subscribe must name
    };
    struct Access {
        int grant = -1;
        qint64 expiresAtMs = 0;
        bool revoked = false;
    };

    void respond(const net::Responder &responder, const net::HttpResponse &response);
    net::HttpResponse authorize(const net::HttpRequest &request);
    net::HttpResponse token(const net::HttpRequest &request);
    net::HttpResponse listVehicles(const net::HttpRequest &request);
    net::HttpResponse vehicleCall(const net::HttpRequest &request);
    net::HttpResponse user(const net::HttpRequest &request);
    net::HttpResponse appToken(const net::HttpRequest &request);
    net::HttpResponse subscribeV3(const net::HttpRequest &request);
    // The user grant behind a Bearer token, or -1 with the 401 to send in *error.
    int userGrant(const net::HttpRequest &request, net::HttpResponse *error, const char *what);
    std::optional<net::HttpResponse> injected(const net::HttpRequest &request);
    net::HttpResponse issueTokens(int grant);
    void violation(const QString &what);
    static net::HttpResponse smartcarError(int status, const QString &type, const QString &code,
                                           const QString &description, const QString &suggested = {},
                                           const QString &resolution = {});

    net::Router m_router; // the fixed paths; /v2.0/vehicles/{id}/... is matched by hand
    QString m_clientId;
    QByteArray m_clientSecret;
    QString m_webhookId;
    QByteArray m_amt;

    mutable QMutex m_mutex;
    QStringList m_nextVehicles;
    QList<Grant> m_grants;
    QHash<QString, QPair<int, QString>> m_codes; // code -> (grant, redirect_uri)
    QHash<QByteArray, Access> m_access;
    QHash<QByteArray, int> m_refresh;      // live refresh token -> grant
    QHash<QByteArray, qint64> m_appTokens; // app token -> expires at (ms since epoch); 0: revoked
    QList<QByteArray> m_secrets;
    QList<Fault> m_faults;
    QHash<QByteArray, int> m_counts;
    QHash<QString, int> m_acceptedSubscribes, m_subscribeAttempts;
    QSet<QString> m_subscribed;
    QStringList m_violations;
    int m_tokenLifetime = 7200;
    int m_appTokenLifetime = 3600;
    int m_delayMs = 0;
    int m_serial = 0;
    int m_rateLimited = 0;
    double m_bucketCapacity = 0; // 0: no limit
    double m_bucketRefillPerMs = 0;
    double m_bucketTokens = 0;
    int m_bucketRetryAfter = 1;
    QElapsedTimer m_clock;
    qint64 m_bucketLastMs = 0;

    std::unique_ptr<ServerThread> m_server; // last: stops before the state goes
};

} // namespace testsupport
