// The tunnel manager against stand-in programs that print what cloudflared, ngrok and ssh print
// (tests/net/tunnel-standins): URL found, restarts with backoff, a missing program, floods of
// garbage, a program that never says anything, stop(), and custom command lines.

#include "net/TunnelProcess.h"
#include "net/TunnelProvider.h"
#include "support/SanitizerBuild.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>
#include <cerrno>
#include <csignal>
#include <memory>

using net::TunnelProcess;
using net::TunnelProvider;
using State = net::TunnelProcess::State;

namespace {

constexpr quint16 Port = 48123;

QString standin(const QString &name) {
    return QStringLiteral(TUNNEL_STANDINS_DIR "/") + name;
}

// A zombie still answers kill(pid, 0); only a reaped child is gone.
bool processGone(qint64 pid) {
    return ::kill(pid_t(pid), 0) != 0 && errno == ESRCH;
}

qint64 residentKiB() {
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}

QList<State> states(const QSignalSpy &spy) {
    QList<State> result;
    for (const QList<QVariant> &args : spy)
        result << args.at(0).value<State>();
    return result;
}

} // namespace

class tst_TunnelProcess : public QObject {
    Q_OBJECT
private:
    std::unique_ptr<QTemporaryDir> m_dir;

    QString argsFile() const { return m_dir->filePath(QStringLiteral("args.txt")); }
    QStringList receivedArguments() const {
        QFile file(argsFile());
        if (!file.open(QIODevice::ReadOnly))
            return {QStringLiteral("<no arguments file>")};
        QStringList lines = QString::fromUtf8(file.readAll()).split(u'\n');
        if (!lines.isEmpty() && lines.last().isEmpty())
            lines.removeLast();
        return lines;
    }

private Q_SLOTS:
    void init() {
        m_dir = std::make_unique<QTemporaryDir>();
        QVERIFY(m_dir->isValid());
        qputenv("TUNNEL_STANDIN_ARGS_FILE", argsFile().toLocal8Bit());
        qputenv("TUNNEL_STANDIN_COUNTER", m_dir->filePath(QStringLiteral("runs")).toLocal8Bit());
    }

    void urlPatterns_data() {
        QTest::addColumn<QString>("provider");
        QTest::addColumn<QString>("line");
        QTest::addColumn<QUrl>("expected");
        const QUrl none;
        QTest::newRow("cloudflared box")
            << "cloudflared"
            << "2024-06-01T10:00:00Z INF |  https://quiet-river-alpha.trycloudflare.com                 |"
            << QUrl("https://quiet-river-alpha.trycloudflare.com");
        QTest::newRow("cloudflared API error is not a tunnel")
            << "cloudflared"
            << "2024-06-01T10:00:00Z ERR failed to request quick Tunnel: Post "
               "\"https://api.trycloudflare.com/tunnel\": dial tcp: lookup api.trycloudflare.com: no such "
               "host"
            << none;
        QTest::newRow("cloudflared docs link")
            << "cloudflared"
            << "INF ... following: https://developers.cloudflare.com/cloudflare-one/connections/connect-apps"
            << none;
        QTest::newRow("ngrok started tunnel")
            << "ngrok"
            << R"({"addr":"http://localhost:8787","lvl":"info","msg":"started tunnel","name":"command_line",)"
               R"("obj":"tunnels","t":"2024-06-01T10:00:00Z","url":"https://1a2b-3c4d.ngrok-free.app"})"
            << QUrl("https://1a2b-3c4d.ngrok-free.app");
        QTest::newRow("ngrok other key order, legacy domain")
            << "ngrok"
            << R"({"url":"https://abc123.ngrok.io","msg":"started tunnel","lvl":"info"})"
            << QUrl("https://abc123.ngrok.io");
        QTest::newRow("ngrok url on another message")
            << "ngrok"
            << R"({"lvl":"info","msg":"tunnel session started","url":"https://x.ngrok-free.app"})" << none;
        QTest::newRow("localhost.run tunnel line")
            << "localhostRun"
            << "1a2b3c4d5e.lhr.life tunneled with tls termination, https://1a2b3c4d5e.lhr.life"
            << QUrl("https://1a2b3c4d5e.lhr.life");
        QTest::newRow("localhost.run banner link")
            << "localhostRun"
            << "To set up and manage custom domains go to https://admin.localhost.run/" << none;
    }
    void urlPatterns() {
        QFETCH(QString, provider);
        QFETCH(QString, line);
        QFETCH(QUrl, expected);
        const TunnelProvider p = provider == QLatin1String("cloudflared") ? TunnelProvider::cloudflared()
                                 : provider == QLatin1String("ngrok")     ? TunnelProvider::ngrok()
                                                                          : TunnelProvider::localhostRun();
        QCOMPARE(p.findUrl(line), expected);
    }

