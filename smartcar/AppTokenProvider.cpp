#include "smartcar/AppTokenProvider.h"

#include "smartcar/SmartcarApiClient.h"

#include <QPointer>

namespace smartcar {

AppTokenProvider::AppTokenProvider(SmartcarApiClient *client, QString clientId, QByteArray clientSecret,
                                   QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_clientId(std::move(clientId))
    , m_clientSecret(std::move(clientSecret)) {
    m_clock.start();
}

void AppTokenProvider::token(TokenReady done) {
    if (!m_token.isEmpty() && m_clock.elapsed() + m_refreshMarginMs < m_expiresAtMs) {
        done(m_token, {});
        return;
    }
    m_waiters.append(std::move(done));
    if (m_waiters.size() > 1)
        return; // a fetch is already in flight
    if (m_clientId.isEmpty() || m_clientSecret.isEmpty()) {
        finish({}, SmartcarError::local(
                       QStringLiteral("the v3 subscription API needs the Smartcar client id and secret")));
        return;
    }
    QPointer<AppTokenProvider> self(this);
    m_client->appToken(
        m_clientId, m_clientSecret, [self](const TokenGrant &grant, const SmartcarError &error) {
            if (!self)
                return;
            if (!error.isError()) {
                self->m_token = grant.accessToken;
                self->m_expiresAtMs = self->m_clock.elapsed() + qint64(grant.expiresInSeconds) * 1000;
            }
            self->finish(grant.accessToken, error);
        });
}

void AppTokenProvider::invalidate(const QByteArray &rejected) {
    if (m_token == rejected) {
        m_token.clear();
        m_expiresAtMs = 0;
    }
}

void AppTokenProvider::finish(const QByteArray &token, const SmartcarError &error) {
    // Taken first: a waiter may ask again, which must start a new fetch rather than join this one.
    const QList<TokenReady> waiters = std::exchange(m_waiters, {});
    for (const TokenReady &w : waiters)
        w(token, error);
}

} // namespace smartcar
