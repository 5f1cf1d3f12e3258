#include "smartcar/SmartcarAccount.h"

#include "smartcar/AppTokenProvider.h"
#include "smartcar/SmartcarApiClient.h"

namespace smartcar {

namespace {

using Sub = model::AccountCommands::Subscription;

Sub fromStore(TokenStore::Subscription s) {
    switch (s) {
    case TokenStore::Subscription::Subscribed:
        return Sub::Subscribed;
    case TokenStore::Subscription::NotSubscribed:
        return Sub::NotSubscribed;
    case TokenStore::Subscription::Unknown:
        break;
    }
    return Sub::Unknown;
}

} // namespace

SmartcarAccount::SmartcarAccount(Config config, QObject *parent)
    : model::AccountCommands(parent)
    , m_config(std::move(config))
    , m_store(TokenStore::defaultPath(m_config.dataDir))
    , m_client(new SmartcarApiClient(m_config.endpoints, this))
    , m_flow(new ConnectFlow(m_config.connect, m_client, &m_store, this))
    , m_appTokens(
          new AppTokenProvider(m_client, m_config.connect.clientId, m_config.connect.clientSecret, this)) {
    m_paceTimer.setSingleShot(true);
    connect(&m_paceTimer, &QTimer::timeout, this, [this] {
        auto run = std::exchange(m_paced, nullptr);
        if (run)
            whenPaced(std::move(run));
    });
    // Smartcar's bucket is app-wide: a 429 anywhere holds every queued request back.
    connect(m_client, &SmartcarApiClient::rateLimited, this,
            [this](int seconds) { m_bucket.pauseFor(qint64(seconds) * 1000); });
    connect(m_flow, &ConnectFlow::connected, this, [this](const QString &, const QStringList &ids) {
        Q_EMIT notice(tr("%n vehicle(s) connected through Smartcar Connect.", nullptr, int(ids.size())));
        // Ids only: details would cost a request per vehicle from the app-wide budget of 120 (a
        // 200-vehicle Connect would starve subscribing for hours); webhooks bring make, model and
        // VIN anyway, and refreshVehicles() fetches them on request.
        for (const QString &id : ids)
            Q_EMIT vehicleListed(id, {}, {}, 0, {});
    });
    connect(m_flow, &ConnectFlow::connectFailed, this,
            [this](const QString &message) { Q_EMIT notice(message); });
    connect(m_flow, &ConnectFlow::reconnectNeeded, this,
            [this](const QStringList &ids, const QString &message) {
                for (const QString &id : ids)
                    Q_EMIT subscriptionChanged(id, Sub::Failed,
                                               tr("reconnect this vehicle with Smartcar Connect"));
                Q_EMIT notice(message);
            });
}

SmartcarAccount::~SmartcarAccount() = default;

bool SmartcarAccount::load(QString *error) {
    return m_store.load(error);
}

bool SmartcarAccount::isConfigured() const {
    return m_flow->isConfigured() && !m_config.webhookId.isEmpty();
}

bool SmartcarAccount::isBusy() const {
    return !m_jobs.isEmpty();
}

void SmartcarAccount::connectVehicles() {
    if (!m_flow->isConfigured()) {
        Q_EMIT notice(tr("Enter the Smartcar client id and secret in the setup before connecting vehicles."));
        return;
    }
    const QUrl url = m_flow->authorizeUrl();
    if (m_config.openUrl)
        m_config.openUrl(url);
}

void SmartcarAccount::subscribe(const QStringList &vehicleIds) {
    Job job;
    job.kind = Kind::Subscribe;
    job.ids = vehicleIds;
    job.ids.removeDuplicates();
    for (const QString &id : std::as_const(job.ids))
        Q_EMIT subscriptionChanged(id, Sub::Pending, {});
    m_jobs.append(job);
    if (m_jobs.size() == 1)
        startNextJob();
}

void SmartcarAccount::unsubscribe(const QStringList &vehicleIds) {
    Job job;
    job.kind = Kind::Unsubscribe;
    job.ids = vehicleIds;
    job.ids.removeDuplicates();
    for (const QString &id : std::as_const(job.ids))
        Q_EMIT subscriptionChanged(id, Sub::Pending, {});
    m_jobs.append(job);
    if (m_jobs.size() == 1)
        startNextJob();
}

void SmartcarAccount::refreshVehicles() {
    Job job;
    job.kind = Kind::List;
    for (const UserTokens &user : m_store.users())
        job.ids << user.userKey;
    m_jobs.append(job);
    if (m_jobs.size() == 1)
        startNextJob();
}

void SmartcarAccount::cancelBulk() {
    // Queued bulk commands go too: "stop" means stop subscribing, not "skip to the next batch".
    for (qsizetype i = m_jobs.size() - 1; i >= 1; --i) {
        if (m_jobs[i].kind == Kind::List)
            continue;
        for (const QString &id : std::as_const(m_jobs[i].ids))
            Q_EMIT subscriptionChanged(id, fromStore(m_store.subscription(id)), {});
        Q_EMIT bulkFinished(0, 0, true);
        m_jobs.removeAt(i);
    }
    if (m_jobs.isEmpty() || m_jobs.front().kind == Kind::List)
        return;
    m_jobs.front().cancelled = true;
    if (!m_inFlight) { // waiting for the pace: nothing to wait for
        m_paceTimer.stop();
        m_paced = nullptr;
        finishJob();
    }
}

void SmartcarAccount::startNextJob() {
    if (m_jobs.isEmpty())
        return;
    const Job &job = m_jobs.front();
    if (job.kind != Kind::List)
        Q_EMIT bulkProgress(0, int(job.ids.size()), 0);
    step();
}

void SmartcarAccount::step() {
    if (m_jobs.isEmpty())
        return;
    Job &job = m_jobs.front();
    if (job.cancelled || job.next >= job.ids.size()) {
        finishJob();
        return;
    }
    const QString id = job.ids.at(job.next++);
    switch (job.kind) {
    case Kind::Subscribe:
        if (m_config.webhookId.isEmpty()) {
            itemDone(id, false, tr("no webhook id is configured (Smartcar dashboard → Webhooks)"));
            return;
        }
        whenPaced([this, id] { runSubscribe(id); });
        return;
    case Kind::Unsubscribe:
        if (m_config.webhookId.isEmpty() || m_config.amt.isEmpty()) {
            itemDone(id, false,
                     tr("unsubscribing needs the webhook id and the Application Management Token"));
            return;
        }
        whenPaced([this, id] { runUnsubscribe(id); });
        return;
    case Kind::List:
        runListUser(id);
        return;
    }
}

void SmartcarAccount::whenPaced(std::function<void()> run) {
    const qint64 wait = m_bucket.msUntilAvailable();
    if (wait == 0 && m_bucket.tryTake()) {
        m_inFlight = true;
        run();
        return;
    }
    m_paced = std::move(run);
    m_paceTimer.start(int(std::clamp<qint64>(wait, 1, 24 * 3600 * 1000)));
}

void SmartcarAccount::withToken(const QString &id, bool afterUnauthorized, const QByteArray &rejected,
                                std::function<void(const QByteArray &, const SmartcarError &)> run) {
    if (afterUnauthorized)
        m_flow->refreshAfterUnauthorized(id, rejected, std::move(run));
    else
        m_flow->accessTokenFor(id, std::move(run));
}

void SmartcarAccount::runSubscribe(const QString &id) {
    if (m_config.useV3Subscriptions) {
        runSubscribeV3(id);
        return;
    }
    // A 401 gets one refresh and one more try: the token may have been revoked early, and a second
    // 401 after a fresh token is Smartcar's final word.
    auto attempt = std::make_shared<std::function<void(bool, QByteArray)>>();
    *attempt = [this, id, attempt](bool afterUnauthorized, const QByteArray &rejected) {
        withToken(
            id, afterUnauthorized, rejected,
            [this, id, attempt, afterUnauthorized](const QByteArray &token, const SmartcarError &tokenError) {
                if (tokenError.isError()) {
                    itemDone(id, false, tokenError.userMessage());
                    *attempt = nullptr;
                    return;
                }
                m_client->subscribe(
                    token, id, m_config.webhookId,
                    [this, id, attempt, afterUnauthorized, token](const SmartcarError &error) {
                        if (error.isAuthentication() && !afterUnauthorized) {
                            (*attempt)(true, token);
                            return;
                        }
                        itemDone(id, !error.isError(), error.userMessage());
                        *attempt = nullptr; // breaks the self-reference
                    });
            });
    };
    (*attempt)(false, {});
}

void SmartcarAccount::smartcarUserId(const QString &vehicleId,
                                     std::function<void(const QString &, const SmartcarError &)> done) {
    // TokenStore's userKey is Connect's user_id only when the redirect carried one, else a local
    // id, and nothing records which: ask Smartcar (GET /v2.0/user, §9.1) once per user and session.
    const UserTokens *user = m_store.userForVehicle(vehicleId);
    if (user && m_userIds.contains(user->userKey)) {
        done(m_userIds.value(user->userKey), {});
        return;
    }
    auto attempt = std::make_shared<std::function<void(bool, QByteArray)>>();
    *attempt = [this, vehicleId, done, attempt](bool afterUnauthorized, const QByteArray &rejected) {
        withToken(vehicleId, afterUnauthorized, rejected,
                  [this, vehicleId, done, attempt, afterUnauthorized](const QByteArray &token,
                                                                      const SmartcarError &tokenError) {
                      if (tokenError.isError()) {
                          *attempt = nullptr;
                          done({}, tokenError);
                          return;
                      }
                      m_client->userId(token, [this, vehicleId, done, attempt, afterUnauthorized,
                                               token](const QString &userId, const SmartcarError &error) {
                          if (error.isAuthentication() && !afterUnauthorized) {
                              (*attempt)(true, token);
                              return;
                          }
                          *attempt = nullptr; // breaks the self-reference
                          if (!error.isError())
                              if (const UserTokens *owner = m_store.userForVehicle(vehicleId))
                                  m_userIds.insert(owner->userKey, userId);
                          done(userId, error);
                      });
                  });
    };
    (*attempt)(false, {});
}

void SmartcarAccount::runSubscribeV3(const QString &id) {
    // The user id lookup rides on this vehicle's pacing slot: it costs one request per user and
    // session, too little to starve the bucket, and keeps the one-request-at-a-time order.
    smartcarUserId(id, [this, id](const QString &userId, const SmartcarError &userError) {
        if (userError.isError()) {
            itemDone(id, false, userError.userMessage());
            return;
        }
        // A 401 drops the cached app token and tries once more with a new one: Smartcar may revoke
        // it early (a rotated client secret), and a second 401 is final.
        auto attempt = std::make_shared<std::function<void(bool)>>();
        *attempt = [this, id, userId, attempt](bool afterUnauthorized) {
            m_appTokens->token([this, id, userId, attempt, afterUnauthorized](
                                   const QByteArray &appToken, const SmartcarError &tokenError) {
                if (tokenError.isError()) {
                    *attempt = nullptr;
                    itemDone(id, false, tokenError.userMessage());
                    return;
                }
                m_client->subscribeV3(
                    appToken, userId, id, m_config.webhookId,
                    [this, id, attempt, afterUnauthorized, appToken](const SmartcarError &error) {
                        if (error.isAuthentication() && !afterUnauthorized) {
                            m_appTokens->invalidate(appToken);
                            (*attempt)(true);
                            return;
                        }
                        *attempt = nullptr; // breaks the self-reference
                        // 409 Conflict: the vehicle is already subscribed to this webhook, which is
                        // the state the user asked for (§8.2).
                        const bool ok = !error.isError() || error.httpStatus() == 409;
                        itemDone(id, ok, ok ? QString() : error.userMessage());
                    });
            });
        };
        (*attempt)(false);
    });
}

void SmartcarAccount::runUnsubscribe(const QString &id) {
    // Always the v2 DELETE with the AMT, also with useV3Subscriptions: a v3
    // DELETE /v3/subscriptions/{id} is not confirmed by any source (smartcar-protocol.md §8.2, §16.4),
    // and it would need the subscription id, which the asynchronous v3 create does not return.
    m_client->unsubscribe(m_config.amt, id, m_config.webhookId, [this, id](const SmartcarError &error) {
        itemDone(id, !error.isError(), error.userMessage());
    });
}

void SmartcarAccount::itemDone(const QString &id, bool ok, const QString &reason) {
    Job &job = m_jobs.front();
    const bool subscribing = job.kind == Kind::Subscribe;
    if (ok) {
        ++job.succeeded;
        m_store.setSubscription(id, subscribing ? TokenStore::Subscription::Subscribed
                                                : TokenStore::Subscription::NotSubscribed);
    } else {
        ++job.failed;
    }
    const int done = job.succeeded + job.failed, total = int(job.ids.size()), failed = job.failed;
    // Signals go out after the bookkeeping and while still "in flight": a receiver may cancel or
    // queue more work, and the queued step() below is then what winds the job up.
    if (ok)
        Q_EMIT subscriptionChanged(id, subscribing ? Sub::Subscribed : Sub::NotSubscribed, {});
    else
        Q_EMIT subscriptionChanged(id, Sub::Failed, reason);
    Q_EMIT bulkProgress(done, total, failed);
    m_inFlight = false;
    // Next step from the event loop: a long run of local failures must not grow the stack.
    QMetaObject::invokeMethod(
        this, [this] { step(); }, Qt::QueuedConnection);
}

void SmartcarAccount::finishJob() {
    const Job job = m_jobs.takeFirst();
    m_inFlight = false;
    QString error;
    if (!m_store.save(&error))
        Q_EMIT notice(error);
    if (job.kind == Kind::List) {
        Q_EMIT vehicleListFinished(job.failed == 0, job.firstError);
    } else {
        // Vehicles never reached keep what the app knew of them.
        for (qsizetype i = job.next; i < job.ids.size(); ++i)
            Q_EMIT subscriptionChanged(job.ids[i], fromStore(m_store.subscription(job.ids[i])), {});
        Q_EMIT bulkFinished(job.succeeded, job.failed, job.cancelled);
    }
    if (!m_jobs.isEmpty())
        QMetaObject::invokeMethod(
            this, [this] { startNextJob(); }, Qt::QueuedConnection);
}

void SmartcarAccount::runListUser(const QString &userKey) {
    auto fail = [this](const SmartcarError &error) {
        Job &job = m_jobs.front();
        ++job.failed;
        if (job.firstError.isEmpty())
            job.firstError = error.userMessage();
        m_inFlight = false;
        QMetaObject::invokeMethod(
            this, [this] { step(); }, Qt::QueuedConnection);
    };
    m_flow->accessTokenForUser(
        userKey, [this, userKey, fail](const QByteArray &token, const SmartcarError &e) {
            if (e.isError()) {
                fail(e);
                return;
            }
            whenPaced([this, userKey, token, fail] {
                m_client->listVehicles(
                    token, [this, userKey, token, fail](const QStringList &ids, const SmartcarError &error) {
                        if (error.isError()) {
                            fail(error);
                            return;
                        }
                        if (const UserTokens *user = m_store.user(userKey)) {
                            UserTokens updated = *user;
                            updated.vehicleIds = ids;
                            m_store.upsert(updated);
                        }
                        listVehicleDetails(token, ids, 0);
                    });
            });
        });
}

void SmartcarAccount::listVehicleDetails(const QByteArray &token, QStringList ids, int index) {
    if (index >= ids.size()) {
        Job &job = m_jobs.front();
        ++job.succeeded;
        m_inFlight = false;
        QMetaObject::invokeMethod(
            this, [this] { step(); }, Qt::QueuedConnection);
        return;
    }
    const QString id = ids.at(index);
    whenPaced([this, token, ids, index, id] {
        m_client->vehicleAttributes(
            token, id, [this, token, ids, index, id](const VehicleAttributes &a, const SmartcarError &error) {
                if (error.isError() && m_jobs.front().firstError.isEmpty())
                    m_jobs.front().firstError = error.userMessage();
                // No VIN call: it would double the cost, and the VIN arrives with the first webhook.
                Q_EMIT vehicleListed(id, a.make, a.model, a.year, {});
                listVehicleDetails(token, ids, index + 1);
            });
    });
}

} // namespace smartcar
