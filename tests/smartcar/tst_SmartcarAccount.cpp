// The Smartcar account client against a fake Smartcar that enforces the documented protocol
// (tests/support/FakeSmartcar): Connect round trip, token refresh and rotation, the credentials
// each call needs, 429/5xx handling, paced bulk operations, and the `fleetmon` account commands.

#include "net/Router.h"
#include "smartcar/ConnectFlow.h"
#include "smartcar/OAuthCallbackEndpoint.h"
#include "smartcar/SmartcarAccount.h"
#include "smartcar/SmartcarApiClient.h"
#include "smartcar/TokenStore.h"
#include "support/FakeSmartcar.h"
#include "support/ServerThread.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QUrlQuery>
#include <atomic>
#include <sys/stat.h>

using Sub = model::AccountCommands::Subscription;
using testsupport::FakeSmartcar;

namespace {

const QString kClientId = QStringLiteral("client-7f3a");
const QByteArray kClientSecret = "client-secret-91d2c";
const QString kWebhookId = QStringLiteral("9b6ae692-60cc-4b3e-89d8-71e7549cf805");
const QByteArray kAmt = "amt-5e0c-private";

QStringList vehicleIds(int n) {
    QStringList ids;
    for (int i = 0; i < n; ++i)
        ids << QStringLiteral("veh-%1").arg(i, 3, 10, QLatin1Char('0'));
    return ids;
}

int fileMode(const QString &path) {
    struct stat st {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? int(st.st_mode & 0777) : -1;
}

// The app's own endpoint for the Connect redirect, on a server thread as in the app.
class CallbackServer {
public:
    CallbackServer() {
        m_router.addRoute("GET", "/oauth/callback",
                          [this](const net::HttpRequest &r, const net::Responder &s) {
                              if (auto *endpoint = m_endpoint.load())
                                  endpoint->handleOAuthCallback(r, s);
                              else
                                  s.respond(net::HttpResponse::error(503, QStringLiteral("not ready")));
                          });
        m_thread = std::make_unique<testsupport::ServerThread>(&m_router);
    }
    ~CallbackServer() {
        m_thread.reset();
        delete m_endpoint.load();
    }
    QString redirectUri() const {
        return QStringLiteral("http://127.0.0.1:%1/oauth/callback").arg(m_thread->port());
    }
    void attach(smartcar::ConnectFlow *flow) {
        auto *endpoint = new smartcar::OAuthCallbackEndpoint(flow);
        endpoint->moveToThread(m_thread->context()->thread());
        m_endpoint.store(endpoint);
    }

private:
    net::Router m_router;
    std::atomic<smartcar::OAuthCallbackEndpoint *> m_endpoint{nullptr};
    std::unique_ptr<testsupport::ServerThread> m_thread;
};

} // namespace

class SmartcarAccountTest : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<smartcar::SmartcarAccount> makeAccount(FakeSmartcar &fake, const QString &dataDir,
                                                           const QString &redirectUri, QUrl *opened = nullptr,
                                                           const QByteArray &amt = kAmt) {
        smartcar::SmartcarAccount::Config config;
        config.endpoints.api = config.endpoints.auth = config.endpoints.connect =
            config.endpoints.management = QUrl(fake.baseUrl());
        config.connect.clientId = kClientId;
        config.connect.clientSecret = kClientSecret;
        config.connect.redirectUri = redirectUri;
        config.connect.mode = smartcar::ConnectFlow::Mode::Test;
        config.webhookId = kWebhookId;
        config.amt = amt;
        config.dataDir = dataDir;
        config.openUrl = [opened](const QUrl &url) {
            if (opened)
                *opened = url;
        };
        auto account = std::make_unique<smartcar::SmartcarAccount>(config);
        QString error;
        if (!account->load(&error))
            qWarning() << error;
        account->apiClient()->setRetryBaseDelayMs(20);
        account->apiClient()->setTimeoutMs(3000);
        return account;
    }

    // Connect through the headless path: a code as if Connect had redirected with it.
    bool connectWithCode(FakeSmartcar &fake, smartcar::SmartcarAccount &account) {
        bool finished = false, ok = false;
        account.connectFlow()->exchangeCode(fake.issueCode(account.connectFlow()->settings().redirectUri), {},
                                            [&](bool success, const QString &) {
                                                finished = true;
                                                ok = success;
                                            });
        return QTest::qWaitFor([&] { return finished; }, 5000) && ok;
    }

