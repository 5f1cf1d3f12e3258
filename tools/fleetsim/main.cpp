// fleetsim: a simulated Smartcar fleet that posts signed VEHICLE_STATE webhooks to a receiver over
// real HTTP and reports how the receiver answered. Exit codes: 0 every delivery acknowledged (2xx),
// 1 some were not, 2 bad command line (missing or unreadable AMT, bad URL, bad number).
// With --retry it retries like Smartcar (same body, backoff) until each delivery is acknowledged;
// --ack-log lists the acknowledged eventIds; --count and --clock-start make a run repeatable.
// With --write-requests it posts nothing: it writes that many signed requests to a file for a load
// generator that replays them (wrk in bench/ingest), then exits 0 (1 if the file cannot be written).

#include "DeliveryPoster.h"
#include "RequestFileWriter.h"
#include "smartcar/SimulatedFleet.h"
#include "smartcar/WebhookSender.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QMap>
#include <QTextStream>
#include <QTimer>
#include <QUrl>
#include <algorithm>
#include <cmath>
#include <variant>
#include <vector>

#ifndef FLEETMON_VERSION
#define FLEETMON_VERSION "0.0.0"
#endif

namespace {

constexpr int kUsageError = 2;

struct Options {
    QUrl url;
    QByteArray amt;
    int vehicles = 20;
    double rate = 50;
    double durationS = 10;
    int connections = 4;
    quint64 seed = 1;
    QString requestFile; // --write-requests: write this file instead of posting
    qint64 requestCount = 0;
    qint64 postCount = 0;    // > 0: post exactly this many deliveries, --duration does not apply
    qint64 clockStartMs = 0; // > 0: bodies stamped from this simulated time, 1 s per delivery
    qint64 skip = 0;         // deliveries simulated and not posted before the first one posted
    bool retry = false;
    QString ackLog;
};

// The simulated clock of --clock-start advances this much per delivery: every delivery is
// strictly newer than the one before, whatever order a receiver applies them in.
constexpr qint64 kClockStepMs = 1000;

QTextStream &err() {
    static QTextStream stream(stderr);
    return stream;
}

int usageError(const QString &message) {
    err() << "fleetsim: " << message << "\n"
          << "Try 'fleetsim --help'.\n";
    err().flush();
    return kUsageError;
}

// Returns the options, or the exit code to leave with.
std::variant<Options, int> parseOptions(const QCoreApplication &app) {
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Simulated Smartcar fleet: posts signed VEHICLE_STATE webhooks (FIRST_DELIVERY for every "
        "vehicle, then changes) to URL and reports acknowledgements and latency."));
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    const QCommandLineOption url(QStringLiteral("url"),
                                 QStringLiteral("Receiver, e.g. http://127.0.0.1:8787/webhooks/smartcar."),
                                 QStringLiteral("URL"));
    const QCommandLineOption amtFile(
        QStringLiteral("amt-file"),
        QStringLiteral("File holding the Application Management Token that signs "
                       "the bodies (else env FLEETMON_AMT)."),
        QStringLiteral("FILE"));
    const QCommandLineOption vehicles(QStringLiteral("vehicles"), QStringLiteral("Fleet size (default 20)."),
                                      QStringLiteral("N"), QStringLiteral("20"));
    const QCommandLineOption rate(
        QStringLiteral("rate"),
        QStringLiteral("Change deliveries per second; 0 = as fast as the connections "
                       "allow (default 50)."),
        QStringLiteral("PER_S"), QStringLiteral("50"));
    const QCommandLineOption duration(
        QStringLiteral("duration"),
        QStringLiteral("Seconds of change deliveries after the first deliveries "
                       "(default 10)."),
        QStringLiteral("S"), QStringLiteral("10"));
    const QCommandLineOption connections(
        QStringLiteral("connections"),
        QStringLiteral("Keep-alive connections, one request in flight on each "
                       "(default 4)."),
        QStringLiteral("C"), QStringLiteral("4"));
    const QCommandLineOption seed(
        QStringLiteral("seed"), QStringLiteral("Seed of the simulation; same seed, same fleet (default 1)."),
        QStringLiteral("N"), QStringLiteral("1"));
    const QCommandLineOption writeRequests(
        QStringLiteral("write-requests"),
        QStringLiteral("Post nothing: write --count signed requests (complete HTTP/1.1 POSTs to the "
                       "--url path, default /webhooks/smartcar) to FILE for a load generator."),
        QStringLiteral("FILE"));
    const QCommandLineOption count(
        QStringLiteral("count"),
        QStringLiteral("How many deliveries. With --write-requests: the requests written (default "
                       "100000). Posting: exactly N deliveries, first deliveries included, instead "
                       "of running for --duration."),
        QStringLiteral("N"), QStringLiteral("100000"));
    const QCommandLineOption retry(
        QStringLiteral("retry"),
        QStringLiteral("Retry like Smartcar: a delivery not answered 2xx (refused, timed out, other "
                       "status) is posted again with the same body and eventId after 0.1 s, "
                       "doubling up to 1 s, until it is acknowledged. Without it a failure is final."));
    const QCommandLineOption ackLog(
        QStringLiteral("ack-log"),
        QStringLiteral("Append the eventId of every delivery answered 2xx to FILE, one per line, "
                       "written at each answer (readable while fleetsim runs)."),
        QStringLiteral("FILE"));
    const QCommandLineOption clockStart(
        QStringLiteral("clock-start"),
        QStringLiteral("Stamp the bodies from a simulated clock starting at MS (epoch milliseconds) "
                       "and advancing 1 s per delivery instead of the wall clock: the same seed, "
                       "count and clock start give byte-identical bodies on every run."),
        QStringLiteral("MS"));
    const QCommandLineOption skip(
        QStringLiteral("skip"),
        QStringLiteral("Simulate N deliveries without posting them, then post from there: continues "
                       "the fleet where a run with the same seed and vehicles that posted N "
                       "deliveries left it, with eventIds new to a receiver that took that run. "
                       "--count then counts the deliveries posted."),
        QStringLiteral("N"), QStringLiteral("0"));
    parser.addOptions({url, amtFile, vehicles, rate, duration, connections, seed, skip, writeRequests, count,
                       retry, ackLog, clockStart});

