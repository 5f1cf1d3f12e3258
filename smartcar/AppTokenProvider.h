#pragma once

#include "smartcar/SmartcarError.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <functional>

namespace smartcar {

class SmartcarApiClient;

// The application-level access token for Smartcar's v3 APIs (client credentials at
// iam.smartcar.com, smartcar-protocol.md §10.4). It lives 1 h and comes without a refresh token, so
// it is cached and fetched anew shortly before it expires. Promises: concurrent needs share one
// fetch; a token handed out has at least the refresh margin left (or was fetched just now); after
// a 401 invalidate() makes the next need fetch a new one. Never logs the token or the secret.
class AppTokenProvider final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AppTokenProvider)
public:
    using TokenReady = std::function<void(const QByteArray &token, const SmartcarError &error)>;

    AppTokenProvider(SmartcarApiClient *client, QString clientId, QByteArray clientSecret,
                     QObject *parent = nullptr);

    void token(TokenReady done);
    // The server refused `rejected`: drop it unless a newer token already replaced it.
    void invalidate(const QByteArray &rejected);
    void setRefreshMarginMs(qint64 ms) { m_refreshMarginMs = ms; }

private:
    void finish(const QByteArray &token, const SmartcarError &error);

    SmartcarApiClient *m_client;
    QString m_clientId;
    QByteArray m_clientSecret; // secret
    QByteArray m_token;        // secret
    qint64 m_expiresAtMs = 0;  // on m_clock: monotonic, so a wall-clock jump cannot stretch a token
    QElapsedTimer m_clock;
    QList<TokenReady> m_waiters; // callers of the fetch in flight
    qint64 m_refreshMarginMs = 60 * 1000;
};

} // namespace smartcar
