#include "smartcar/SmartcarEndpoints.h"

namespace smartcar {

namespace {

void override(QUrl *url, const char *variable) {
    const QString value = qEnvironmentVariable(variable).trimmed();
    if (!value.isEmpty())
        *url = QUrl(value);
}

} // namespace

SmartcarEndpoints SmartcarEndpoints::fromEnvironment() {
    SmartcarEndpoints e;
    override(&e.api, "FLEETMON_SMARTCAR_API");
    override(&e.auth, "FLEETMON_SMARTCAR_AUTH");
    override(&e.connect, "FLEETMON_SMARTCAR_CONNECT");
    override(&e.management, "FLEETMON_SMARTCAR_MANAGEMENT");
    override(&e.iam, "FLEETMON_SMARTCAR_IAM");
    return e;
}

QUrl SmartcarEndpoints::join(const QUrl &base, const QString &path) {
    QUrl url = base;
    QString prefix = base.path();
    while (prefix.endsWith(QLatin1Char('/')))
        prefix.chop(1);
    url.setPath(prefix + path);
    return url;
}

} // namespace smartcar
