// Slow clients against the real `fleetmon --headless`: 1,000 connections each trickling a
// valid-looking request one byte a second, never completing it, while Smartcar-signed deliveries
// flow over keep-alive connections. The deliveries must keep at least 80 % of the throughput they
// have alone, every one acknowledged with 2xx and in the journal, and the server's memory must stay
// within a bound that a thousand such clients justify.

#include "smartcar/SimulatedFleet.h"
#include "smartcar/WebhookSender.h"
#include "support/FleetmonProcess.h"
#include "support/SanitizerBuild.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>
#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

constexpr int kSlowClients = 1000;
constexpr int kFleet = 50;
constexpr int kSenderConnections = 32;
constexpr int kWindowMs = 4000;

// The slow clients: plain blocking POSIX sockets driven by a thread of their own, so that 1,000 of
// them cost the measuring client's event loop nothing. Each sends the next byte of an endless
// request once a second (spread evenly over the second); a connection the server closes, or
// answers (408), is opened again at its next turn, as an attacker would.
class SlowClients final {
public:
    SlowClients(quint16 port, int count)
        : m_port(port)
        , m_fds(size_t(count), -1)
        , m_sent(size_t(count), 0) {
        m_request = "POST /webhooks/smartcar HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    "Content-Type: application/json\r\nContent-Length: 4096\r\n"
                    "SC-Signature: 5f1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9\r\n";
        for (int i = 0; i < 200; ++i) // never reaches the blank line that would end the header block
            m_request += "X-Slow-" + QByteArray::number(i) + ": still coming\r\n";
        m_thread = std::thread([this] { run(); });
    }
    ~SlowClients() {
        m_stop = true;
        m_thread.join();
        for (int fd : m_fds)
            if (fd >= 0)
                ::close(fd);
    }
    int connected() const { return m_connected; }
    qint64 reopened() const { return m_reopened; }
    qint64 bytesSent() const { return m_bytes; }

private:
    void run() {
        const auto slot = std::chrono::microseconds(1'000'000 / m_fds.size());
        auto next = std::chrono::steady_clock::now();
        while (!m_stop) {
            for (size_t i = 0; i < m_fds.size() && !m_stop; ++i) {
                next += slot;
                std::this_thread::sleep_until(next);
                turn(i);
            }
        }
    }

    void turn(size_t i) {
        int &fd = m_fds[i];
        if (fd >= 0) {
            char answer[512];
            const ssize_t got = ::recv(fd, answer, sizeof answer, MSG_DONTWAIT);
            const bool closedOrAnswered = got >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
            const char byte = m_request.at(qsizetype(m_sent[i] % quint64(m_request.size())));
            if (closedOrAnswered || ::send(fd, &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT) != 1) {
                ::close(fd);
                fd = -1;
                --m_connected;
                ++m_reopened;
            } else {
                ++m_sent[i];
                ++m_bytes;
                return;
            }
        }
        fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            return;
        timeval timeout{2, 0}; // a connect stuck behind a full accept queue gives up its turn
        ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(m_port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) != 0) {
            ::close(fd);
            fd = -1;
            return;
        }
        m_sent[i] = 0;
        ++m_connected;
        const char byte = m_request.at(0);
        if (::send(fd, &byte, 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1) {
            m_sent[i] = 1;
            ++m_bytes;
        }
    }

    quint16 m_port;
    QByteArray m_request;
    std::vector<int> m_fds;
    std::vector<quint64> m_sent;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_connected{0};
    std::atomic<qint64> m_reopened{0};
    std::atomic<qint64> m_bytes{0};
    std::thread m_thread;
};

qint64 statusKb(qint64 pid, const QByteArray &field) {
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n'))
        if (line.startsWith(field + ':'))
            return line.mid(field.size() + 1).trimmed().split(' ').first().toLongLong();
    return -1;
}

int openDescriptors(qint64 pid) {
    return int(
        QDir(QStringLiteral("/proc/%1/fd").arg(pid)).entryList(QDir::NoDotAndDotDot | QDir::System).size());
}

} // namespace

