#pragma once

#include "net/TunnelProvider.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QTimer>
#include <QUrl>

namespace net {

// Keeps one tunnel program running and reports the public URL it announces.
//
// Promises:
// - The program's output (stdout and stderr, merged) is read line by line as it arrives and never
//   piles up: a line is cut at 64 KiB, and only the last 20 lines (shortened for display) are kept.
//   Endless or binary output costs CPU, not memory, and does not starve the owner's event loop.
// - A program that exits or crashes on its own is restarted after 1 s, 2 s, 4 s … up to 60 s; the
//   delay starts over once a run has lasted 60 s. A program that cannot be started at all (not
//   installed, not executable) is not retried: state Failed and one problem() with the install hint.
// - No URL within the URL timeout is a problem(), not a failure: the program keeps running, since a
//   slow network may still bring one.
// - stop() asks the program to end (SIGTERM), kills it 3 s later if it has not, and never restarts.
//   Child processes are always reaped; destroying the object kills whatever is still running.
//
// Lives on, and must be used from, the thread that creates it; that thread needs an event loop.
class TunnelProcess final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TunnelProcess)
public:
    // Starting: the program runs (or is being started) and has not announced a URL in this run.
    // Running: it has. Restarting: it ended on its own and waits for its backoff delay.
    // Failed: it could not be started; only start() leaves this state.
    enum class State { Stopped, Starting, Running, Restarting, Failed };
    Q_ENUM(State)

    static constexpr int MaxLineBytes = 64 * 1024;
    static constexpr int RememberedLines = 20;

    explicit TunnelProcess(QObject *parent = nullptr);
    ~TunnelProcess() override;

    // (Re)starts with this provider for a local endpoint on localPort; a program already running is
    // stopped first and the public URL is forgotten.
    void start(const TunnelProvider &provider, quint16 localPort);
    // Returns at once in state Stopped; the program ends in the background (see above). The public
    // URL becomes empty.
    void stop();

    State state() const { return m_state; }
    // The URL the program last announced. It outlives a restart (a restarted tunnel with a reserved
    // name gets the same one back, and nobody has to update anything); empty after stop().
    QUrl publicUrl() const { return m_publicUrl; }
    const TunnelProvider &provider() const { return m_provider; }
    quint16 localPort() const { return m_localPort; }
    // The running program's process id, or 0.
    qint64 processId() const;
    // The program's last output lines, oldest first, for a log view or a bug report.
    QStringList recentOutput() const { return m_recentLines; }

    // Restart delays: the first one, the cap, and how long a run must last to start over from
    // the first one.
    void setBackoff(int initialMs, int maxMs, int resetAfterMs = 60'000);
    void setUrlTimeout(int ms) { m_urlTimeoutMs = ms; }
    // How long stop() waits after SIGTERM before SIGKILL.
    void setStopTimeout(int ms) { m_stopTimeoutMs = ms; }

Q_SIGNALS:
    void stateChanged(net::TunnelProcess::State state);
    // Emitted only when the URL differs from the previous one. A new URL after a restart means the
    // callback URL registered with the webhook sender must be updated. Empty means none.
    void publicUrlChanged(const QUrl &url);
    // A sentence or two for the user, with the program's last output lines when they help.
    void problem(const QString &message);

private:
    void launch();
    void retire(QProcess *process);
    void onReadyRead();
    void onErrorOccurred(QProcess::ProcessError error);
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void onUrlTimeout();
    void consume(QByteArrayView bytes);
    void handleLine(QByteArrayView line);
    void setState(State state);
    void setPublicUrl(const QUrl &url);
    QString lastOutput() const;
    static QString seconds(int ms);

    TunnelProvider m_provider;
    quint16 m_localPort = 0;
    State m_state = State::Stopped;
    QUrl m_publicUrl;

    QProcess *m_process = nullptr; // the current run; ending ones are retired, not tracked
    QElapsedTimer m_runClock;
    bool m_urlSeenThisRun = false;
    QByteArray m_partialLine;      // at most MaxLineBytes
    bool m_discardingLine = false; // the current line was cut and handled; skip to its end
    QStringList m_recentLines;

    QTimer m_restartTimer;
    QTimer m_urlTimer;
    int m_initialBackoffMs = 1000;
    int m_maxBackoffMs = 60'000;
    int m_resetBackoffAfterMs = 60'000;
    int m_nextBackoffMs = 1000;
    int m_urlTimeoutMs = 30'000;
    int m_stopTimeoutMs = 3000;
};

} // namespace net
