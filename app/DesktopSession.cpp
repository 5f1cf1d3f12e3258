#include "app/DesktopSession.h"

#include "app/AccountCommand.h"
#include "app/DemoFleetDriver.h"
#include "app/IngestService.h"
#include "app/InteractiveReporter.h"
#include "app/SecretVault.h"
#include "app/SetupStore.h"
#include "app/SharedFleetService.h"
#include "app/SharedFleetStatusRelay.h"
#include "app/SharedFleetSwitch.h"
#include "app/StoreHealthRelay.h"
#include "model/FleetTableModel.h"
#include "model/FleetUpdateQueue.h"
#include "net/HttpRequest.h"
#include "net/RequestHandler.h"
#include "net/TunnelProcess.h"
#include "net/TunnelProvider.h"
#include "smartcar/OAuthCallbackEndpoint.h"
#include "smartcar/SmartcarAccount.h"
#include "smartcar/TokenStore.h"
#include "store/DeliveryDetailService.h"
#include "store/HistoryQueryService.h"
#include "ui/MainWindow.h"
#include "ui/SetupWizard.h"

#include <QApplication>
#include <QDesktopServices>
#include <QMessageBox>
#include <QRandomGenerator>
#include <QSettings>
#include <QStatusBar>
#include <cstdio>

