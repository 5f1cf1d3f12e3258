#include "store/PostgresLocation.h"

#include <QUrl>
#include <QUrlQuery>

namespace store {

bool PostgresLocation::looksLikePostgres(const QString &text) {
    return text.startsWith(QLatin1String("postgresql://"), Qt::CaseInsensitive) ||
           text.startsWith(QLatin1String("postgres://"), Qt::CaseInsensitive);
}

bool PostgresLocation::parse(const QString &text, PostgresLocation *location, QString *error) {
    if (!looksLikePostgres(text)) {
        *error = QStringLiteral("not a PostgreSQL URL (postgresql://user@host:port/database)");
        return false;
    }
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid()) {
        *error = QStringLiteral("not a valid PostgreSQL URL: %1").arg(url.errorString());
        return false;
    }
    PostgresLocation parsed;
    parsed.m_host = url.host();
    parsed.m_port = url.port(-1);
    if (url.port(-1) == 0) {
        *error = QStringLiteral("port 0 in the PostgreSQL URL");
        return false;
    }
    parsed.m_user = url.userName(QUrl::FullyDecoded);
    parsed.m_password = url.password(QUrl::FullyDecoded);
    QString path = url.path(QUrl::FullyDecoded);
    if (path.startsWith(QLatin1Char('/')))
        path.remove(0, 1);
    if (path.contains(QLatin1Char('/'))) {
        *error = QStringLiteral("the PostgreSQL URL names more than a database: /%1").arg(path);
        return false;
    }
    parsed.m_database = path;
    QStringList options;
    for (const auto &[key, value] : QUrlQuery(url).queryItems(QUrl::FullyDecoded)) {
        if (key.isEmpty() || key.contains(QLatin1Char(';')) || key.contains(QLatin1Char('=')) ||
            value.contains(QLatin1Char(';'))) {
            *error = QStringLiteral("unusable parameter in the PostgreSQL URL: %1").arg(key);
            return false;
        }
        options.append(key + QLatin1Char('=') + value);
    }
    parsed.m_options = options.join(QLatin1Char(';'));
    *location = parsed;
    return true;
}

QSqlDatabase PostgresLocation::addConnection(const QString &connectionName) const {
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connectionName);
    if (!m_host.isEmpty())
        db.setHostName(m_host);
    if (m_port > 0)
        db.setPort(m_port);
    if (!m_database.isEmpty())
        db.setDatabaseName(m_database);
    if (!m_user.isEmpty())
        db.setUserName(m_user);
    if (!m_password.isEmpty())
        db.setPassword(m_password);
    // A server that does not answer must not hold a thread for libpq's default of forever, and a
    // connection whose peer vanished (a cut cable, a server host that died) must be noticed in
    // seconds, not after the kernel's ~15 minutes of TCP retransmissions: keepalives find an idle
    // dead peer, tcp_user_timeout one that stopped acknowledging what a transaction sent.
    QStringList parts = m_options.split(QLatin1Char(';'), Qt::SkipEmptyParts);
    const auto setDefault = [&parts](const QString &key, const QString &value) {
        for (const QString &part : parts)
            if (part.startsWith(key + QLatin1Char('=')))
                return;
        parts.append(key + QLatin1Char('=') + value);
    };
    setDefault(QStringLiteral("connect_timeout"), QStringLiteral("5"));
    setDefault(QStringLiteral("keepalives"), QStringLiteral("1"));
    setDefault(QStringLiteral("keepalives_idle"), QStringLiteral("10"));
    setDefault(QStringLiteral("keepalives_interval"), QStringLiteral("5"));
    setDefault(QStringLiteral("keepalives_count"), QStringLiteral("3"));
    setDefault(QStringLiteral("tcp_user_timeout"), QStringLiteral("30000"));
    const QString options = parts.join(QLatin1Char(';'));
    db.setConnectOptions(options);
    return db;
}

QString PostgresLocation::displayName() const {
    QUrl url;
    url.setScheme(QStringLiteral("postgresql"));
    url.setUserName(m_user);
    url.setHost(m_host.isEmpty() ? QStringLiteral("localhost") : m_host);
    url.setPort(m_port);
    url.setPath(QLatin1Char('/') + m_database);
    QString text = url.toString();
    QStringList shown;
    for (const QString &option : m_options.split(QLatin1Char(';'), Qt::SkipEmptyParts))
        if (!option.startsWith(QLatin1String("password="), Qt::CaseInsensitive))
            shown.append(option);
    if (!shown.isEmpty())
        text += QLatin1Char('?') + shown.join(QLatin1Char('&'));
    return text;
}

bool PostgresLocation::driverAvailable(QString *error) {
    if (QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")))
        return true;
    *error = QStringLiteral("Qt's PostgreSQL driver is not installed (Debian: apt install libqt6sql6-psql)");
    return false;
}

} // namespace store
