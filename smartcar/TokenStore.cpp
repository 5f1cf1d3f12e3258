#include "smartcar/TokenStore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace smartcar {

namespace {

constexpr int kFormatVersion = 1;

QString subscriptionName(TokenStore::Subscription s) {
    switch (s) {
    case TokenStore::Subscription::Subscribed:
        return QStringLiteral("subscribed");
    case TokenStore::Subscription::NotSubscribed:
        return QStringLiteral("not-subscribed");
    case TokenStore::Subscription::Unknown:
        break;
    }
    return QStringLiteral("unknown");
}

TokenStore::Subscription subscriptionFrom(const QString &name) {
    if (name == QLatin1String("subscribed"))
        return TokenStore::Subscription::Subscribed;
    if (name == QLatin1String("not-subscribed"))
        return TokenStore::Subscription::NotSubscribed;
    return TokenStore::Subscription::Unknown;
}

} // namespace

TokenStore::TokenStore(QString path)
    : m_path(std::move(path)) {}

QString TokenStore::defaultPath(const QString &dataDir) {
    return QDir(dataDir).filePath(QStringLiteral("tokens.json"));
}

void TokenStore::setPersistence(LoadFunction load, SaveFunction save) {
    m_load = std::move(load);
    m_save = std::move(save);
}

bool TokenStore::readFile(QByteArray *json, QString *error) const {
    json->clear();
    QFile file(m_path);
    if (!file.exists())
        return true;
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(m_path, file.errorString());
        return false;
    }
    *json = file.readAll();
    return true;
}

bool TokenStore::load(QString *error) {
    m_users.clear();
    m_subscriptions.clear();
    QByteArray json;
    if (!(m_load ? m_load(&json, error) : readFile(&json, error)))
        return false;
    if (json.isEmpty())
        return true;
    QJsonParseError parseError{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (!doc.isObject()) {
        // The message names the place and the parser's complaint, never the content (secrets).
        *error = QStringLiteral("%1 is not valid JSON (%2)")
                     .arg(m_load ? QStringLiteral("the stored Smartcar tokens") : m_path,
                          parseError.errorString());
        return false;
    }
    const QJsonObject root = doc.object();
    for (const QJsonValue &value : root.value(QLatin1String("users")).toArray()) {
        const QJsonObject o = value.toObject();
        UserTokens t;
        t.userKey = o.value(QLatin1String("userKey")).toString();
        t.accessToken = o.value(QLatin1String("accessToken")).toString().toUtf8();
        t.refreshToken = o.value(QLatin1String("refreshToken")).toString().toUtf8();
        t.accessExpiresAtMs = qint64(o.value(QLatin1String("accessExpiresAtMs")).toDouble());
        t.refreshExpiresAtMs = qint64(o.value(QLatin1String("refreshExpiresAtMs")).toDouble());
        for (const QJsonValue &id : o.value(QLatin1String("vehicleIds")).toArray())
            t.vehicleIds << id.toString();
        t.needsReconnect = o.value(QLatin1String("needsReconnect")).toBool();
        if (!t.userKey.isEmpty())
            m_users.append(t);
    }
    const QJsonObject subs = root.value(QLatin1String("subscriptions")).toObject();
    for (auto it = subs.begin(); it != subs.end(); ++it)
        m_subscriptions.insert(it.key(), subscriptionFrom(it.value().toString()));
    return true;
}

bool TokenStore::save(QString *error) {
    QJsonArray users;
    for (const UserTokens &t : std::as_const(m_users)) {
        users.append(QJsonObject{{QStringLiteral("userKey"), t.userKey},
                                 {QStringLiteral("accessToken"), QString::fromUtf8(t.accessToken)},
                                 {QStringLiteral("refreshToken"), QString::fromUtf8(t.refreshToken)},
                                 {QStringLiteral("accessExpiresAtMs"), double(t.accessExpiresAtMs)},
                                 {QStringLiteral("refreshExpiresAtMs"), double(t.refreshExpiresAtMs)},
                                 {QStringLiteral("vehicleIds"), QJsonArray::fromStringList(t.vehicleIds)},
                                 {QStringLiteral("needsReconnect"), t.needsReconnect}});
    }
    QJsonObject subs;
    for (auto it = m_subscriptions.cbegin(); it != m_subscriptions.cend(); ++it)
        subs.insert(it.key(), subscriptionName(it.value()));
    const QJsonObject root{{QStringLiteral("version"), kFormatVersion},
                           {QStringLiteral("users"), users},
                           {QStringLiteral("subscriptions"), subs}};

    const QByteArray json = QJsonDocument(root).toJson(QJsonDocument::Indented);
    return m_save ? m_save(json, error) : writeFile(json, error);
}

bool TokenStore::writeFile(const QByteArray &json, QString *error) const {
    QDir().mkpath(QFileInfo(m_path).absolutePath());
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(m_path, file.errorString());
        return false;
    }
    // Private before the first secret byte: the temporary file is what gets renamed into place.
    if (!file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        file.cancelWriting();
        *error = QStringLiteral("cannot make %1 private").arg(m_path);
        return false;
    }
    file.write(json);
    if (!file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(m_path, file.errorString());
        return false;
    }
    return true;
}

void TokenStore::upsert(const UserTokens &tokens) {
    // A vehicle granted anew belongs to the new grant; a user left with no vehicle is dropped.
    for (qsizetype i = m_users.size() - 1; i >= 0; --i) {
        UserTokens &other = m_users[i];
        if (other.userKey == tokens.userKey)
            continue;
        qsizetype removed = 0;
        for (const QString &id : tokens.vehicleIds)
            removed += other.vehicleIds.removeAll(id);
        if (removed > 0 && other.vehicleIds.isEmpty())
            m_users.removeAt(i);
    }
    for (UserTokens &existing : m_users) {
        if (existing.userKey == tokens.userKey) {
            existing = tokens;
            return;
        }
    }
    m_users.append(tokens);
}

const UserTokens *TokenStore::user(const QString &userKey) const {
    for (const UserTokens &t : m_users)
        if (t.userKey == userKey)
            return &t;
    return nullptr;
}

const UserTokens *TokenStore::userForVehicle(const QString &vehicleId) const {
    for (const UserTokens &t : m_users)
        if (t.vehicleIds.contains(vehicleId))
            return &t;
    return nullptr;
}

QStringList TokenStore::vehicleIds() const {
    QStringList ids;
    for (const UserTokens &t : m_users)
        for (const QString &id : t.vehicleIds)
            if (!ids.contains(id))
                ids << id;
    return ids;
}

TokenStore::Subscription TokenStore::subscription(const QString &vehicleId) const {
    return m_subscriptions.value(vehicleId, Subscription::Unknown);
}

void TokenStore::setSubscription(const QString &vehicleId, Subscription state) {
    m_subscriptions.insert(vehicleId, state);
}

} // namespace smartcar