namespace app {

namespace {

int fail(const QString &message) {
    QMessageBox::critical(nullptr, QStringLiteral("Fleet Monitor cannot start"), message);
    std::fprintf(stderr, "fleetmon: %s\n", qPrintable(message));
    return 1;
}

std::optional<net::TunnelProvider> providerFor(const model::SetupValues &setup, QString *error) {
    using Tunnel = model::SetupValues::Tunnel;
    switch (setup.tunnel) {
    case Tunnel::Cloudflared:
        return net::TunnelProvider::cloudflared();
    case Tunnel::Ngrok:
        return net::TunnelProvider::ngrok();
    case Tunnel::LocalhostRun:
        return net::TunnelProvider::localhostRun();
    case Tunnel::Custom: {
        net::TunnelProvider p =
            net::TunnelProvider::custom(setup.customTunnelCommand, setup.customTunnelUrlPattern, error);
        if (!error->isEmpty())
            return std::nullopt;
        return p;
    }
    case Tunnel::None:
        break;
    }
    return std::nullopt;
}

model::AccountCommands::Subscription subscriptionShown(smartcar::TokenStore::Subscription stored) {
    switch (stored) {
    case smartcar::TokenStore::Subscription::Subscribed:
        return model::AccountCommands::Subscription::Subscribed;
    case smartcar::TokenStore::Subscription::NotSubscribed:
        return model::AccountCommands::Subscription::NotSubscribed;
    case smartcar::TokenStore::Subscription::Unknown:
        break;
    }
    return model::AccountCommands::Subscription::Unknown;
}

// Secrets in a file are a real, supported place, but the user must know: the status bar says so on
// every start, and a dialog once (it would nag on every start of a machine that will never have one).
void showSecretsWarning(ui::MainWindow *window) {
    SecretVault &vault = SecretVault::instance();
    if (vault.backend() != SecretVault::Backend::File)
        return;
    window->statusBar()->showMessage(vault.warning(), 30'000);
    QSettings settings;
    const QString shownKey = QStringLiteral("secrets/fileWarningShown");
    if (settings.value(shownKey, false).toBool())
        return;
    settings.setValue(shownKey, true);
    QMessageBox::information(window, QObject::tr("Where your secrets are kept"), vault.warning());
}

} // namespace

DesktopSession::DesktopSession(AppOptions options)
    : m_options(std::move(options)) {
    m_tunnelThread.setObjectName(QStringLiteral("tunnel"));
}

DesktopSession::~DesktopSession() {
    if (m_tunnel) {
        QMetaObject::invokeMethod(
            m_tunnel,
            [this] {
                m_tunnel->stop();
                delete m_tunnel;
            },
            Qt::BlockingQueuedConnection);
        m_tunnel = nullptr;
    }
    m_tunnelThread.quit();
    m_tunnelThread.wait();
}

bool DesktopSession::runFirstStartSetup() {
    // Asked once, when nothing tells the app how to verify deliveries; the demo needs nothing.
    if (m_options.mode == AppOptions::Mode::Demo || !m_options.amt.isEmpty())
        return true;
    model::SetupValues initial = SetupStore::load();
    if (initial.amt.isEmpty() && initial.tunnel == model::SetupValues::Tunnel::None)
        initial.tunnel = model::SetupValues::Tunnel::Cloudflared; // the recommended way: no account needed
    ui::SetupWizard wizard(initial);
    if (wizard.exec() != QDialog::Accepted)
        return true; // runs unconfigured: deliveries get 503 until the setup is done
    QString error;
    if (!SetupStore::save(wizard.values(), &error)) {
        QMessageBox::warning(nullptr, QStringLiteral("Setup not saved"), error);
        return true;
    }
    // Re-read the options: the wizard may have set the token, address and data folder.
    AppOptions reread;
    if (!parseCommandLine(QCoreApplication::arguments(), &reread, &error)) {
        fail(error);
        return false;
    }
    m_options = reread;
    return true;
}

void DesktopSession::runSetupFromMenu(ui::MainWindow *window) {
    ui::SetupWizard wizard(SetupStore::load(), window);
    if (wizard.exec() != QDialog::Accepted)
        return;
    QString error;
    if (!SetupStore::save(wizard.values(), &error)) {
        QMessageBox::warning(window, QObject::tr("Setup not saved"), error);
        return;
    }
    QMessageBox::information(
        window, QObject::tr("Setup saved"),
        QObject::tr("Saved. The token, endpoint address, data folder and tunnel take effect "
                    "when Fleet Monitor starts again."));
}

void DesktopSession::connectSharedFleetMenu(ui::MainWindow *window) {
    QObject::connect(window, &ui::MainWindow::sharedFleetRequested, window, [this, window] {
        if (!SharedFleetSwitch::run(window, m_options.databaseUrl))
            return;
        m_restart = true;
        window->close(); // saves the layout
        QCoreApplication::quit();
    });
}

int DesktopSession::finish(int code) {
    // Started once everything of this run is closed: the next one finds the port and files free.
    if (m_restart && code == 0)
        SharedFleetSwitch::restart();
    return code;
}

void DesktopSession::startTunnel(ui::MainWindow *window, quint16 port) {
    QString error;
    const std::optional<net::TunnelProvider> provider = providerFor(SetupStore::load(), &error);
    if (!error.isEmpty())
        window->showTunnelProblem(error);
    if (!provider)
        return;
    m_tunnelThread.start();
    m_tunnel = new net::TunnelProcess;
    m_tunnel->moveToThread(&m_tunnelThread);
    QObject::connect(m_tunnel, &net::TunnelProcess::publicUrlChanged, window, [window](const QUrl &url) {
        window->setPublicUrl(url.isEmpty() ? QString()
                                           : url.toString() + QStringLiteral("/webhooks/smartcar"));
    });
    QObject::connect(m_tunnel, &net::TunnelProcess::problem, window, &ui::MainWindow::showTunnelProblem);
    window->setPublicUrl(QString());
    QMetaObject::invokeMethod(m_tunnel, [tunnel = m_tunnel, p = *provider, port] { tunnel->start(p, port); });
}

int DesktopSession::runSharedFleet(QApplication &application) {
    // Declared first, so it outlives every report of the service.
    SharedFleetStatusRelay status;
    model::FleetUpdateQueue updates;
    SharedFleetService service;
    service.setStatusListener([&status](const model::SharedFleetStatus &s) { status.report(s); });
    QString error;
    if (!service.start(m_options, &updates, &error))
        return fail(error);
    // The replica is an ordinary journal: the same read-side services, on threads of their own.
    store::HistoryQueryService history;
    store::DeliveryDetailService deliveryDetails;
    if (!history.open(service.replicaPath(), &error) || !deliveryDetails.open(service.replicaPath(), &error))
        return fail(error);

    ui::MainWindowServices services{&updates, &service, &history, &deliveryDetails};
    services.sharedFleet = service.displayName();
    ui::MainWindow window(services);
    status.attach(&window);
    connectSharedFleetMenu(&window);
    window.show();
    if (InteractiveReporter::requested())
        new InteractiveReporter(window.tableModel(), service.restoredVehicles(), {}, &window);
    const int code = application.exec();
    service.stop();
    return finish(code);
}

int DesktopSession::run(QApplication &application) {
    // A client of a shared fleet runs no endpoint: no setup of a token, tunnel or address to ask for.
    if (m_options.sharedDatabase())
        return runSharedFleet(application);
    if (!runFirstStartSetup())
        return 1;
    if (m_options.mode == AppOptions::Mode::Demo) {
        // The demo signs with a token of its own; it never needs, or sees, the real one.
        m_options.amt = QByteArray::number(QRandomGenerator::system()->generate64(), 16);
    }
    // The journal's health reaches the status bar from the store thread; declared before the
    // ingest, so it outlives every report.
    StoreHealthRelay storeHealth(m_options.journalPath());
    model::FleetUpdateQueue updates;
    IngestService ingest;
    ingest.setStoreHealthListener(
        [&storeHealth](const store::JournalHealth &health) { storeHealth.report(health); });
    QString error;

    // The Smartcar account (Connect, subscriptions) lives here; Connect's redirect is served by the
    // same endpoint, on the ingest thread.
    std::unique_ptr<smartcar::SmartcarAccount> account;
    smartcar::OAuthCallbackEndpoint *callback = nullptr;
    if (m_options.mode != AppOptions::Mode::Demo) {
        account = std::make_unique<smartcar::SmartcarAccount>(
            AccountCommand::configFor(m_options, [](const QUrl &url) { QDesktopServices::openUrl(url); }));
        SecretVault::instance().attachTokenStore(account->tokenStore());
        if (!account->load(&error))
            QMessageBox::warning(nullptr, QObject::tr("Smartcar account"), error);
        callback = new smartcar::OAuthCallbackEndpoint(account->connectFlow());
        ingest.addRoute("GET", "/oauth/callback",
                        [callback](const net::HttpRequest &r, const net::Responder &w) {
                            callback->handleOAuthCallback(r, w);
                        });
    }
    if (!ingest.start(m_options, &updates, &error)) {
        delete callback;
        return fail(error);
    }
    if (callback)
        callback->moveToThread(ingest.ingestThread());
    // Read-side services with their own threads and connections: the GUI thread never runs SQL.
    store::HistoryQueryService history;
    store::DeliveryDetailService deliveryDetails;
    if (!history.open(m_options.journalPath(), &error) ||
        !deliveryDetails.open(m_options.journalPath(), &error))
        return fail(error);

    ui::MainWindow window(
        ui::MainWindowServices{&updates, &ingest, &history, &deliveryDetails, account.get()});
    QString endpoint = QObject::tr("Listening on %1").arg(ingest.webhookUrl().toString());
    if (m_options.amt.isEmpty())
        endpoint += QObject::tr(
            " — no Application Management Token: deliveries are refused with 503 (Settings → Setup)");
    // An address other machines reach is said where an operator reads (stderr) and where the manager
    // looks (the status bar, the full text in its tooltip).
    const QString exposure = m_options.exposureWarning(quint16(ingest.webhookUrl().port()));
    if (!exposure.isEmpty())
        std::fprintf(stderr, "fleetmon: warning: %s\n", qPrintable(exposure));
    window.setEndpointText(endpoint, exposure);
    storeHealth.attach(window.statusIndicators());
    if (!ingest.selfTestAnswer().isEmpty())
        window.setSelfTest(QString::fromLatin1(IngestService::kSelfTestChallenge),
                           QString::fromLatin1(ingest.selfTestAnswer()));
    if (account) {
        // Vehicles connected earlier are in the table from the start, with their last known
        // subscription, even those that never sent a webhook.
        const smartcar::TokenStore &tokens = account->tokenStore();
        for (const QString &id : tokens.vehicleIds()) {
            model::VehicleRow row;
            row.id = id;
            window.tableModel()->addListedVehicle(row);
            window.tableModel()->setSubscription(id, int(subscriptionShown(tokens.subscription(id))),
                                                 QString());
        }
    }
    QObject::connect(&window, &ui::MainWindow::setupRequested, &window,
                     [this, &window] { runSetupFromMenu(&window); });
    connectSharedFleetMenu(&window);
    window.show();
    if (InteractiveReporter::requested())
        new InteractiveReporter(window.tableModel(), ingest.restoredVehicles(), {}, &window);
    if (m_options.mode != AppOptions::Mode::Demo)
        showSecretsWarning(&window);

    std::unique_ptr<DemoFleetDriver> demo;
    if (m_options.mode == AppOptions::Mode::Demo) {
        demo = std::make_unique<DemoFleetDriver>(ingest.webhookUrl(), m_options.amt, 25, 8.0);
        demo->start();
    } else {
        startTunnel(&window, quint16(ingest.webhookUrl().port()));
    }
    const int code = application.exec();
    demo.reset();
    ingest.stop();
    delete callback; // its thread has finished: nothing can call it any more
    return finish(code);
}

} // namespace app