    if (!parser.parse(app.arguments()))
        return usageError(parser.errorText());
    if (parser.isSet(helpOption))
        parser.showHelp(0);
    if (parser.isSet(versionOption))
        parser.showVersion();
    if (!parser.positionalArguments().isEmpty())
        return usageError(
            QStringLiteral("unexpected argument \"%1\"").arg(parser.positionalArguments().first()));

    Options o;
    bool ok = false;
    o.requestFile = parser.value(writeRequests);
    if (!o.requestFile.isEmpty()) {
        if (parser.isSet(skip))
            return usageError(
                QStringLiteral("--skip continues a posting run; it does not apply to --write-requests"));
        o.requestCount = parser.value(count).toLongLong(&ok);
        if (!ok || o.requestCount < 1)
            return usageError(QStringLiteral("--count must be a whole number >= 1"));
        o.url =
            QUrl(parser.isSet(url) ? parser.value(url) : QStringLiteral("http://127.0.0.1/webhooks/smartcar"),
                 QUrl::StrictMode);
    } else {
        if (!parser.isSet(url))
            return usageError(QStringLiteral("--url is required"));
        o.url = QUrl(parser.value(url), QUrl::StrictMode);
        if (parser.isSet(count)) {
            o.postCount = parser.value(count).toLongLong(&ok);
            if (!ok || o.postCount < 1)
                return usageError(QStringLiteral("--count must be a whole number >= 1"));
        }
        o.skip = parser.value(skip).toLongLong(&ok);
        if (!ok || o.skip < 0)
            return usageError(QStringLiteral("--skip must be a whole number >= 0"));
        o.retry = parser.isSet(retry);
        o.ackLog = parser.value(ackLog);
        if (parser.isSet(clockStart)) {
            o.clockStartMs = parser.value(clockStart).toLongLong(&ok);
            if (!ok || o.clockStartMs < 1)
                return usageError(QStringLiteral("--clock-start must be epoch milliseconds >= 1"));
        }
    }
    if (const QString why = smartcar::WebhookSender::urlError(o.url); !why.isEmpty())
        return usageError(QStringLiteral("bad --url: %1").arg(why));