    void urlFoundInEachToolsOutput_data() {
        QTest::addColumn<QString>("provider");
        QTest::addColumn<QString>("program");
        QTest::addColumn<QStringList>("expectedArguments");
        QTest::addColumn<QUrl>("expectedUrl");
        QTest::newRow("cloudflared") << "cloudflared"
                                     << "cloudflared"
                                     << QStringList{"tunnel", "--url", "http://127.0.0.1:48123"}
                                     << QUrl("https://quiet-river-alpha.trycloudflare.com");
        QTest::newRow("ngrok") << "ngrok"
                               << "ngrok"
                               << QStringList{"http", "48123", "--log", "stdout", "--log-format", "json"}
                               << QUrl("https://1a2b-3c4d.ngrok-free.app");
        QTest::newRow("localhost.run") << "localhostRun"
                                       << "ssh"
                                       << QStringList{"-o",
                                                      "StrictHostKeyChecking=accept-new",
                                                      "-o",
                                                      "ServerAliveInterval=30",
                                                      "-R",
                                                      "80:localhost:48123",
                                                      "nokey@localhost.run"}
                                       << QUrl("https://1a2b3c4d5e.lhr.life");
    }
    void urlFoundInEachToolsOutput() {
        QFETCH(QString, provider);
        QFETCH(QString, program);
        QFETCH(QStringList, expectedArguments);
        QFETCH(QUrl, expectedUrl);
        const TunnelProvider real = provider == QLatin1String("cloudflared") ? TunnelProvider::cloudflared()
                                    : provider == QLatin1String("ngrok")     ? TunnelProvider::ngrok()
                                                                             : TunnelProvider::localhostRun();
        QCOMPARE(real.program, program);
        QVERIFY(!real.installHint.isEmpty());

        TunnelProcess tunnel;
        QSignalSpy urls(&tunnel, &TunnelProcess::publicUrlChanged);
        QSignalSpy problems(&tunnel, &TunnelProcess::problem);
        tunnel.start(real.withProgram(standin(program)), Port);
        QTRY_COMPARE_WITH_TIMEOUT(urls.size(), 1, 5000);
        QCOMPARE(urls.at(0).at(0).toUrl(), expectedUrl);
        QCOMPARE(tunnel.publicUrl(), expectedUrl);
        QCOMPARE(tunnel.state(), State::Running);
        QVERIFY2(problems.isEmpty(), qPrintable(problems.value(0).value(0).toString()));
        QVERIFY(tunnel.processId() > 0);
        QVERIFY(!processGone(tunnel.processId()));
        QTRY_COMPARE(receivedArguments(), expectedArguments);
        QVERIFY(receivedArguments().join(u' ').contains(QString::number(Port)));
    }

    void restartAfterExitAnnouncesTheNewUrl() {
        TunnelProcess tunnel;
        tunnel.setBackoff(100, 400);
        QSignalSpy urls(&tunnel, &TunnelProcess::publicUrlChanged);
        QSignalSpy problems(&tunnel, &TunnelProcess::problem);
        QSignalSpy stateSpy(&tunnel, &TunnelProcess::stateChanged);
        tunnel.start(TunnelProvider::cloudflared().withProgram(standin(QStringLiteral("exits-then-works"))),
                     Port);

        QTRY_COMPARE_WITH_TIMEOUT(urls.size(), 2, 5000);
        QCOMPARE(urls.at(0).at(0).toUrl(), QUrl("https://first-shaky-bridge.trycloudflare.com"));
        QCOMPARE(urls.at(1).at(0).toUrl(), QUrl("https://second-steady-harbor.trycloudflare.com"));
        QCOMPARE(tunnel.publicUrl(), QUrl("https://second-steady-harbor.trycloudflare.com"));
        QCOMPARE(tunnel.state(), State::Running);
        QCOMPARE(states(stateSpy), (QList<State>{State::Starting, State::Running, State::Restarting,
                                                 State::Starting, State::Running}));
        QCOMPARE(problems.size(), 1);
        const QString message = problems.at(0).at(0).toString();
        QVERIFY2(message.contains("exited with code 1"), qPrintable(message));
        QVERIFY2(message.contains("restarting in 0.1 s"), qPrintable(message));
        QVERIFY2(message.contains("connection with edge closed"), qPrintable(message)); // its last words
        QFile runs(m_dir->filePath(QStringLiteral("runs")));
        QVERIFY(runs.open(QIODevice::ReadOnly));
        QCOMPARE(runs.readAll().trimmed(), QByteArray("2"));
    }

