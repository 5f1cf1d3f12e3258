#include "net/TunnelProcess.h"

#include <algorithm>

namespace net {

namespace {

constexpr qsizetype MaxDisplayedLineChars = 300;
constexpr int LinesInProblems = 5;

// Garbage must not turn a problem message into a wall of control characters.
QString displayable(const QString &line) {
    QString shown = line.left(MaxDisplayedLineChars);
    for (QChar &c : shown) {
        if (!c.isPrint() && c != u'\t')
            c = QChar::ReplacementCharacter;
    }
    if (line.size() > MaxDisplayedLineChars)
        shown += QStringLiteral("…");
    return shown;
}

} // namespace

TunnelProcess::TunnelProcess(QObject *parent)
    : QObject(parent)
    , m_restartTimer(this)
    , m_urlTimer(this) {
    m_restartTimer.setSingleShot(true);
    // A coarse timer may fire up to 5 % early; backoff delays are promises to the user.
    m_restartTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_restartTimer, &QTimer::timeout, this, &TunnelProcess::launch);
    m_urlTimer.setSingleShot(true);
    connect(&m_urlTimer, &QTimer::timeout, this, &TunnelProcess::onUrlTimeout);
}

TunnelProcess::~TunnelProcess() {
    // QProcess's own destructor would do the same, with a warning; retired runs are children too.
    const auto processes = findChildren<QProcess *>(Qt::FindDirectChildrenOnly);
    for (QProcess *process : processes) {
        process->disconnect(this);
        if (process->state() != QProcess::NotRunning) {
            process->kill();
            process->waitForFinished(3000);
        }
    }
}

void TunnelProcess::start(const TunnelProvider &provider, quint16 localPort) {
    stop();
    m_provider = provider;
    m_localPort = localPort;
    m_nextBackoffMs = m_initialBackoffMs;
    if (!m_provider.isValid()) {
        setState(State::Failed);
        Q_EMIT problem(QStringLiteral("No usable tunnel program is configured (%1).")
                           .arg(m_provider.program.isEmpty() ? QStringLiteral("no command line")
                                                             : QStringLiteral("invalid URL pattern")));
        return;
    }
    launch();
}

void TunnelProcess::stop() {
    m_restartTimer.stop();
    m_urlTimer.stop();
    if (m_process) {
        retire(m_process);
        m_process = nullptr;
    }
    setState(State::Stopped);
    setPublicUrl(QUrl());
}

qint64 TunnelProcess::processId() const {
    return m_process ? m_process->processId() : 0;
}

void TunnelProcess::setBackoff(int initialMs, int maxMs, int resetAfterMs) {
    m_initialBackoffMs = std::max(0, initialMs);
    m_maxBackoffMs = std::max(m_initialBackoffMs, maxMs);
    m_resetBackoffAfterMs = resetAfterMs;
    m_nextBackoffMs = std::clamp(m_nextBackoffMs, m_initialBackoffMs, m_maxBackoffMs);
}

void TunnelProcess::launch() {
    m_urlSeenThisRun = false;
    m_partialLine.clear();
    m_discardingLine = false;
    m_recentLines.clear();
    m_runClock.invalidate();

    auto *process = new QProcess(this);
    m_process = process;
    // One stream is enough: the tools log to either, and interleaving order is all we lose.
    process->setProcessChannelMode(QProcess::MergedChannels);
    process->setProgram(m_provider.program);
    process->setArguments(m_provider.argumentsFor(m_localPort));
    connect(process, &QProcess::started, this, [this] { m_runClock.start(); });
    connect(process, &QProcess::readyRead, this, &TunnelProcess::onReadyRead);
    connect(process, &QProcess::errorOccurred, this, &TunnelProcess::onErrorOccurred);
    connect(process, &QProcess::finished, this, &TunnelProcess::onFinished);

    // State and timer come first: a start failure may be reported from inside start() itself.
    m_urlTimer.start(m_urlTimeoutMs);
    setState(State::Starting);
    if (m_process != process)
        return; // a slot stopped or restarted us
    // Read-write although nothing is written: ssh forwards an EOF on stdin, and the server then ends
    // the session.
    process->start();
}

void TunnelProcess::retire(QProcess *process) {
    process->disconnect(this);
    if (process->state() == QProcess::NotRunning) {
        process->deleteLater();
        return;
    }
    connect(process, &QProcess::finished, process, &QObject::deleteLater);
    process->terminate();
    // Real tools take their time on SIGTERM (cloudflared drains connections for up to 30 s).
    QTimer::singleShot(m_stopTimeoutMs, process, [process] {
        if (process->state() != QProcess::NotRunning)
            process->kill();
    });
}

void TunnelProcess::onReadyRead() {
    // QProcess buffers at most what the pipe held when it became readable, so this loop is short
    // and the event loop gets its turn between floods. A slot reacting to a URL may stop or
    // restart us: then the rest of this output belongs to nobody.
    QProcess *const process = m_process;
    char chunk[16 * 1024];
    while (process && m_process == process) {
        const qint64 n = process->read(chunk, sizeof chunk);
        if (n <= 0)
            break;
        consume(QByteArrayView(chunk, n));
    }
}

