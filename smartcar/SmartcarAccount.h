#pragma once

#include "model/AccountCommands.h"
#include "smartcar/ConnectFlow.h"
#include "smartcar/SmartcarEndpoints.h"
#include "smartcar/TokenBucket.h"
#include "smartcar/TokenStore.h"

#include <QElapsedTimer>
#include <QHash>
#include <QTimer>
#include <functional>
#include <memory>

namespace smartcar {

class AppTokenProvider;
class SmartcarApiClient;

// model::AccountCommands on Smartcar's REST API: Connect, vehicle listing, and (un)subscribing
// vehicles to the app's webhook. Promises: subscribe/unsubscribe requests go out one at a time,
// in order, paced by a token bucket matching Smartcar's app-wide limit and paused by any
// retry-after; each vehicle is attempted once per command (its retries are the client's, bounded);
// cancelBulk() stops after the request in flight; every vehicle ends Subscribed, NotSubscribed or
// Failed with Smartcar's message. Owns the client, the Connect flow and the token file. Lives on
// the GUI thread (or the CLI's main thread); never blocks it.
class SmartcarAccount final : public model::AccountCommands {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SmartcarAccount)
public:
    struct Config {
        SmartcarEndpoints endpoints = SmartcarEndpoints::fromEnvironment();
        ConnectFlow::Settings connect; // client id/secret, redirect URI, mode, scope
        QString webhookId;
        QByteArray amt; // Application Management Token: unsubscribe's credential
        // Subscribe through the v3 Management API with the client-credentials app token instead of
        // the legacy v2 call with the user token (smartcar-protocol.md §8.2; v2 is being retired).
        // Off by default until v3 is confirmed against the real service. Unsubscribe stays on v2.
        bool useV3Subscriptions = false;
        QString dataDir; // tokens.json lives here
        // Opens the authorize URL in a browser; smartcar/ cannot reach QtGui, the composition root can.
        std::function<void(const QUrl &)> openUrl;
    };

    explicit SmartcarAccount(Config config, QObject *parent = nullptr);
    ~SmartcarAccount() override;

    // Reads tokens.json; a missing file is fine. Call once before use.
    bool load(QString *error);

    bool isConfigured() const override;
    void connectVehicles() override;
    void subscribe(const QStringList &vehicleIds) override;
    void unsubscribe(const QStringList &vehicleIds) override;
    void cancelBulk() override;

    // Lists every connected user's vehicles with make/model/year (vehicleListed each; the VIN comes
    // with webhooks), then vehicleListFinished. Costs 1 + N requests, paced like the bulk commands.
    // After Connect only the ids are announced (vehicleListed with empty details), for free.
    void refreshVehicles();
    bool isBusy() const;

    ConnectFlow *connectFlow() const { return m_flow; }
    SmartcarApiClient *apiClient() const { return m_client; }
    AppTokenProvider *appTokens() const { return m_appTokens; }
    TokenStore &tokenStore() { return m_store; }
    const TokenStore &tokenStore() const { return m_store; }
    TokenBucket &rateBucket() { return m_bucket; }

Q_SIGNALS:
    void vehicleListFinished(bool ok, const QString &message);

private:
    enum class Kind { Subscribe, Unsubscribe, List };
    struct Job {
        Kind kind = Kind::Subscribe;
        QStringList ids;
        int next = 0;
        int succeeded = 0;
        int failed = 0;
        bool cancelled = false;
        QString firstError;
    };

    void startNextJob();
    void step();
    void whenPaced(std::function<void()> run);
    void runSubscribe(const QString &id);
    void runSubscribeV3(const QString &id);
    void smartcarUserId(const QString &vehicleId,
                        std::function<void(const QString &, const SmartcarError &)> done);
    void runUnsubscribe(const QString &id);
    void runListUser(const QString &userKey);
    void listVehicleDetails(const QByteArray &token, QStringList ids, int index);
    void itemDone(const QString &id, bool ok, const QString &reason);
    void finishJob();
    void withToken(const QString &id, bool afterUnauthorized, const QByteArray &rejected,
                   std::function<void(const QByteArray &, const SmartcarError &)> run);

    Config m_config;
    TokenStore m_store;
    SmartcarApiClient *m_client;
    ConnectFlow *m_flow;
    AppTokenProvider *m_appTokens;
    QHash<QString, QString> m_userIds; // TokenStore userKey -> Smartcar user id, learnt per session
    TokenBucket m_bucket;
    QTimer m_paceTimer;
    std::function<void()> m_paced;
    QList<Job> m_jobs; // front: running
    bool m_inFlight = false;
};

} // namespace smartcar