    struct BulkResult {
        bool done = false;
        int succeeded = -1, failed = -1;
        bool cancelled = false;
        QHash<QString, QString> failures;
    };
    // A real event loop: QTRY_* sleeps 10 ms between polls, which would dominate these timings.
    static bool waitBulk(BulkResult &r, int ms) {
        QEventLoop loop;
        QTimer poll;
        QObject::connect(&poll, &QTimer::timeout, &loop, [&] {
            if (r.done)
                loop.quit();
        });
        poll.start(1);
        QTimer::singleShot(ms, &loop, &QEventLoop::quit);
        if (!r.done)
            loop.exec();
        return r.done;
    }
    static void track(smartcar::SmartcarAccount &account, BulkResult *r) {
        QObject::connect(&account, &model::AccountCommands::bulkFinished, &account,
                         [r](int s, int f, bool c) {
                             r->done = true;
                             r->succeeded = s;
                             r->failed = f;
                             r->cancelled = c;
                         });
        QObject::connect(&account, &model::AccountCommands::subscriptionChanged, &account,
                         [r](const QString &id, Sub state, const QString &reason) {
                             if (state == Sub::Failed)
                                 r->failures.insert(id, reason);
                         });
    }

private Q_SLOTS:
    void connectRoundTrip() {
        FakeSmartcar fake(kClientId, kClientSecret, kWebhookId, kAmt);
        fake.setVehiclesForNextGrant(vehicleIds(3));
        QTemporaryDir dir;
        CallbackServer callback;
        QUrl authorize;
        auto account = makeAccount(fake, dir.path(), callback.redirectUri(), &authorize);
        callback.attach(account->connectFlow());
        QStringList listed, detailed;
        connect(account.get(), &model::AccountCommands::vehicleListed, this,
                [&](const QString &id, const QString &make, const QString &, int year, const QString &) {
                    if (make.isEmpty()) {
                        listed << id; // announced by Connect, before any detail request
                        return;
                    }
                    QCOMPARE(make, QStringLiteral("TESLA"));
                    QVERIFY(year >= 2018);
                    detailed << id;
                });
        QSignalSpy listFinished(account.get(), &smartcar::SmartcarAccount::vehicleListFinished);

        account->connectVehicles();
        QVERIFY(authorize.isValid());
        const QUrlQuery q(authorize);
        QCOMPARE(authorize.path(), QStringLiteral("/oauth/authorize"));
        QCOMPARE(q.queryItemValue("response_type"), QStringLiteral("code"));
        QCOMPARE(q.queryItemValue("client_id"), kClientId);
        QCOMPARE(q.queryItemValue("redirect_uri", QUrl::FullyDecoded), callback.redirectUri());
        QCOMPARE(q.queryItemValue("mode"), QStringLiteral("test"));
        QVERIFY(q.queryItemValue("state").size() >= 32);
        const QStringList scope = q.queryItemValue("scope", QUrl::FullyDecoded).split(' ');
        for (const char *p : {"read_battery", "read_charge", "read_odometer", "read_location",
                              "read_vehicle_info", "read_vin", "read_security", "read_tires"})
            QVERIFY2(scope.contains(QLatin1String(p)), p);
        QVERIFY(!authorize.toEncoded().contains(kClientSecret));

        // The "browser": Connect's page redirects to the app's callback, which answers the page.
        QNetworkAccessManager browser;
        QNetworkReply *reply = browser.get(QNetworkRequest(authorize));
        QSignalSpy done(reply, &QNetworkReply::finished);
        QVERIFY(done.wait(10000));
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QVERIFY(reply->url().toString().startsWith(callback.redirectUri()));
        QVERIFY(reply->readAll().contains("Vehicles connected, you can close this tab"));
        reply->deleteLater();

        QCOMPARE(account->tokenStore().vehicleIds(), vehicleIds(3));
        QCOMPARE(listed, vehicleIds(3));
        QCOMPARE(fake.count("attributes"), 0);
        account->refreshVehicles();
        QVERIFY(listFinished.wait(5000));
        QCOMPARE(listFinished.first().at(0).toBool(), true);
        QCOMPARE(detailed, vehicleIds(3));
        QCOMPARE(fake.count("token"), 1);

        BulkResult bulk;
        track(*account, &bulk);
        account->subscribe({vehicleIds(3).at(1)});
        QVERIFY(waitBulk(bulk, 5000));
        QCOMPARE(bulk.succeeded, 1);
        QVERIFY(fake.isSubscribed(vehicleIds(3).at(1)));
        QCOMPARE(fake.acceptedSubscribes(vehicleIds(3).at(1)), 1);
        QCOMPARE(fake.violations(), QStringList());
    }