    if (parser.isSet(amtFile)) {
        QFile file(parser.value(amtFile));
        if (!file.open(QIODevice::ReadOnly))
            return usageError(
                QStringLiteral("cannot read AMT file \"%1\": %2").arg(file.fileName(), file.errorString()));
        o.amt = file.readAll().trimmed(); // files usually end in a newline that is not part of the token
        if (o.amt.isEmpty())
            return usageError(QStringLiteral("AMT file \"%1\" is empty").arg(file.fileName()));
    } else {
        o.amt = qgetenv("FLEETMON_AMT").trimmed();
        if (o.amt.isEmpty())
            return usageError(QStringLiteral("no Application Management Token: pass --amt-file FILE or set "
                                             "FLEETMON_AMT"));
    }

    o.vehicles = parser.value(vehicles).toInt(&ok);
    if (!ok || o.vehicles < 1)
        return usageError(QStringLiteral("--vehicles must be a whole number >= 1"));
    o.rate = parser.value(rate).toDouble(&ok);
    if (!ok || !std::isfinite(o.rate) || o.rate < 0)
        return usageError(QStringLiteral("--rate must be a number >= 0"));
    o.durationS = parser.value(duration).toDouble(&ok);
    if (!ok || !std::isfinite(o.durationS) || o.durationS < 0)
        return usageError(QStringLiteral("--duration must be a number of seconds >= 0"));
    o.connections = parser.value(connections).toInt(&ok);
    if (!ok || o.connections < 1 || o.connections > 1024)
        return usageError(QStringLiteral("--connections must be a whole number from 1 to 1024"));
    o.seed = parser.value(seed).toULongLong(&ok);
    if (!ok)
        return usageError(QStringLiteral("--seed must be a whole number >= 0"));
    return o;
}

// Drives the fleet into the sender: first deliveries as fast as the connections allow, then changes
// paced by a token bucket (or closed-loop at rate 0) for the duration, then waits for the answers.
class Run final {
public:
    Run(const Options &options, QCoreApplication &app)
        : m_options(options)
        , m_app(app)
        , m_fleet(options.vehicles, options.seed)
        , m_sender(options.url, options.amt, options.connections) {
        m_sender.setRetry(options.retry);
        // In rate mode the receiver may fall behind; beyond this backlog the generator waits
        // instead of queueing without bound (the summary shows the rate achieved).
        m_maxInFlight = options.rate > 0 ? options.connections * 16 : options.connections;
        QObject::connect(&m_sender, &DeliveryPoster::delivered, &m_sender, [this](int, qint64 latencyNs) {
            m_latenciesNs.push_back(latencyNs);
            onAnswer();
        });
        QObject::connect(&m_sender, &DeliveryPoster::failed, &m_sender,
                         [this](const QString &error, bool willRetry) {
                             ++m_failures[error];
                             if (!willRetry)
                                 onAnswer();
                         });
        m_pacer.setTimerType(Qt::PreciseTimer);
        QObject::connect(&m_pacer, &QTimer::timeout, &m_sender, [this] { pace(); });
    }

    bool openAckLog(QString *error) {
        return m_options.ackLog.isEmpty() || m_sender.openAckLog(m_options.ackLog, error);
    }

    void start() {
        QTextStream(stdout) << "fleetsim: " << m_options.vehicles << " vehicles (seed " << m_options.seed
                            << ") -> " << m_options.url.toString() << ", " << m_options.connections
                            << " connections, rate "
                            << (m_options.rate > 0 ? QString::number(m_options.rate) + QStringLiteral("/s")
                                                   : QStringLiteral("unlimited"))
                            << ", " << m_options.durationS << " s\n";
        // What an earlier run posted is simulated again, unposted: the fleet's vehicles and their
        // state go on from there, and so does the random stream the eventIds come from.
        while (m_fleet.deliveryCount() < m_options.skip)
            m_fleet.nextDelivery(nowMs());
        m_clock.start();
        fillFirstDeliveries();
        if (m_sender.inFlight() == 0) // every first delivery was among the skipped ones
            startChanges();
    }

