// Subscribing through Smartcar's v3 Management API (smartcar-protocol.md §8.2) with the
// client-credentials app token (§10.4), against the fake Smartcar that enforces both: the app token
// is fetched once and reused, refetched after it expires or is refused, 409 means "already
// subscribed", unsubscribe stays on v2 with the AMT, and v2 remains the default.

#include "app/AccountCommand.h"
#include "smartcar/AppTokenProvider.h"
#include "smartcar/SmartcarAccount.h"
#include "smartcar/SmartcarApiClient.h"
#include "support/FakeSmartcar.h"

#include <QEventLoop>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

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

struct BulkResult {
    bool done = false;
    int succeeded = -1, failed = -1;
    QHash<QString, QString> failures;
};

} // namespace

class SmartcarV3Test : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<smartcar::SmartcarAccount> makeAccount(FakeSmartcar &fake, const QString &dataDir,
                                                           bool v3,
                                                           const QByteArray &secret = kClientSecret) {
        smartcar::SmartcarAccount::Config config;
        config.endpoints.api = config.endpoints.auth = config.endpoints.connect =
            config.endpoints.management = config.endpoints.iam = QUrl(fake.baseUrl());
        config.connect.clientId = kClientId;
        config.connect.clientSecret = secret;
        config.connect.redirectUri = QStringLiteral("http://127.0.0.1:9/oauth/callback");
        config.connect.mode = smartcar::ConnectFlow::Mode::Test;
        config.webhookId = kWebhookId;
        config.amt = kAmt;
        config.dataDir = dataDir;
        config.useV3Subscriptions = v3;
        auto account = std::make_unique<smartcar::SmartcarAccount>(config);
        QString error;
        if (!account->load(&error))
            qWarning() << error;
        account->apiClient()->setRetryBaseDelayMs(20);
        account->apiClient()->setTimeoutMs(3000);
        return account;
    }

    static bool connectWithCode(FakeSmartcar &fake, smartcar::SmartcarAccount &account) {
        bool finished = false, ok = false;
        account.connectFlow()->exchangeCode(fake.issueCode(account.connectFlow()->settings().redirectUri), {},
                                            [&](bool success, const QString &) {
                                                finished = true;
                                                ok = success;
                                            });
        return QTest::qWaitFor([&] { return finished; }, 5000) && ok;
    }

    // Runs one bulk command to its end on a real event loop.
    static BulkResult run(smartcar::SmartcarAccount &account, const QStringList &ids, bool subscribe = true) {
        BulkResult r;
        QObject context;
        QObject::connect(&account, &model::AccountCommands::bulkFinished, &context, [&r](int s, int f, bool) {
            r.done = true;
            r.succeeded = s;
            r.failed = f;
        });
        QObject::connect(&account, &model::AccountCommands::subscriptionChanged, &context,
                         [&r](const QString &id, Sub state, const QString &reason) {
                             if (state == Sub::Failed)
                                 r.failures.insert(id, reason);
                         });
        if (subscribe)
            account.subscribe(ids);
        else
            account.unsubscribe(ids);
        if (!QTest::qWaitFor([&] { return r.done; }, 10000))
            qWarning() << "bulk command did not finish";
        return r;
    }