    void wrongStateRejected() {
        FakeSmartcar fake(kClientId, kClientSecret, kWebhookId, kAmt);
        fake.setVehiclesForNextGrant(vehicleIds(1));
        QTemporaryDir dir;
        CallbackServer callback;
        auto account = makeAccount(fake, dir.path(), callback.redirectUri());
        callback.attach(account->connectFlow());
        const QUrl authorize = account->connectFlow()->authorizeUrl();
        const QString state = QUrlQuery(authorize).queryItemValue("state");

        QNetworkAccessManager browser;
        auto get = [&](const QString &query, int *status) {
            QNetworkReply *reply = browser.get(QNetworkRequest(QUrl(callback.redirectUri() + '?' + query)));
            QSignalSpy done(reply, &QNetworkReply::finished);
            done.wait(5000);
            *status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            reply->deleteLater();
            return QString::fromUtf8(reply->readAll());
        };
        int status = 0;
        const QString code = fake.issueCode(callback.redirectUri());
        QString page = get(QStringLiteral("code=%1&state=forged").arg(code), &status);
        QCOMPARE(status, 400);
        QVERIFY2(page.contains("state mismatch"), qPrintable(page));
        page = get(QStringLiteral("code=%1").arg(code), &status);
        QCOMPARE(status, 400);
        QCOMPARE(fake.count("token"), 0);
        QVERIFY(account->tokenStore().users().isEmpty());

        // Connect's own error is shown as Connect said it, and spends the state.
        page =
            get(QStringLiteral("error=access_denied&error_description=The%20user%20denied%20access&state=") +
                    state,
                &status);
        QCOMPARE(status, 400);
        QVERIFY2(page.contains("The user denied access") && page.contains("access_denied"), qPrintable(page));
        page = get(QStringLiteral("code=%1&state=%2").arg(code, state), &status);
        QVERIFY2(page.contains("state mismatch"), qPrintable(page)); // single use
        QCOMPARE(fake.count("token"), 0);
    }

    void refreshRotatesAndPersists() {
        FakeSmartcar fake(kClientId, kClientSecret, kWebhookId, kAmt);
        fake.setVehiclesForNextGrant(vehicleIds(2));
        QTemporaryDir dir;
        auto account = makeAccount(fake, dir.path(), QStringLiteral("http://127.0.0.1:8787/oauth/callback"));
        QVERIFY(connectWithCode(fake, *account));
        const QString path = smartcar::TokenStore::defaultPath(dir.path());
        QCOMPARE(fileMode(path), 0600);
        smartcar::TokenStore before(path);
        QString error;
        QVERIFY(before.load(&error));
        QCOMPARE(before.users().size(), 1);
        const smartcar::UserTokens first = before.users().first();

        // A 401 on subscribe: one refresh, one retry, the rotated pair on disk.
        fake.expireAccessTokens();
        BulkResult bulk;
        track(*account, &bulk);
        account->subscribe({vehicleIds(2).at(0)});
        QVERIFY(waitBulk(bulk, 5000));
        QCOMPARE(bulk.succeeded, 1);
        QCOMPARE(fake.count("refresh"), 1);
        smartcar::TokenStore after(path);
        QVERIFY(after.load(&error));
        const smartcar::UserTokens second = after.users().first();
        QVERIFY(second.accessToken != first.accessToken);
        QVERIFY(second.refreshToken != first.refreshToken);
        QVERIFY(second.accessExpiresAtMs > QDateTime::currentMSecsSinceEpoch());
        QCOMPARE(fileMode(path), 0600);

        // Near expiry: refreshed before the call, not after a 401.
        account->connectFlow()->setRefreshMarginMs(3 * 3600 * 1000);
        bulk = {};
        const int subscribesBefore = fake.count("subscribe");
        account->subscribe({vehicleIds(2).at(1)});
        QVERIFY(waitBulk(bulk, 5000));
        QCOMPARE(bulk.succeeded, 1);
        QCOMPARE(fake.count("refresh"), 2);
        QCOMPARE(fake.count("subscribe"), subscribesBefore + 1);
        smartcar::TokenStore third(path);
        QVERIFY(third.load(&error));
        QVERIFY(third.users().first().refreshToken != second.refreshToken);

        // A dead refresh token: the vehicles are marked for reconnection, on disk too.
        account->connectFlow()->setRefreshMarginMs(0);
        fake.revokeRefreshTokens();
        fake.expireAccessTokens();
        QStringList notices;
        connect(account.get(), &model::AccountCommands::notice, this,
                [&](const QString &m) { notices << m; });
        bulk = {};
        account->subscribe({vehicleIds(2).at(0)});
        QVERIFY(waitBulk(bulk, 5000));
        QCOMPARE(bulk.failed, 1);
        QVERIFY(notices.join('\n').contains("Reconnect"));
        smartcar::TokenStore dead(path);
        QVERIFY(dead.load(&error));
        QVERIFY(dead.users().first().needsReconnect);
        QCOMPARE(fake.violations(), QStringList());
    }