    void exitsAreReportedAndBackOffExponentially() {
        TunnelProcess tunnel;
        tunnel.setBackoff(100, 200);
        QSignalSpy problems(&tunnel, &TunnelProcess::problem);
        QElapsedTimer clock;
        QList<qint64> starts;
        connect(&tunnel, &TunnelProcess::stateChanged, this, [&](State s) {
            if (s == State::Starting)
                starts << clock.elapsed();
        });
        QString error;
        const auto provider = TunnelProvider::custom(
            QStringLiteral("bash -c \"echo 'edge refused the connection: 403'; exit 3\""),
            QStringLiteral("https://\\S+"), &error);
        QVERIFY2(provider.isValid(), qPrintable(error));
        clock.start();
        tunnel.start(provider, Port);
        QTRY_VERIFY_WITH_TIMEOUT(starts.size() >= 4, 5000);
        tunnel.stop();
        QCOMPARE(tunnel.state(), State::Stopped);

        QVERIFY(problems.size() >= 3);
        const QStringList expectedDelays{"restarting in 0.1 s", "restarting in 0.2 s", "restarting in 0.2 s"};
        for (int i = 0; i < 3; ++i) {
            const QString message = problems.at(i).at(0).toString();
            QVERIFY2(message.contains("exited with code 3"), qPrintable(message));
            QVERIFY2(message.contains("edge refused the connection: 403"), qPrintable(message));
            QVERIFY2(message.contains(expectedDelays.at(i)), qPrintable(message));
        }
        // A timer never fires early; the runs themselves only add to these gaps.
        QVERIFY2(starts.at(1) - starts.at(0) >= 100,
                 qPrintable(QString::number(starts.at(1) - starts.at(0))));
        QVERIFY2(starts.at(2) - starts.at(1) >= 200,
                 qPrintable(QString::number(starts.at(2) - starts.at(1))));
        QVERIFY2(starts.at(3) - starts.at(2) >= 200,
                 qPrintable(QString::number(starts.at(3) - starts.at(2))));

        const int before = starts.size();
        QTest::qWait(400);
        QCOMPARE(starts.size(), before); // stopped while waiting: no restart
    }

    void backoffStartsOverAfterALongRun() {
        TunnelProcess tunnel;
        tunnel.setBackoff(100, 1000, 200); // a run of 200 ms counts as long here
        QSignalSpy problems(&tunnel, &TunnelProcess::problem);
        tunnel.start(
            TunnelProvider::custom(QStringLiteral("bash -c \"sleep 0.3; exit 1\""), QStringLiteral("x")),
            Port);
        QTRY_VERIFY_WITH_TIMEOUT(problems.size() >= 3, 5000);
        tunnel.stop();
        for (int i = 0; i < 3; ++i) {
            const QString message = problems.at(i).at(0).toString();
            QVERIFY2(message.contains("restarting in 0.1 s"), qPrintable(message));
        }
    }

    void crashIsReportedWithTheSignal() {
        TunnelProcess tunnel;
        tunnel.setBackoff(5000, 5000);
        QSignalSpy problems(&tunnel, &TunnelProcess::problem);
        tunnel.start(TunnelProvider::custom(QStringLiteral("bash -c \"kill -KILL $$\""), QStringLiteral("x")),
                     Port);
        QTRY_COMPARE_WITH_TIMEOUT(problems.size(), 1, 5000);
        QVERIFY2(problems.at(0).at(0).toString().contains("was killed by signal 9"),
                 qPrintable(problems.at(0).at(0).toString()));
        QCOMPARE(tunnel.state(), State::Restarting);
    }