private Q_SLOTS:
    void v2RemainsTheDefault() {
        QVERIFY(!smartcar::SmartcarAccount::Config().useV3Subscriptions);
        FakeSmartcar fake(kClientId, kClientSecret, kWebhookId, kAmt);
        fake.setVehiclesForNextGrant(vehicleIds(2));
        QTemporaryDir dir;
        smartcar::SmartcarAccount::Config config;
        auto account = makeAccount(fake, dir.path(), config.useV3Subscriptions);
        QVERIFY(connectWithCode(fake, *account));
        const BulkResult r = run(*account, vehicleIds(2));
        QVERIFY(r.done);
        QCOMPARE(r.succeeded, 2);
        QCOMPARE(fake.count("subscribe"), 2);
        QCOMPARE(fake.count("subscribe_v3"), 0);
        QCOMPARE(fake.count("apptoken"), 0);
        QVERIFY2(fake.violations().isEmpty(), qPrintable(fake.violations().join('\n')));
    }

    void v3SubscribeFetchesTheAppTokenOnce() {
        FakeSmartcar fake(kClientId, kClientSecret, kWebhookId, kAmt);
        fake.setVehiclesForNextGrant(vehicleIds(5));
        QTemporaryDir dir;
        auto account = makeAccount(fake, dir.path(), true);
        QVERIFY(connectWithCode(fake, *account));
        const BulkResult r = run(*account, vehicleIds(5));
        QVERIFY(r.done);
        QCOMPARE(r.succeeded, 5);
        QCOMPARE(r.failed, 0);
        QCOMPARE(fake.count("apptoken"), 1);
        QCOMPARE(fake.count("subscribe_v3"), 5);
        QCOMPARE(fake.count("subscribe"), 0); // no v2 call at all
        QCOMPARE(fake.count("user"), 1);      // the user id is looked up once per user
        QCOMPARE(fake.subscribedVehicles(), vehicleIds(5));
        for (const QString &id : vehicleIds(5))
            QCOMPARE(account->tokenStore().subscription(id), smartcar::TokenStore::Subscription::Subscribed);
        QVERIFY2(fake.violations().isEmpty(), qPrintable(fake.violations().join('\n')));
    }

    void v3ConflictCountsAsSubscribed() {
        FakeSmartcar fake(kClientId, kClientSecret, kWebhookId, kAmt);
        fake.setVehiclesForNextGrant(vehicleIds(3));
        fake.markSubscribed(QStringLiteral("veh-001"));
        QTemporaryDir dir;
        auto account = makeAccount(fake, dir.path(), true);
        QVERIFY(connectWithCode(fake, *account));
        const BulkResult r = run(*account, vehicleIds(3));
        QVERIFY(r.done);
        QCOMPARE(r.succeeded, 3);
        QCOMPARE(r.failed, 0);
        QCOMPARE(fake.acceptedSubscribes(QStringLiteral("veh-001")), 0); // the fake answered 409
        QCOMPARE(fake.subscribeAttempts(QStringLiteral("veh-001")), 1);
        QCOMPARE(account->tokenStore().subscription(QStringLiteral("veh-001")),
                 smartcar::TokenStore::Subscription::Subscribed);
        QVERIFY2(fake.violations().isEmpty(), qPrintable(fake.violations().join('\n')));
    }

    void appTokenIsRefetchedAfterExpiry() {
        FakeSmartcar fake(kClientId, kClientSecret, kWebhookId, kAmt);
        fake.setVehiclesForNextGrant(vehicleIds(3));
        fake.setAppTokenLifetime(2);
        QTemporaryDir dir;
        auto account = makeAccount(fake, dir.path(), true);
        account->appTokens()->setRefreshMarginMs(500);
        QVERIFY(connectWithCode(fake, *account));
        QCOMPARE(run(*account, {QStringLiteral("veh-000")}).succeeded, 1);
        QCOMPARE(run(*account, {QStringLiteral("veh-001")}).succeeded, 1);
        QCOMPARE(fake.count("apptoken"), 1);
        QTest::qWait(1700); // within the margin of its 2 s lifetime: too close to use
        QCOMPARE(run(*account, {QStringLiteral("veh-002")}).succeeded, 1);
        QCOMPARE(fake.count("apptoken"), 2);
        QCOMPARE(fake.count("subscribe_v3"), 3); // never sent with the stale token
        QVERIFY2(fake.violations().isEmpty(), qPrintable(fake.violations().join('\n')));
    }

    void refusedAppTokenIsReplacedOnce() {
        FakeSmartcar fake(kClientId, kClientSecret, kWebhookId, kAmt);
        fake.setVehiclesForNextGrant(vehicleIds(2));
        QTemporaryDir dir;
        auto account = makeAccount(fake, dir.path(), true);
        QVERIFY(connectWithCode(fake, *account));
        QCOMPARE(run(*account, {QStringLiteral("veh-000")}).succeeded, 1);
        fake.expireAppTokens(); // revoked early, e.g. a rotated secret
        QCOMPARE(run(*account, {QStringLiteral("veh-001")}).succeeded, 1);
        QCOMPARE(fake.count("apptoken"), 2);
        QCOMPARE(fake.count("subscribe_v3"), 3);
        QVERIFY2(fake.violations().isEmpty(), qPrintable(fake.violations().join('\n')));
    }

    void wrongClientSecretFailsTheVehicle() {
        FakeSmartcar fake(kClientId, kClientSecret, kWebhookId, kAmt);
        fake.setVehiclesForNextGrant(vehicleIds(1));
        QTemporaryDir dir;
        auto good = makeAccount(fake, dir.path(), true);
        QVERIFY(connectWithCode(fake, *good));
        good.reset();
        auto account = makeAccount(fake, dir.path(), true, "not-the-secret");
        const BulkResult r = run(*account, vehicleIds(1));
        QVERIFY(r.done);
        QCOMPARE(r.failed, 1);
        QVERIFY(!r.failures.value(QStringLiteral("veh-000")).isEmpty());
        QCOMPARE(fake.count("subscribe_v3"), 0);
        QVERIFY(!fake.isSubscribed(QStringLiteral("veh-000")));
    }

    void unsubscribeStaysOnV2WithTheAmt() {
        FakeSmartcar fake(kClientId, kClientSecret, kWebhookId, kAmt);
        fake.setVehiclesForNextGrant(vehicleIds(2));
        QTemporaryDir dir;
        auto account = makeAccount(fake, dir.path(), true);
        QVERIFY(connectWithCode(fake, *account));
        QCOMPARE(run(*account, vehicleIds(2)).succeeded, 2);
        QCOMPARE(run(*account, vehicleIds(2), false).succeeded, 2);
        QCOMPARE(fake.count("unsubscribe"), 2);
        QVERIFY(fake.subscribedVehicles().isEmpty());
        QVERIFY2(fake.violations().isEmpty(), qPrintable(fake.violations().join('\n')));
    }

    void settingComesFromTheEnvironment() {
        app::AppOptions options;
        qputenv("FLEETMON_SMARTCAR_V3", "1");
        QVERIFY(app::AccountCommand::configFor(options, {}).useV3Subscriptions);
        qputenv("FLEETMON_SMARTCAR_V3", "0");
        QVERIFY(!app::AccountCommand::configFor(options, {}).useV3Subscriptions);
        qunsetenv("FLEETMON_SMARTCAR_V3");

        qputenv("FLEETMON_SMARTCAR_IAM", "http://127.0.0.1:1/iam");
        QCOMPARE(smartcar::SmartcarEndpoints::fromEnvironment().iam,
                 QUrl(QStringLiteral("http://127.0.0.1:1/iam")));
        qunsetenv("FLEETMON_SMARTCAR_IAM");
        QCOMPARE(smartcar::SmartcarEndpoints::fromEnvironment().iam,
                 QUrl(QStringLiteral("https://iam.smartcar.com")));
    }
};

QTEST_GUILESS_MAIN(SmartcarV3Test)
#include "tst_SmartcarV3.moc"
