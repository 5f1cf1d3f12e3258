#include "net/HttpClientConnection.h"

#include <QHash>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QtTest>

using net::HttpClientConnection;
using net::HttpClientReply;

namespace {

// What the scripted server does with the next request it reads, whichever connection it came on.
struct Step {
    QList<QByteArray> pieces; // written in order, 20 ms apart, so the client parses partial input
    int delayMs = 0;          // before the first piece
    bool closeAfter = false;  // close once the pieces are written
    bool closeWithoutAnswer = false;
    bool silent = false; // read the request, never answer
};

Step answer(const QByteArray &raw, int delayMs = 0) {
    Step s;
    s.pieces = {raw};
    s.delayMs = delayMs;
    return s;
}

// A tiny HTTP server on 127.0.0.1:0 with canned raw responses, counting connections and noticing
// whether a client ever sent a second request before the first was answered (pipelining).
class CannedServer final : public QObject {
public:
    explicit CannedServer(QList<Step> steps)
        : m_steps(std::move(steps)) {
        QVERIFY(m_server.listen(QHostAddress::LocalHost, 0));
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                ++connections;
                socket->setParent(this);
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
            }
        });
    }

    quint16 port() const { return m_server.serverPort(); }

    int connections = 0;
    int pipelined = 0;
    QList<QByteArray> requests;

private:
    void onReadyRead(QTcpSocket *socket) {
        QByteArray &buffer = m_buffers[socket];
        buffer += socket->readAll();
        for (;;) {
            const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
            if (headerEnd < 0)
                return;
            qsizetype length = 0;
            const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
            for (const QByteArray &line : lines) {
                if (line.toLower().startsWith("content-length:"))
                    length = line.mid(15).trimmed().toLongLong();
            }
            const qsizetype total = headerEnd + 4 + length;
            if (buffer.size() < total)
                return;
            const QByteArray request = buffer.left(total);
            buffer.remove(0, total);
            requests.append(request);
            if (m_awaitingAnswer.value(socket))
                ++pipelined;
            act(socket, m_steps.isEmpty() ? Step{} : m_steps.takeFirst());
        }
    }

    void act(QTcpSocket *socket, const Step &step) {
        if (step.closeWithoutAnswer) {
            socket->disconnectFromHost();
            return;
        }
        if (step.silent)
            return;
        m_awaitingAnswer[socket] = true;
        QPointer<QTcpSocket> guard(socket);
        int at = step.delayMs;
        for (qsizetype i = 0; i < step.pieces.size(); ++i) {
            const bool last = i == step.pieces.size() - 1;
            QTimer::singleShot(at, this, [this, guard, piece = step.pieces[i], last, step] {
                if (!guard)
                    return;
                if (last)
                    m_awaitingAnswer[guard.data()] = false; // the client may legitimately send again
                guard->write(piece);
                if (last && step.closeAfter)
                    guard->disconnectFromHost();
            });
            at += 20;
        }
    }

    QTcpServer m_server;
    QList<Step> m_steps;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QHash<QTcpSocket *, bool> m_awaitingAnswer;
};

const QByteArray kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

// Collects replies in callback order.
struct Replies {
    QList<HttpClientReply> list;
    HttpClientConnection::Callback collector() {
        return [this](const HttpClientReply &r) { list.append(r); };
    }
};

void post(HttpClientConnection &client, const QByteArray &body, HttpClientConnection::Callback done) {
    client.send("POST", "/webhooks/smartcar", {{"Content-Type", "application/json"}}, body, std::move(done));
}

} // namespace

class TestHttpClientConnection final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void keepAliveReusesOneConnection();
    void chunkedResponseBody();
    void interimResponseIsSkipped();
    void reconnectsAfterConnectionClose();
    void reconnectsAfterIdleClose();
    void retriesOnceWhenClosedBeforeAnyByte();
    void failsWhenClosedTwiceBeforeAnyByte();
    void bodyDelimitedByClose();
    void failsWhenClosedMidResponse();
    void malformedResponse();
    void timeout();
    void connectionRefused();
};

