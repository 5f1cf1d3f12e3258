#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QString>
#include <QStringList>

namespace app {

// Everything the command line decided, validated. See `fleetmon --help` and docs/DESIGN.md.
struct AppOptions {
    enum class Mode { Gui, Demo, Headless, Export, Account };

    Mode mode = Mode::Gui;
    QHostAddress listenAddress = QHostAddress::LocalHost;
    quint16 listenPort = 8787;
    // --tls-cert/--tls-key (else the settings' endpoint/tlsCertificate and endpoint/tlsKey): both
    // set, the endpoint serves HTTPS with them; both empty, plain HTTP.
    QString tlsCertificateFile;
    QString tlsKeyFile;
    QString dataDir;
    QByteArray amt;    // empty when none was configured
    QString amtSource; // where it came from, for messages ("--amt-file", "FLEETMON_AMT", ...)
    // export
    QString exportWhat; // vehicles | deliveries | history | alerts
    QString exportFormat = QStringLiteral("json");
    QString exportVehicle;
    QString exportSignal;
    qint64 exportSinceMs = 0; // --since, 0 when absent
    // account commands: connect | vehicles | subscribe | unsubscribe
    QString accountCommand;
    QStringList accountArgs;                      // vehicle ids after the command
    QString oauthCode;                            // connect --code
    bool accountAll = false;                      // subscribe --all
    QString connectMode = QStringLiteral("live"); // --mode live|test|simulated
    QString redirectUri;                          // --redirect-uri; default http://<listen>/oauth/callback

    // --database (else the settings' database/url): a shared fleet on PostgreSQL, validated by
    // store::PostgresLocation::parse. Empty: the data folder's own SQLite journal.
    QString databaseUrl;

    QString journalPath() const;
    bool sharedDatabase() const { return !databaseUrl.isEmpty(); }
    bool tls() const { return !tlsCertificateFile.isEmpty(); }
    // For an endpoint that listens beyond loopback: what is exposed and the expected way to expose
    // it, one paragraph for stderr and the status bar. Empty for a loopback address.
    // boundPort: the port actually bound, for --listen HOST:0.
    QString exposureWarning(quint16 boundPort = 0) const;
};

// Parses the process's arguments. On a usage error it returns false with the message; --help and
// --version print and exit from inside, as QCommandLineParser does.
bool parseCommandLine(const QStringList &arguments, AppOptions *options, QString *error);

} // namespace app
