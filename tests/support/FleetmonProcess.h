#pragma once

// Starts the real `fleetmon` binary as a child process, as a user or Smartcar's tunnel would meet it.

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <csignal>
#include <cstring>

namespace testsupport {

class FleetmonProcess {
public:
    explicit FleetmonProcess(const QString &dataDir, const QByteArray &amt = "test-amt")
        : m_dataDir(dataDir) {
        m_amtFile = QFileInfo(dataDir).absolutePath() +
                    QStringLiteral("/amt-%1.txt").arg(QFileInfo(dataDir).fileName());
        QFile f(m_amtFile);
        if (f.open(QIODevice::WriteOnly))
            f.write(amt + "\n");
    }
    ~FleetmonProcess() { stop(); }

    // Starts `fleetmon --headless` on a free loopback port; false (with the output) if it did not come up.
    bool start(const QStringList &extra = {}) {
        m_process.setProgram(QStringLiteral(FLEETMON_BINARY));
        m_process.setArguments(QStringList{QStringLiteral("--headless"), QStringLiteral("--listen"),
                                           QStringLiteral("127.0.0.1:0"), QStringLiteral("--data-dir"),
                                           m_dataDir, QStringLiteral("--amt-file"), m_amtFile} +
                               extra);
        m_process.start();
        if (!m_process.waitForStarted(5000))
            return false;
        QByteArray out;
        while (!out.contains('\n')) {
            if (!m_process.waitForReadyRead(10000))
                return false;
            out += m_process.readAllStandardOutput();
        }
        // "listening on SCHEME://HOST:PORT/webhooks/smartcar"
        const QUrl url(
            QString::fromUtf8(out.left(out.indexOf('\n')).mid(qsizetype(strlen("listening on ")))));
        if (!out.startsWith("listening on ") || !url.isValid() || url.port() <= 0)
            return false;
        m_url = url;
        m_port = quint16(url.port());
        return true;
    }
    quint16 port() const { return m_port; }
    QString dataDir() const { return m_dataDir; }
    QUrl url() const { return m_url; } // as the ready line printed it
    QProcess &process() { return m_process; }

    // SIGTERM and wait: the clean stop.
    int stop() {
        if (m_process.state() == QProcess::NotRunning)
            return m_process.exitCode();
        ::kill(pid_t(m_process.processId()), SIGTERM);
        m_process.waitForFinished(15000);
        if (m_process.exitCode() != 0) // say why: the sanitizer build reports here
            qWarning("fleetmon exited with %d:\n%s", m_process.exitCode(),
                     m_process.readAllStandardError().right(30000).constData());
        return m_process.exitCode();
    }
    void kill9() {
        ::kill(pid_t(m_process.processId()), SIGKILL);
        m_process.waitForFinished(5000);
    }

    // Runs `fleetmon export WHAT --data-dir DIR --format json` and parses the output.
    static QJsonDocument exportJson(const QString &dataDir, const QString &what,
                                    QByteArray *stderrOut = nullptr) {
        QProcess p;
        p.start(QStringLiteral(FLEETMON_BINARY),
                {QStringLiteral("export"), what, QStringLiteral("--data-dir"), dataDir,
                 QStringLiteral("--format"), QStringLiteral("json")});
        p.waitForFinished(30000);
        if (stderrOut)
            *stderrOut = p.readAllStandardError();
        return QJsonDocument::fromJson(p.readAllStandardOutput());
    }

private:
    QString m_dataDir;
    QString m_amtFile;
    QProcess m_process;
    quint16 m_port = 0;
    QUrl m_url;
};

} // namespace testsupport
