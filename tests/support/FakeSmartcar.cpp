#include "support/FakeSmartcar.h"

#include "support/ServerThread.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>
#include <QUuid>
#include <algorithm>

namespace testsupport {

namespace {

QByteArray json(const QJsonObject &o) {
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

qint64 nowMs() {
    return QDateTime::currentMSecsSinceEpoch();
}

QUrlQuery formOf(const QByteArray &body) {
    QByteArray b = body;
    b.replace('+', ' '); // application/x-www-form-urlencoded spells spaces as '+'
    return QUrlQuery(QString::fromUtf8(b));
}

QString value(const QUrlQuery &q, const char *name) {
    return q.queryItemValue(QLatin1String(name), QUrl::FullyDecoded);
}

net::HttpResponse oauthError(int status, const char *error, const QString &description) {
    return net::HttpResponse::json(status, json({{QStringLiteral("error"), QLatin1String(error)},
                                                 {QStringLiteral("error_description"), description}}));
}

} // namespace

FakeSmartcar::FakeSmartcar(QString clientId, QByteArray clientSecret, QString webhookId, QByteArray amt)
    : m_clientId(std::move(clientId))
    , m_clientSecret(std::move(clientSecret))
    , m_webhookId(std::move(webhookId))
    , m_amt(std::move(amt)) {
    m_clock.start();
    m_router.addRoute("GET", "/oauth/authorize", [this](const net::HttpRequest &r, const net::Responder &s) {
        respond(s, authorize(r));
    });
    m_router.addRoute("POST", "/oauth/token",
                      [this](const net::HttpRequest &r, const net::Responder &s) { respond(s, token(r)); });
    m_router.addRoute("GET", "/v2.0/vehicles", [this](const net::HttpRequest &r, const net::Responder &s) {
        respond(s, listVehicles(r));
    });
    m_router.addRoute("GET", "/v2.0/user",
                      [this](const net::HttpRequest &r, const net::Responder &s) { respond(s, user(r)); });
    m_router.addRoute("POST", "/oauth2/token", [this](const net::HttpRequest &r, const net::Responder &s) {
        respond(s, appToken(r));
    });
    m_router.addRoute(
        "POST", "/v3/subscriptions",
        [this](const net::HttpRequest &r, const net::Responder &s) { respond(s, subscribeV3(r)); });
    m_server = std::make_unique<ServerThread>(this);
}

FakeSmartcar::~FakeSmartcar() {
    m_server.reset();
}

quint16 FakeSmartcar::port() const {
    return m_server->port();
}

QString FakeSmartcar::baseUrl() const {
    return QStringLiteral("http://127.0.0.1:%1").arg(port());
}

void FakeSmartcar::setVehiclesForNextGrant(const QStringList &ids) {
    QMutexLocker lock(&m_mutex);
    m_nextVehicles = ids;
}

QString FakeSmartcar::issueCode(const QString &redirectUri) {
    QMutexLocker lock(&m_mutex);
    m_grants.append(Grant{m_nextVehicles, {}, QUuid::createUuid().toString(QUuid::WithoutBraces)});
    const QString code = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_codes.insert(code, {int(m_grants.size() - 1), redirectUri});
    m_secrets.append(code.toUtf8());
    return code;
}

void FakeSmartcar::setAccessTokenLifetime(int seconds) {
    QMutexLocker lock(&m_mutex);
    m_tokenLifetime = seconds;
}

void FakeSmartcar::expireAccessTokens() {
    QMutexLocker lock(&m_mutex);
    for (Access &a : m_access)
        a.revoked = true;
}

void FakeSmartcar::revokeRefreshTokens() {
    QMutexLocker lock(&m_mutex);
    m_refresh.clear();
}

void FakeSmartcar::setAppTokenLifetime(int seconds) {
    QMutexLocker lock(&m_mutex);
    m_appTokenLifetime = seconds;
}

void FakeSmartcar::expireAppTokens() {
    QMutexLocker lock(&m_mutex);
    for (qint64 &expiresAt : m_appTokens)
        expiresAt = 0;
}

void FakeSmartcar::markSubscribed(const QString &vehicleId) {
    QMutexLocker lock(&m_mutex);
    m_subscribed.insert(vehicleId);
}

void FakeSmartcar::addFault(const Fault &fault) {
    QMutexLocker lock(&m_mutex);
    m_faults.append(fault);
}

void FakeSmartcar::setDelayMs(int ms) {
    QMutexLocker lock(&m_mutex);
    m_delayMs = ms;
}

void FakeSmartcar::setRateLimit(double capacity, double refillPerSecond, int retryAfterSeconds) {
    QMutexLocker lock(&m_mutex);
    m_bucketCapacity = capacity;
    m_bucketTokens = capacity;
    m_bucketRefillPerMs = refillPerSecond / 1000.0;
    m_bucketRetryAfter = retryAfterSeconds;
    m_bucketLastMs = m_clock.elapsed();
}

int FakeSmartcar::count(const QByteArray &kind) const {
    QMutexLocker lock(&m_mutex);
    return m_counts.value(kind);
}
int FakeSmartcar::acceptedSubscribes(const QString &vehicleId) const {
    QMutexLocker lock(&m_mutex);
    return m_acceptedSubscribes.value(vehicleId);
}
int FakeSmartcar::subscribeAttempts(const QString &vehicleId) const {
    QMutexLocker lock(&m_mutex);
    return m_subscribeAttempts.value(vehicleId);
}
int FakeSmartcar::rateLimited() const {
    QMutexLocker lock(&m_mutex);
    return m_rateLimited;
}
bool FakeSmartcar::isSubscribed(const QString &vehicleId) const {
    QMutexLocker lock(&m_mutex);
    return m_subscribed.contains(vehicleId);
}
QStringList FakeSmartcar::subscribedVehicles() const {
    QMutexLocker lock(&m_mutex);
    QStringList ids(m_subscribed.cbegin(), m_subscribed.cend());
    ids.sort();
    return ids;
}
QStringList FakeSmartcar::violations() const {
    QMutexLocker lock(&m_mutex);
    return m_violations;
}
QList<QByteArray> FakeSmartcar::issuedSecrets() const {
    QMutexLocker lock(&m_mutex);
    return m_secrets;
}

void FakeSmartcar::violation(const QString &what) {
    m_violations.append(what);
}

net::HttpResponse FakeSmartcar::smartcarError(int status, const QString &type, const QString &code,
                                              const QString &description, const QString &suggested,
                                              const QString &resolution) {
    QJsonObject body{{QStringLiteral("type"), type},
                     {QStringLiteral("code"), code.isEmpty() ? QJsonValue() : QJsonValue(code)},
                     {QStringLiteral("description"), description},
                     {QStringLiteral("docURL"), QStringLiteral("https://smartcar.com/docs/errors")},
                     {QStringLiteral("statusCode"), status},
                     {QStringLiteral("requestId"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
                     {QStringLiteral("resolution"), resolution.isEmpty()
                                                        ? QJsonValue()
                                                        : QJsonObject{{QStringLiteral("type"), resolution}}},
                     {QStringLiteral("suggestedUserMessage"), suggested}};
    return net::HttpResponse::json(status, json(body));
}

void FakeSmartcar::handleRequest(const net::HttpRequest &request, const net::Responder &responder) {
    if (request.path.startsWith("/v2.0/vehicles/")) {
        respond(responder, vehicleCall(request));
        return;
    }
    m_router.handleRequest(request, responder);
}

void FakeSmartcar::respond(const net::Responder &responder, const net::HttpResponse &response) {
    net::HttpResponse r = response;
    r.headers.append({"sc-request-id", QUuid::createUuid().toByteArray(QUuid::WithoutBraces)});
    int delay = 0;
    {
        QMutexLocker lock(&m_mutex);
        delay = m_delayMs;
    }
    if (delay <= 0) {
        responder.respond(r);
        return;
    }
    QTimer::singleShot(delay, m_server->context(), [responder, r] { responder.respond(r); });
}

std::optional<net::HttpResponse> FakeSmartcar::injected(const net::HttpRequest &request) {
    for (qsizetype i = 0; i < m_faults.size(); ++i) {
        Fault &f = m_faults[i];
        if ((!f.method.isEmpty() && f.method != request.method) ||
            (!f.pathContains.isEmpty() && !request.path.contains(f.pathContains)))
            continue;
        net::HttpResponse r =
            smartcarError(f.status, f.type, f.code, f.description, f.suggestedUserMessage, f.resolution);
        if (f.retryAfterSeconds >= 0)
            r.headers.append({"retry-after", QByteArray::number(f.retryAfterSeconds)});
        if (--f.times <= 0)
            m_faults.removeAt(i);
        if (f.status == 429)
            ++m_rateLimited;
        return r;
    }
    if (m_bucketCapacity > 0 && request.path.startsWith("/v2.0/")) {
        const qint64 now = m_clock.elapsed();
        m_bucketTokens =
            std::min(m_bucketCapacity, m_bucketTokens + double(now - m_bucketLastMs) * m_bucketRefillPerMs);
        m_bucketLastMs = now;
        if (m_bucketTokens < 1.0) {
            ++m_rateLimited;
            net::HttpResponse r = smartcarError(
                429, QStringLiteral("RATE_LIMIT"), QStringLiteral("SMARTCAR_API"),
                QStringLiteral(
                    "You have reached the throttling rate limit for this application. Please see the "
                    "retry-after header (seconds) for when to retry the request."),
                {}, QStringLiteral("RETRY_LATER"));
            r.headers.append({"retry-after", QByteArray::number(m_bucketRetryAfter)});
            return r;
        }
        m_bucketTokens -= 1.0;
    }
    return std::nullopt;
}

net::HttpResponse FakeSmartcar::authorize(const net::HttpRequest &request) {
    QMutexLocker lock(&m_mutex);
    ++m_counts["authorize"];
    const QUrlQuery q(QString::fromUtf8(request.query));
    const QString redirect = value(q, "redirect_uri");
    const QString scope = value(q, "scope");
    const QString mode = value(q, "mode");
    QStringList problems;
    if (value(q, "response_type") != QLatin1String("code"))
        problems << QStringLiteral("response_type must be code");
    if (value(q, "client_id") != m_clientId)
        problems << QStringLiteral("unknown client_id");
    if (!QUrl(redirect).isValid() || redirect.isEmpty())
        problems << QStringLiteral("redirect_uri missing");
    if (scope.isEmpty() || scope.contains(QLatin1Char('+')))
        problems << QStringLiteral("scope must be space-separated permission names");
    if (!mode.isEmpty() && mode != QLatin1String("live") && mode != QLatin1String("test") &&
        mode != QLatin1String("simulated"))
        problems << QStringLiteral("mode must be live, test or simulated");
    if (!problems.isEmpty()) {
        for (const QString &p : problems)
            violation(QStringLiteral("authorize: ") + p);
        return net::HttpResponse::text(400, problems.join(QLatin1Char('\n')).toUtf8());
    }
    m_grants.append(Grant{m_nextVehicles, {}, QUuid::createUuid().toString(QUuid::WithoutBraces)});
    const QString code = QUuid::createUuid().toString(QUuid::WithoutBraces);
    m_codes.insert(code, {int(m_grants.size() - 1), redirect});
    m_secrets.append(code.toUtf8());
    QUrl target(redirect);
    QUrlQuery back;
    back.addQueryItem(QStringLiteral("code"), code);
    back.addQueryItem(QStringLiteral("state"), QString::fromUtf8(QUrl::toPercentEncoding(value(q, "state"))));
    target.setQuery(back);
    net::HttpResponse r;
    r.status = 302;
    r.headers.append({"Location", target.toEncoded()});
    return r;
}

net::HttpResponse FakeSmartcar::issueTokens(int grant) {
    const QByteArray access = "acc-" + QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
    const QByteArray refresh = "ref-" + QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
    for (auto it = m_refresh.begin(); it != m_refresh.end();) // rotation: the old refresh token dies
        it = it.value() == grant ? m_refresh.erase(it) : std::next(it);
    m_access.insert(access, Access{grant, nowMs() + qint64(m_tokenLifetime) * 1000, false});
    m_refresh.insert(refresh, grant);
    m_grants[grant].refreshToken = refresh;
    m_secrets << access << refresh;
    return net::HttpResponse::json(200,
                                   json({{QStringLiteral("access_token"), QString::fromUtf8(access)},
                                         {QStringLiteral("token_type"), QStringLiteral("Bearer")},
                                         {QStringLiteral("expires_in"), m_tokenLifetime},
                                         {QStringLiteral("refresh_token"), QString::fromUtf8(refresh)}}));
}

net::HttpResponse FakeSmartcar::token(const net::HttpRequest &request) {
    QMutexLocker lock(&m_mutex);
    const QByteArray expected = "Basic " + (m_clientId.toUtf8() + ':' + m_clientSecret).toBase64();
    if (request.header("Authorization") != expected) {
        violation(QStringLiteral("token: missing or wrong HTTP Basic client credentials"));
        return oauthError(401, "invalid_client", QStringLiteral("Invalid client credentials."));
    }
    if (!request.header("Content-Type").startsWith("application/x-www-form-urlencoded")) {
        violation(QStringLiteral("token: body is not form-encoded"));
        return oauthError(400, "invalid_request", QStringLiteral("Expected a form-encoded body."));
    }
    if (request.header("User-Agent").isEmpty())
        violation(QStringLiteral("token: no User-Agent"));
    if (auto fault = injected(request))
        return *fault;
    const QUrlQuery form = formOf(request.body);
    const QString grantType = value(form, "grant_type");
    if (grantType == QLatin1String("authorization_code")) {
        ++m_counts["token"];
        const auto code = m_codes.take(value(form, "code")); // single use
        if (code.first < 0 || code.second.isEmpty())
            return oauthError(400, "invalid_grant",
                              QStringLiteral("The authorization code is invalid or used."));
        if (code.second != value(form, "redirect_uri")) {
            violation(QStringLiteral("token: redirect_uri differs from the authorize request"));
            return oauthError(400, "invalid_grant", QStringLiteral("redirect_uri does not match."));
        }
        return issueTokens(code.first);
    }
    if (grantType == QLatin1String("refresh_token")) {
        ++m_counts["refresh"];
        const QByteArray refresh = value(form, "refresh_token").toUtf8();
        if (!m_refresh.contains(refresh))
            return oauthError(400, "invalid_grant",
                              QStringLiteral("The refresh token is invalid or expired."));
        return issueTokens(m_refresh.value(refresh));
    }
    violation(QStringLiteral("token: unknown grant_type"));
    return oauthError(400, "unsupported_grant_type", QStringLiteral("Unknown grant_type."));
}

int FakeSmartcar::userGrant(const net::HttpRequest &request, net::HttpResponse *error, const char *what) {
    const QByteArray auth = request.header("Authorization");
    const QByteArray token = auth.startsWith("Bearer ") ? auth.mid(7) : QByteArray();
    const auto it = m_access.constFind(token);
    if (it == m_access.constEnd() || it->revoked || it->expiresAtMs < nowMs()) {
        if (token == m_amt)
            violation(QStringLiteral("%1: sent the AMT where a user access token belongs")
                          .arg(QLatin1String(what)));
        *error =
            smartcarError(401, QStringLiteral("AUTHENTICATION"), {},
                          QStringLiteral("The access token is invalid or expired."),
                          QStringLiteral("Please reconnect your vehicle."), QStringLiteral("REAUTHENTICATE"));
        return -1;
    }
    return it->grant;
}

net::HttpResponse FakeSmartcar::listVehicles(const net::HttpRequest &request) {
    QMutexLocker lock(&m_mutex);
    ++m_counts["list"];
    if (auto fault = injected(request))
        return *fault;
    net::HttpResponse error;
    const int grant = userGrant(request, &error, "list vehicles");
    if (grant < 0)
        return error;
    const QUrlQuery q(QString::fromUtf8(request.query));
    const int limit = value(q, "limit").isEmpty() ? 10 : value(q, "limit").toInt();
    const int offset = value(q, "offset").toInt();
    if (limit < 1 || limit > 50) {
        violation(QStringLiteral("list vehicles: limit %1 outside 1..50").arg(limit));
        return smartcarError(400, QStringLiteral("VALIDATION"), QStringLiteral("PARAMETER"),
                             QStringLiteral("limit must be between 1 and 50"));
    }
    const QStringList &all = m_grants[grant].vehicles;
    return net::HttpResponse::json(
        200, json({{QStringLiteral("paging"), QJsonObject{{QStringLiteral("count"), int(all.size())},
                                                          {QStringLiteral("offset"), offset}}},
                   {QStringLiteral("vehicles"), QJsonArray::fromStringList(all.mid(offset, limit))}}));
}

net::HttpResponse FakeSmartcar::vehicleCall(const net::HttpRequest &request) {
    QMutexLocker lock(&m_mutex);
    // /v2.0/vehicles/{id} | /{id}/vin | /{id}/webhooks/{webhookId}
    const QList<QByteArray> parts = request.path.mid(int(qstrlen("/v2.0/vehicles/"))).split('/');
    const QString id = QUrl::fromPercentEncoding(parts.value(0));
    const bool webhook = parts.size() == 3 && parts[1] == "webhooks";
    const bool info = parts.size() == 1 && request.method == "GET";
    const bool vin = parts.size() == 2 && parts[1] == "vin" && request.method == "GET";
    if (webhook && request.method != "POST" && request.method != "DELETE")
        return net::HttpResponse::error(405, QStringLiteral("POST or DELETE"));
    if (!webhook && !info && !vin) {
        violation(QStringLiteral("unknown call %1 %2")
                      .arg(QString::fromLatin1(request.method), QString::fromLatin1(request.path)));
        return smartcarError(404, QStringLiteral("RESOURCE_NOT_FOUND"), QStringLiteral("PATH"),
                             QStringLiteral("No such path."));
    }
    const QByteArray kind = webhook ? (request.method == "POST" ? "subscribe" : "unsubscribe")
                            : info  ? "attributes"
                                    : "vin";
    ++m_counts[kind];
    if (kind == "subscribe")
        ++m_subscribeAttempts[id];
    if (auto fault = injected(request))
        return *fault;
    if (kind == "unsubscribe") {
        if (request.header("Authorization") != "Bearer " + m_amt) {
            violation(QStringLiteral("unsubscribe: not authorised with the AMT"));
            return smartcarError(401, QStringLiteral("AUTHENTICATION"), {},
                                 QStringLiteral("Unsubscribe requires the application management token."));
        }
        if (QUrl::fromPercentEncoding(parts[2]) != m_webhookId)
            return smartcarError(404, QStringLiteral("RESOURCE_NOT_FOUND"), QStringLiteral("PATH"),
                                 QStringLiteral("Unknown webhook."));
        m_subscribed.remove(id);
        return net::HttpResponse::json(200, R"({"status":"success"})");
    }
    net::HttpResponse error;
    const int grant = userGrant(request, &error, kind.constData());
    if (grant < 0)
        return error;
    if (!m_grants[grant].vehicles.contains(id))
        return smartcarError(403, QStringLiteral("PERMISSION"), {},
                             QStringLiteral("This token does not grant access to the vehicle."));
    if (kind == "attributes") {
        const int n = int(m_grants[grant].vehicles.indexOf(id));
        return net::HttpResponse::json(200,
                                       json({{QStringLiteral("id"), id},
                                             {QStringLiteral("make"), QStringLiteral("TESLA")},
                                             {QStringLiteral("model"), QStringLiteral("Model %1").arg(n % 4)},
                                             {QStringLiteral("year"), QString::number(2018 + n % 7)}}));
    }
    if (kind == "vin")
        return net::HttpResponse::json(
            200, json({{QStringLiteral("vin"),
                        QStringLiteral("5YJ3E1EA0KF%1").arg(qHash(id) % 1000000, 6, 10, QLatin1Char('0'))}}));
    if (QUrl::fromPercentEncoding(parts[2]) != m_webhookId)
        return smartcarError(404, QStringLiteral("RESOURCE_NOT_FOUND"), QStringLiteral("PATH"),
                             QStringLiteral("Unknown webhook."));
    ++m_acceptedSubscribes[id];
    m_subscribed.insert(id);
    return net::HttpResponse::json(
        200, json({{QStringLiteral("vehicleId"), id}, {QStringLiteral("webhookId"), m_webhookId}}));
}

net::HttpResponse FakeSmartcar::user(const net::HttpRequest &request) {
    QMutexLocker lock(&m_mutex);
    ++m_counts["user"];
    if (auto fault = injected(request))
        return *fault;
    net::HttpResponse error;
    const int grant = userGrant(request, &error, "user");
    if (grant < 0)
        return error;
    return net::HttpResponse::json(200, json({{QStringLiteral("id"), m_grants[grant].userId}}));
}

net::HttpResponse FakeSmartcar::appToken(const net::HttpRequest &request) {
    QMutexLocker lock(&m_mutex);
    ++m_counts["apptoken"];
    // §10.4: client credentials travel in the form body; this endpoint is not /oauth/token.
    if (!request.header("Authorization").isEmpty())
        violation(QStringLiteral("iam token: sent an Authorization header; credentials belong in the body"));
    if (!request.header("Content-Type").startsWith("application/x-www-form-urlencoded")) {
        violation(QStringLiteral("iam token: body is not form-encoded"));
        return oauthError(400, "invalid_request", QStringLiteral("Expected a form-encoded body."));
    }
    if (auto fault = injected(request))
        return *fault;
    const QUrlQuery form = formOf(request.body);
    if (value(form, "grant_type") != QLatin1String("client_credentials")) {
        violation(QStringLiteral("iam token: grant_type must be client_credentials"));
        return oauthError(400, "invalid_request", QStringLiteral("Unsupported grant_type."));
    }
    if (value(form, "client_id") != m_clientId || value(form, "client_secret").toUtf8() != m_clientSecret) {
        violation(QStringLiteral("iam token: missing or wrong client_id/client_secret in the body"));
        return oauthError(401, "invalid_client", QStringLiteral("Invalid client credentials."));
    }
    const QByteArray token = "app-" + QUuid::createUuid().toByteArray(QUuid::WithoutBraces);
    m_appTokens.insert(token, nowMs() + qint64(m_appTokenLifetime) * 1000);
    m_secrets << token;
    return net::HttpResponse::json(200, json({{QStringLiteral("access_token"), QString::fromUtf8(token)},
                                              {QStringLiteral("token_type"), QStringLiteral("Bearer")},
                                              {QStringLiteral("expires_in"), m_appTokenLifetime}}));
}

net::HttpResponse FakeSmartcar::subscribeV3(const net::HttpRequest &request) {
    QMutexLocker lock(&m_mutex);
    ++m_counts["subscribe_v3"];
    const QByteArray auth = request.header("Authorization");
    const QByteArray token = auth.startsWith("Bearer ") ? auth.mid(7) : QByteArray();
    const QJsonObject attributes = QJsonDocument::fromJson(request.body)
                                       .object()
                                       .value(QLatin1String("data"))
                                       .toObject()
                                       .value(QLatin1String("attributes"))
                                       .toObject();
    const QString vehicleId = attributes.value(QLatin1String("vehicleId")).toString();
    if (!vehicleId.isEmpty())
        ++m_subscribeAttempts[vehicleId];
    if (auto fault = injected(request))
        return *fault;
    const auto app = m_appTokens.constFind(token);
    if (app == m_appTokens.constEnd() || *app < nowMs()) {
        if (token == m_amt)
            violation(QStringLiteral("subscribe v3: sent the AMT where the app token belongs"));
        else if (m_access.contains(token))
            violation(QStringLiteral("subscribe v3: sent a user access token where the app token belongs"));
        else if (app == m_appTokens.constEnd())
            violation(QStringLiteral("subscribe v3: no app token from iam"));
        return smartcarError(401, QStringLiteral("AUTHENTICATION"), {},
                             QStringLiteral("The access token is invalid or expired."));
    }
    const QByteArray type = request.header("Content-Type");
    if (!type.startsWith("application/json") && !type.startsWith("application/vnd.api+json")) {
        violation(QStringLiteral("subscribe v3: body is not JSON"));
        return smartcarError(400, QStringLiteral("VALIDATION"), {}, QStringLiteral("Expected a JSON body."));
    }
    const QString webhookId = attributes.value(QLatin1String("webhookId")).toString();
    const QString userId = attributes.value(QLatin1String("userId")).toString();
    if (webhookId.isEmpty() || userId.isEmpty() || vehicleId.isEmpty()) {
        violation(QStringLiteral("subscribe v3: body lacks data.attributes.webhookId/userId/vehicleId"));
        return smartcarError(400, QStringLiteral("VALIDATION"), QStringLiteral("PARAMETER"),
                             QStringLiteral("data.attributes needs webhookId, userId and vehicleId."));
    }
    if (webhookId != m_webhookId)
        return smartcarError(404, QStringLiteral("RESOURCE_NOT_FOUND"), {},
                             QStringLiteral("Unknown webhook."));
    const bool owned = std::any_of(m_grants.cbegin(), m_grants.cend(), [&](const Grant &g) {
        return g.userId == userId && g.vehicles.contains(vehicleId);
    });
    if (!owned) {
        violation(QStringLiteral("subscribe v3: user %1 does not own vehicle %2").arg(userId, vehicleId));
        return smartcarError(404, QStringLiteral("RESOURCE_NOT_FOUND"), {},
                             QStringLiteral("No such vehicle for this user."));
    }
    if (m_subscribed.contains(vehicleId))
        return smartcarError(409, QStringLiteral("CONFLICT"), {},
                             QStringLiteral("The vehicle is already subscribed to this webhook."));
    ++m_acceptedSubscribes[vehicleId];
    m_subscribed.insert(vehicleId);
    return net::HttpResponse::json(
        202,
        json({{QStringLiteral("meta"), QJsonObject{{QStringLiteral("message"),
                                                    QStringLiteral("subscription creation in progress")}}}}));
}

} // namespace testsupport
