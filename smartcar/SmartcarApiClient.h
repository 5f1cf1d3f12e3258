#pragma once

#include "smartcar/SmartcarEndpoints.h"
#include "smartcar/SmartcarError.h"

#include <QJsonObject>
#include <QObject>
#include <QStringList>
#include <functional>

class QNetworkAccessManager;
class QNetworkReply;

namespace smartcar {

// What the token endpoint answered (smartcar-protocol.md §10.3). Secrets: never logged.
struct TokenGrant {
    QByteArray accessToken;
    QByteArray refreshToken;
    int expiresInSeconds = 0;
};

struct VehicleAttributes {
    QString id, make, model;
    int year = 0;
};

// Smartcar's REST and OAuth token calls over QNetworkAccessManager, never blocking: each call
// returns at once and its callback runs later on this object's thread (never after it is gone).
// Promises: 429 waits the server's retry-after (bounded by maxRetryAfterSeconds) and 5xx or no
// answer back off exponentially, both at most maxRetries times; every attempt has a timeout; an
// answer is never retried forever. Which token goes where is decided here: user token for vehicle
// calls and subscribe, the AMT for unsubscribe, HTTP Basic client credentials for /oauth/token,
// the app token for v3 subscribe and client credentials in the form body for the iam token.
class SmartcarApiClient final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SmartcarApiClient)
public:
    using Done = std::function<void(const SmartcarError &)>;

    explicit SmartcarApiClient(SmartcarEndpoints endpoints, QObject *parent = nullptr);
    ~SmartcarApiClient() override;

    const SmartcarEndpoints &endpoints() const { return m_endpoints; }

    // Knobs (tests shrink them): per-attempt timeout, retries after the first attempt, the first
    // backoff (doubled each time), and the longest retry-after worth waiting for.
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }
    void setMaxRetries(int retries) { m_maxRetries = retries; }
    void setRetryBaseDelayMs(int ms) { m_retryBaseDelayMs = ms; }
    void setMaxRetryAfterSeconds(int seconds) { m_maxRetryAfterSeconds = seconds; }
    int maxRetries() const { return m_maxRetries; }

    // GET /v2.0/vehicles, every page (limit 50).
    void listVehicles(const QByteArray &userToken, std::function<void(QStringList, SmartcarError)> done);
    void vehicleAttributes(const QByteArray &userToken, const QString &vehicleId,
                           std::function<void(VehicleAttributes, SmartcarError)> done);
    void vin(const QByteArray &userToken, const QString &vehicleId,
             std::function<void(QString, SmartcarError)> done);
    // POST /v2.0/vehicles/{id}/webhooks/{webhookId} with that vehicle's user token.
    void subscribe(const QByteArray &userToken, const QString &vehicleId, const QString &webhookId,
                   Done done);
    // DELETE on the same path with the Application Management Token.
    void unsubscribe(const QByteArray &amt, const QString &vehicleId, const QString &webhookId, Done done);
    // GET /v2.0/user: the Smartcar user id behind a user token (smartcar-protocol.md §9.1).
    void userId(const QByteArray &userToken, std::function<void(QString, SmartcarError)> done);
    // POST {management}/v3/subscriptions with the app token (§8.2). Answers 202: Smartcar finishes
    // it asynchronously. A 409 (already subscribed) reaches `done` as an error; the caller decides.
    void subscribeV3(const QByteArray &appToken, const QString &userId, const QString &vehicleId,
                     const QString &webhookId, Done done);
    // POST {iam}/oauth2/token, grant_type=client_credentials (§10.4): an app token, no refresh token.
    void appToken(const QString &clientId, const QByteArray &clientSecret,
                  std::function<void(TokenGrant, SmartcarError)> done);

    void exchangeCode(const QString &clientId, const QByteArray &clientSecret, const QString &code,
                      const QString &redirectUri, std::function<void(TokenGrant, SmartcarError)> done);
    void refreshTokens(const QString &clientId, const QByteArray &clientSecret,
                       const QByteArray &refreshToken, std::function<void(TokenGrant, SmartcarError)> done);

Q_SIGNALS:
    // A 429 arrived; whoever paces requests should hold back that long (the limit is app-wide).
    void rateLimited(int retryAfterSeconds);

private:
    struct Call;
    using Answer = std::function<void(const QJsonObject &, const SmartcarError &)>;

    void send(const QByteArray &method, const QUrl &url, const QByteArray &authorization,
              const QByteArray &body, Answer answer,
              const QByteArray &contentType = QByteArrayLiteral("application/x-www-form-urlencoded"));
    void attempt(std::shared_ptr<Call> call);
    void finished(std::shared_ptr<Call> call, QNetworkReply *reply);
    void listPage(std::shared_ptr<QStringList> ids, int offset, const QByteArray &userToken,
                  std::function<void(QStringList, SmartcarError)> done);
    void tokenRequest(const QString &clientId, const QByteArray &clientSecret, const QByteArray &form,
                      std::function<void(TokenGrant, SmartcarError)> done);
    QUrl vehicleUrl(const QString &vehicleId, const QString &suffix = {}) const;

    SmartcarEndpoints m_endpoints;
    QNetworkAccessManager *m_network;
    int m_timeoutMs = 30000;
    int m_maxRetries = 3;
    int m_retryBaseDelayMs = 1000;
    int m_maxRetryAfterSeconds = 300;
};

} // namespace smartcar
