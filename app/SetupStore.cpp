#include "app/SetupStore.h"

#include "app/SecretVault.h"

#include <QSettings>

namespace app {

namespace {
const QString kWebhookId = QStringLiteral("smartcar/webhookId");
const QString kClientId = QStringLiteral("smartcar/clientId");
const QString kTunnel = QStringLiteral("tunnel/kind");
const QString kTunnelCommand = QStringLiteral("tunnel/customCommand");
const QString kTunnelPattern = QStringLiteral("tunnel/customUrlPattern");
const QString kListen = QStringLiteral("endpoint/listen");
const QString kDataDir = QStringLiteral("data/dir");
const QString kAmt = QStringLiteral("amt");
const QString kClientSecret = QStringLiteral("clientSecret");
} // namespace

QString SetupStore::secretsPath() {
    return SecretVault::filePath();
}

model::SetupValues SetupStore::load() {
    model::SetupValues v;
    const QSettings settings;
    v.webhookId = settings.value(kWebhookId).toString();
    v.clientId = settings.value(kClientId).toString();
    v.tunnel = model::SetupValues::Tunnel(
        std::clamp(settings.value(kTunnel, 0).toInt(), 0, int(model::SetupValues::Tunnel::Custom)));
    v.customTunnelCommand = settings.value(kTunnelCommand).toString();
    v.customTunnelUrlPattern = settings.value(kTunnelPattern).toString();
    v.listenAddress = settings.value(kListen, v.listenAddress).toString();
    v.dataDir = settings.value(kDataDir).toString();
    // An unreadable secret reads as unset: the app then asks for the setup instead of failing.
    SecretVault &vault = SecretVault::instance();
    QString error;
    if (!vault.read(kAmt, &v.amt, &error))
        v.amt.clear();
    if (!vault.read(kClientSecret, &v.clientSecret, &error))
        v.clientSecret.clear();
    return v;
}

bool SetupStore::save(const model::SetupValues &v, QString *error) {
    QSettings settings;
    settings.setValue(kWebhookId, v.webhookId);
    settings.setValue(kClientId, v.clientId);
    settings.setValue(kTunnel, int(v.tunnel));
    settings.setValue(kTunnelCommand, v.customTunnelCommand);
    settings.setValue(kTunnelPattern, v.customTunnelUrlPattern);
    settings.setValue(kListen, v.listenAddress);
    settings.setValue(kDataDir, v.dataDir);
    settings.sync();
    if (settings.status() != QSettings::NoError) {
        *error = QStringLiteral("cannot write the settings file %1").arg(settings.fileName());
        return false;
    }
    SecretVault &vault = SecretVault::instance();
    return vault.write(kAmt, v.amt, error) && vault.write(kClientSecret, v.clientSecret, error);
}

bool SetupStore::isConfigured() {
    return !load().amt.isEmpty();
}

} // namespace app
