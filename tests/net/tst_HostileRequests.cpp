// The internet-facing HTTP endpoint against hostile requests, over real loopback sockets: every
// case must end in an answer (a 4xx, and a close when the byte stream can no longer be trusted) or
// a request handed to the handler exactly as sent; never a crash, a hang, or a second request
// smuggled past the framing.

#include "support/PostRequest.h"
#include "support/RawHttpClient.h"
#include "support/ServerThread.h"

#include <QElapsedTimer>
#include <QtTest>
#include <atomic>

using testsupport::postRequest;
using testsupport::RawHttpClient;
using testsupport::RawResponse;
using testsupport::ServerThread;

namespace {

// /echo answers with the body, /header?name=X with that header's value, /target with the raw
// request target; every request that reaches a route is counted, so a test can prove that a
// smuggled request never did.
struct CountingRoutes {
    net::Router router;
    std::atomic<int> handled{0};
    QList<QByteArray> targets; // written on the server thread, read after the client is done
    CountingRoutes() {
        router.addRoute("POST", "/echo", [this](const net::HttpRequest &r, const net::Responder &w) {
            ++handled;
            w.respond(net::HttpResponse::text(200, r.body));
        });
        router.addRoute("GET", "/hello", [this](const net::HttpRequest &, const net::Responder &w) {
            ++handled;
            w.respond(net::HttpResponse::text(200, "hello"));
        });
        router.addRoute("GET", "/header", [this](const net::HttpRequest &r, const net::Responder &w) {
            ++handled;
            const QByteArray name = r.query.mid(r.query.indexOf('=') + 1);
            w.respond(net::HttpResponse::text(r.hasHeader(name) ? 200 : 404, r.header(name)));
        });
        router.addRoute("GET", "/target", [this](const net::HttpRequest &r, const net::Responder &w) {
            ++handled;
            w.respond(net::HttpResponse::text(200, r.target + " " + r.path));
        });
    }
};

// Sends raw bytes on a fresh connection and expects exactly one error answer with that status,
// then the server closing the connection: nothing after the offending bytes is read as a request.
void expectRejectedAndClosed(quint16 port, const QByteArray &bytes, int status) {
    RawHttpClient client(port);
    QVERIFY(client.waitConnected());
    client.send(bytes);
    RawResponse r;
    QVERIFY2(client.read(&r, 5000), bytes.left(120).toPercentEncoding(" :/\r\n").constData());
    QVERIFY2(r.status == status,
             qPrintable(QStringLiteral("expected %1, got %2 %3 for %4")
                            .arg(status)
                            .arg(r.status)
                            .arg(QString::fromUtf8(r.body))
                            .arg(QString::fromLatin1(bytes.left(120).toPercentEncoding(" :/\r\n")))));
    QCOMPARE(r.header("Connection"), QByteArray("close"));
    QVERIFY(client.waitClosed());
    // Whatever followed the offending request was never answered.
    QVERIFY2(!client.buffered().contains("HTTP/1.1"), client.buffered().constData());
}

// Sends `bytes` on an open connection and expects one answer with that status and body, which
// goes to `answer` (if given) for the caller's own checks of its headers.
void expectAnswered(RawHttpClient &client, const QByteArray &bytes, int status, const QByteArray &body,
                    RawResponse *answer = nullptr) {
    client.send(bytes);
    RawResponse r;
    QVERIFY(client.read(&r));
    if (answer)
        *answer = r;
    QCOMPARE(r.status, status);
    QCOMPARE(r.body, body);
}

} // namespace

class tst_HostileRequests : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void invalidUtf8() {
        CountingRoutes routes;
        ServerThread server(&routes.router);
        RawHttpClient client(server.port());
        QVERIFY(client.waitConnected());
        RawResponse r;

        // In the body: the transport judges no encoding; the bytes arrive as sent.
        const QByteArray body("\xff\xfe\xc0\xaf\xed\xa0\x80 not UTF-8 \x80", 19);
        expectAnswered(client, postRequest("/echo", body), 200, body);

        // In a header value: obs-text is legal HTTP; the value reaches the handler byte for byte.
        expectAnswered(
            client, "GET /header?name=X-Agent HTTP/1.1\r\nHost: t\r\nX-Agent: \xff\xc3\x28\xe2\x82\r\n\r\n",
            200, QByteArray("\xff\xc3\x28\xe2\x82"));

