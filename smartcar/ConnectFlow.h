#pragma once

#include "smartcar/SmartcarError.h"

#include <QHash>
#include <QObject>
#include <QStringList>
#include <QUrl>
#include <QUrlQuery>
#include <functional>

namespace smartcar {

class SmartcarApiClient;
class TokenStore;

// Smartcar Connect (OAuth 2.0 authorization code, smartcar-protocol.md §10) and the life of the
// per-user tokens it yields. Promises: a callback is accepted only with a `state` this object
// issued (single use, 10 minutes); every token pair is persisted before it is used; an access
// token is refreshed before it expires (and once after a 401), concurrent needs share one
// refresh because refresh rotates BOTH tokens; a dead refresh token marks the user's vehicles for
// reconnection (reconnectNeeded) instead of failing silently. Tokens never appear in messages.
class ConnectFlow final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectFlow)
public:
    enum class Mode { Live, Test, Simulated };

    struct Settings {
        QString clientId;
        QByteArray clientSecret; // secret
        QString redirectUri;     // must match one registered in the Smartcar dashboard exactly
        Mode mode = Mode::Live;
        QStringList scope = defaultScope();
    };

    // ok == false: message says why (Connect's error_description, Smartcar's message, state mismatch).
    using Finished = std::function<void(bool ok, const QString &message)>;
    using TokenReady = std::function<void(const QByteArray &accessToken, const SmartcarError &error)>;

    ConnectFlow(Settings settings, SmartcarApiClient *client, TokenStore *store, QObject *parent = nullptr);

    // The permissions behind what the app shows: battery, charge, odometer, location, doors and
    // locks (read_security), tyres, fuel, airbag/diagnostics, make/model/year and VIN.
    static QStringList defaultScope();
    static bool parseMode(const QString &text, Mode *mode);
    static QString modeName(Mode mode);

    const Settings &settings() const { return m_settings; }
    bool isConfigured() const; // client id, secret and redirect URI known

    // A fresh authorize URL with a new random state. Earlier states stay valid until used or stale.
    QUrl authorizeUrl();
    // The browser came back to redirect_uri with this query. Checks state, surfaces Connect's
    // error, else exchanges the code, lists the user's vehicles and persists the grant.
    void handleCallback(const QUrlQuery &query, Finished done);
    // For headless machines: a code obtained elsewhere (no state to check).
    void exchangeCode(const QString &code, const QString &userId, Finished done);

    // A usable access token for the vehicle's user, refreshed first when it expires within the
    // refresh margin.
    void accessTokenFor(const QString &vehicleId, TokenReady done);
    // Smartcar answered 401 to `rejected`: refresh once (unless someone already did) and hand back
    // the new token.
    void refreshAfterUnauthorized(const QString &vehicleId, const QByteArray &rejected, TokenReady done);
    // The same, for a user (TokenStore's userKey) rather than one of its vehicles.
    void accessTokenForUser(const QString &userKey, TokenReady done);
    void refreshUserAfterUnauthorized(const QString &userKey, const QByteArray &rejected, TokenReady done);

    void setRefreshMarginMs(qint64 ms) { m_refreshMarginMs = ms; }

    static constexpr qint64 kStateLifetimeMs = 10 * 60 * 1000; // a Connect code lives 10 minutes too

Q_SIGNALS:
    void connected(const QString &userKey, const QStringList &vehicleIds);
    void connectFailed(const QString &message);
    // The user's refresh token is dead: these vehicles need a new Connect.
    void reconnectNeeded(const QStringList &vehicleIds, const QString &message);

private:
    void refreshUser(const QString &userKey, TokenReady done);
    void finishRefresh(const QString &userKey, const QByteArray &token, const SmartcarError &error);
    bool persist(QString *error);

    Settings m_settings;
    SmartcarApiClient *m_client;
    TokenStore *m_store;
    QHash<QString, qint64> m_states;                    // state -> issued at (ms since epoch)
    QHash<QString, QList<TokenReady>> m_refreshWaiters; // userKey -> callers of the refresh in flight
    qint64 m_refreshMarginMs = 5 * 60 * 1000;
};

} // namespace smartcar