class tst_SlowClients final : public QObject {
    Q_OBJECT

private:
    // Posts signed deliveries closed-loop (one in flight per connection) for windowMs and returns
    // how many were acknowledged per second; what is still in flight is waited for.
    double signedThroughput(smartcar::WebhookSender &sender, smartcar::SimulatedFleet &fleet, int windowMs) {
        const qint64 ackedBefore = sender.acknowledgedCount();
        QElapsedTimer clock;
        clock.start();
        QMetaObject::Connection refill;
        const auto fill = [&] {
            while (sender.inFlight() < kSenderConnections && clock.elapsed() < windowMs)
                sender.post(fleet.nextDelivery(QDateTime::currentMSecsSinceEpoch()));
        };
        refill = connect(&sender, &smartcar::WebhookSender::delivered, this, fill);
        const auto failedConnection = connect(&sender, &smartcar::WebhookSender::failed, this, fill);
        fill();
        while (clock.elapsed() < windowMs)
            QTest::qWait(20);
        const double seconds = double(clock.elapsed()) / 1000.0;
        const qint64 acked = sender.acknowledgedCount() - ackedBefore;
        disconnect(refill);
        disconnect(failedConnection);
        QElapsedTimer drain;
        drain.start();
        while (sender.inFlight() > 0 && drain.elapsed() < 20000)
            QTest::qWait(10);
        return sender.inFlight() == 0 ? double(acked) / seconds : -1; // -1: answers never came
    }
    // Fails the test for a window whose deliveries were not all answered.
    static bool answered(double throughput) { return throughput >= 0; }

private Q_SLOTS:
    void initTestCase() {
        // Both ends of a thousand sockets live on this machine; this process holds one end.
        rlimit limit{};
        QVERIFY(getrlimit(RLIMIT_NOFILE, &limit) == 0);
        limit.rlim_cur = limit.rlim_max;
        QVERIFY(setrlimit(RLIMIT_NOFILE, &limit) == 0);
        if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < rlim_t(kSlowClients + 256))
            QSKIP(qPrintable(QStringLiteral("the hard descriptor limit (%1) is below the %2 this test needs")
                                 .arg(quint64(limit.rlim_max))
                                 .arg(kSlowClients + 256)));
    }

    void signedTrafficKeepsItsPaceUnderAThousandSlowClients() {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString dataDir = dir.filePath(QStringLiteral("data"));
        testsupport::FleetmonProcess fleetmon(dataDir, "slow-clients-amt");
        QVERIFY2(fleetmon.start(), fleetmon.process().readAllStandardError().constData());
        const qint64 pid = fleetmon.process().processId();
        const QUrl url(QStringLiteral("http://127.0.0.1:%1/webhooks/smartcar").arg(fleetmon.port()));

        smartcar::SimulatedFleet fleet(kFleet, 7);
        smartcar::WebhookSender sender(url, "slow-clients-amt", kSenderConnections);
        // Warm-up: every vehicle's first delivery, the connections open, the journal's pages warm.
        QVERIFY(answered(signedThroughput(sender, fleet, 3000)));

        // Measured in the order unloaded, loaded, loaded, unloaded, so that a change in what else
        // this shared machine runs weighs on both sides alike.
        const double unloaded1 = signedThroughput(sender, fleet, kWindowMs);
        QVERIFY(answered(unloaded1));
        const qint64 rssBeforeKb = statusKb(pid, "VmRSS");
        const int descriptorsBefore = openDescriptors(pid);

        double loaded1 = 0, loaded2 = 0;
        qint64 rssSlowKb = 0, rssLoadedKb = 0;
        int descriptorsLoaded = 0;
        qint64 reopened = 0, trickled = 0;
        {
            SlowClients slow(fleetmon.port(), kSlowClients);
            QTRY_VERIFY_WITH_TIMEOUT(slow.connected() >= kSlowClients, 15000);
            // The server holds every one of them (a refused or evicted client would not count here).
            QTRY_VERIFY_WITH_TIMEOUT(openDescriptors(pid) >= descriptorsBefore + kSlowClients, 15000);
            descriptorsLoaded = openDescriptors(pid);
            // Each has trickled a few bytes; in the second window they meet the 10 s deadline.
            QTest::qWait(3000);
            rssSlowKb = statusKb(pid, "VmRSS"); // what the slow clients cost, before more signed traffic
            loaded1 = signedThroughput(sender, fleet, kWindowMs);
            QVERIFY(answered(loaded1));
            rssLoadedKb = statusKb(pid, "VmRSS");
            loaded2 = signedThroughput(sender, fleet, kWindowMs);
            QVERIFY(answered(loaded2));
            rssLoadedKb = std::max(rssLoadedKb, statusKb(pid, "VmRSS"));
            QVERIFY2(slow.connected() >= kSlowClients * 9 / 10,
                     qPrintable(QStringLiteral("only %1 slow clients connected").arg(slow.connected())));
            reopened = slow.reopened();
            trickled = slow.bytesSent();
        }
        // The slow clients are gone; the server lets go of their descriptors.
        QTRY_VERIFY_WITH_TIMEOUT(openDescriptors(pid) < descriptorsBefore + 50, 15000);
        const double unloaded2 = signedThroughput(sender, fleet, kWindowMs);
        QVERIFY(answered(unloaded2));
        const qint64 peakKb = statusKb(pid, "VmHWM");

        const double unloaded = (unloaded1 + unloaded2) / 2;
        const double loaded = (loaded1 + loaded2) / 2;
        const double ratio = loaded / unloaded;
        qInfo("signed deliveries/s: unloaded %.0f, %.0f; with %d slow clients %.0f, %.0f; ratio %.2f",
              unloaded1, unloaded2, kSlowClients, loaded1, loaded2, ratio);
        qInfo("slow clients: %lld bytes trickled, %lld connections closed by the server and reopened; "
              "server descriptors %d -> %d",
              trickled, reopened, descriptorsBefore, descriptorsLoaded);
        qInfo("server VmRSS: %lld kB before, %lld kB with the slow clients connected (+%lld kB, %lld B per "
              "slow "
              "client), %lld kB after the loaded windows; VmHWM %lld kB",
              rssBeforeKb, rssSlowKb, rssSlowKb - rssBeforeKb,
              (rssSlowKb - rssBeforeKb) * 1024 / kSlowClients, rssLoadedKb, peakKb);

        QCOMPARE(sender.failedCount(), 0);
        QCOMPARE(sender.acknowledgedCount(), sender.sentCount());
        // A pace is a property of the product as built for users: the plain stage asserts it. Under
        // AddressSanitizer every allocation and syscall costs several times more and the quarantine
        // grows through the run, so the same windows ranged 0.75-1.03 there (0.92-0.98 plain).
        if (!kAddressSanitizerBuild)
            QVERIFY2(ratio >= 0.8, qPrintable(QStringLiteral("loaded/unloaded throughput %1").arg(ratio)));
        // The 10 s request deadline closed the slow clients during the second loaded window.
        QVERIFY2(reopened >= kSlowClients / 2, qPrintable(QStringLiteral("%1 reopened").arg(reopened)));
        // Memory. A client whose header block has not arrived waits in the connection lobby: a
        // descriptor and about a hundred bytes of bookkeeping, its bytes left in the kernel. 8 kB each
        // (8 MB for the thousand) leaves room for allocator slack and still catches a socket object
        // per client (17-19 kB each, mostly Qt's read buffer, when they were QTcpSockets).
        QVERIFY2(rssSlowKb - rssBeforeKb < 8 * kSlowClients,
                 qPrintable(
                     QStringLiteral("RSS grew by %1 kB with the slow clients").arg(rssSlowKb - rssBeforeKb)));
        // The peak: that, plus what the signed traffic itself adds over the loaded windows (SQLite's
        // page cache, batches in flight: 7-10 MB measured), with room to spare. Asserted in the plain
        // stage: under AddressSanitizer freed memory waits in its quarantine (up to 256 MB), so the
        // peak there measures how much the traffic freed (+64 MB in one CI run), not what it holds.
        if (!kAddressSanitizerBuild)
            QVERIFY2(peakKb < rssBeforeKb + 8 * kSlowClients + 40 * 1024,
                     qPrintable(QStringLiteral("peak RSS %1 kB").arg(peakKb)));

        // Every acknowledged delivery is in the journal, answered 2xx.
        QCOMPARE(fleetmon.stop(), 0);
        QByteArray exportErrors;
        const QJsonArray deliveries =
            testsupport::FleetmonProcess::exportJson(dataDir, QStringLiteral("deliveries"), &exportErrors)
                .array();
        QVERIFY2(!deliveries.isEmpty(), exportErrors.constData());
        QCOMPARE(qint64(deliveries.size()), sender.sentCount());
        for (const QJsonValue &d : deliveries) {
            const int status = d.toObject().value(QStringLiteral("status")).toInt();
            QVERIFY2(status >= 200 && status < 300, QJsonDocument(d.toObject()).toJson().constData());
        }
    }
};

QTEST_GUILESS_MAIN(tst_SlowClients)
#include "tst_SlowClients.moc"
