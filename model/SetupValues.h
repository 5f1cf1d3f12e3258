#pragma once

#include <QString>

namespace model {

// What the setup wizard asks and the app keeps: the Smartcar credentials, how Smartcar reaches
// this machine, and where data lives. Secrets (AMT, client secret) are stored apart from the
// ordinary settings, in a file only the user can read.
struct SetupValues {
    QString amt;          // Application Management Token
    QString webhookId;    // UUID from the Smartcar dashboard
    QString clientId;     // optional, for Connect
    QString clientSecret; // optional, for Connect
    enum class Tunnel { None, Cloudflared, Ngrok, LocalhostRun, Custom };
    Tunnel tunnel = Tunnel::None;
    QString customTunnelCommand;    // program and arguments; "{port}" is replaced
    QString customTunnelUrlPattern; // regular expression whose first match is the public URL
    QString listenAddress = QStringLiteral("127.0.0.1:8787");
    QString dataDir; // empty: the platform default

    friend bool operator==(const SetupValues &, const SetupValues &) = default;
};

} // namespace model