    void missingProgramFailsOnceWithTheInstallHint() {
        for (const TunnelProvider &provider :
             {TunnelProvider::cloudflared().withProgram(
                  m_dir->filePath(QStringLiteral("not-installed/cloudflared"))),
              TunnelProvider::custom(QStringLiteral("fleetmon-no-such-tunnel-tool --port {port}"),
                                     QStringLiteral("https://\\S+"))}) {
            TunnelProcess tunnel;
            tunnel.setBackoff(20, 40);
            QSignalSpy problems(&tunnel, &TunnelProcess::problem);
            QSignalSpy stateSpy(&tunnel, &TunnelProcess::stateChanged);
            tunnel.start(provider, Port);
            QTRY_COMPARE_WITH_TIMEOUT(tunnel.state(), State::Failed, 5000);
            QTest::qWait(300); // many backoff periods: a restart storm would show by now
            QCOMPARE(states(stateSpy), (QList<State>{State::Starting, State::Failed}));
            QCOMPARE(problems.size(), 1);
            const QString message = problems.at(0).at(0).toString();
            QVERIFY2(message.contains(provider.installHint), qPrintable(message));
            QVERIFY2(message.contains(provider.program), qPrintable(message));
            QCOMPARE(tunnel.processId(), 0);
            QVERIFY(tunnel.publicUrl().isEmpty());
        }
        QVERIFY(TunnelProvider::cloudflared().installHint.contains(
            "https://github.com/cloudflare/cloudflared/releases"));
    }

    void garbageDoesNotHangOrGrowMemory() {
        TunnelProcess tunnel;
        QSignalSpy urls(&tunnel, &TunnelProcess::publicUrlChanged);
        QElapsedTimer clock;
        qint64 lastTick = 0;
        qint64 longestGap = 0;
        int ticks = 0;
        QTimer ticker;
        ticker.setInterval(10);
        connect(&ticker, &QTimer::timeout, this, [&] {
            ++ticks;
            longestGap = std::max(longestGap, clock.elapsed() - lastTick);
            lastTick = clock.elapsed();
        });
        const qint64 rssBefore = residentKiB();
        clock.start();
        ticker.start();
        tunnel.start(TunnelProvider::cloudflared().withProgram(standin(QStringLiteral("garbage"))), Port);
        QTRY_COMPARE_WITH_TIMEOUT(urls.size(), 1, 10000);
        const qint64 floodMs = clock.elapsed();
        ticker.stop();
        const qint64 rssAfter = residentKiB();

        QCOMPARE(urls.at(0).at(0).toUrl(), QUrl("https://garbage-survivor-delta.trycloudflare.com"));
        QCOMPARE(tunnel.state(), State::Running);
        qInfo("16 MiB of garbage in %lld ms, %d ticks, longest gap %lld ms, RSS %lld -> %lld KiB", floodMs,
              ticks, longestGap, rssBefore, rssAfter);
        // Keeping the flood would cost 16 MiB and more (twice that as QString).
        if (!kAddressSanitizerBuild)
            QVERIFY2(rssAfter - rssBefore < 8 * 1024, qPrintable(QString::number(rssAfter - rssBefore)));
        QVERIFY2(longestGap < 500, qPrintable(QString::number(longestGap)));
        QVERIFY(ticks >= 3);
        const QStringList recent = tunnel.recentOutput();
        QVERIFY(recent.size() <= TunnelProcess::RememberedLines);
        for (const QString &line : recent)
            QVERIFY(line.size() <= 301);
    }

