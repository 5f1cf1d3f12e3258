#pragma once

#include <QUrl>

namespace smartcar {

// The Smartcar hosts this app talks to. Settings, not constants: tests point them at a fake on
// loopback, and Smartcar moves hosts between API generations (see smartcar-protocol.md §1).
struct SmartcarEndpoints {
    QUrl api = QUrl(QStringLiteral("https://api.smartcar.com"));
    QUrl auth = QUrl(QStringLiteral("https://auth.smartcar.com"));
    QUrl connect = QUrl(QStringLiteral("https://connect.smartcar.com"));
    QUrl management = QUrl(QStringLiteral("https://management.api.smartcar.com"));
    // Client-credentials app tokens for the v3 APIs (smartcar-protocol.md §10.4).
    QUrl iam = QUrl(QStringLiteral("https://iam.smartcar.com"));

    // The defaults above, each replaced by its environment override when that is set and non-empty:
    // FLEETMON_SMARTCAR_API, FLEETMON_SMARTCAR_AUTH, FLEETMON_SMARTCAR_CONNECT,
    // FLEETMON_SMARTCAR_MANAGEMENT, FLEETMON_SMARTCAR_IAM.
    static SmartcarEndpoints fromEnvironment();

    // base + path, keeping any path prefix the base carries (a proxy may mount the API under one).
    static QUrl join(const QUrl &base, const QString &path);
};

} // namespace smartcar