void TestHttpClientConnection::keepAliveReusesOneConnection() {
    CannedServer server({answer("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Test: one\r\n\r\nfirst", 30),
                         answer("HTTP/1.1 202 Accepted\r\ncontent-length: 6\r\n\r\nsecond", 30)});
    HttpClientConnection client(QStringLiteral("127.0.0.1"), server.port());
    Replies replies;
    post(client, "body", replies.collector());
    post(client, "{\"b\":2}", replies.collector());
    QCOMPARE(client.pendingCount(), 2);
    QTRY_COMPARE(replies.list.size(), 2);

    QCOMPARE(replies.list[0].error, QString());
    QCOMPARE(replies.list[0].status, 200);
    QCOMPARE(replies.list[0].body, QByteArray("first"));
    QCOMPARE(replies.list[0].header("x-test"), QByteArray("one"));
    QVERIFY(replies.list[0].ok());
    QVERIFY(replies.list[0].latencyNs >= 30'000'000); // the server waited 30 ms before answering
    QCOMPARE(replies.list[1].status, 202);
    QCOMPARE(replies.list[1].body, QByteArray("second"));
    QVERIFY(replies.list[1].ok());

    QCOMPARE(server.connections, 1);
    QCOMPARE(client.connectAttempts(), 1);
    QCOMPARE(server.pipelined, 0);
    QCOMPARE(client.pendingCount(), 0);

    const QByteArray expectedHost = "\r\nHost: 127.0.0.1:" + QByteArray::number(server.port()) + "\r\n";
    QVERIFY2(server.requests[0].startsWith("POST /webhooks/smartcar HTTP/1.1\r\n"), server.requests[0]);
    QVERIFY2(server.requests[0].contains(expectedHost), server.requests[0]);
    QVERIFY2(server.requests[0].contains("\r\nContent-Length: 4\r\n"), server.requests[0]);
    QVERIFY(server.requests[0].endsWith("\r\n\r\nbody"));
    QVERIFY2(server.requests[1].contains("\r\nContent-Length: 7\r\n"), server.requests[1]);
}

void TestHttpClientConnection::chunkedResponseBody() {
    Step chunked;
    chunked.pieces = {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
                      "lo\r\n6\r\n world\r\n", "0\r\n\r\n"};
    CannedServer server({chunked, answer("HTTP/1.1 204 No Content\r\n\r\n")});
    HttpClientConnection client(QStringLiteral("127.0.0.1"), server.port());
    Replies replies;
    client.send("GET", "/chunked", {}, {}, replies.collector());
    client.send("GET", "/next", {}, {}, replies.collector());
    QTRY_COMPARE(replies.list.size(), 2);
    QCOMPARE(replies.list[0].error, QString());
    QCOMPARE(replies.list[0].body, QByteArray("hello world"));
    QCOMPARE(replies.list[1].status, 204);
    QVERIFY(replies.list[1].body.isEmpty());
    QCOMPARE(server.connections, 1);
    QVERIFY2(!server.requests[0].contains("Content-Length"), server.requests[0]); // GET without a body
}

void TestHttpClientConnection::interimResponseIsSkipped() {
    CannedServer server({answer("HTTP/1.1 100 Continue\r\n\r\n" + kOk)});
    HttpClientConnection client(QStringLiteral("127.0.0.1"), server.port());
    Replies replies;
    post(client, "x", replies.collector());
    QTRY_COMPARE(replies.list.size(), 1);
    QCOMPARE(replies.list[0].status, 200);
    QCOMPARE(replies.list[0].body, QByteArray("ok"));
}