        // In the target: no route has such a path; an answer, and the connection stays usable.
        client.send("GET /hello\xff\xfe HTTP/1.1\r\nHost: t\r\n\r\n");
        QVERIFY(client.read(&r));
        QCOMPARE(r.status, 404);
        QVERIFY(QJsonDocument::fromJson(r.body).isObject()); // the error names the path as valid JSON
        expectAnswered(client, "GET /target?\xc0\xaf HTTP/1.1\r\nHost: t\r\n\r\n", 200,
                       QByteArray("/target?\xc0\xaf /target"));
        client.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
        QVERIFY(client.read(&r));
        QCOMPARE(r.status, 200);
        QCOMPARE(routes.handled.load(), 4); // the 404 reached no route

        // In a header name: not a token, so not HTTP.
        expectRejectedAndClosed(server.port(), "GET /hello HTTP/1.1\r\nX-\xff\xfe: a\r\n\r\n", 400);
        QCOMPARE(routes.handled.load(), 4);
    }

    void hugeDeclaredBodies() {
        CountingRoutes routes;
        ServerThread server(&routes.router);
        QElapsedTimer timer;
        timer.start();
        // 10 MB announced by Content-Length: refused from the header, before any body byte is sent.
        expectRejectedAndClosed(server.port(),
                                "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10000000\r\n\r\n", 413);
        // A length no integer holds.
        expectRejectedAndClosed(
            server.port(),
            "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400);
        // 10 MB announced by a chunk size: refused from the chunk header, before its data arrives.
        expectRejectedAndClosed(
            server.port(), "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n989680\r\n",
            413);
        // Small chunks first, then one that would cross the limit.
        expectRejectedAndClosed(server.port(),
                                "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                                "5\r\nhello\r\n100000\r\n",
                                413);
        // Each answer came at once, not from the 10 s request timeout.
        QVERIFY2(timer.elapsed() < 8000, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(routes.handled.load(), 0);
    }

    void headerInjection() {
        CountingRoutes routes;
        ServerThread server(&routes.router);
        const QByteArray smuggled = "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n";
        // A CR alone inside a value: a line break to some parsers, none to others.
        expectRejectedAndClosed(server.port(),
                                "POST /echo HTTP/1.1\r\nX-A: a\rContent-Length: 5\r\n\r\nhello", 400);
        // A LF alone inside a value: the same ambiguity the other way round.
        expectRejectedAndClosed(server.port(),
                                "POST /echo HTTP/1.1\r\nX-A: a\nContent-Length: 32\r\n\r\n" + smuggled, 400);
        expectRejectedAndClosed(server.port(), "GET /hello HTTP/1.1\nHost: t\n\n", 400);
        // obs-fold: a continuation line, deprecated since RFC 7230 and refused by it for servers.
        expectRejectedAndClosed(server.port(), "GET /hello HTTP/1.1\r\nX-A: a\r\n b\r\nHost: t\r\n\r\n", 400);
        expectRejectedAndClosed(server.port(),
                                "GET /hello HTTP/1.1\r\nX-A: a\r\n\tContent-Length: 5\r\n\r\nhello", 400);
        // The first header line indented: its name would begin with a space and match nothing.
        expectRejectedAndClosed(server.port(),
                                "POST /echo HTTP/1.1\r\n Content-Length: 32\r\n\r\n" + smuggled, 400);
        // NUL bytes, in a value, a name and the target.
        expectRejectedAndClosed(server.port(), QByteArray("GET /hello HTTP/1.1\r\nX-A: a\0b\r\n\r\n", 33),
                                400);
        expectRejectedAndClosed(server.port(), QByteArray("GET /hello HTTP/1.1\r\nX-\0A: b\r\n\r\n", 31),
                                400);
        expectRejectedAndClosed(server.port(), QByteArray("GET /hel\0lo HTTP/1.1\r\n\r\n", 24), 400);
        // Whitespace between a name and its colon (RFC 7230 3.2.4: 400): the parser would frame the
        // body by "Content-Length " while a handler looking up "Content-Length" sees none.
        expectRejectedAndClosed(server.port(), "POST /echo HTTP/1.1\r\nContent-Length : 5\r\n\r\nhello", 400);
        expectRejectedAndClosed(server.port(),
                                "POST /echo HTTP/1.1\r\nTransfer-Encoding :chunked\r\n\r\n0\r\n\r\n", 400);
        expectRejectedAndClosed(server.port(), "GET /hello HTTP/1.1\r\nHost\t: t\r\n\r\n", 400);
        QCOMPARE(routes.handled.load(), 0);

        // The same requests written correctly are served: the refusals above are about the bytes.
        RawHttpClient client(server.port());
        QVERIFY(client.waitConnected());
        client.send("GET /header?name=X-A HTTP/1.1\r\nX-A:  a b\t\r\nHost: t\r\n\r\n");
        RawResponse r;
        QVERIFY(client.read(&r));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray("a b")); // surrounding whitespace is not part of the value
    }

    void requestSmuggling() {
        CountingRoutes routes;
        ServerThread server(&routes.router);
        const QByteArray smuggled = "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n";
        // Content-Length and Transfer-Encoding together, in both orders (RFC 7230 3.3.3).
        expectRejectedAndClosed(
            server.port(),
            "POST /echo HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
            "0\r\n\r\n" +
                smuggled,
            400);
        expectRejectedAndClosed(
            server.port(),
            "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 38\r\n\r\n"
            "0\r\n\r\n" +
                smuggled,
            400);
        // Two Content-Length headers, conflicting or not, and lists in one.
        for (const QByteArray &lengths :
             {QByteArray("Content-Length: 5\r\nContent-Length: 37\r\n"),
              QByteArray("Content-Length: 5\r\nContent-Length: 5\r\n"),
              QByteArray("Content-Length: 5, 5\r\n"), QByteArray("Content-Length: 5,37\r\n"),
              QByteArray("Content-Length: +5\r\n"), QByteArray("Content-Length: -5\r\n"),
              QByteArray("Content-Length: 0x5\r\n"), QByteArray("Content-Length: 5e0\r\n"),
              QByteArray("Content-Length: \r\n")})
            expectRejectedAndClosed(server.port(),
                                    "POST /echo HTTP/1.1\r\n" + lengths + "\r\nhello" + smuggled, 400);
        // Transfer codings the server cannot frame by (chunked not last): 400 (RFC 7230 3.3.3).
        for (const QByteArray &coding :
             {QByteArray("gzip"), QByteArray("chunked, gzip"), QByteArray("identity"),
              QByteArray("chunked, chunked"), QByteArray("xchunked"), QByteArray("chunked,"),
              QByteArray("chunked\r\nTransfer-Encoding: chunked")})
            expectRejectedAndClosed(
                server.port(),
                "POST /echo HTTP/1.1\r\nTransfer-Encoding: " + coding + "\r\n\r\n0\r\n\r\n" + smuggled, 400);
        // Chunked last, but after a coding the server does not undo: 501 (RFC 7230 3.3.1), not a
        // gzip body handed on as if it were plain.
        expectRejectedAndClosed(
            server.port(),
            "POST /echo HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n" +
                smuggled,
            501);
        // HTTP/1.0 knows no Transfer-Encoding: the framing is faulty (RFC 7230 3.3.1).
        expectRejectedAndClosed(
            server.port(),
            "POST /echo HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
            "5\r\nhello\r\n0\r\n\r\n" +
                smuggled,
            400);
        // Chunk sizes beyond 64 bits, negative, or not hex.
        for (const QByteArray &size : {QByteArray("FFFFFFFFFFFFFFFFF"), QByteArray("1FFFFFFFFFFFFFFFF"),
                                       QByteArray("-5"), QByteArray("0x5"), QByteArray("5g")})
            expectRejectedAndClosed(server.port(),
                                    "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + size +
                                        "\r\nhello\r\n0\r\n\r\n" + smuggled,
                                    400);
        QCOMPARE(routes.handled.load(), 0);

        // A request inside a body stays body: one answer carrying it, and the connection, still in
        // step, serves the next real request.
        RawHttpClient client(server.port());
        QVERIFY(client.waitConnected());
        client.send(postRequest("/echo", smuggled) + "GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
        RawResponse r;
        QVERIFY(client.read(&r));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, smuggled);
        QVERIFY(client.read(&r));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray("hello"));
        // Chunked, with the hidden request split over chunks and a chunk extension.
        client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: Chunked\r\n\r\n" +
                    QByteArray::number(10, 16) + ";ext=1\r\n" + smuggled.left(10) + "\r\n" +
                    QByteArray::number(smuggled.size() - 10, 16) + "\r\n" + smuggled.mid(10) +
                    "\r\n0\r\n\r\n");
        QVERIFY(client.read(&r));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, smuggled);
        QVERIFY(!client.socket().waitForReadyRead(300)); // no second answer
        QCOMPARE(routes.handled.load(), 3);
    }

    void headChecksHoldAcrossReadsAndPipelines() {
        CountingRoutes routes;
        ServerThread server(&routes.router);
        // Written a byte at a time, so every check meets its bytes split across reads.
        const QList<QByteArray> split = {
            "GET /hello HTTP/1.1\r\nX-A: a\r\n b\r\n\r\n", "GET /hello HTTP/1.1\r\nX-A: a\rX-B: b\r\n\r\n",
            "GET /hello HTTP/1.1\r\nX-A: a\nX-B: b\r\n\r\n", "GET /hello HTTP/1.1\r\nHost : t\r\n\r\n"};
        for (const QByteArray &bytes : split) {
            RawHttpClient client(server.port());
            QVERIFY(client.waitConnected());
            for (const char c : bytes) {
                if (client.socket().state() != QAbstractSocket::ConnectedState)
                    break;
                client.send(QByteArray(1, c));
            }
            RawResponse r;
            QVERIFY(client.read(&r));
            QCOMPARE(r.status, 400);
            QVERIFY(client.waitClosed());
        }
        QCOMPARE(routes.handled.load(), 0);
        {
            // The same request written correctly, a byte at a time, is served.
            RawHttpClient client(server.port());
            QVERIFY(client.waitConnected());
            for (const char c : QByteArray("POST /echo HTTP/1.1\r\nX-A: a\r\nContent-Length: 2\r\n\r\nok"))
                client.send(QByteArray(1, c));
            RawResponse r;
            QVERIFY(client.read(&r));
            QCOMPARE(r.status, 200);
            QCOMPARE(r.body, QByteArray("ok"));
        }
        // In one write: good requests (with the empty line RFC 7230 3.5 lets a client put between
        // them) are answered in order; the bad one after them gets its 400 and the close.
        RawHttpClient client(server.port());
        QVERIFY(client.waitConnected());
        client.send(postRequest("/echo", "one") + "\r\n" + postRequest("/echo", "two") +
                    "POST /echo HTTP/1.1\r\nContent-Length : 5\r\n\r\nthree" + postRequest("/echo", "four"));
        RawResponse r;
        QVERIFY(client.read(&r));
        QCOMPARE(r.body, QByteArray("one"));
        QVERIFY(client.read(&r));
        QCOMPARE(r.body, QByteArray("two"));
        QVERIFY(client.read(&r));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.header("Connection"), QByteArray("close"));
        QVERIFY(client.waitClosed());
        QVERIFY(!client.buffered().contains("HTTP/1.1"));
        QCOMPARE(routes.handled.load(), 3);
    }

    void tenThousandHeaders() {
        CountingRoutes routes;
        ServerThread server(&routes.router);
        QByteArray many;
        for (int i = 0; i < 10'000; ++i)
            many += "X-H" + QByteArray::number(i) + ": v\r\n";
        QElapsedTimer timer;
        timer.start();
        expectRejectedAndClosed(server.port(), "GET /hello HTTP/1.1\r\n" + many + "\r\n", 431);
        // Trailers after a chunked body count against the same budget as the header block.
        expectRejectedAndClosed(
            server.port(),
            "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n" + many + "\r\n",
            431);
        // Ten thousand empty-valued headers written one by one.
        {
            RawHttpClient client(server.port());
            QVERIFY(client.waitConnected());
            client.send("GET /hello HTTP/1.1\r\n");
            for (int i = 0; i < 10'000 && client.socket().state() == QAbstractSocket::ConnectedState; ++i)
                client.socket().write("a:\r\n");
            client.socket().flush();
            RawResponse r;
            QVERIFY(client.read(&r));
            QCOMPARE(r.status, 431);
            QVERIFY(client.waitClosed());
        }
        QVERIFY2(timer.elapsed() < 8000, qPrintable(QString::number(timer.elapsed())));
        QCOMPARE(routes.handled.load(), 0);

        // Trailers are a header block too: the same refusals hold there.
        for (const QByteArray &trailer : {QByteArray("X-A: a\nX-B: b\r\n"), QByteArray("X-A: a\r\n b\r\n"),
                                          QByteArray("X-A : a\r\n"), QByteArray("X-A: a\rX-B: b\r\n")})
            expectRejectedAndClosed(
                server.port(),
                "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n" + trailer +
                    "\r\nGET /hello HTTP/1.1\r\n\r\n",
                400);
        QCOMPARE(routes.handled.load(), 0);

        // Trailers are read but never merged into the headers a handler sees.
        RawHttpClient client(server.port());
        QVERIFY(client.waitConnected());
        client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n"
                    "X-Trailer: 1\r\nContent-Length: 99\r\n\r\n"
                    "GET /header?name=X-Trailer HTTP/1.1\r\nHost: t\r\n\r\n");
        RawResponse r;
        QVERIFY(client.read(&r));
        QCOMPARE(r.body, QByteArray("ok"));
        QVERIFY(client.read(&r));
        QCOMPARE(r.status, 404);
    }

    void http10AndAbsoluteForm() {
        CountingRoutes routes;
        ServerThread server(&routes.router);
        RawResponse r;
        {
            // HTTP/1.0 without keep-alive: answered, then closed; what follows is not read.
            RawHttpClient client(server.port());
            QVERIFY(client.waitConnected());
            expectAnswered(client,
                           "POST /echo HTTP/1.0\r\nContent-Length: 2\r\n\r\nhiGET /hello HTTP/1.1\r\n\r\n",
                           200, QByteArray("hi"), &r);
            QCOMPARE(r.header("Connection"), QByteArray("close"));
            QVERIFY(client.waitClosed());
            QVERIFY(!client.buffered().contains("HTTP/1.1"));
        }
        {
            // HTTP/1.0 with keep-alive: the connection is kept, every answer says so and is framed.
            RawHttpClient client(server.port());
            QVERIFY(client.waitConnected());
            for (int i = 0; i < 3; ++i) {
                expectAnswered(client,
                               "POST /echo HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n" +
                                   QByteArray::number(i),
                               200, QByteArray::number(i), &r);
                QCOMPARE(r.header("Connection"), QByteArray("keep-alive"));
                QCOMPARE(r.header("Content-Length"), QByteArray("1"));
            }
            // An HTTP/1.0 POST without a length has an empty body (a request never reads to EOF).
            expectAnswered(client, "POST /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 200,
                           QByteArray());
        }
        // Versions that are not HTTP/1.x.
        for (const QByteArray &version :
             {QByteArray("HTTP/2.0"), QByteArray("HTTP/0.9"), QByteArray("HTTP/9.1")})
            expectRejectedAndClosed(server.port(), "GET /hello " + version + "\r\nHost: t\r\n\r\n", 505);
        expectRejectedAndClosed(server.port(), "GET /hello\r\n\r\n", 505); // HTTP/0.9's simple request

        // Absolute-form targets reduce to their path; the authority is not a route.
        RawHttpClient client(server.port());
        QVERIFY(client.waitConnected());
        const QList<std::pair<QByteArray, QByteArray>> targets = {
            {"http://host/target", "/target"},     {"http://host:8787/target?x=1", "/target"},
            {"HTTP://HOST/target", "/target"},     {"https://user:pw@host/target", "/target"},
            {"http://[::1]:80/target", "/target"},
        };
        for (const auto &[target, path] : targets) {
            expectAnswered(client, "GET " + target + " HTTP/1.1\r\nHost: other\r\n\r\n", 200,
                           target + " " + path);
        }
        client.send("GET http://host HTTP/1.1\r\nHost: t\r\n\r\n"); // no path: "/", no route
        QVERIFY(client.read(&r));
        QCOMPARE(r.status, 404);
        expectAnswered(
            client, "POST http://host/echo HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok",
            200, QByteArray("ok"));
        // Targets that are no URL at all.
        for (const QByteArray &target : {QByteArray("http://"), QByteArray("http:/x"),
                                         QByteArray("http://host:99999/x"), QByteArray("http://ho st/x")})
            expectRejectedAndClosed(server.port(), "GET " + target + " HTTP/1.1\r\nHost: t\r\n\r\n", 400);
    }
};

QTEST_GUILESS_MAIN(tst_HostileRequests)
#include "tst_HostileRequests.moc"