    int exitCode() const {
        return m_sender.failedCount() == 0 && m_sender.acknowledgedCount() == m_sender.sentCount() ? 0 : 1;
    }

private:
    enum class Phase { First, Changes, Draining, Done };

    qint64 nowMs() const {
        return m_options.clockStartMs > 0 ? m_options.clockStartMs + m_fleet.deliveryCount() * kClockStepMs
                                          : QDateTime::currentMSecsSinceEpoch();
    }

    void post() { m_sender.post(m_fleet.nextDelivery(nowMs())); }

    bool countReached() const {
        return m_options.postCount > 0 && m_fleet.deliveryCount() - m_options.skip >= m_options.postCount;
    }

    void fillFirstDeliveries() {
        while (!m_fleet.firstDeliveriesDone() && !countReached() &&
               m_sender.inFlight() < m_options.connections) {
            post();
            ++m_firstSent;
        }
    }

    void onAnswer() {
        switch (m_phase) {
        case Phase::First:
            fillFirstDeliveries();
            if ((m_fleet.firstDeliveriesDone() || countReached()) && m_sender.inFlight() == 0)
                startChanges();
            break;
        case Phase::Changes:
            if (m_options.rate > 0)
                pace(); // a freed slot may let a waiting token through
            else
                fillClosedLoop();
            break;
        case Phase::Draining:
            if (m_sender.inFlight() == 0)
                finish();
            break;
        case Phase::Done:
            break;
        }
    }

    void startChanges() {
        m_phase = Phase::Changes;
        m_changesStartNs = m_clock.nsecsElapsed();
        m_lastRefillNs = m_changesStartNs;
        if (m_options.postCount > 0 ? countReached() : m_options.durationS <= 0) {
            drain();
            return;
        }
        if (m_options.rate > 0) {
            // Tick often enough that one tick's tokens stay a small burst, but no more than 1 kHz.
            m_pacer.start(std::clamp(int(1000.0 / m_options.rate), 1, 10));
            m_tokens = 1; // the first change goes out at once
            pace();
        } else {
            fillClosedLoop();
        }
    }

    bool durationOver() const {
        if (m_options.postCount > 0)
            return countReached();
        return double(m_clock.nsecsElapsed() - m_changesStartNs) >= m_options.durationS * 1e9;
    }

    void pace() {
        if (m_phase != Phase::Changes)
            return;
        if (durationOver()) {
            drain();
            return;
        }
        const qint64 now = m_clock.nsecsElapsed();
        const double burst = std::max(1.0, m_options.rate * 0.1);
        m_tokens = std::min(burst, m_tokens + m_options.rate * double(now - m_lastRefillNs) * 1e-9);
        m_lastRefillNs = now;
        // The count is checked per post: a burst of tokens or free connections must not overshoot it.
        while (m_tokens >= 1.0 && m_sender.inFlight() < m_maxInFlight && !countReached()) {
            m_tokens -= 1.0;
            post();
            ++m_changesSent;
        }
        if (countReached())
            drain(); // the change phase ends with its last post, not with the answer after it
    }

    void fillClosedLoop() {
        if (durationOver()) {
            drain();
            return;
        }
        // Checked per post, as in pace(): free connections are no reason to go past --count.
        while (m_sender.inFlight() < m_options.connections && !countReached()) {
            post();
            ++m_changesSent;
        }
        if (countReached())
            drain();
    }

    void drain() {
        m_pacer.stop();
        m_phase = Phase::Draining;
        m_changesEndNs = m_clock.nsecsElapsed();
        if (m_sender.inFlight() == 0)
            finish();
    }