    void hangingProgramGetsAUrlTimeoutButKeepsRunning() {
        TunnelProcess tunnel;
        tunnel.setUrlTimeout(300);
        tunnel.setStopTimeout(300);
        QSignalSpy problems(&tunnel, &TunnelProcess::problem);
        tunnel.start(TunnelProvider::cloudflared().withProgram(standin(QStringLiteral("hangs"))), Port);
        QTRY_COMPARE_WITH_TIMEOUT(problems.size(), 1, 5000);
        const QString message = problems.at(0).at(0).toString();
        QVERIFY2(message.contains("no public URL after 0.3 s"), qPrintable(message));
        QVERIFY2(message.contains("printed nothing"), qPrintable(message));
        const qint64 pid = tunnel.processId();
        QVERIFY(pid > 0);
        QTest::qWait(300);
        QVERIFY(!processGone(pid));
        QCOMPARE(tunnel.state(), State::Starting);
        QCOMPARE(problems.size(), 1); // said once, not every period

        // It ignores SIGTERM: only the SIGKILL after the stop timeout ends it.
        QElapsedTimer clock;
        clock.start();
        tunnel.stop();
        QCOMPARE(tunnel.state(), State::Stopped);
        QCOMPARE(tunnel.processId(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(processGone(pid), 3000);
        QVERIFY2(clock.elapsed() >= 250, qPrintable(QString::number(clock.elapsed())));
    }

    void stopEndsTheProcessAndNeverRestarts() {
        TunnelProcess tunnel;
        tunnel.setBackoff(50, 100);
        QSignalSpy urls(&tunnel, &TunnelProcess::publicUrlChanged);
        QSignalSpy stateSpy(&tunnel, &TunnelProcess::stateChanged);
        QSignalSpy problems(&tunnel, &TunnelProcess::problem);
        tunnel.start(TunnelProvider::cloudflared().withProgram(standin(QStringLiteral("cloudflared"))), Port);
        QTRY_COMPARE_WITH_TIMEOUT(urls.size(), 1, 5000);
        const qint64 pid = tunnel.processId();
        QVERIFY(pid > 0);

        tunnel.stop();
        QCOMPARE(tunnel.state(), State::Stopped);
        QVERIFY(tunnel.publicUrl().isEmpty());
        QCOMPARE(urls.size(), 2);
        QVERIFY(urls.at(1).at(0).toUrl().isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(processGone(pid), 2000); // ended and reaped: no zombie
        QTest::qWait(300);
        QCOMPARE(states(stateSpy), (QList<State>{State::Starting, State::Running, State::Stopped}));
        QVERIFY(problems.isEmpty());
    }

    void customProviderWithPattern_data() {
        QTest::addColumn<QString>("pattern");
        QTest::newRow("capture group") << R"(at (https://\S+))";
        QTest::newRow("whole match, no scheme") << R"([a-z0-9-]+\.tunnel\.example\.net)";
    }
    void customProviderWithPattern() {
        QFETCH(QString, pattern);
        QString error = QStringLiteral("stale");
        const TunnelProvider provider = TunnelProvider::custom(
            QStringLiteral(
                "bash -c \"echo 'forwarding port {port} at https://fleet-{port}.tunnel.example.net/'; "
                "exec sleep infinity\""),
            pattern, &error);
        QVERIFY2(provider.isValid(), qPrintable(error));
        QVERIFY(error.isEmpty());
        QCOMPARE(provider.kind, TunnelProvider::Kind::Custom);
        QCOMPARE(provider.program, QStringLiteral("bash"));
        QCOMPARE(provider.arguments.size(), 2);

        TunnelProcess tunnel;
        QSignalSpy urls(&tunnel, &TunnelProcess::publicUrlChanged);
        tunnel.start(provider, Port);
        QTRY_COMPARE_WITH_TIMEOUT(urls.size(), 1, 5000);
        QCOMPARE(tunnel.publicUrl(), QUrl("https://fleet-48123.tunnel.example.net"));
        QCOMPARE(tunnel.state(), State::Running);
    }

    void invalidCustomProviderIsAnError() {
        QString error;
        const TunnelProvider badPattern = TunnelProvider::custom(QStringLiteral("mytunnel --port {port}"),
                                                                 QStringLiteral("(https://[a-z"), &error);
        QVERIFY(!badPattern.isValid());
        QVERIFY2(error.contains("not a valid regular expression"), qPrintable(error));

        error.clear();
        QVERIFY(
            !TunnelProvider::custom(QStringLiteral("   "), QStringLiteral("https://\\S+"), &error).isValid());
        QVERIFY2(error.contains("empty"), qPrintable(error));

        TunnelProcess tunnel;
        QSignalSpy problems(&tunnel, &TunnelProcess::problem);
        tunnel.start(badPattern, Port);
        QCOMPARE(tunnel.state(), State::Failed);
        QCOMPARE(problems.size(), 1);
        QCOMPARE(tunnel.processId(), 0);
    }
};

QTEST_GUILESS_MAIN(tst_TunnelProcess)
#include "tst_TunnelProcess.moc"