    void unsubscribeUsesAmt() {
        FakeSmartcar fake(kClientId, kClientSecret, kWebhookId, kAmt);
        fake.setVehiclesForNextGrant(vehicleIds(2));
        QTemporaryDir dir;
        auto account = makeAccount(fake, dir.path(), QStringLiteral("http://127.0.0.1:8787/oauth/callback"));
        QVERIFY(connectWithCode(fake, *account));
        BulkResult bulk;
        track(*account, &bulk);
        account->subscribe(vehicleIds(2));
        QVERIFY(waitBulk(bulk, 5000));
        bulk = {};
        account->unsubscribe({vehicleIds(2).at(0)});
        QVERIFY(waitBulk(bulk, 5000));
        QCOMPARE(bulk.succeeded, 1);
        QCOMPARE(fake.subscribedVehicles(), QStringList{vehicleIds(2).at(1)});
        QCOMPARE(fake.violations(), QStringList());

        // A wrong AMT is refused by Smartcar and reported, not retried.
        auto wrong = makeAccount(fake, dir.path(), QStringLiteral("http://127.0.0.1:8787/oauth/callback"),
                                 nullptr, "not-the-amt");
        BulkResult refused;
        track(*wrong, &refused);
        const int before = fake.count("unsubscribe");
        wrong->unsubscribe({vehicleIds(2).at(1)});
        QVERIFY(waitBulk(refused, 5000));
        QCOMPARE(refused.failed, 1);
        QCOMPARE(fake.count("unsubscribe"), before + 1);
        QVERIFY(fake.isSubscribed(vehicleIds(2).at(1)));
    }

