#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>

namespace smartcar {

// One Smartcar user's grant: the opaque token pair Connect issued and the vehicles it covers.
struct UserTokens {
    QString userKey;         // Connect's user_id when it sent one, else an id made up locally
    QByteArray accessToken;  // secret: never printed or logged
    QByteArray refreshToken; // secret: never printed or logged
    qint64 accessExpiresAtMs = 0;
    qint64 refreshExpiresAtMs = 0;
    QStringList vehicleIds;
    bool needsReconnect = false; // the refresh token died; only a new Connect helps
};

// The per-user tokens and what the app last learnt about subscriptions, kept in one JSON file
// (`<data-dir>/tokens.json`). Promises: every save() replaces the file atomically (QSaveFile), so
// a crash leaves the old or the new pair, never half of one, and the file is 0600 from its first
// byte. Refresh rotates both tokens and the old refresh token dies soon after, so callers save()
// immediately after each rotation. Not thread-safe: one owner thread.
class TokenStore final {
public:
    enum class Subscription { Unknown, Subscribed, NotSubscribed };

    explicit TokenStore(QString path);

    static QString defaultPath(const QString &dataDir);
    const QString &path() const { return m_path; }

    // A missing file is an empty store, not an error.
    bool load(QString *error);
    bool save(QString *error);

    // Where the JSON goes, for a composition root that has a safer place (the desktop keychain) than
    // this layer may know of. Load yields an empty array when nothing is stored yet. Both unset (the
    // default) means the 0600 file at path(); the file functions stay callable for migrating from it.
    using LoadFunction = std::function<bool(QByteArray *json, QString *error)>;
    using SaveFunction = std::function<bool(const QByteArray &json, QString *error)>;
    void setPersistence(LoadFunction load, SaveFunction save);
    bool readFile(QByteArray *json, QString *error) const;
    bool writeFile(const QByteArray &json, QString *error) const;

    const QList<UserTokens> &users() const { return m_users; }
    // Inserts or replaces (by userKey). A vehicle belongs to one user: a later grant takes it over.
    void upsert(const UserTokens &tokens);
    const UserTokens *user(const QString &userKey) const;
    const UserTokens *userForVehicle(const QString &vehicleId) const;
    QStringList vehicleIds() const; // all users', in grant order, without duplicates

    Subscription subscription(const QString &vehicleId) const;
    void setSubscription(const QString &vehicleId, Subscription state);

private:
    QString m_path;
    LoadFunction m_load;
    SaveFunction m_save;
    QList<UserTokens> m_users;
    QHash<QString, Subscription> m_subscriptions;
};

} // namespace smartcar