void TestHttpClientConnection::reconnectsAfterConnectionClose() {
    Step closing = answer("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
    closing.closeAfter = true;
    CannedServer server({closing, answer(kOk)});
    HttpClientConnection client(QStringLiteral("127.0.0.1"), server.port());
    Replies replies;
    post(client, "1", replies.collector());
    post(client, "2", replies.collector());
    QTRY_COMPARE(replies.list.size(), 2);
    QVERIFY(replies.list[0].ok());
    QVERIFY(replies.list[1].ok());
    QCOMPARE(server.connections, 2);
    QCOMPARE(server.requests.size(), 2);
}

void TestHttpClientConnection::reconnectsAfterIdleClose() {
    // The server drops the keep-alive connection after answering without announcing it, as an idle
    // timeout does; the client notices while idle and opens a new one for the next request.
    Step closing = answer(kOk);
    closing.closeAfter = true;
    CannedServer server({closing, answer(kOk)});
    HttpClientConnection client(QStringLiteral("127.0.0.1"), server.port());
    Replies replies;
    post(client, "1", replies.collector());
    QTRY_COMPARE(replies.list.size(), 1);
    QTest::qWait(100);
    post(client, "2", replies.collector());
    QTRY_COMPARE(replies.list.size(), 2);
    QVERIFY2(replies.list[1].ok(), qPrintable(replies.list[1].error));
    QCOMPARE(server.connections, 2);
    QCOMPARE(server.requests.size(), 2);
}

void TestHttpClientConnection::retriesOnceWhenClosedBeforeAnyByte() {
    // The race the retry exists for: the request went out on a connection the server was closing.
    Step dropped;
    dropped.closeWithoutAnswer = true;
    CannedServer server({answer(kOk), dropped, answer("HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")});
    HttpClientConnection client(QStringLiteral("127.0.0.1"), server.port());
    Replies replies;
    post(client, "1", replies.collector());
    post(client, "2", replies.collector());
    QTRY_COMPARE(replies.list.size(), 2);
    QVERIFY(replies.list[0].ok());
    QVERIFY2(replies.list[1].ok(), qPrintable(replies.list[1].error));
    QCOMPARE(replies.list[1].status, 201);
    QCOMPARE(server.requests.size(), 3);
    QCOMPARE(server.requests[1], server.requests[2]); // the same request, sent again
    QCOMPARE(server.connections, 2);
}

void TestHttpClientConnection::failsWhenClosedTwiceBeforeAnyByte() {
    Step dropped;
    dropped.closeWithoutAnswer = true;
    CannedServer server({dropped, dropped, answer(kOk)});
    HttpClientConnection client(QStringLiteral("127.0.0.1"), server.port());
    Replies replies;
    post(client, "1", replies.collector());
    QTRY_COMPARE(replies.list.size(), 1);
    QCOMPARE(replies.list[0].status, 0);
    QVERIFY(!replies.list[0].ok());
    QVERIFY2(replies.list[0].error.contains(QLatin1String("closed")), qPrintable(replies.list[0].error));
    QCOMPARE(server.requests.size(), 2); // one retry, not more

    post(client, "2", replies.collector()); // the connection recovers for the next request
    QTRY_COMPARE(replies.list.size(), 2);
    QVERIFY(replies.list[1].ok());
}

void TestHttpClientConnection::bodyDelimitedByClose() {
    Step untilClose = answer("HTTP/1.1 200 OK\r\n\r\nuntil-close");
    untilClose.closeAfter = true;
    CannedServer server({untilClose, answer(kOk)});
    HttpClientConnection client(QStringLiteral("127.0.0.1"), server.port());
    Replies replies;
    post(client, "1", replies.collector());
    post(client, "2", replies.collector());
    QTRY_COMPARE(replies.list.size(), 2);
    QCOMPARE(replies.list[0].error, QString());
    QCOMPARE(replies.list[0].body, QByteArray("until-close"));
    QVERIFY(replies.list[1].ok());
    QCOMPARE(server.connections, 2);
}

void TestHttpClientConnection::failsWhenClosedMidResponse() {
    Step cut = answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    cut.closeAfter = true;
    CannedServer server({cut, answer(kOk)});
    HttpClientConnection client(QStringLiteral("127.0.0.1"), server.port());
    Replies replies;
    post(client, "1", replies.collector());
    QTRY_COMPARE(replies.list.size(), 1);
    QVERIFY(!replies.list[0].error.isEmpty());
    QCOMPARE(replies.list[0].status, 0);
    QCOMPARE(server.requests.size(), 1); // part of an answer arrived: the server saw it, no retry
}

void TestHttpClientConnection::malformedResponse() {
    CannedServer server({answer("SMTP ready\r\n\r\n"), answer(kOk)});
    HttpClientConnection client(QStringLiteral("127.0.0.1"), server.port());
    Replies replies;
    post(client, "1", replies.collector());
    post(client, "2", replies.collector());
    QTRY_COMPARE(replies.list.size(), 2);
    QVERIFY2(replies.list[0].error.contains(QLatin1String("malformed")), qPrintable(replies.list[0].error));
    QVERIFY(replies.list[1].ok());
    QCOMPARE(server.connections, 2);
}

void TestHttpClientConnection::timeout() {
    Step silent;
    silent.silent = true;
    CannedServer server({silent, answer(kOk)});
    HttpClientConnection client(QStringLiteral("127.0.0.1"), server.port());
    QCOMPARE(client.timeout(), 15'000);
    client.setTimeout(200);
    Replies replies;
    post(client, "1", replies.collector());
    post(client, "2", replies.collector());
    QTRY_COMPARE(replies.list.size(), 2);
    QCOMPARE(replies.list[0].status, 0);
    QVERIFY2(replies.list[0].error.contains(QLatin1String("200 ms")), qPrintable(replies.list[0].error));
    QVERIFY(replies.list[0].latencyNs >= 200'000'000);
    // The late connection is abandoned (its answer would be mistaken for the next one's).
    QVERIFY2(replies.list[1].ok(), qPrintable(replies.list[1].error));
    QCOMPARE(server.connections, 2);
}

void TestHttpClientConnection::connectionRefused() {
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    } // closed again: nothing listens there now
    HttpClientConnection client(QStringLiteral("127.0.0.1"), port);
    Replies replies;
    post(client, "1", replies.collector());
    post(client, "2", replies.collector());
    QCOMPARE(replies.list.size(), 0); // never a callback from inside send()
    QTRY_COMPARE(replies.list.size(), 2);
    for (const HttpClientReply &reply : std::as_const(replies.list)) {
        QCOMPARE(reply.status, 0);
        QVERIFY(!reply.ok());
        QVERIFY2(reply.error.contains(QLatin1String("refused"), Qt::CaseInsensitive),
                 qPrintable(reply.error));
    }
    QCOMPARE(client.pendingCount(), 0);
}

QTEST_GUILESS_MAIN(TestHttpClientConnection)
#include "tst_HttpClientConnection.moc"