void TunnelProcess::consume(QByteArrayView bytes) {
    QProcess *const process = m_process;
    while (!bytes.isEmpty() && m_process == process) {
        // A lone CR ends a line too: progress output rewrites one line with it.
        const auto end =
            std::find_if(bytes.begin(), bytes.end(), [](char c) { return c == '\n' || c == '\r'; });
        const qsizetype pieceSize = end - bytes.begin();
        if (!m_discardingLine) {
            const qsizetype room = MaxLineBytes - m_partialLine.size();
            if (pieceSize >= room && end == bytes.end()) {
                // Handled now rather than at its end, which may never come.
                m_partialLine.append(bytes.first(room));
                handleLine(m_partialLine);
                m_partialLine.clear();
                m_discardingLine = true;
            } else {
                m_partialLine.append(bytes.first(std::min(pieceSize, room)));
            }
        }
        if (end == bytes.end())
            return;
        if (!m_discardingLine && !m_partialLine.isEmpty())
            handleLine(m_partialLine);
        m_partialLine.clear();
        m_discardingLine = false;
        bytes = bytes.sliced(pieceSize + 1);
    }
}

void TunnelProcess::handleLine(QByteArrayView bytes) {
    const QString line = QString::fromUtf8(bytes).trimmed();
    if (line.isEmpty())
        return;
    m_recentLines.append(displayable(line));
    if (m_recentLines.size() > RememberedLines)
        m_recentLines.removeFirst();

    const QUrl url = m_provider.findUrl(line);
    if (url.isEmpty())
        return;
    m_urlSeenThisRun = true;
    m_urlTimer.stop();
    setPublicUrl(url);
    // The URL may be the last thing a dying program says; its exit decides the state then.
    if (m_process && m_process->state() == QProcess::Running)
        setState(State::Running);
}

void TunnelProcess::onErrorOccurred(QProcess::ProcessError error) {
    // Crashes and exits arrive as finished(); only a program that never ran ends up here for good.
    if (error != QProcess::FailedToStart || !m_process)
        return;
    const QString why = m_process->errorString();
    m_urlTimer.stop();
    m_process->disconnect(this);
    m_process->deleteLater();
    m_process = nullptr;
    setState(State::Failed);
    Q_EMIT problem(QStringLiteral("The tunnel program \"%1\" could not be started (%2). %3")
                       .arg(m_provider.program, why, m_provider.installHint));
}

void TunnelProcess::onFinished(int exitCode, QProcess::ExitStatus status) {
    QProcess *const process = m_process;
    if (!process)
        return;
    // Whatever was still buffered, and a last line without its newline, may explain the exit.
    onReadyRead();
    if (m_process == process && !m_discardingLine && !m_partialLine.isEmpty())
        handleLine(m_partialLine);
    if (m_process != process)
        return; // a slot stopped or restarted us meanwhile
    m_partialLine.clear();
    m_discardingLine = false;

    m_urlTimer.stop();
    const bool ranLongEnough = m_runClock.isValid() && m_runClock.elapsed() >= m_resetBackoffAfterMs;
    m_process->disconnect(this);
    m_process->deleteLater();
    m_process = nullptr;

    if (ranLongEnough)
        m_nextBackoffMs = m_initialBackoffMs;
    const int delayMs = m_nextBackoffMs;
    m_nextBackoffMs = int(std::min<qint64>(qint64(delayMs) * 2, m_maxBackoffMs));

    const QString how = status == QProcess::CrashExit
                            ? QStringLiteral("was killed by signal %1").arg(exitCode)
                            : QStringLiteral("exited with code %1").arg(exitCode);
    QString message = QStringLiteral("The tunnel (%1) %2; restarting in %3.")
                          .arg(m_provider.displayName(), how, seconds(delayMs));
    const QString output = lastOutput();
    if (!output.isEmpty())
        message += QStringLiteral("\nLast output:\n") + output;
    // Timer before signals: a slot calling stop() must not see the restart scheduled after it.
    m_restartTimer.start(delayMs);
    setState(State::Restarting);
    Q_EMIT problem(message);
}

void TunnelProcess::onUrlTimeout() {
    if (!m_process || m_urlSeenThisRun)
        return;
    QString message =
        QStringLiteral("The tunnel (%1) has shown no public URL after %2; it keeps running in case "
                       "the network is just slow.")
            .arg(m_provider.displayName(), seconds(m_urlTimeoutMs));
    const QString output = lastOutput();
    message += output.isEmpty() ? QStringLiteral(" It has printed nothing.")
                                : QStringLiteral("\nLast output:\n") + output;
    Q_EMIT problem(message);
}

void TunnelProcess::setState(State state) {
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void TunnelProcess::setPublicUrl(const QUrl &url) {
    if (m_publicUrl == url)
        return;
    m_publicUrl = url;
    Q_EMIT publicUrlChanged(url);
}

QString TunnelProcess::lastOutput() const {
    const qsizetype first = std::max<qsizetype>(0, m_recentLines.size() - LinesInProblems);
    QStringList lines = m_recentLines.mid(first);
    for (QString &line : lines)
        line.prepend(QStringLiteral("  "));
    return lines.join(u'\n');
}

QString TunnelProcess::seconds(int ms) {
    return QStringLiteral("%1 s").arg(QString::number(ms / 1000.0, 'g', 3));
}

} // namespace net
