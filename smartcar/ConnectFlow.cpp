#include "smartcar/ConnectFlow.h"

#include "smartcar/SmartcarApiClient.h"
#include "smartcar/TokenStore.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QUuid>

namespace smartcar {

namespace {

constexpr qint64 kRefreshTokenLifetimeMs = 60LL * 24 * 3600 * 1000; // not in the answer; documented 60 days

qint64 nowMs() {
    return QDateTime::currentMSecsSinceEpoch();
}

QString randomState() {
    quint32 words[4];
    QRandomGenerator::system()->fillRange(words);
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(words), sizeof words).toHex());
}

QByteArray param(const char *name, const QString &value) {
    return QByteArray(name) + '=' + QUrl::toPercentEncoding(value);
}

} // namespace

ConnectFlow::ConnectFlow(Settings settings, SmartcarApiClient *client, TokenStore *store, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_client(client)
    , m_store(store) {}

QStringList ConnectFlow::defaultScope() {
    return {QStringLiteral("read_vehicle_info"), QStringLiteral("read_vin"),
            QStringLiteral("read_battery"),      QStringLiteral("read_charge"),
            QStringLiteral("read_odometer"),     QStringLiteral("read_location"),
            QStringLiteral("read_security"),     QStringLiteral("read_tires"),
            QStringLiteral("read_fuel"),         QStringLiteral("read_diagnostics")};
}

bool ConnectFlow::parseMode(const QString &text, Mode *mode) {
    static const QHash<QString, Mode> modes = {{QStringLiteral("live"), Mode::Live},
                                               {QStringLiteral("test"), Mode::Test},
                                               {QStringLiteral("simulated"), Mode::Simulated}};
    if (!modes.contains(text))
        return false;
    *mode = modes.value(text);
    return true;
}

QString ConnectFlow::modeName(Mode mode) {
    switch (mode) {
    case Mode::Test:
        return QStringLiteral("test");
    case Mode::Simulated:
        return QStringLiteral("simulated");
    case Mode::Live:
        break;
    }
    return QStringLiteral("live");
}

bool ConnectFlow::isConfigured() const {
    return !m_settings.clientId.isEmpty() && !m_settings.clientSecret.isEmpty() &&
           !m_settings.redirectUri.isEmpty();
}

QUrl ConnectFlow::authorizeUrl() {
    const qint64 now = nowMs();
    for (auto it = m_states.begin(); it != m_states.end();)
        it = now - it.value() > kStateLifetimeMs ? m_states.erase(it) : std::next(it);
    const QString state = randomState();
    m_states.insert(state, now);
    QUrl url = m_client->endpoints().connect;
    QString prefix = url.path();
    while (prefix.endsWith(QLatin1Char('/')))
        prefix.chop(1);
    url.setPath(prefix + QStringLiteral("/oauth/authorize"));
    // Built by hand so every value is strictly percent-encoded (the redirect URI holds ':' and '/').
    const QList<QByteArray> query = {param("response_type", QStringLiteral("code")),
                                     param("client_id", m_settings.clientId),
                                     param("redirect_uri", m_settings.redirectUri),
                                     param("scope", m_settings.scope.join(QLatin1Char(' '))),
                                     param("mode", modeName(m_settings.mode)),
                                     param("state", state)};
    url.setQuery(QString::fromLatin1(query.join('&')), QUrl::StrictMode);
    return url;
}

void ConnectFlow::handleCallback(const QUrlQuery &query, Finished done) {
    const QString state = query.queryItemValue(QStringLiteral("state"), QUrl::FullyDecoded);
    const auto issued = m_states.constFind(state);
    if (state.isEmpty() || issued == m_states.constEnd() || nowMs() - issued.value() > kStateLifetimeMs) {
        // Not our Connect session (or a stale/replayed one): a forged redirect must not bind tokens.
        const QString message = QStringLiteral(
            "This sign-in did not come from a Connect session started by Fleet Monitor (state mismatch). "
            "Start Connect again from the app.");
        Q_EMIT connectFailed(message);
        done(false, message);
        return;
    }
    m_states.remove(state);
    const QString error = query.queryItemValue(QStringLiteral("error"), QUrl::FullyDecoded);
    if (!error.isEmpty()) {
        QString description = query.queryItemValue(QStringLiteral("error_description"), QUrl::FullyDecoded);
        const QString message =
            QStringLiteral("Smartcar Connect: %1 (%2)")
                .arg(description.isEmpty() ? QStringLiteral("no vehicles were connected") : description,
                     error);
        Q_EMIT connectFailed(message);
        done(false, message);
        return;
    }
    const QString code = query.queryItemValue(QStringLiteral("code"), QUrl::FullyDecoded);
    if (code.isEmpty()) {
        const QString message = QStringLiteral("Smartcar Connect came back without a code.");
        Q_EMIT connectFailed(message);
        done(false, message);
        return;
    }
    exchangeCode(code, query.queryItemValue(QStringLiteral("user_id"), QUrl::FullyDecoded), std::move(done));
}

void ConnectFlow::exchangeCode(const QString &code, const QString &userId, Finished done) {
    auto fail = [this, done](const QString &message) {
        Q_EMIT connectFailed(message);
        done(false, message);
    };
    if (!isConfigured()) {
        fail(QStringLiteral("Connect needs the client id, client secret and redirect URI from the Smartcar "
                            "dashboard; none is configured."));
        return;
    }
    m_client->exchangeCode(
        m_settings.clientId, m_settings.clientSecret, code, m_settings.redirectUri,
        [this, userId, done, fail](const TokenGrant &grant, const SmartcarError &error) {
            if (error.isError()) {
                fail(QStringLiteral("Smartcar did not accept the sign-in: %1").arg(error.detailedMessage()));
                return;
            }
            const qint64 now = nowMs();
            UserTokens tokens;
            tokens.userKey = userId.isEmpty() ? QUuid::createUuid().toString(QUuid::WithoutBraces) : userId;
            tokens.accessToken = grant.accessToken;
            tokens.refreshToken = grant.refreshToken;
            tokens.accessExpiresAtMs = now + qint64(grant.expiresInSeconds) * 1000;
            tokens.refreshExpiresAtMs = now + kRefreshTokenLifetimeMs;
            m_client->listVehicles(
                grant.accessToken,
                [this, tokens, done, fail](const QStringList &ids, const SmartcarError &listError) {
                    UserTokens withVehicles = tokens;
                    withVehicles.vehicleIds = ids;
                    // Persisted even when the listing failed: the pair is valid and a later listing can
                    // fill the vehicles in.
                    m_store->upsert(withVehicles);
                    QString saveError;
                    if (!persist(&saveError)) {
                        fail(saveError);
                        return;
                    }
                    if (listError.isError()) {
                        fail(QStringLiteral("Connected, but listing the vehicles failed: %1")
                                 .arg(listError.detailedMessage()));
                        return;
                    }
                    Q_EMIT connected(withVehicles.userKey, ids);
                    done(true, tr("%n vehicle(s) connected", nullptr, int(ids.size())));
                });
        });
}

bool ConnectFlow::persist(QString *error) {
    if (m_store->save(error))
        return true;
    *error = QStringLiteral("cannot keep the Smartcar tokens: %1").arg(*error);
    return false;
}

void ConnectFlow::accessTokenFor(const QString &vehicleId, TokenReady done) {
    const UserTokens *user = m_store->userForVehicle(vehicleId);
    if (!user) {
        done({},
             SmartcarError::local(
                 QStringLiteral("vehicle %1 is not connected to this app; connect it with Smartcar Connect")
                     .arg(vehicleId)));
        return;
    }
    accessTokenForUser(user->userKey, std::move(done));
}

void ConnectFlow::accessTokenForUser(const QString &userKey, TokenReady done) {
    const UserTokens *user = m_store->user(userKey);
    if (!user) {
        done({}, SmartcarError::local(QStringLiteral("no Smartcar sign-in is known for this user")));
        return;
    }
    if (user->needsReconnect) {
        done({}, SmartcarError::local(QStringLiteral(
                     "the Smartcar sign-in expired; reconnect the vehicles with Smartcar Connect")));
        return;
    }
    if (user->accessExpiresAtMs - nowMs() > m_refreshMarginMs) {
        done(user->accessToken, {});
        return;
    }
    refreshUser(user->userKey, std::move(done));
}

void ConnectFlow::refreshAfterUnauthorized(const QString &vehicleId, const QByteArray &rejected,
                                           TokenReady done) {
    const UserTokens *user = m_store->userForVehicle(vehicleId);
    if (!user) {
        accessTokenFor(vehicleId, std::move(done)); // reports "not connected"
        return;
    }
    refreshUserAfterUnauthorized(user->userKey, rejected, std::move(done));
}

void ConnectFlow::refreshUserAfterUnauthorized(const QString &userKey, const QByteArray &rejected,
                                               TokenReady done) {
    const UserTokens *user = m_store->user(userKey);
    if (!user || user->needsReconnect) {
        accessTokenForUser(userKey, std::move(done)); // reports why not
        return;
    }
    if (user->accessToken != rejected) {
        done(user->accessToken, {}); // another request refreshed meanwhile
        return;
    }
    refreshUser(userKey, std::move(done));
}

void ConnectFlow::refreshUser(const QString &userKey, TokenReady done) {
    QList<TokenReady> &waiters = m_refreshWaiters[userKey];
    waiters.append(std::move(done));
    if (waiters.size() > 1)
        return; // one refresh per user at a time: a second one would spend the rotated token
    const UserTokens *user = m_store->user(userKey);
    if (user->refreshExpiresAtMs > 0 && user->refreshExpiresAtMs < nowMs()) {
        finishRefresh(userKey, {},
                      SmartcarError::local(QStringLiteral("the Smartcar sign-in expired after 60 days")));
        return;
    }
    m_client->refreshTokens(
        m_settings.clientId, m_settings.clientSecret, user->refreshToken,
        [this, userKey](const TokenGrant &grant, const SmartcarError &error) {
            if (error.isError()) {
                finishRefresh(userKey, {}, error);
                return;
            }
            const UserTokens *current = m_store->user(userKey);
            if (!current) {
                finishRefresh(userKey, {}, SmartcarError::local(QStringLiteral("the user was removed")));
                return;
            }
            UserTokens rotated = *current;
            rotated.accessToken = grant.accessToken;
            rotated.refreshToken = grant.refreshToken;
            rotated.accessExpiresAtMs = nowMs() + qint64(grant.expiresInSeconds) * 1000;
            rotated.refreshExpiresAtMs = nowMs() + kRefreshTokenLifetimeMs;
            m_store->upsert(rotated);
            QString saveError;
            if (!persist(&saveError)) {
                // Still usable in this process; the next start will ask to reconnect.
                finishRefresh(userKey, grant.accessToken, SmartcarError::local(saveError));
                return;
            }
            finishRefresh(userKey, grant.accessToken, {});
        });
}

void ConnectFlow::finishRefresh(const QString &userKey, const QByteArray &token, const SmartcarError &error) {
    const QList<TokenReady> waiters = m_refreshWaiters.take(userKey);
    // Only Smartcar refusing the refresh token (or its known expiry) means a new Connect is needed;
    // an outage or a rate limit does not.
    const bool dead = token.isEmpty() && error.isError() && !error.isTransport() && !error.isServerError() &&
                      !error.isRateLimited();
    if (dead) {
        if (const UserTokens *user = m_store->user(userKey)) {
            UserTokens marked = *user;
            marked.needsReconnect = true;
            m_store->upsert(marked);
            QString ignored;
            persist(&ignored);
            Q_EMIT reconnectNeeded(marked.vehicleIds,
                                   QStringLiteral("Reconnect these vehicles with Smartcar Connect: %1")
                                       .arg(error.userMessage()));
        }
    }
    const QByteArray usable = error.isError() && token.isEmpty() ? QByteArray() : token;
    for (const TokenReady &waiter : waiters)
        waiter(usable, usable.isEmpty() ? error : SmartcarError());
}

} // namespace smartcar