    void finish() {
        m_phase = Phase::Done;
        const double totalS = double(m_clock.nsecsElapsed()) * 1e-9;
        const double changesS = double(m_changesEndNs - m_changesStartNs) * 1e-9;

        QTextStream out(stdout);
        out.setRealNumberNotation(QTextStream::FixedNotation);
        out << "sent:          " << m_sender.sentCount() << " (" << m_firstSent << " first deliveries, "
            << m_changesSent << " changes)\n";
        out << "acknowledged:  " << m_sender.acknowledgedCount() << " (2xx)\n";
        out << "failed:        " << m_sender.failedCount() << "\n";
        if (m_options.retry)
            out << "retried:       " << m_sender.retriedCount() << " attempts (" << m_sender.attemptCount()
                << " requests in all)\n";
        for (auto it = m_failures.cbegin(); it != m_failures.cend(); ++it)
            out << "  " << it.key() << ": " << it.value() << "\n";
        out.setRealNumberPrecision(1);
        out << "deliveries/s:  " << (totalS > 0 ? double(m_sender.sentCount()) / totalS : 0.0) << " overall ("
            << m_sender.sentCount() << " in " << totalS << " s)";
        if (changesS > 0)
            out << ", " << double(m_changesSent) / changesS << " during the change phase";
        out << "\n";
        if (!m_latenciesNs.empty()) {
            std::sort(m_latenciesNs.begin(), m_latenciesNs.end());
            // Nearest rank: the smallest sample with at least p of all samples at or below it.
            auto percentileMs = [this](double p) {
                const size_t n = m_latenciesNs.size();
                const size_t rank = size_t(std::ceil(p * double(n)));
                return double(m_latenciesNs[std::clamp<size_t>(rank, 1, n) - 1]) * 1e-6;
            };
            out.setRealNumberPrecision(3);
            out << "latency ms:    p50 " << percentileMs(0.50) << "  p90 " << percentileMs(0.90) << "  p99 "
                << percentileMs(0.99) << "  max " << double(m_latenciesNs.back()) * 1e-6
                << "  (acknowledged deliveries)\n";
        } else {
            out << "latency ms:    n/a (nothing acknowledged)\n";
        }
        out.flush();
        m_app.exit(exitCode());
    }

    Options m_options;
    QCoreApplication &m_app;
    smartcar::SimulatedFleet m_fleet;
    DeliveryPoster m_sender;
    QTimer m_pacer;
    QElapsedTimer m_clock;
    Phase m_phase = Phase::First;
    int m_maxInFlight = 1;
    double m_tokens = 0;
    qint64 m_lastRefillNs = 0;
    qint64 m_changesStartNs = 0;
    qint64 m_changesEndNs = 0;
    qint64 m_firstSent = 0;
    qint64 m_changesSent = 0;
    std::vector<qint64> m_latenciesNs;
    QMap<QString, qint64> m_failures;
};

int writeRequestFile(const Options &options) {
    QByteArray target = options.url.path(QUrl::FullyEncoded).toUtf8();
    if (target.isEmpty())
        target = "/";
    if (options.url.hasQuery())
        target += "?" + options.url.query(QUrl::FullyEncoded).toUtf8();
    RequestFileWriter::Summary summary;
    QString error;
    QElapsedTimer clock;
    clock.start();
    if (!RequestFileWriter::write(options.requestFile, options.requestCount, options.vehicles, options.seed,
                                  options.amt, target, &summary, &error)) {
        err() << "fleetsim: " << error << "\n";
        return 1;
    }
    QTextStream out(stdout);
    out << "requests:      " << summary.count << " (" << options.vehicles << " vehicles, seed "
        << options.seed << ") -> " << options.requestFile << ", " << summary.fileBytes << " bytes in "
        << clock.elapsed() << " ms\n";
    out << "body bytes:    min " << summary.minBodyBytes << "  mean "
        << (summary.count > 0 ? summary.totalBodyBytes / summary.count : 0) << "  max "
        << summary.maxBodyBytes << "\n";
    return 0;
}

} // namespace

int main(int argc, char *argv[]) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("fleetsim"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FLEETMON_VERSION));

    const auto parsed = parseOptions(app);
    if (const int *code = std::get_if<int>(&parsed))
        return *code;

    const Options &options = std::get<Options>(parsed);
    if (!options.requestFile.isEmpty())
        return writeRequestFile(options);

    Run run(options, app);
    if (QString error; !run.openAckLog(&error)) {
        err() << "fleetsim: " << error << "\n";
        err().flush();
        return kUsageError;
    }
    QTimer::singleShot(0, &app, [&run] { run.start(); });
    return app.exec();
}
