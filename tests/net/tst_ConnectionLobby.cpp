// ConnectionLobby on its own, with real TCP connections on loopback: what it hands over, what it
// answers 408, and that its thread sleeps while nothing is due.
#include "net/ConnectionLobby.h"
#include "net/HttpRequest.h"

#include <QElapsedTimer>
#include <QTest>
#include <QThread>

#include <arpa/inet.h>
#include <atomic>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

// A listening socket on 127.0.0.1 and a connected pair through it: the client's end and the
// server's accepted descriptor, which the lobby takes over.
class LoopbackPair {
public:
    LoopbackPair() {
        const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
            ::listen(listener, 1) != 0 ||
            ::getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length) != 0) {
            if (listener >= 0)
                ::close(listener);
            return;
        }
        client = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (client >= 0 && ::connect(client, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0)
            server = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        ::close(listener);
    }
    ~LoopbackPair() {
        if (client >= 0)
            ::close(client);
    }
    Q_DISABLE_COPY_MOVE(LoopbackPair)

    bool send(const QByteArray &bytes) const {
        return ::send(client, bytes.constData(), size_t(bytes.size()), MSG_NOSIGNAL) == bytes.size();
    }
    // Everything the server side sends until it closes, waiting at most timeoutMs.
    QByteArray readToClose(int timeoutMs) const {
        timeval tv{timeoutMs / 1000, (timeoutMs % 1000) * 1000};
        ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        QByteArray all;
        char buffer[4096];
        for (;;) {
            const ssize_t got = ::recv(client, buffer, sizeof buffer, 0);
            if (got <= 0)
                return all;
            all.append(buffer, got);
        }
    }

    int client = -1;
    int server = -1; // owned by the lobby once added
};

net::HttpLimits limitsWithTimeout(int ms) {
    net::HttpLimits limits;
    limits.requestTimeoutMs = ms;
    return limits;
}

} // namespace

class tst_ConnectionLobby : public QObject {
    Q_OBJECT

private slots:
    void completeHeaderBlockIsHandedOver() {
        std::atomic<int> handedFd{-1};
        net::ConnectionLobby lobby(limitsWithTimeout(5000), [&](int fd, qint64) { handedFd = fd; });
        QVERIFY(lobby.isRunning());
        LoopbackPair pair;
        QVERIFY(pair.server >= 0);
        lobby.add(pair.server, net::HttpRequest::monotonicNs());
        QCOMPARE(lobby.size(), 1);
        QVERIFY(pair.send("POST /webhooks/smartcar HTTP/1.1\r\nHost: x\r\n"));
        QTest::qWait(50);
        QCOMPARE(handedFd.load(), -1); // half a header block stays
        QVERIFY(pair.send("Content-Length: 0\r\n\r\n"));
        QTRY_COMPARE(handedFd.load(), pair.server);
        QCOMPARE(lobby.size(), 0);
        ::close(pair.server);
    }

    // A lobby that holds nothing has nothing to look at: its thread must not wake on a timer (an
    // idle endpoint on a workstation is the usual case, and each wake-up costs power).
    void idleLobbySleeps() {
        net::ConnectionLobby lobby(limitsWithTimeout(5000), [](int fd, qint64) { ::close(fd); });
        QVERIFY(lobby.isRunning());
        QThread::msleep(400);
        QCOMPARE(lobby.wakeups(), quint64(0));
    }

    // A connection that sends half a request is answered 408 once its timeout has passed, not
    // before; meanwhile the thread wakes for the news on the socket and the deadline, not on a
    // tick. (Wake-ups, not wall-clock time, keep this steady on a loaded machine.)
    void unfinishedRequestIsAnswered408AtItsDeadline() {
        const int timeoutMs = 800;
        net::ConnectionLobby lobby(limitsWithTimeout(timeoutMs), [](int fd, qint64) { ::close(fd); });
        LoopbackPair pair;
        QVERIFY(pair.server >= 0);
        QElapsedTimer clock;
        clock.start();
        lobby.add(pair.server, net::HttpRequest::monotonicNs());
        QVERIFY(pair.send("POST /webhooks/smartcar HTTP/1.1\r\nHost: x\r\n"));
        const QByteArray answer = pair.readToClose(10'000);
        QVERIFY2(answer.startsWith("HTTP/1.1 408"), answer.constData());
        QVERIFY2(clock.elapsed() >= timeoutMs - 5, qPrintable(QString::number(clock.elapsed())));
        QTRY_COMPARE(lobby.size(), 0);
        // The newcomer's wake-up, the bytes' arrival, the deadline; a spurious one at most.
        QVERIFY2(lobby.wakeups() <= 4, qPrintable(QString::number(lobby.wakeups())));
    }

    void silentConnectionIsClosedWithoutAnswer() {
        net::ConnectionLobby lobby(limitsWithTimeout(300), [](int fd, qint64) { ::close(fd); });
        LoopbackPair pair;
        QVERIFY(pair.server >= 0);
        lobby.add(pair.server, net::HttpRequest::monotonicNs());
        QCOMPARE(pair.readToClose(10'000), QByteArray());
        QCOMPARE(lobby.size(), 0);
    }

    void evictedConnectionIsClosed() {
        net::ConnectionLobby lobby(limitsWithTimeout(60'000), [](int fd, qint64) { ::close(fd); });
        LoopbackPair older;
        LoopbackPair newer;
        QVERIFY(older.server >= 0 && newer.server >= 0);
        const qint64 now = net::HttpRequest::monotonicNs();
        lobby.add(older.server, now - 1000);
        lobby.add(newer.server, now);
        QCOMPARE(lobby.oldestAcceptedNs(), now - 1000);
        QVERIFY(lobby.evictOldest());
        QCOMPARE(older.readToClose(5000), QByteArray());
        QCOMPARE(lobby.size(), 1);
        QCOMPARE(lobby.oldestAcceptedNs(), now);
    }
};

QTEST_GUILESS_MAIN(tst_ConnectionLobby)
#include "tst_ConnectionLobby.moc"