    void rateLimitHonoursRetryAfter() {
        FakeSmartcar fake(kClientId, kClientSecret, kWebhookId, kAmt);
        fake.setVehiclesForNextGrant(vehicleIds(1));
        QTemporaryDir dir;
        auto account = makeAccount(fake, dir.path(), QStringLiteral("http://127.0.0.1:8787/oauth/callback"));
        QVERIFY(connectWithCode(fake, *account));
        FakeSmartcar::Fault fault;
        fault.method = "POST";
        fault.pathContains = "/webhooks/";
        fault.status = 429;
        fault.retryAfterSeconds = 1;
        fault.type = QStringLiteral("RATE_LIMIT");
        fault.code = QStringLiteral("VEHICLE");
        fault.resolution = QStringLiteral("RETRY_LATER");
        fake.addFault(fault);
        BulkResult bulk;
        track(*account, &bulk);
        QElapsedTimer timer;
        timer.start();
        account->subscribe(vehicleIds(1));
        QVERIFY(waitBulk(bulk, 5000));
        QVERIFY2(timer.elapsed() >= 1000, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(bulk.succeeded, 1);
        QCOMPARE(fake.subscribeAttempts(vehicleIds(1).at(0)), 2);
        QCOMPARE(fake.acceptedSubscribes(vehicleIds(1).at(0)), 1);
    }

    void serverErrorsBoundedThenClearFailure() {
        FakeSmartcar fake(kClientId, kClientSecret, kWebhookId, kAmt);
        fake.setVehiclesForNextGrant(vehicleIds(1));
        QTemporaryDir dir;
        auto account = makeAccount(fake, dir.path(), QStringLiteral("http://127.0.0.1:8787/oauth/callback"));
        QVERIFY(connectWithCode(fake, *account));
        FakeSmartcar::Fault fault;
        fault.pathContains = "/webhooks/";
        fault.status = 502;
        fault.times = 100;
        fault.type = QStringLiteral("UPSTREAM");
        fault.code = QStringLiteral("NO_RESPONSE");
        fault.suggestedUserMessage =
            QStringLiteral("The vehicle's manufacturer is not responding. Try again later.");
        fake.addFault(fault);
        BulkResult bulk;
        track(*account, &bulk);
        account->subscribe(vehicleIds(1));
        QVERIFY(waitBulk(bulk, 5000));
        QCOMPARE(bulk.failed, 1);
        QCOMPARE(bulk.failures.value(vehicleIds(1).at(0)), fault.suggestedUserMessage);
        QCOMPARE(fake.subscribeAttempts(vehicleIds(1).at(0)), 1 + account->apiClient()->maxRetries());
    }

    void bulkOf200UnderRateLimit() {
        FakeSmartcar fake(kClientId, kClientSecret, kWebhookId, kAmt);
        const QStringList ids = vehicleIds(200);
        fake.setVehiclesForNextGrant(ids);
        QTemporaryDir dir;
        auto account = makeAccount(fake, dir.path(), QStringLiteral("http://127.0.0.1:8787/oauth/callback"));
        QVERIFY(connectWithCode(fake, *account));
        QCOMPARE(account->tokenStore().vehicleIds().size(), 200); // four pages of 50
        QCOMPARE(fake.count("list"), 4);
        // Smartcar's bucket, scaled down in time: the client paces itself a little below it.
        // Smartcar's bucket, scaled down in time; the client paces itself a little below it. One
        // 429 (a per-vehicle limit) on top holds the whole bulk back for its retry-after.
        fake.setRateLimit(20, 150, 1);
        account->rateBucket().configure(20, 140);
        FakeSmartcar::Fault fault;
        fault.pathContains = "/webhooks/";
        fault.status = 429;
        fault.retryAfterSeconds = 1;
        fault.type = QStringLiteral("RATE_LIMIT");
        fault.code = QStringLiteral("VEHICLE");
        fake.addFault(fault);
        BulkResult bulk;
        track(*account, &bulk);
        int lastDone = 0, progressEvents = 0;
        connect(account.get(), &model::AccountCommands::bulkProgress, this, [&](int done, int total, int) {
            QCOMPARE(total, 200);
            QVERIFY(done >= lastDone);
            lastDone = done;
            ++progressEvents;
        });
        QElapsedTimer timer;
        timer.start();
        account->subscribe(ids);
        const bool finished = waitBulk(bulk, 15000);
        if (!finished)
            qWarning("progress %d/200, %d subscribe calls, %d answered 429", lastDone,
                     fake.count("subscribe"), fake.rateLimited());
        QVERIFY(finished);
        QCOMPARE(bulk.succeeded, 200);
        QCOMPARE(bulk.failed, 0);
        QCOMPARE(lastDone, 200);
        for (const QString &id : ids)
            QCOMPARE(fake.acceptedSubscribes(id), 1);
        QCOMPARE(fake.count("subscribe"), 200 + fake.rateLimited());
        QVERIFY(timer.elapsed() >= 1000 + 1000 * (200 - 20) / 150); // retry-after + the bucket's pace
        qInfo("200 subscribed in %lld ms, %d answered 429", timer.elapsed(), fake.rateLimited());
    }

    void cancelStopsBulk() {
        FakeSmartcar fake(kClientId, kClientSecret, kWebhookId, kAmt);
        const QStringList ids = vehicleIds(40);
        fake.setVehiclesForNextGrant(ids);
        QTemporaryDir dir;
        auto account = makeAccount(fake, dir.path(), QStringLiteral("http://127.0.0.1:8787/oauth/callback"));
        QVERIFY(connectWithCode(fake, *account));
        fake.setDelayMs(30);
        BulkResult bulk;
        track(*account, &bulk);
        int subscribed = 0;
        QHash<QString, Sub> last;
        connect(account.get(), &model::AccountCommands::subscriptionChanged, this,
                [&](const QString &id, Sub state, const QString &) {
                    last[id] = state;
                    if (state == Sub::Subscribed && ++subscribed == 5)
                        account->cancelBulk();
                });
        account->subscribe(ids);
        QVERIFY(waitBulk(bulk, 5000));
        QVERIFY(bulk.cancelled);
        QVERIFY(bulk.succeeded >= 5 && bulk.succeeded <= 6);
        QTest::qWait(200);
        QCOMPARE(fake.count("subscribe"), bulk.succeeded);
        for (const QString &id : ids)
            QVERIFY(last.value(id) != Sub::Pending); // nobody left waiting forever
    }

    void commandLine() {
        FakeSmartcar fake(kClientId, kClientSecret, kWebhookId, kAmt);
        const QStringList ids = vehicleIds(3);
        fake.setVehiclesForNextGrant(ids);
        QTemporaryDir home;
        const QString dataDir = home.filePath("data");
        const QString redirect = QStringLiteral("http://127.0.0.1:8787/oauth/callback");
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const char *name : {"FLEETMON_SMARTCAR_API", "FLEETMON_SMARTCAR_AUTH",
                                 "FLEETMON_SMARTCAR_CONNECT", "FLEETMON_SMARTCAR_MANAGEMENT"})
            env.insert(QLatin1String(name), fake.baseUrl());
        env.insert("FLEETMON_CLIENT_ID", kClientId);
        env.insert("FLEETMON_CLIENT_SECRET", QString::fromUtf8(kClientSecret));
        env.insert("FLEETMON_WEBHOOK_ID", kWebhookId);
        env.insert("FLEETMON_AMT", QString::fromUtf8(kAmt));
        env.insert("HOME", home.path()); // no saved setup of the machine's user leaks in
        env.insert("XDG_CONFIG_HOME", home.filePath("config"));
        env.insert("XDG_DATA_HOME", home.filePath("share"));
        env.remove("DISPLAY");
        env.remove("WAYLAND_DISPLAY");
        QByteArray allOutput;
        auto run = [&](const QStringList &args, QByteArray *out, QByteArray *err) {
            QProcess p;
            p.setProcessEnvironment(env);
            p.start(QStringLiteral(FLEETMON_BINARY),
                    args + QStringList{QStringLiteral("--data-dir"), dataDir});
            if (!p.waitForFinished(20000))
                return -1;
            *out = p.readAllStandardOutput();
            *err = p.readAllStandardError();
            allOutput += *out + *err;
            return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        };
        QByteArray out, err;
        const QString code = fake.issueCode(redirect);
        QCOMPARE(run({"connect", "--code", code, "--redirect-uri", redirect}, &out, &err), 0);
        QVERIFY2(out.contains("connected") && out.contains(ids.at(2).toUtf8()), out + err);
        QCOMPARE(fileMode(smartcar::TokenStore::defaultPath(dataDir)), 0600);

        QCOMPARE(run({"vehicles"}, &out, &err), 0);
        QVERIFY2(out.startsWith("ID\tMAKE\tMODEL\tYEAR\tSUBSCRIBED\n"), out + err);
        for (const QString &id : ids)
            QVERIFY2(out.contains(id.toUtf8() + "\tTESLA\tModel "), out);
        QVERIFY(out.contains("\tunknown\n"));

        QCOMPARE(run({"subscribe", "--all"}, &out, &err), 0);
        for (const QString &id : ids)
            QVERIFY2(out.contains("subscribed " + id.toUtf8()), out + err);
        QCOMPARE(fake.subscribedVehicles(), ids);
        QCOMPARE(run({"vehicles"}, &out, &err), 0);
        QCOMPARE(out.count("\tyes\n"), 3);

        QCOMPARE(run({"unsubscribe", ids.at(0)}, &out, &err), 0);
        QVERIFY2(out.contains("unsubscribed " + ids.at(0).toUtf8()), out + err);
        QVERIFY(!fake.isSubscribed(ids.at(0)));

        // Smartcar refuses: its suggested user message, and a non-zero exit.
        FakeSmartcar::Fault fault;
        fault.pathContains = "/webhooks/";
        fault.status = 409;
        fault.type = QStringLiteral("VEHICLE_STATE");
        fault.code = QStringLiteral("ASLEEP");
        fault.description = QStringLiteral("The vehicle is asleep.");
        fault.suggestedUserMessage =
            QStringLiteral("Wake your vehicle up by opening the app, then try again.");
        fake.addFault(fault);
        QCOMPARE(run({"subscribe", ids.at(0)}, &out, &err), 1);
        QVERIFY2(err.contains(fault.suggestedUserMessage.toUtf8()), err);
        QVERIFY(out.contains("0 subscribed, 1 failed"));

        // A usage error is not Smartcar's: exit 2.
        QCOMPARE(run({"subscribe"}, &out, &err), 2);

        // No secret ever reaches the terminal.
        QVERIFY(!allOutput.isEmpty());
        QVERIFY(!allOutput.contains(kAmt));
        QVERIFY(!allOutput.contains(kClientSecret));
        for (const QByteArray &secret : fake.issuedSecrets())
            QVERIFY2(!allOutput.contains(secret), "a token or code was printed");
        QCOMPARE(fake.violations(), QStringList());
    }
};

QTEST_GUILESS_MAIN(SmartcarAccountTest)
#include "tst_SmartcarAccount.moc"
