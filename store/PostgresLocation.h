#pragma once

#include <QSqlDatabase>
#include <QString>

namespace store {

// Where a shared fleet lives: a PostgreSQL connection URL as libpq writes it,
// `postgresql://[user[:password]@]host[:port][/database][?param=value&…]` (`postgres://` too).
// Unset parts fall back to libpq's own defaults and environment (PGUSER, PGPASSWORD, ~/.pgpass…);
// query parameters other than a few Qt names go to libpq as connect options (sslmode, …).
class PostgresLocation final {
public:
    PostgresLocation() = default;

    // True for the forms above; `error` says what is wrong otherwise.
    static bool parse(const QString &url, PostgresLocation *location, QString *error);
    static bool looksLikePostgres(const QString &text); // starts with postgresql:// or postgres://

    // A new QPSQL connection with these settings under `connectionName` (not opened yet).
    QSqlDatabase addConnection(const QString &connectionName) const;

    // The URL without its password, for messages, logs and the window title.
    QString displayName() const;
    QString host() const { return m_host; }
    int port() const { return m_port; }
    QString database() const { return m_database; }
    QString user() const { return m_user; }

    // Whether Qt has its PostgreSQL driver (Debian: libqt6sql6-psql); `error` tells how to get it.
    static bool driverAvailable(QString *error);

    friend bool operator==(const PostgresLocation &, const PostgresLocation &) = default;

private:
    QString m_host;
    int m_port = -1; // -1: libpq's default (5432)
    QString m_database;
    QString m_user;
    QString m_password;
    QString m_options; // libpq connect options, "key=value;key=value"
};

} // namespace store
