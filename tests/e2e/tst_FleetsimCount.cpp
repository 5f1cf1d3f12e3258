// fleetsim --count N posts exactly N distinct deliveries in every mode (closed loop, paced) and
// whatever the number of connections, then exits once each one is answered or given up; with
// --retry the attempts that follow a refusal repeat a delivery and are not new ones. --duration
// posts for the time asked and reports every delivery it posted. A real HttpServer on loopback
// receives the deliveries, counts them by eventId, checks their signature and refuses chosen first
// attempts with 503, as a receiver that cannot store them does. --skip N continues the fleet where
// a run that posted N deliveries left it: together the two post what one longer run posts.

#include "net/HttpServer.h"
#include "net/RequestHandler.h"
#include "smartcar/Signature.h"
#include "support/ServerThread.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

using testsupport::ServerThread;

namespace {

const QByteArray kAmt = "fleetsim-count-amt";

// Answers every delivery 200, except that the first `refusals` attempts of every `refuseEvery`-th
// delivery (in order of first arrival) are answered 503. Runs on the server thread; the counts
// are read from the test thread, hence the mutex.
class CountingReceiver final : public net::RequestHandler {
public:
    CountingReceiver(int refuseEvery, int refusals)
        : m_refuseEvery(refuseEvery)
        , m_refusals(refusals) {}

    void handleRequest(const net::HttpRequest &request, const net::Responder &responder) override {
        const QString eventId =
            QJsonDocument::fromJson(request.body).object().value(QLatin1String("eventId")).toString();
        const bool signedRight =
            request.header("SC-Signature") == smartcar::Signature::hmacSha256Hex(kAmt, request.body);
        QMutexLocker lock(&m_mutex);
        ++m_requests;
        if (eventId.isEmpty() || !signedRight) {
            ++m_bad;
            responder.respond(net::HttpResponse::json(400, R"({"error":"bad delivery"})"));
            return;
        }
        if (!m_order.contains(eventId)) {
            m_order.insert(eventId, int(m_order.size()) + 1);
            if (request.body.contains("FIRST_DELIVERY"))
                ++m_first;
        }
        const int attempt = ++m_attempts[eventId];
        if (m_refuseEvery > 0 && m_order.value(eventId) % m_refuseEvery == 0 && attempt <= m_refusals) {
            ++m_refused;
            responder.respond(net::HttpResponse::json(503, R"({"error":"not stored, try again"})"));
            return;
        }
        ++m_acknowledged[eventId];
        responder.respond(net::HttpResponse::json(200, R"({"status":"accepted"})"));
    }

    int distinct() const {
        QMutexLocker lock(&m_mutex);
        return int(m_attempts.size());
    }
    int requests() const {
        QMutexLocker lock(&m_mutex);
        return m_requests;
    }
    int refused() const {
        QMutexLocker lock(&m_mutex);
        return m_refused;
    }
    int bad() const {
        QMutexLocker lock(&m_mutex);
        return m_bad;
    }
    // Deliveries answered 200 more than once: a retry of what was already acknowledged.
    int acknowledgedTwice() const {
        QMutexLocker lock(&m_mutex);
        int n = 0;
        for (const int times : m_acknowledged)
            n += times > 1 ? 1 : 0;
        return n;
    }
    int acknowledged() const {
        QMutexLocker lock(&m_mutex);
        return int(m_acknowledged.size());
    }
    QSet<QString> eventIds() const {
        QMutexLocker lock(&m_mutex);
        const QList<QString> ids = m_attempts.keys();
        return QSet<QString>(ids.cbegin(), ids.cend());
    }
    // Deliveries whose body marks them as the vehicle's first.
    int firstDeliveries() const {
        QMutexLocker lock(&m_mutex);
        return m_first;
    }

private:
    const int m_refuseEvery;
    const int m_refusals;
    mutable QMutex m_mutex;
    QHash<QString, int> m_order; // eventId -> rank of its first arrival, from 1
    QHash<QString, int> m_attempts;
    QHash<QString, int> m_acknowledged;
    int m_requests = 0;
    int m_refused = 0;
    int m_bad = 0;
    int m_first = 0;
};

// The number after `label` in fleetsim's summary, or -1.
qint64 summaryValue(const QByteArray &out, const char *label) {
    const QRegularExpression re(QStringLiteral("^%1:\\s+(\\d+)").arg(QLatin1String(label)),
                                QRegularExpression::MultilineOption);
    const QRegularExpressionMatch m = re.match(QString::fromUtf8(out));
    return m.hasMatch() ? m.captured(1).toLongLong() : -1;
}

} // namespace

