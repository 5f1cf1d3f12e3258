#pragma once

// A throwaway PostgreSQL server for one test: its own cluster (initdb) in a temporary folder,
// listening on a free loopback port, trust authentication, gone with the object. Debian's
// `postgresql` package provides the programs (scripts/install-deps installs it). PostgreSQL refuses
// to run as root, so under root the cluster belongs to the `postgres` system user and its programs
// run through `runuser`.

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>
#include <QUrl>

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

namespace testsupport {

class PostgresCluster {
public:
    PostgresCluster() = default;
    ~PostgresCluster() { stop(); }
    PostgresCluster(const PostgresCluster &) = delete;
    PostgresCluster &operator=(const PostgresCluster &) = delete;

    // The folder holding initdb, pg_ctl and postgres; empty when PostgreSQL is not installed.
    static QString binDir() {
        const QString configured = qEnvironmentVariable("FLEETMON_PG_BINDIR");
        if (!configured.isEmpty())
            return configured;
        const QDir root(QStringLiteral("/usr/lib/postgresql"));
        QStringList versions = root.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        std::sort(versions.begin(), versions.end(), [](const QString &a, const QString &b) {
            return a.toInt() > b.toInt(); // the newest first
        });
        for (const QString &v : versions)
            if (QFile::exists(root.filePath(v + QStringLiteral("/bin/initdb"))))
                return root.filePath(v + QStringLiteral("/bin"));
        return {};
    }

    // initdb + start. `fsync` off only where a test says durability of the server is not its subject.
    bool start(QString *error, bool fsync = true) {
        if (binDir().isEmpty()) {
            *error = QStringLiteral("PostgreSQL is not installed (scripts/install-deps installs it)");
            return false;
        }
        if (!m_folder.isValid()) {
            *error = QStringLiteral("no temporary folder for the cluster");
            return false;
        }
        m_dataDir = m_folder.path() + QStringLiteral("/data");
        QDir().mkpath(m_dataDir);
        if (!handToServerUser(error))
            return false;
        if (!run(QStringLiteral("initdb"),
                 {QStringLiteral("-D"), m_dataDir, QStringLiteral("-U"), QStringLiteral("fleetmon"),
                  QStringLiteral("-A"), QStringLiteral("trust"), QStringLiteral("-E"), QStringLiteral("UTF8"),
                  QStringLiteral("--no-sync"), QStringLiteral("--no-instructions")},
                 error))
            return false;
        QFile conf(m_dataDir + QStringLiteral("/postgresql.conf"));
        if (!conf.open(QIODevice::Append)) {
            *error = QStringLiteral("cannot append to %1").arg(conf.fileName());
            return false;
        }
        m_port = freePort();
        conf.write(
            QStringLiteral("port = %1\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%2'\n"
                           "max_connections = 100\nfsync = %3\nlog_min_messages = warning\n")
                .arg(m_port)
                .arg(m_dataDir, fsync ? QStringLiteral("on") : QStringLiteral("off"))
                .toUtf8());
        conf.close();
        return startServer(error);
    }

    // Starts the (stopped) server again on the same port and data.
    bool startServer(QString *error) {
        return run(QStringLiteral("pg_ctl"),
                   {QStringLiteral("-D"), m_dataDir, QStringLiteral("-w"), QStringLiteral("-t"),
                    QStringLiteral("30"), QStringLiteral("-l"), m_dataDir + QStringLiteral("/server.log"),
                    QStringLiteral("start")},
                   error);
    }

    // "fast": clients are disconnected, transactions rolled back, as an operator's restart does.
    // "immediate": as a crash (recovery on the next start).
    bool stopServer(QString *error, const QString &mode = QStringLiteral("fast")) {
        return run(QStringLiteral("pg_ctl"),
                   {QStringLiteral("-D"), m_dataDir, QStringLiteral("-w"), QStringLiteral("-m"), mode,
                    QStringLiteral("stop")},
                   error);
    }

    void stop() {
        if (m_port == 0)
            return;
        QString ignored;
        stopServer(&ignored, QStringLiteral("immediate"));
        m_port = 0;
    }

    quint16 port() const { return m_port; }
    // The form `fleetmon --database` takes.
    QString url(const QString &database = QStringLiteral("postgres")) const {
        return QStringLiteral("postgresql://fleetmon@127.0.0.1:%1/%2").arg(m_port).arg(database);
    }
    QString serverLog() const {
        QFile f(m_dataDir + QStringLiteral("/server.log"));
        return f.open(QIODevice::ReadOnly) ? QString::fromUtf8(f.readAll()) : QString();
    }

    // CREATE DATABASE `name` (a plain identifier); false with psql's error.
    bool createDatabase(const QString &name, QString *error) const {
        error->clear();
        psql(QStringLiteral("CREATE DATABASE %1").arg(name), error);
        return error->isEmpty();
    }

    // Runs SQL through psql; the output (tuples only, unaligned) or empty with `error` set.
    QString psql(const QString &sql, QString *error,
                 const QString &database = QStringLiteral("postgres")) const {
        QProcess p;
        p.setProgram(binDir() + QStringLiteral("/psql"));
        p.setArguments({QStringLiteral("-X"), QStringLiteral("-q"), QStringLiteral("-At"),
                        QStringLiteral("-v"), QStringLiteral("ON_ERROR_STOP=1"), QStringLiteral("-h"),
                        QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(m_port),
                        QStringLiteral("-U"), QStringLiteral("fleetmon"), QStringLiteral("-d"), database,
                        QStringLiteral("-c"), sql});
        p.start();
        if (!p.waitForFinished(60000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
            *error = QStringLiteral("psql failed: %1").arg(QString::fromUtf8(p.readAllStandardError()));
            return {};
        }
        return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
    }

private:
    static bool runningAsRoot() { return geteuid() == 0; }

    bool handToServerUser(QString *error) {
        if (!runningAsRoot())
            return true;
        const passwd *pw = getpwnam("postgres");
        if (!pw) {
            *error = QStringLiteral("running as root and there is no `postgres` user to own the cluster");
            return false;
        }
        m_uid = pw->pw_uid;
        m_gid = pw->pw_gid;
        // The temporary folder is private to root: the server user must be able to reach its data.
        for (const QString &path : {m_folder.path(), m_dataDir}) {
            if (chown(QFile::encodeName(path).constData(), m_uid, m_gid) != 0) {
                *error = QStringLiteral("cannot hand %1 to the postgres user").arg(path);
                return false;
            }
        }
        return true;
    }

    bool run(const QString &program, const QStringList &arguments, QString *error) const {
        QProcess p;
        if (runningAsRoot()) {
            p.setProgram(QStringLiteral("runuser"));
            p.setArguments(QStringList{QStringLiteral("-u"), QStringLiteral("postgres"), QStringLiteral("--"),
                                       binDir() + QLatin1Char('/') + program} +
                           arguments);
        } else {
            p.setProgram(binDir() + QLatin1Char('/') + program);
            p.setArguments(arguments);
        }
        p.setWorkingDirectory(m_folder.path());
        p.start();
        if (!p.waitForFinished(120000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0) {
            *error = QStringLiteral("%1 failed: %2%3\n%4")
                         .arg(program, QString::fromUtf8(p.readAllStandardOutput()),
                              QString::fromUtf8(p.readAllStandardError()), serverLog());
            return false;
        }
        return true;
    }

    static quint16 freePort() {
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        return probe.serverPort();
    }

    QTemporaryDir m_folder;
    QString m_dataDir;
    quint16 m_port = 0;
    uid_t m_uid = 0;
    gid_t m_gid = 0;
};

} // namespace testsupport
