#include "app/SetupStore.h"

#include <QDir>
#include <QFile>
#include <QSettings>
#include <QStandardPaths>

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
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation))
        .filePath(QStringLiteral("secrets.conf"));
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
    const QSettings secrets(secretsPath(), QSettings::IniFormat);
    v.amt = secrets.value(kAmt).toString();
    v.clientSecret = secrets.value(kClientSecret).toString();
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
    // The secrets file is created private before anything secret is written into it.
    const QString path = secretsPath();
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    if (!file.exists() && !file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot create %1: %2").arg(path, file.errorString());
        return false;
    }
    file.close();
    if (!QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        *error = QStringLiteral("cannot make %1 private").arg(path);
        return false;
    }
    QSettings secrets(path, QSettings::IniFormat);
    secrets.setValue(kAmt, v.amt);
    secrets.setValue(kClientSecret, v.clientSecret);
    secrets.sync();
    if (secrets.status() != QSettings::NoError) {
        *error = QStringLiteral("cannot write %1").arg(path);
        return false;
    }
    return true;
}

bool SetupStore::isConfigured() {
    return !load().amt.isEmpty();
}

} // namespace app