class tst_FleetsimCount final : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_amtFile;

    // Runs fleetsim against `receiver` with `arguments` after the URL and AMT; its output, or a
    // failure when it did not exit 0 within the (generous) timeout.
    QByteArray runFleetsim(CountingReceiver *receiver, const QStringList &arguments, int *exitCode,
                           qint64 *elapsedMs) {
        ServerThread server(receiver);
        QProcess sim;
        sim.setProcessChannelMode(QProcess::MergedChannels);
        QElapsedTimer clock;
        clock.start();
        sim.start(QStringLiteral(FLEETSIM_BINARY),
                  QStringList{"--url",
                              QStringLiteral("http://127.0.0.1:%1/webhooks/smartcar").arg(server.port()),
                              "--amt-file", m_amtFile, "--seed", "7"} +
                      arguments);
        // A run that posts one delivery too few waits for an answer that never comes: no hang may
        // pass for a slow machine, but a loaded one gets ample time.
        const bool finished = sim.waitForFinished(30000);
        *elapsedMs = clock.elapsed();
        if (!finished) {
            sim.kill();
            sim.waitForFinished(5000);
            *exitCode = -1;
        } else {
            *exitCode = sim.exitStatus() == QProcess::NormalExit ? sim.exitCode() : -1;
        }
        return sim.readAll();
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_tmp.isValid());
        m_amtFile = m_tmp.filePath(QStringLiteral("amt"));
        QFile amt(m_amtFile);
        QVERIFY(amt.open(QIODevice::WriteOnly));
        amt.write(kAmt + "\n");
    }

    // Exactly --count distinct deliveries reach the receiver and fleetsim reports that many, with
    // fewer, as many or more connections than deliveries; it exits once each is answered, or given
    // up (no --retry: a refused delivery is final, exit code 1). With --retry the refused ones are
    // posted again until stored: more requests, not more deliveries.
    void countIsExact_data() {
        QTest::addColumn<QString>("rate");
        QTest::addColumn<int>("vehicles");
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("connections");
        QTest::addColumn<int>("refuseEvery"); // the first attempts of every n-th delivery get 503; 0: none
        QTest::addColumn<int>("refusals");    // how many of its first attempts
        QTest::addColumn<bool>("retry");

        // The count is reached among the changes (25 first deliveries, then 5 changes).
        for (const int c : {1, 4, 5, 30, 64})
            QTest::addRow("closed loop, %d connections", c) << "0" << 25 << 30 << c << 0 << 0 << false;
        // The count is reached among the first deliveries.
        QTest::newRow("closed loop, count within the first deliveries")
            << "0" << 25 << 10 << 64 << 0 << 0 << false;
        QTest::newRow("paced with a large burst") << "2000" << 25 << 30 << 64 << 0 << 0 << false;
        QTest::newRow("paced, 4 connections") << "300" << 5 << 30 << 4 << 0 << 0 << false;

        // Every third delivery refused once (or twice) before it is stored.
        for (const int c : {1, 4, 30, 64})
            QTest::addRow("closed loop, retry, %d connections", c) << "0" << 25 << 30 << c << 3 << 1 << true;
        QTest::newRow("closed loop, retry, refused twice") << "0" << 5 << 30 << 8 << 3 << 2 << true;
        QTest::newRow("closed loop, retry, every delivery refused") << "0" << 5 << 12 << 16 << 1 << 1 << true;
        QTest::newRow("paced, retry") << "2000" << 25 << 30 << 64 << 3 << 1 << true;
        QTest::newRow("closed loop, refusals given up") << "0" << 25 << 30 << 64 << 3 << 1 << false;
    }
    void countIsExact() {
        QFETCH(QString, rate);
        QFETCH(int, vehicles);
        QFETCH(int, count);
        QFETCH(int, connections);
        QFETCH(int, refuseEvery);
        QFETCH(int, refusals);
        QFETCH(bool, retry);

        CountingReceiver receiver(refuseEvery, refusals);
        QStringList arguments{"--rate",        rate,
                              "--vehicles",    QString::number(vehicles),
                              "--count",       QString::number(count),
                              "--connections", QString::number(connections)};
        if (retry)
            arguments << "--retry";
        int exitCode = 0;
        qint64 elapsedMs = 0;
        const QByteArray out = runFleetsim(&receiver, arguments, &exitCode, &elapsedMs);
        const int refusedDeliveries = refuseEvery > 0 ? count / refuseEvery : 0;
        const int givenUp = retry ? 0 : refusedDeliveries;
        QVERIFY2(exitCode == (givenUp > 0 ? 1 : 0), out.constData());

        const int refusedAttempts = retry ? refusedDeliveries * refusals : refusedDeliveries;
        QCOMPARE(receiver.bad(), 0);
        QCOMPARE(receiver.distinct(), count);
        QCOMPARE(receiver.acknowledged(), count - givenUp);
        QCOMPARE(receiver.acknowledgedTwice(), 0);
        QCOMPARE(receiver.refused(), refusedAttempts);
        QCOMPARE(receiver.requests(), count + (retry ? refusedAttempts : 0));
        QCOMPARE(summaryValue(out, "sent"), qint64(count));
        QCOMPARE(summaryValue(out, "acknowledged"), qint64(count - givenUp));
        QCOMPARE(summaryValue(out, "failed"), qint64(givenUp));
        if (retry)
            QCOMPARE(summaryValue(out, "retried"), qint64(refusedAttempts));
        qInfo("%d deliveries, %d requests, %lld ms", count, receiver.requests(), elapsedMs);
    }

    // --duration (no --count) stops posting when the time is up and reports every delivery it
    // posted: what the receiver got is what fleetsim says it sent, each acknowledged once.
    void durationReportsWhatItSent_data() {
        QTest::addColumn<QString>("rate");
        QTest::addColumn<int>("connections");
        QTest::addColumn<bool>("retry");
        QTest::newRow("closed loop") << "0" << 8 << false;
        QTest::newRow("closed loop, retry") << "0" << 8 << true;
        QTest::newRow("paced") << "200" << 16 << false;
    }
    void durationReportsWhatItSent() {
        QFETCH(QString, rate);
        QFETCH(int, connections);
        QFETCH(bool, retry);
        CountingReceiver receiver(retry ? 4 : 0, 1);
        QStringList arguments{"--rate",     rate,  "--vehicles",    "5",
                              "--duration", "0.3", "--connections", QString::number(connections)};
        if (retry)
            arguments << "--retry";
        int exitCode = 0;
        qint64 elapsedMs = 0;
        const QByteArray out = runFleetsim(&receiver, arguments, &exitCode, &elapsedMs);
        QVERIFY2(exitCode == 0, out.constData());
        const qint64 sent = summaryValue(out, "sent");
        QVERIFY2(sent > 5, out.constData()); // the first deliveries and some changes
        QCOMPARE(receiver.bad(), 0);
        QCOMPARE(qint64(receiver.distinct()), sent);
        QCOMPARE(qint64(receiver.acknowledged()), sent);
        QCOMPARE(receiver.acknowledgedTwice(), 0);
        QCOMPARE(summaryValue(out, "acknowledged"), sent);
        QCOMPARE(qint64(receiver.requests()), sent + receiver.refused());
        qInfo("%lld deliveries, %d requests, %lld ms", sent, receiver.requests(), elapsedMs);
    }

    // A run of 12 deliveries (5 vehicles: their first deliveries, then changes) and one that skips
    // those 12 and posts 8 more reach one receiver as 20 distinct deliveries, the second without a
    // first delivery, and they are the very deliveries one run of 20 posts (same seed, same
    // eventIds): the continuation is the fleet going on, not a new fleet nor a replay. Skipping
    // into the first deliveries posts the rest of them before the changes.
    void skipContinuesTheFleet_data() {
        QTest::addColumn<int>("firstCount"); // posted by the first run, skipped by the second
        QTest::addColumn<int>("firstDeliveriesAfterSkip");
        QTest::newRow("skip past the first deliveries") << 12 << 0;
        QTest::newRow("skip into the first deliveries") << 3 << 2;
    }
    void skipContinuesTheFleet() {
        QFETCH(int, firstCount);
        QFETCH(int, firstDeliveriesAfterSkip);
        const int total = 20;
        const QStringList common{"--rate", "0", "--vehicles", "5", "--connections", "4"};
        int exitCode = 0;
        qint64 elapsedMs = 0;

        CountingReceiver continued(0, 0);
        QByteArray out = runFleetsim(&continued, common + QStringList{"--count", QString::number(firstCount)},
                                     &exitCode, &elapsedMs);
        QVERIFY2(exitCode == 0, out.constData());
        const int firstBefore = continued.firstDeliveries();
        out = runFleetsim(&continued,
                          common + QStringList{"--skip", QString::number(firstCount), "--count",
                                               QString::number(total - firstCount)},
                          &exitCode, &elapsedMs);
        QVERIFY2(exitCode == 0, out.constData());
        QCOMPARE(summaryValue(out, "sent"), qint64(total - firstCount));
        QCOMPARE(continued.bad(), 0);
        QCOMPARE(continued.distinct(), total);
        QCOMPARE(continued.acknowledgedTwice(), 0);
        QCOMPARE(continued.firstDeliveries() - firstBefore, firstDeliveriesAfterSkip);
        QCOMPARE(continued.firstDeliveries(), 5);

        CountingReceiver whole(0, 0);
        out = runFleetsim(&whole, common + QStringList{"--count", QString::number(total)}, &exitCode,
                          &elapsedMs);
        QVERIFY2(exitCode == 0, out.constData());
        QCOMPARE(whole.eventIds(), continued.eventIds());
    }

    // --skip is a posting run's; a request file has no earlier run to continue.
    void skipRefusesRequestFiles() {
        QProcess sim;
        sim.setProcessChannelMode(QProcess::MergedChannels);
        sim.start(QStringLiteral(FLEETSIM_BINARY),
                  QStringList{"--write-requests", m_tmp.filePath(QStringLiteral("requests")), "--amt-file",
                              m_amtFile, "--count", "5", "--skip", "3"});
        QVERIFY(sim.waitForFinished(30000));
        QCOMPARE(sim.exitCode(), 2);
        QVERIFY2(sim.readAll().contains("--skip"), "the error names the option");
        QVERIFY(!QFile::exists(m_tmp.filePath(QStringLiteral("requests"))));
    }
};

QTEST_GUILESS_MAIN(tst_FleetsimCount)
#include "tst_FleetsimCount.moc"
