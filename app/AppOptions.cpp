#include "app/AppOptions.h"

#include "app/ProcessHardening.h"
#include "app/SetupStore.h"
#include "store/PostgresLocation.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QSettings>
#include <QStandardPaths>

namespace app {

QString AppOptions::journalPath() const {
    return QDir(dataDir).filePath(QStringLiteral("journal.sqlite"));
}

QString AppOptions::exposureWarning(quint16 boundPort) const {
    if (listenAddress.isLoopback())
        return {};
    const quint16 port = boundPort != 0 ? boundPort : listenPort;
    const QString where = listenAddress.protocol() == QAbstractSocket::IPv6Protocol
                              ? QStringLiteral("[%1]:%2").arg(listenAddress.toString()).arg(port)
                              : QStringLiteral("%1:%2").arg(listenAddress.toString()).arg(port);
    const QString any = listenAddress == QHostAddress::AnyIPv4 || listenAddress == QHostAddress::AnyIPv6 ||
                                listenAddress == QHostAddress::Any
                            ? QStringLiteral("every network interface of this computer")
                            : QStringLiteral("a network interface of this computer");
    if (tls())
        return QStringLiteral(
                   "the endpoint listens on %1, %2: other machines can reach the webhook route, "
                   "/healthz and /oauth/callback directly over HTTPS. Smartcar only needs a tunnel "
                   "to 127.0.0.1 (the default); keep this address only if that is what you want.")
            .arg(where, any);
    return QStringLiteral(
               "the endpoint listens on %1, %2: other machines can reach the webhook route, "
               "/healthz and /oauth/callback directly, in plain HTTP (deliveries, signatures and "
               "OAuth codes readable on the network). The expected setup is 127.0.0.1 (the default) "
               "behind a tunnel that terminates HTTPS, or --tls-cert/--tls-key for HTTPS here.")
        .arg(where, any);
}

namespace {

bool parseListen(const QString &value, AppOptions *options, QString *error) {
    const qsizetype colon = value.lastIndexOf(QLatin1Char(':'));
    bool portOk = false;
    const uint port = colon >= 0 ? value.mid(colon + 1).toUInt(&portOk) : 0;
    QString host = colon >= 0 ? value.left(colon) : QString();
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    if (host == QLatin1String("localhost"))
        host = QStringLiteral("127.0.0.1");
    QHostAddress address;
    if (!portOk || port > 65535 || !address.setAddress(host)) {
        *error = QStringLiteral(
                     "--listen expects HOST:PORT with a numeric address, e.g. 127.0.0.1:8787 (got \"%1\")")
                     .arg(value);
        return false;
    }
    options->listenAddress = address;
    options->listenPort = quint16(port);
    return true;
}

bool readAmt(const QCommandLineParser &parser, const QCommandLineOption &amtFile, AppOptions *options,
             QString *error) {
    if (parser.isSet(amtFile)) {
        QFile file(parser.value(amtFile));
        if (!file.open(QIODevice::ReadOnly)) {
            *error = QStringLiteral("cannot read the Application Management Token from %1: %2")
                         .arg(file.fileName(), file.errorString());
            return false;
        }
        options->amt = file.readAll().trimmed();
        options->amtSource = QStringLiteral("--amt-file");
        if (options->amt.isEmpty()) {
            *error = QStringLiteral("%1 is empty: it should hold the Application Management Token")
                         .arg(file.fileName());
            return false;
        }
        return true;
    }
    if (const std::optional<QByteArray> fromEnvironment =
            ProcessHardening::environmentSecret("FLEETMON_AMT")) {
        options->amt = fromEnvironment->trimmed();
        options->amtSource = QStringLiteral("FLEETMON_AMT");
        return true;
    }
    options->amt = SetupStore::load().amt.toUtf8();
    options->amtSource = QStringLiteral("settings");
    return true;
}

} // namespace

bool parseCommandLine(const QStringList &arguments, AppOptions *options, QString *error) {
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Fleet Monitor: receives Smartcar vehicle webhooks and shows the fleet live.\n\n"
                       "Commands:\n"
                       "  (none)                 the desktop app\n"
                       "  export vehicles|deliveries|history|alerts [--format json|csv] [--vehicle ID]\n"
                       "         [--signal CODE] [--since TIME]\n"
                       "                         print what the data folder holds, app running or not\n"
                       "  connect [--code CODE] [--mode live|test|simulated] [--redirect-uri URL]\n"
                       "                         connect vehicles with Smartcar Connect\n"
                       "  vehicles               list the connected vehicles\n"
                       "  subscribe ID...|--all  subscribe vehicles to the webhook\n"
                       "  unsubscribe ID...      unsubscribe vehicles (uses the AMT)"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption demo(
        QStringLiteral("demo"),
        QStringLiteral("Run on a built-in simulated fleet of 25 vehicles posting signed "
                       "webhooks to the app's own endpoint (data in DIR/demo)."));
    const QCommandLineOption headless(
        QStringLiteral("headless"),
        QStringLiteral("Ingest only, no window. SIGTERM/SIGINT stop it cleanly."));
    const QCommandLineOption listen(
        QStringLiteral("listen"),
        QStringLiteral("Endpoint address (default 127.0.0.1:8787; port 0 picks a free one)."),
        QStringLiteral("HOST:PORT"));
    const QCommandLineOption tlsCert(
        QStringLiteral("tls-cert"),
        QStringLiteral("Serve HTTPS with this PEM certificate (chain after the leaf); needs --tls-key. "
                       "Default: the settings' endpoint/tlsCertificate, else plain HTTP."),
        QStringLiteral("FILE"));
    const QCommandLineOption tlsKey(
        QStringLiteral("tls-key"),
        QStringLiteral("The certificate's unencrypted PEM private key; needs --tls-cert. Default: the "
                       "settings' endpoint/tlsKey."),
        QStringLiteral("FILE"));
    const QCommandLineOption dataDir(QStringLiteral("data-dir"),
                                     QStringLiteral("Data folder (default: the platform app-data folder)."),
                                     QStringLiteral("DIR"));
    const QCommandLineOption amtFile(QStringLiteral("amt-file"),
                                     QStringLiteral("File holding the Application Management Token (else env "
                                                    "FLEETMON_AMT, else settings)."),
                                     QStringLiteral("FILE"));
    const QCommandLineOption format(QStringLiteral("format"), QStringLiteral("Export format: json or csv."),
                                    QStringLiteral("FORMAT"), QStringLiteral("json"));
    const QCommandLineOption vehicle(QStringLiteral("vehicle"), QStringLiteral("Export only this vehicle."),
                                     QStringLiteral("ID"));
    const QCommandLineOption signal(QStringLiteral("signal"), QStringLiteral("Export only this signal code."),
                                    QStringLiteral("CODE"));
    const QCommandLineOption since(
        QStringLiteral("since"), QStringLiteral("Export only what happened at or after this ISO 8601 time."),
        QStringLiteral("TIME"));
    const QCommandLineOption code(QStringLiteral("code"),
                                  QStringLiteral("connect: exchange this Connect code obtained elsewhere."),
                                  QStringLiteral("CODE"));
    const QCommandLineOption all(QStringLiteral("all"),
                                 QStringLiteral("subscribe: every connected vehicle."));
    const QCommandLineOption connectMode(QStringLiteral("mode"),
                                         QStringLiteral("connect: Smartcar mode live, test or simulated."),
                                         QStringLiteral("MODE"), QStringLiteral("live"));
    const QCommandLineOption redirectUri(
        QStringLiteral("redirect-uri"),
        QStringLiteral("connect: redirect URI registered with Smartcar (default "
                       "http://<listen address>/oauth/callback)."),
        QStringLiteral("URL"));
    const QCommandLineOption database(
        QStringLiteral("database"),
        QStringLiteral("A shared fleet on PostgreSQL. With --headless: an ingest node writing there. "
                       "The desktop app: a live client of it, with no endpoint of its own. Default: the "
                       "settings' database/url, else the data folder's own SQLite journal."),
        QStringLiteral("postgresql://USER@HOST:PORT/DB"));
    parser.addOptions({demo, headless, listen, tlsCert, tlsKey, dataDir, amtFile, format, vehicle, signal,
                       since, code, all, connectMode, redirectUri, database});
    parser.addPositionalArgument(QStringLiteral("command"), QStringLiteral("Optional: export"),
                                 QStringLiteral("[command]"));
    parser.process(arguments); // exits on --help, --version and unknown options, with a message

    const QStringList positional = parser.positionalArguments();
    static const QStringList accountCommands = {QStringLiteral("connect"), QStringLiteral("vehicles"),
                                                QStringLiteral("subscribe"), QStringLiteral("unsubscribe")};
    if (!positional.isEmpty() && accountCommands.contains(positional.first())) {
        options->mode = AppOptions::Mode::Account;
        options->accountCommand = positional.first();
        options->accountArgs = positional.mid(1);
        options->oauthCode = parser.value(code);
        options->accountAll = parser.isSet(all);
        options->connectMode = parser.value(connectMode);
        options->redirectUri = parser.value(redirectUri);
        if (options->connectMode != QLatin1String("live") && options->connectMode != QLatin1String("test") &&
            options->connectMode != QLatin1String("simulated")) {
            *error = QStringLiteral("--mode must be live, test or simulated");
            return false;
        }
        const bool takesIds = options->accountCommand == QLatin1String("subscribe") ||
                              options->accountCommand == QLatin1String("unsubscribe");
        if (!takesIds && !options->accountArgs.isEmpty()) {
            *error = QStringLiteral("%1 takes no arguments").arg(options->accountCommand);
            return false;
        }
        if (takesIds && options->accountArgs.isEmpty() == !options->accountAll) {
            *error = options->accountCommand == QLatin1String("subscribe")
                         ? QStringLiteral("subscribe needs vehicle ids or --all (not both)")
                         : QStringLiteral("unsubscribe needs vehicle ids");
            return false;
        }
        if (options->accountAll && options->accountCommand != QLatin1String("subscribe")) {
            *error = QStringLiteral("--all goes with subscribe only");
            return false;
        }
    } else if (!positional.isEmpty()) {
        if (positional.first() != QLatin1String("export")) {
            *error = QStringLiteral("unknown command \"%1\" (see --help)").arg(positional.first());
            return false;
        }
        if (positional.size() != 2) {
            *error = QStringLiteral("export needs one of: vehicles, deliveries, history, alerts");
            return false;
        }
        options->mode = AppOptions::Mode::Export;
        options->exportWhat = positional.at(1);
        options->exportFormat = parser.value(format);
        options->exportVehicle = parser.value(vehicle);
        options->exportSignal = parser.value(signal);
        if (parser.isSet(since)) {
            QDateTime t = QDateTime::fromString(parser.value(since), Qt::ISODateWithMs);
            if (!t.isValid())
                t = QDateTime::fromString(parser.value(since), Qt::ISODate);
            if (!t.isValid()) {
                *error = QStringLiteral(
                             "--since expects an ISO 8601 time such as 2026-11-01T00:00:00Z (got \"%1\")")
                             .arg(parser.value(since));
                return false;
            }
            options->exportSinceMs = t.toMSecsSinceEpoch();
        }
        if (options->exportFormat != QLatin1String("json") && options->exportFormat != QLatin1String("csv")) {
            *error = QStringLiteral("--format must be json or csv");
            return false;
        }
    } else if (parser.isSet(demo) && parser.isSet(headless)) {
        *error = QStringLiteral("--demo and --headless exclude each other");
        return false;
    } else if (parser.isSet(demo)) {
        options->mode = AppOptions::Mode::Demo;
    } else if (parser.isSet(headless)) {
        options->mode = AppOptions::Mode::Headless;
    }

    // The command line wins over what the setup wizard saved, which wins over the defaults.
    const model::SetupValues setup = SetupStore::load();
    if (parser.isSet(listen)) {
        if (!parseListen(parser.value(listen), options, error))
            return false;
    } else if ((options->mode == AppOptions::Mode::Gui || options->mode == AppOptions::Mode::Account) &&
               !setup.listenAddress.isEmpty()) {
        if (!parseListen(setup.listenAddress, options, error)) {
            *error = QStringLiteral("the saved endpoint address is not usable (%1); run the setup again")
                         .arg(*error);
            return false;
        }
    }
    if (parser.isSet(tlsCert) || parser.isSet(tlsKey)) {
        options->tlsCertificateFile = parser.value(tlsCert);
        options->tlsKeyFile = parser.value(tlsKey);
    } else {
        const QSettings settings;
        options->tlsCertificateFile = settings.value(QStringLiteral("endpoint/tlsCertificate")).toString();
        options->tlsKeyFile = settings.value(QStringLiteral("endpoint/tlsKey")).toString();
    }
    if (options->tlsCertificateFile.isEmpty() != options->tlsKeyFile.isEmpty()) {
        *error =
            parser.isSet(tlsCert) || parser.isSet(tlsKey)
                ? QStringLiteral("--tls-cert and --tls-key go together: give both, or neither for plain HTTP")
                : QStringLiteral("the settings name only one of endpoint/tlsCertificate and endpoint/tlsKey: "
                                 "set both, or neither for plain HTTP");
        return false;
    }
    if (parser.isSet(database)) {
        options->databaseUrl = parser.value(database);
        if (options->mode != AppOptions::Mode::Gui && options->mode != AppOptions::Mode::Headless) {
            *error = QStringLiteral("--database goes with --headless or the desktop app");
            return false;
        }
    } else if (options->mode == AppOptions::Mode::Gui || options->mode == AppOptions::Mode::Headless) {
        options->databaseUrl = QSettings().value(QStringLiteral("database/url")).toString();
    }
    if (!options->databaseUrl.isEmpty()) {
        store::PostgresLocation location;
        if (!store::PostgresLocation::parse(options->databaseUrl, &location, error)) {
            *error = parser.isSet(database)
                         ? QStringLiteral("--database: %1").arg(*error)
                         : QStringLiteral("the settings' database/url is not usable: %1").arg(*error);
            return false;
        }
    }
    options->dataDir = parser.isSet(dataDir) ? parser.value(dataDir)
                       : (options->mode != AppOptions::Mode::Demo && !setup.dataDir.isEmpty())
                           ? setup.dataDir
                           : QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    if (options->mode == AppOptions::Mode::Demo && !parser.isSet(dataDir))
        options->dataDir =
            QDir(options->dataDir).filePath(QStringLiteral("demo")); // never mixed with real data
    if (options->mode != AppOptions::Mode::Export && options->mode != AppOptions::Mode::Demo &&
        !readAmt(parser, amtFile, options, error))
        return false;
    if ((options->mode == AppOptions::Mode::Account || options->mode == AppOptions::Mode::Gui) &&
        options->redirectUri.isEmpty()) {
        const QString host = options->listenAddress.protocol() == QAbstractSocket::IPv6Protocol
                                 ? QStringLiteral("[%1]").arg(options->listenAddress.toString())
                                 : options->listenAddress.toString();
        options->redirectUri =
            QStringLiteral("%1://%2:%3/oauth/callback")
                .arg(options->tls() ? QStringLiteral("https") : QStringLiteral("http"), host)
                .arg(options->listenPort);
    }
    return true;
}

} // namespace app
