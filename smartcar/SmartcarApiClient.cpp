#include "smartcar/SmartcarApiClient.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QTimer>

namespace smartcar {

namespace {

constexpr int kPageLimit = 50;  // the documented maximum of GET /v2.0/vehicles
constexpr int kMaxPages = 1000; // 50 000 vehicles: a server that pages forever is not followed

QByteArray bearer(const QByteArray &token) {
    return QByteArrayLiteral("Bearer ") + token;
}

QString pathPart(const QString &s) {
    return QString::fromUtf8(QUrl::toPercentEncoding(s));
}

// Every call carries a credential (a user or app token, the AMT, the client secret): over TLS only,
// except to this machine, where tests and a local TLS-terminating proxy listen.
bool mayCarryCredentials(const QUrl &url) {
    if (url.scheme() == QLatin1String("https"))
        return true;
    if (url.scheme() != QLatin1String("http"))
        return false;
    if (url.host().compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    const QHostAddress address(url.host());
    return !address.isNull() && address.isLoopback();
}

} // namespace

struct SmartcarApiClient::Call {
    QByteArray method;
    QUrl url;
    QByteArray authorization;
    QByteArray body;
    QByteArray contentType;
    int retriesDone = 0;
    Answer answer;
};

SmartcarApiClient::SmartcarApiClient(SmartcarEndpoints endpoints, QObject *parent)
    : QObject(parent)
    , m_endpoints(std::move(endpoints))
    , m_network(new QNetworkAccessManager(this)) {
    // Tokens travel in headers; a redirect must never carry them to another host.
    m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

SmartcarApiClient::~SmartcarApiClient() = default;

QUrl SmartcarApiClient::vehicleUrl(const QString &vehicleId, const QString &suffix) const {
    return SmartcarEndpoints::join(m_endpoints.api,
                                   QStringLiteral("/v2.0/vehicles/") + pathPart(vehicleId) + suffix);
}

void SmartcarApiClient::send(const QByteArray &method, const QUrl &url, const QByteArray &authorization,
                             const QByteArray &body, Answer answer, const QByteArray &contentType) {
    auto call = std::make_shared<Call>();
    call->method = method;
    call->url = url;
    call->authorization = authorization;
    call->body = body;
    call->contentType = contentType;
    call->answer = std::move(answer);
    if (!mayCarryCredentials(url)) {
        const SmartcarError refused = SmartcarError::local(
            QStringLiteral("refusing to send Smartcar credentials over plain HTTP to %1: use an https:// "
                           "address for it (FLEETMON_SMARTCAR_* or the smartcar/ settings)")
                .arg(url.host()));
        // Callbacks always run later, as for an answer from the network.
        QTimer::singleShot(0, this, [call, refused] { call->answer({}, refused); });
        return;
    }
    attempt(call);
}

void SmartcarApiClient::attempt(std::shared_ptr<Call> call) {
    QNetworkRequest request(call->url);
    request.setTransferTimeout(m_timeoutMs);
    if (!call->authorization.isEmpty()) // the iam token call authenticates in its body
        request.setRawHeader("Authorization", call->authorization);
    request.setRawHeader("Accept", "application/json");
    request.setRawHeader("User-Agent", QByteArrayLiteral("fleetmon/" FLEETMON_VERSION));
    if (call->method == "POST" && !call->body.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, call->contentType);
    if (call->url.path().contains(QLatin1String("/v2.0/")))
        request.setRawHeader("sc-unit-system", "metric");
    // No upload device for an empty body: subscribe and unsubscribe carry none.
    QNetworkReply *reply = call->body.isEmpty()
                               ? m_network->sendCustomRequest(request, call->method)
                               : m_network->sendCustomRequest(request, call->method, call->body);
    connect(reply, &QNetworkReply::finished, this, [this, call, reply] { finished(call, reply); });
}

void SmartcarApiClient::finished(std::shared_ptr<Call> call, QNetworkReply *reply) {
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    SmartcarError error;
    if (status == 0) {
        error = SmartcarError::transport(
            reply->error() == QNetworkReply::OperationCanceledError
                ? QStringLiteral("Smartcar did not answer within %1 s").arg(m_timeoutMs / 1000.0)
                : QStringLiteral("cannot reach Smartcar: %1").arg(reply->errorString()));
    } else if (status < 200 || status > 299) {
        error = SmartcarError::fromResponse(
            status, body, reply->rawHeader("retry-after"), reply->rawHeader("sc-request-id"),
            reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString());
    }
    if (!error.isError()) {
        call->answer(QJsonDocument::fromJson(body).object(), error);
        return;
    }
    int delayMs = -1; // no retry
    if (call->retriesDone < m_maxRetries) {
        if (error.isRateLimited()) {
            const int seconds = error.retryAfterSeconds();
            Q_EMIT rateLimited(seconds >= 0 ? seconds : 0);
            if (seconds < 0)
                delayMs = m_retryBaseDelayMs << call->retriesDone;
            else if (seconds <= m_maxRetryAfterSeconds)
                delayMs = seconds * 1000;
        } else if (error.isServerError() || error.isTransport()) {
            delayMs = m_retryBaseDelayMs << call->retriesDone;
        }
    } else if (error.isRateLimited()) {
        Q_EMIT rateLimited(std::max(0, error.retryAfterSeconds()));
    }
    if (delayMs < 0) {
        call->answer({}, error);
        return;
    }
    ++call->retriesDone;
    QTimer::singleShot(delayMs, this, [this, call] { attempt(call); });
}

void SmartcarApiClient::listVehicles(const QByteArray &userToken,
                                     std::function<void(QStringList, SmartcarError)> done) {
    listPage(std::make_shared<QStringList>(), 0, userToken, std::move(done));
}

void SmartcarApiClient::listPage(std::shared_ptr<QStringList> ids, int offset, const QByteArray &userToken,
                                 std::function<void(QStringList, SmartcarError)> done) {
    QUrl url = SmartcarEndpoints::join(m_endpoints.api, QStringLiteral("/v2.0/vehicles"));
    url.setQuery(QStringLiteral("limit=%1&offset=%2").arg(kPageLimit).arg(offset));
    send("GET", url, bearer(userToken), {},
         [this, ids, offset, userToken, done](const QJsonObject &json, const SmartcarError &error) {
             if (error.isError()) {
                 done({}, error);
                 return;
             }
             const QJsonArray page = json.value(QLatin1String("vehicles")).toArray();
             for (const QJsonValue &v : page)
                 if (!ids->contains(v.toString()))
                     ids->append(v.toString());
             // paging.count is the total of the whole listing, not of this page.
             const int total =
                 json.value(QLatin1String("paging")).toObject().value(QLatin1String("count")).toInt();
             const int next = offset + int(page.size());
             if (page.isEmpty() || next >= total || next / kPageLimit >= kMaxPages) {
                 done(*ids, {});
                 return;
             }
             listPage(ids, next, userToken, done);
         });
}

void SmartcarApiClient::vehicleAttributes(const QByteArray &userToken, const QString &vehicleId,
                                          std::function<void(VehicleAttributes, SmartcarError)> done) {
    send("GET", vehicleUrl(vehicleId), bearer(userToken), {},
         [vehicleId, done](const QJsonObject &json, const SmartcarError &error) {
             VehicleAttributes a;
             a.id = json.value(QLatin1String("id")).toString(vehicleId);
             a.make = json.value(QLatin1String("make")).toString();
             a.model = json.value(QLatin1String("model")).toString();
             // The docs show the year as a string, the SDK fixtures as a number.
             const QJsonValue year = json.value(QLatin1String("year"));
             a.year = year.isString() ? year.toString().toInt() : year.toInt();
             done(a, error);
         });
}

void SmartcarApiClient::vin(const QByteArray &userToken, const QString &vehicleId,
                            std::function<void(QString, SmartcarError)> done) {
    send("GET", vehicleUrl(vehicleId, QStringLiteral("/vin")), bearer(userToken), {},
         [done](const QJsonObject &json, const SmartcarError &error) {
             done(json.value(QLatin1String("vin")).toString(), error);
         });
}

void SmartcarApiClient::subscribe(const QByteArray &userToken, const QString &vehicleId,
                                  const QString &webhookId, Done done) {
    send("POST", vehicleUrl(vehicleId, QStringLiteral("/webhooks/") + pathPart(webhookId)), bearer(userToken),
         {}, [done](const QJsonObject &, const SmartcarError &error) { done(error); });
}

void SmartcarApiClient::unsubscribe(const QByteArray &amt, const QString &vehicleId, const QString &webhookId,
                                    Done done) {
    send("DELETE", vehicleUrl(vehicleId, QStringLiteral("/webhooks/") + pathPart(webhookId)), bearer(amt), {},
         [done](const QJsonObject &, const SmartcarError &error) { done(error); });
}

void SmartcarApiClient::userId(const QByteArray &userToken,
                               std::function<void(QString, SmartcarError)> done) {
    send("GET", SmartcarEndpoints::join(m_endpoints.api, QStringLiteral("/v2.0/user")), bearer(userToken), {},
         [done](const QJsonObject &json, const SmartcarError &error) {
             const QString id = json.value(QLatin1String("id")).toString();
             if (!error.isError() && id.isEmpty()) {
                 done({}, SmartcarError::local(QStringLiteral("Smartcar's user answer lacked the user id")));
                 return;
             }
             done(id, error);
         });
}

void SmartcarApiClient::subscribeV3(const QByteArray &appToken, const QString &userId,
                                    const QString &vehicleId, const QString &webhookId, Done done) {
    // JSON:API request document; the three ids are what the documented SubscriptionRequest carries.
    const QJsonObject attributes{{QStringLiteral("webhookId"), webhookId},
                                 {QStringLiteral("userId"), userId},
                                 {QStringLiteral("vehicleId"), vehicleId}};
    const QJsonObject document{
        {QStringLiteral("data"), QJsonObject{{QStringLiteral("attributes"), attributes}}}};
    send(
        "POST", SmartcarEndpoints::join(m_endpoints.management, QStringLiteral("/v3/subscriptions")),
        bearer(appToken), QJsonDocument(document).toJson(QJsonDocument::Compact),
        [done](const QJsonObject &, const SmartcarError &error) { done(error); },
        QByteArrayLiteral("application/json"));
}

void SmartcarApiClient::appToken(const QString &clientId, const QByteArray &clientSecret,
                                 std::function<void(TokenGrant, SmartcarError)> done) {
    // §10.4 puts the client credentials in the form body, not in HTTP Basic as /oauth/token does.
    const QByteArray form = "grant_type=client_credentials&client_id=" + QUrl::toPercentEncoding(clientId) +
                            "&client_secret=" + QUrl::toPercentEncoding(QString::fromUtf8(clientSecret));
    send("POST", SmartcarEndpoints::join(m_endpoints.iam, QStringLiteral("/oauth2/token")), {}, form,
         [done](const QJsonObject &json, const SmartcarError &error) {
             TokenGrant grant;
             if (error.isError()) {
                 done(grant, error);
                 return;
             }
             grant.accessToken = json.value(QLatin1String("access_token")).toString().toUtf8();
             grant.expiresInSeconds = json.value(QLatin1String("expires_in")).toInt(3600);
             if (grant.accessToken.isEmpty()) {
                 done({}, SmartcarError::local(
                              QStringLiteral("Smartcar's app token answer lacked access_token")));
                 return;
             }
             done(grant, {});
         });
}

void SmartcarApiClient::exchangeCode(const QString &clientId, const QByteArray &clientSecret,
                                     const QString &code, const QString &redirectUri,
                                     std::function<void(TokenGrant, SmartcarError)> done) {
    const QByteArray form = "grant_type=authorization_code&code=" + QUrl::toPercentEncoding(code) +
                            "&redirect_uri=" + QUrl::toPercentEncoding(redirectUri);
    tokenRequest(clientId, clientSecret, form, std::move(done));
}

void SmartcarApiClient::refreshTokens(const QString &clientId, const QByteArray &clientSecret,
                                      const QByteArray &refreshToken,
                                      std::function<void(TokenGrant, SmartcarError)> done) {
    const QByteArray form =
        "grant_type=refresh_token&refresh_token=" + QUrl::toPercentEncoding(QString::fromUtf8(refreshToken));
    tokenRequest(clientId, clientSecret, form, std::move(done));
}

void SmartcarApiClient::tokenRequest(const QString &clientId, const QByteArray &clientSecret,
                                     const QByteArray &form,
                                     std::function<void(TokenGrant, SmartcarError)> done) {
    const QByteArray basic = "Basic " + (clientId.toUtf8() + ':' + clientSecret).toBase64();
    send("POST", SmartcarEndpoints::join(m_endpoints.auth, QStringLiteral("/oauth/token")), basic, form,
         [done](const QJsonObject &json, const SmartcarError &error) {
             TokenGrant grant;
             if (error.isError()) {
                 done(grant, error);
                 return;
             }
             grant.accessToken = json.value(QLatin1String("access_token")).toString().toUtf8();
             grant.refreshToken = json.value(QLatin1String("refresh_token")).toString().toUtf8();
             grant.expiresInSeconds = json.value(QLatin1String("expires_in")).toInt(7200);
             if (grant.accessToken.isEmpty() || grant.refreshToken.isEmpty()) {
                 done({}, SmartcarError::local(QStringLiteral(
                              "Smartcar's token answer lacked access_token or refresh_token")));
                 return;
             }
             done(grant, {});
         });
}

} // namespace smartcar
