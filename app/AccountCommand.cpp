#include "app/AccountCommand.h"

#include "app/ProcessHardening.h"
#include "app/SecretVault.h"
#include "app/SetupStore.h"
#include "net/HttpServer.h"
#include "net/Router.h"
#include "smartcar/ConnectFlow.h"
#include "smartcar/OAuthCallbackEndpoint.h"
#include "smartcar/SmartcarAccount.h"

#include <QEventLoop>
#include <QFileDevice>
#include <QProcess>
#include <QSettings>
#include <QTimer>

namespace app {

namespace {

constexpr int kConnectWaitMs = 10 * 60 * 1000; // a Connect code lives 10 minutes

using Sub = model::AccountCommands::Subscription;

QString envOr(const char *name, const QString &fallback) {
    const QString value = qEnvironmentVariable(name).trimmed();
    return value.isEmpty() ? fallback : value;
}

// v3 subscriptions (smartcar-protocol.md §8.2) stay opt-in until confirmed against the real service.
// A set FLEETMON_SMARTCAR_V3 wins over the setting so one run can try either path.
bool useV3Subscriptions() {
    const QString env = qEnvironmentVariable("FLEETMON_SMARTCAR_V3").trimmed().toLower();
    if (!env.isEmpty())
        return env == QLatin1String("1") || env == QLatin1String("true") || env == QLatin1String("yes");
    return QSettings().value(QStringLiteral("smartcar/useV3Subscriptions"), false).toBool();
}

// Best effort: a headless machine has no browser, and the URL is printed anyway.
void openInBrowser(const QUrl &url) {
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        return;
    QProcess::startDetached(QStringLiteral("xdg-open"), {url.toString(QUrl::FullyEncoded)});
}

class Printer final {
public:
    Printer(QIODevice &out, QIODevice &err)
        : m_out(out)
        , m_err(err) {}
    void out(const QString &line) { write(m_out, line); }
    int fail(const QString &line, int code = 1) {
        write(m_err, QStringLiteral("fleetmon: ") + line);
        return code;
    }

private:
    static void write(QIODevice &device, const QString &line) {
        device.write(line.toUtf8() + '\n');
        if (auto *file = qobject_cast<QFileDevice *>(&device))
            file->flush();
    }
    QIODevice &m_out;
    QIODevice &m_err;
};

int runConnect(const AppOptions &options, smartcar::SmartcarAccount &account, Printer &print) {
    smartcar::ConnectFlow *flow = account.connectFlow();
    if (!flow->isConfigured())
        return print.fail(
            QStringLiteral("connect needs the Smartcar client id and secret: run the setup or set "
                           "FLEETMON_CLIENT_ID and FLEETMON_CLIENT_SECRET"),
            2);
    QEventLoop loop;
    int code = 1;
    auto finished = [&](bool ok, const QString &message) {
        if (ok) {
            print.out(QStringLiteral("connected: %1").arg(message));
            for (const QString &id : account.tokenStore().vehicleIds())
                print.out(QStringLiteral("  %1").arg(id));
            code = 0;
        } else {
            print.fail(message);
        }
        // A moment for the browser's page to leave before the server goes.
        QTimer::singleShot(300, &loop, &QEventLoop::quit);
    };
    if (!options.oauthCode.isEmpty()) {
        flow->exchangeCode(options.oauthCode, {}, finished);
        loop.exec();
        return code;
    }

    smartcar::OAuthCallbackEndpoint endpoint(flow);
    net::Router router;
    router.addRoute("GET", "/oauth/callback",
                    [&endpoint](const net::HttpRequest &r, const net::Responder &s) {
                        endpoint.handleOAuthCallback(r, s);
                    });
    net::HttpServer server(&router);
    if (!server.listen(options.listenAddress, options.listenPort))
        return print.fail(QStringLiteral("cannot listen on %1:%2 for the Connect redirect: %3 (is the app "
                                         "running? then connect from its window, or use --code)")
                              .arg(options.listenAddress.toString())
                              .arg(options.listenPort)
                              .arg(server.errorString()),
                          2);
    QObject::connect(flow, &smartcar::ConnectFlow::connected, &loop,
                     [&](const QString &, const QStringList &ids) {
                         finished(true, QStringLiteral("%1 vehicle(s)").arg(ids.size()));
                     });
    QObject::connect(flow, &smartcar::ConnectFlow::connectFailed, &loop,
                     [&](const QString &message) { finished(false, message); });
    const QUrl url = flow->authorizeUrl();
    print.out(QStringLiteral("Open this address in a browser to connect vehicles with Smartcar:"));
    print.out(url.toString(QUrl::FullyEncoded));
    print.out(QStringLiteral("Waiting up to 10 minutes for Smartcar to redirect to %1 ...")
                  .arg(flow->settings().redirectUri));
    openInBrowser(url);
    QTimer::singleShot(kConnectWaitMs, &loop, [&] {
        print.fail(QStringLiteral("no answer from Smartcar Connect within 10 minutes"));
        loop.quit();
    });
    loop.exec();
    return code;
}

int runVehicles(smartcar::SmartcarAccount &account, Printer &print) {
    if (account.tokenStore().users().isEmpty())
        return print.fail(QStringLiteral("no vehicles are connected yet: run `fleetmon connect` first"));
    QEventLoop loop;
    int code = 0;
    print.out(QStringLiteral("ID\tMAKE\tMODEL\tYEAR\tSUBSCRIBED"));
    QObject::connect(
        &account, &model::AccountCommands::vehicleListed, &loop,
        [&](const QString &id, const QString &make, const QString &model, int year, const QString &) {
            const auto s = account.tokenStore().subscription(id);
            const QString known = s == smartcar::TokenStore::Subscription::Subscribed      ? "yes"
                                  : s == smartcar::TokenStore::Subscription::NotSubscribed ? "no"
                                                                                           : "unknown";
            print.out(QStringLiteral("%1\t%2\t%3\t%4\t%5")
                          .arg(id, make, model, year > 0 ? QString::number(year) : QString(), known));
        });
    QObject::connect(&account, &smartcar::SmartcarAccount::vehicleListFinished, &loop,
                     [&](bool ok, const QString &message) {
                         if (!ok)
                             code = print.fail(message);
                         loop.quit();
                     });
    QObject::connect(&account, &model::AccountCommands::notice, &loop,
                     [&](const QString &message) { print.fail(message, 0); });
    account.refreshVehicles();
    loop.exec();
    return code;
}

int runBulk(const AppOptions &options, smartcar::SmartcarAccount &account, Printer &print) {
    const bool subscribing = options.accountCommand == QLatin1String("subscribe");
    const QStringList ids = options.accountAll ? account.tokenStore().vehicleIds() : options.accountArgs;
    if (ids.isEmpty())
        return print.fail(QStringLiteral("no vehicles are connected yet: run `fleetmon connect` first"));
    QEventLoop loop;
    int code = 0;
    QObject::connect(&account, &model::AccountCommands::subscriptionChanged, &loop,
                     [&](const QString &id, Sub state, const QString &reason) {
                         if (state == Sub::Subscribed)
                             print.out(QStringLiteral("subscribed %1").arg(id));
                         else if (state == Sub::NotSubscribed)
                             print.out(QStringLiteral("unsubscribed %1").arg(id));
                         else if (state == Sub::Failed)
                             print.fail(QStringLiteral("%1: %2").arg(id, reason));
                     });
    QObject::connect(&account, &model::AccountCommands::bulkFinished, &loop,
                     [&](int succeeded, int failed, bool) {
                         print.out(QStringLiteral("%1 %2, %3 failed")
                                       .arg(succeeded)
                                       .arg(subscribing ? "subscribed" : "unsubscribed")
                                       .arg(failed));
                         code = failed == 0 ? 0 : 1;
                         loop.quit();
                     });
    if (subscribing)
        account.subscribe(ids);
    else
        account.unsubscribe(ids);
    loop.exec();
    return code;
}

} // namespace

smartcar::SmartcarAccount::Config AccountCommand::configFor(const AppOptions &options,
                                                            std::function<void(const QUrl &)> openUrl) {
    const model::SetupValues setup = SetupStore::load();
    smartcar::SmartcarAccount::Config config;
    config.connect.clientId = envOr("FLEETMON_CLIENT_ID", setup.clientId);
    const QByteArray secretFromEnvironment =
        ProcessHardening::environmentSecret("FLEETMON_CLIENT_SECRET").value_or(QByteArray()).trimmed();
    config.connect.clientSecret =
        secretFromEnvironment.isEmpty() ? setup.clientSecret.toUtf8() : secretFromEnvironment;
    config.connect.redirectUri = options.redirectUri;
    smartcar::ConnectFlow::parseMode(options.connectMode, &config.connect.mode);
    config.webhookId = envOr("FLEETMON_WEBHOOK_ID", setup.webhookId);
    config.amt = options.amt;
    config.useV3Subscriptions = useV3Subscriptions();
    config.dataDir = options.dataDir;
    config.openUrl = std::move(openUrl);
    // Base URLs: the environment wins (servers, tests), then the settings file, then Smartcar's.
    const QSettings settings;
    const auto fromSettings = [&](const char *env, const QString &key, QUrl *url) {
        if (qEnvironmentVariableIsEmpty(env) && settings.contains(key))
            *url = QUrl(settings.value(key).toString());
    };
    fromSettings("FLEETMON_SMARTCAR_API", QStringLiteral("smartcar/apiBase"), &config.endpoints.api);
    fromSettings("FLEETMON_SMARTCAR_AUTH", QStringLiteral("smartcar/authBase"), &config.endpoints.auth);
    fromSettings("FLEETMON_SMARTCAR_CONNECT", QStringLiteral("smartcar/connectBase"),
                 &config.endpoints.connect);
    fromSettings("FLEETMON_SMARTCAR_MANAGEMENT", QStringLiteral("smartcar/managementBase"),
                 &config.endpoints.management);
    fromSettings("FLEETMON_SMARTCAR_IAM", QStringLiteral("smartcar/iamBase"), &config.endpoints.iam);
    return config;
}

int AccountCommand::run(const AppOptions &options, QIODevice &out, QIODevice &err) {
    Printer print(out, err);
    const smartcar::SmartcarAccount::Config config = configFor(options, openInBrowser);
    smartcar::SmartcarAccount account(config);
    SecretVault::instance().attachTokenStore(account.tokenStore());
    QString error;
    if (!account.load(&error))
        return print.fail(error, 2);

    const QString &command = options.accountCommand;
    if (command == QLatin1String("connect"))
        return runConnect(options, account, print);
    if (command == QLatin1String("vehicles"))
        return runVehicles(account, print);
    if (config.webhookId.isEmpty())
        return print.fail(QStringLiteral("no webhook id: run the setup or set FLEETMON_WEBHOOK_ID"), 2);
    if (command == QLatin1String("unsubscribe") && config.amt.isEmpty())
        return print.fail(
            QStringLiteral(
                "unsubscribing needs the Application Management Token: --amt-file FILE or FLEETMON_AMT"),
            2);
    return runBulk(options, account, print);
}

} // namespace app
