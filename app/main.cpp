// fleetmon: the composition root. Decides the mode from the command line, wires the layers and
// owns their lifetimes; every other folder stays ignorant of the others' construction.

#include "app/AccountCommand.h"
#include "app/AllocatorTuning.h"
#include "app/AppOptions.h"
#include "app/DesktopSession.h"
#include "app/ExportCommand.h"
#include "app/IngestService.h"
#include "app/ProcessHardening.h"
#include "app/SecretVault.h"
#include "app/UnixSignalWatcher.h"

#include <QApplication>
#include <QFile>
#include <QIcon>
#include <cstdio>
#include <openssl/crypto.h>

namespace {

void setIdentity() {
    QCoreApplication::setOrganizationName(QStringLiteral("FleetMonitor"));
    QCoreApplication::setApplicationName(QStringLiteral("fleetmon"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FLEETMON_VERSION));
}

bool needsGui(int argc, char **argv) {
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "--headless" || arg == "export" || arg == "--help" || arg == "-h" || arg == "--version" ||
            arg == "-v" || arg == "connect" || arg == "vehicles" || arg == "subscribe" ||
            arg == "unsubscribe")
            return false;
    }
    return true;
}

int fail(const QString &message, int code = 1) {
    std::fprintf(stderr, "fleetmon: %s\n", qPrintable(message));
    return code;
}

int runExport(const app::AppOptions &options) {
    QFile out, err;
    out.open(stdout, QIODevice::WriteOnly);
    err.open(stderr, QIODevice::WriteOnly);
    return app::ExportCommand::run(options, out, err);
}

int runAccount(const app::AppOptions &options) {
    QFile out, err;
    out.open(stdout, QIODevice::WriteOnly);
    err.open(stderr, QIODevice::WriteOnly);
    return app::AccountCommand::run(options, out, err);
}

int runHeadless(QCoreApplication &application, const app::AppOptions &options) {
    if (options.amt.isEmpty())
        return fail(
            QStringLiteral("no Application Management Token: pass --amt-file FILE or set FLEETMON_AMT"), 2);
    // Servers rarely have a keychain: say once, where an operator reads, where the secrets are.
    if (app::SecretVault::instance().backend() == app::SecretVault::Backend::File)
        std::fprintf(stderr, "fleetmon: warning: %s\n", qPrintable(app::SecretVault::instance().warning()));
    app::IngestService ingest;
    QString error;
    if (!ingest.start(options, nullptr, &error))
        return fail(error);
    if (const QString exposure = options.exposureWarning(quint16(ingest.webhookUrl().port()));
        !exposure.isEmpty())
        std::fprintf(stderr, "fleetmon: warning: %s\n", qPrintable(exposure));
    app::UnixSignalWatcher signalWatcher;
    QObject::connect(&signalWatcher, &app::UnixSignalWatcher::terminationRequested, &application,
                     [&application] { application.quit(); });
    std::fprintf(stdout, "listening on %s\n", qPrintable(ingest.webhookUrl().toString()));
    std::fflush(stdout);
    const int code = application.exec();
    ingest.stop();
    std::fprintf(stderr, "fleetmon: stopped; every acknowledged delivery is in %s\n",
                 qPrintable(ingest.storeName()));
    return code;
}

} // namespace

int main(int argc, char **argv) {
    // Before the first secret is read (environment, --amt-file, settings, keychain): no core dump
    // may carry one to disk, and no child process may inherit one.
    app::ProcessHardening::protectProcess();
    app::AllocatorTuning::apply();
    // OpenSSL initialises itself on first use. When that first use is an HMAC on the ingest thread,
    // the error queue it allocates for that thread while loading its configuration is never freed
    // (904 bytes, reported by LeakSanitizer); initialised here, on the main thread, nothing leaks.
    OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, nullptr);
    setIdentity();
    app::AppOptions options;
    QString error;
    if (!needsGui(argc, argv)) {
        QCoreApplication application(argc, argv);
        setIdentity();
        if (!app::parseCommandLine(application.arguments(), &options, &error))
            return fail(error, 2);
        if (options.mode == app::AppOptions::Mode::Export)
            return runExport(options);
        if (options.mode == app::AppOptions::Mode::Account)
            return runAccount(options);
        return runHeadless(application, options);
    }
    QApplication application(argc, argv);
    setIdentity();
    // Wayland matches windows to the menu entry by this name; the icon comes from the installed theme.
    QGuiApplication::setDesktopFileName(QStringLiteral("io.github.fleetmonitor.FleetMonitor"));
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral("fleetmon"), QApplication::windowIcon()));
    if (!app::parseCommandLine(application.arguments(), &options, &error))
        return fail(error, 2);
    if (options.mode == app::AppOptions::Mode::Export)
        return runExport(options);
    if (options.mode == app::AppOptions::Mode::Account)
        return runAccount(options);
    if (options.mode == app::AppOptions::Mode::Headless)
        return runHeadless(application, options);
    return app::DesktopSession(options).run(application);
}
