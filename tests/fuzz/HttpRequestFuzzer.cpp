// libFuzzer target: the bytes a client sends to the real net::HttpServer / HttpConnection, over a
// real loopback TCP connection. Exercises parsing, limits, keep-alive, pipelining (answers given
// out of order), Expect: 100-continue, upgrade, timeouts and close, and checks that what comes back
// is a well-formed sequence of HTTP/1.1 responses, one for every request the server handled (and at
// most the error that closed the connection besides), and that the server lets go of the
// connection once the client closes.
//
// Input: the raw bytes of one connection. Each "@SPLIT@" in it is a pause: the bytes before it are
// sent and the server runs until it is idle before the rest follows, so requests split across reads
// are exercised too. An "@WAIT@" instead waits past the request timeout (shortened to 50 ms here),
// so a stalled request or an idle keep-alive connection meets the deadline; once per input. An
// input that starts with "@LOBBY@" goes to a second server whose connections first wait for their
// header block in the ConnectionLobby (as in the product); the harness then waits for the lobby's
// thread to hand the connection over (or to close it), which costs up to its timeout tick.
//
// Behind the server: the routes the ingest serves, answering the way WebhookEndpoint does (VERIFY
// answered at once, unsigned deliveries 401 at once, signed ones after a "commit" on a later
// event-loop turn, so pipelined answers complete out of order) and the real OAuthCallbackEndpoint.

#include "FuzzApplication.h"
#include "net/HttpConnection.h"
#include "net/HttpServer.h"
#include "net/Router.h"
#include "smartcar/ConnectFlow.h"
#include "smartcar/OAuthCallbackEndpoint.h"
#include "smartcar/PayloadDecoder.h"
#include "smartcar/Signature.h"
#include "smartcar/SmartcarApiClient.h"
#include "smartcar/TokenStore.h"

#include <QAbstractEventDispatcher>
#include <QElapsedTimer>
#include <QTimer>

#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

// The token the signed seeds were signed with (HMAC-SHA256 of the body, lowercase hex).
const QByteArray kAmt = QByteArrayLiteral("fuzz-application-management-token");
constexpr QByteArrayView kSplit("@SPLIT@");
constexpr QByteArrayView kWait("@WAIT@");
constexpr QByteArrayView kLobby("@LOBBY@");
// Short enough for a stall to be affordable, long enough that a whole input is sent well within it
// (Smartcar sends a request at once; only a stalled one meets the deadline).
constexpr int kRequestTimeoutMs = 50;
// Event-loop turns before giving up on a connection that never goes quiet or never goes away.
constexpr int kMaxRounds = 20000;

[[noreturn]] void fail(const char *what, const QByteArray &detail = {}) {
    std::fprintf(stderr, "fuzz_http_request: %s\n%s\n", what, detail.left(2000).constData());
    std::abort();
}

// Counts the requests the server completed and handed on, to hold the answers against them.
class CountingHandler final : public QObject, public net::RequestHandler {
public:
    explicit CountingHandler(net::RequestHandler *next)
        : m_next(next) {}
    void handleRequest(const net::HttpRequest &request, const net::Responder &responder) override {
        ++m_handled;
        static const bool trace = qEnvironmentVariableIsSet("FLEETMON_FUZZ_TRACE");
        if (trace)
            std::fprintf(stderr, "--- handled %s %s, %lld body bytes\n", request.method.constData(),
                         request.target.left(200).constData(), qlonglong(request.body.size()));
        m_next->handleRequest(request, responder);
    }
    int handled() const { return m_handled; }
    int takeHandled() { return std::exchange(m_handled, 0); }

private:
    net::RequestHandler *m_next;
    int m_handled = 0;
};

class Harness final {
public:
    Harness()
        : m_client(smartcar::SmartcarEndpoints{})
        , m_tokens(QStringLiteral("/nonexistent/fleetmon-fuzz/tokens.json"))
        , m_flow(smartcar::ConnectFlow::Settings{}, &m_client, &m_tokens)
        , m_oauth(&m_flow) {
        m_router.addRoute("POST", "/webhooks/smartcar",
                          [this](const net::HttpRequest &r, const net::Responder &w) { delivery(r, w); });
        m_router.addRoute("GET", "/healthz", [](const net::HttpRequest &, const net::Responder &w) {
            w.respond(net::HttpResponse::json(200, R"({"status":"ok"})"));
        });
        m_router.addRoute("GET", "/oauth/callback",
                          [this](const net::HttpRequest &r, const net::Responder &w) {
                              m_oauth.handleOAuthCallback(r, w);
                          });
        net::HttpLimits limits;
        limits.requestTimeoutMs = kRequestTimeoutMs;
        limits.connectionLobby = false; // every step on this thread, driven by runUntilQuiet()
        m_server = listening(limits, &m_address);
        limits.connectionLobby = true;
        m_lobbyServer = listening(limits, &m_lobbyAddress);
    }

    const sockaddr_in &address(bool viaLobby) const { return viaLobby ? m_lobbyAddress : m_address; }
    net::HttpServer *server(bool viaLobby) const { return viaLobby ? m_lobbyServer : m_server; }
    int handled() const { return m_counting.handled(); }
    int takeHandled() { return m_counting.takeHandled(); }

private:
    net::HttpServer *listening(const net::HttpLimits &limits, sockaddr_in *address) {
        auto *server = new net::HttpServer(&m_counting, limits);
        if (!server->listen(QHostAddress::LocalHost, 0))
            fail("cannot listen on loopback", server->errorString().toUtf8());
        address->sin_family = AF_INET;
        address->sin_port = htons(server->serverPort());
        address->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return server;
    }

    // WebhookEndpoint::handleDelivery's answers without the journal behind it.
    void delivery(const net::HttpRequest &request, const net::Responder &responder) {
        const QByteArray signature = request.header("SC-Signature");
        if (signature.isEmpty() || !smartcar::Signature::verify(kAmt, request.body, signature)) {
            if (request.body.size() <= 4096) {
                const smartcar::PayloadDecoder::Result peek = smartcar::PayloadDecoder::decode(request.body);
                if (peek.ok && peek.event.kind == model::VehicleEvent::Kind::Verify) {
                    responder.respond(net::HttpResponse::json(
                        200, "{\"challenge\":\"" + smartcar::Signature::hmacSha256Hex(kAmt, peek.challenge) +
                                 "\"}"));
                    return;
                }
            }
            responder.respond(net::HttpResponse::error(401, QStringLiteral("SC-Signature does not match")));
            return;
        }
        const smartcar::PayloadDecoder::Result decoded = smartcar::PayloadDecoder::decode(request.body);
        const net::HttpResponse answer = decoded.ok ? net::HttpResponse::json(200, R"({"status":"accepted"})")
                                                    : net::HttpResponse::error(400, decoded.error);
        // Answered once "committed", a later turn: the requests pipelined behind it may be answered
        // first and must still go out after it.
        QTimer::singleShot(0, &m_counting, [responder, answer] { responder.respond(answer); });
    }

    net::Router m_router;
    CountingHandler m_counting{&m_router};
    smartcar::SmartcarApiClient m_client;
    smartcar::TokenStore m_tokens;
    smartcar::ConnectFlow m_flow; // never configured: a callback never reaches the network
    smartcar::OAuthCallbackEndpoint m_oauth;
    // Kept for the whole process, like the ingest's.
    net::HttpServer *m_server = nullptr;
    net::HttpServer *m_lobbyServer = nullptr;
    sockaddr_in m_address{};
    sockaddr_in m_lobbyAddress{};
};

// A blocking connect that survives libFuzzer's timer signals: interrupted, it completes anyway.
bool connectTo(int fd, const sockaddr_in &address) {
    if (::connect(fd, reinterpret_cast<const sockaddr *>(&address), sizeof address) == 0)
        return true;
    if (errno != EINTR)
        return false;
    pollfd wait{fd, POLLOUT, 0};
    while (::poll(&wait, 1, 10'000) < 0)
        if (errno != EINTR)
            return false;
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0)
        return false;
    errno = error;
    return error == 0;
}

// Reads what the server sent so far. Returns true when something happened (bytes or the end).
bool drain(int fd, QByteArray &received, bool &ended, bool &reset) {
    bool progress = false;
    char buffer[16384];
    for (;;) {
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n > 0) {
            received.append(buffer, n);
            progress = true;
            continue;
        }
        if (n == 0) {
            ended = true;
            return true;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            ended = reset = true; // the server closed with unread bytes pending (RST)
            return true;
        }
        return progress;
    }
}

// Runs the server's event loop (and reads its answers) until nothing moves any more, or the server
// closed the connection.
void runUntilQuiet(int fd, QByteArray &received, bool &ended, bool &reset) {
    QAbstractEventDispatcher *dispatcher = QAbstractEventDispatcher::instance();
    int quietRounds = 0;
    for (int round = 0; round < kMaxRounds && quietRounds < 3 && !ended; ++round) {
        bool busy = dispatcher->processEvents(QEventLoop::AllEvents);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        busy = drain(fd, received, ended, reset) || busy;
        quietRounds = busy ? 0 : quietRounds + 1;
    }
}

// Lets the server's timers run: waits up to three request timeouts, or until the server closed.
void waitPastDeadline(int fd, QByteArray &received, bool &ended, bool &reset) {
    QElapsedTimer clock;
    clock.start();
    QTimer wake; // processEvents(WaitForMoreEvents) returns at the latest when this fires
    wake.start(10);
    while (!ended && clock.elapsed() < 3 * kRequestTimeoutMs) {
        QAbstractEventDispatcher::instance()->processEvents(QEventLoop::WaitForMoreEvents);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        drain(fd, received, ended, reset);
    }
    runUntilQuiet(fd, received, ended, reset);
}

// Runs the event loop, blocking at most 1 ms at a time, until `done` or `ms` have passed: for work
// done on other threads (the lobby), which a quiet turn of this thread's loop says nothing about.
template <typename Done>
void runFor(int ms, int fd, QByteArray &received, bool &ended, bool &reset, Done done) {
    QElapsedTimer clock;
    clock.start();
    QTimer wake;
    wake.start(1);
    while (!done() && clock.elapsed() < ms) {
        QAbstractEventDispatcher::instance()->processEvents(QEventLoop::WaitForMoreEvents);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
        if (fd >= 0)
            drain(fd, received, ended, reset);
    }
}

void sendAll(int fd, QByteArrayView bytes, QByteArray &received, bool &ended, bool &reset) {
    qsizetype sent = 0;
    while (sent < bytes.size() && !ended) {
        const ssize_t n =
            ::send(fd, bytes.data() + sent, size_t(bytes.size() - sent), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            sent += n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            runUntilQuiet(fd, received, ended, reset); // the server reads, or answers and closes
        } else if (n < 0 && errno != EINTR) {
            return; // the server closed; what it answered is still to be read
        }
    }
}

// The server's side of the conversation must be a sequence of complete HTTP/1.1 responses: a
// status line, headers with exactly one Content-Length, the body it announces. Interim 100 Continue
// responses may come in between. Nothing follows a response that says "Connection: close". When the
// server closed cleanly, nothing may be cut off.
// Returns the number of final (non-1xx) responses.
int checkResponses(const QByteArray &stream, bool cleanEnd) {
    qsizetype pos = 0;
    int responses = 0;
    bool closeAnnounced = false;
    while (pos < stream.size()) {
        const qsizetype headEnd = stream.indexOf("\r\n\r\n", pos);
        if (headEnd < 0) {
            if (cleanEnd)
                fail("response head cut off", stream.mid(pos));
            return responses;
        }
        // Every line of the head, each still ending in '\r' (the split drops the '\n' only).
        QList<QByteArray> lines = stream.mid(pos, headEnd + 2 - pos).split('\n');
        lines.removeLast();
        const QByteArray &statusLine = lines.first();
        if (!statusLine.startsWith("HTTP/1.1 ") || statusLine.size() < 13 || !statusLine.endsWith('\r'))
            fail("malformed status line", statusLine);
        bool numeric = false;
        const int status = statusLine.mid(9, 3).toInt(&numeric);
        if (!numeric || status < 100 || status > 599)
            fail("bad status code", statusLine);
        if (status == 100) {
            if (lines.size() != 1)
                fail("100 Continue with headers", stream.mid(pos, headEnd - pos));
            pos = headEnd + 4;
            continue;
        }
        if (closeAnnounced)
            fail("a response after one that announced Connection: close", stream.mid(pos));
        qsizetype length = -1;
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray &line = lines.at(i);
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0 || !line.endsWith('\r') || line.chopped(1).contains('\r'))
                fail("malformed header line", line);
            if (line.left(colon).compare("Connection", Qt::CaseInsensitive) == 0 &&
                line.mid(colon + 1).trimmed().compare("close", Qt::CaseInsensitive) == 0)
                closeAnnounced = true;
            if (line.left(colon).compare("Content-Length", Qt::CaseInsensitive) != 0)
                continue;
            bool ok = false;
            const qsizetype value = line.mid(colon + 1).trimmed().toLongLong(&ok);
            if (!ok || value < 0 || length >= 0)
                fail("missing, negative or repeated Content-Length", line);
            length = value;
        }
        if (length < 0)
            fail("response without Content-Length", stream.mid(pos, headEnd - pos));
        if (headEnd + 4 + length > stream.size()) {
            if (cleanEnd)
                fail("response body cut off", stream.mid(pos));
            return responses;
        }
        pos = headEnd + 4 + length;
        ++responses;
    }
    return responses;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz::ensureApplication();
    static Harness *harness = new Harness;
    QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    const bool viaLobby = input.startsWith(kLobby);
    if (viaLobby)
        input = input.sliced(kLobby.size());
    net::HttpServer *server = harness->server(viaLobby);
    const auto adopted = [server] { return server->findChild<net::HttpConnection *>() != nullptr; };

    // Each connection from another 127.x.y.z: the client closes first, so every connection leaves a
    // TIME_WAIT behind, and at hundreds per second one source address runs out of ports in a minute.
    static quint32 connections = 0;
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(0x7f010001u + (connections++ % 0xfff0u));
    // No Nagle on the client: each piece goes out at once, whatever is still unacknowledged.
    const int noDelay = 1;
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &noDelay, sizeof noDelay) != 0 ||
        ::bind(fd, reinterpret_cast<const sockaddr *>(&local), sizeof local) != 0 ||
        !connectTo(fd, harness->address(viaLobby)))
        fail("cannot connect to the server on loopback", QByteArray(std::strerror(errno)));

    QByteArray received;
    bool ended = false;
    bool reset = false;
    qsizetype from = 0;
    bool waited = false;
    for (;;) {
        const QByteArrayView rest = input.sliced(from);
        const qsizetype split = rest.indexOf(kSplit);
        const qsizetype wait = waited ? -1 : rest.indexOf(kWait);
        const bool waitFirst = wait >= 0 && (split < 0 || wait < split);
        const qsizetype pause = waitFirst ? wait : split;
        sendAll(fd, rest.first(pause < 0 ? rest.size() : pause), received, ended, reset);
        if (viaLobby && !adopted()) {
            // A part of a header block stays in the lobby: a moment to look at it. The whole input
            // leaves it, or is answered 408 there, within its timeout and a 100 ms tick.
            runFor(pause < 0 ? 300 : 5, fd, received, ended, reset, [&] { return ended || adopted(); });
        }
        runUntilQuiet(fd, received, ended, reset);
        if (pause < 0 || ended)
            break;
        if (waitFirst) {
            waited = true;
            waitPastDeadline(fd, received, ended, reset);
        }
        from += pause + (waitFirst ? kWait.size() : kSplit.size());
    }
    // An answer the server wrote but the kernel holds back (Nagle waiting for the client's delayed
    // ACK, 40 ms at least) counts as missing: 20 ms is the grace a busy machine gets.
    if (!ended && harness->handled() > checkResponses(received, false)) {
        QElapsedTimer grace;
        grace.start();
        while (!ended && grace.elapsed() < 20) {
            pollfd readable{fd, POLLIN, 0};
            ::poll(&readable, 1, 1);
            runUntilQuiet(fd, received, ended, reset);
        }
    }
    // Requests the server completes after this point have no client left to answer.
    const int handled = harness->takeHandled();
    ::close(fd);

    // The client is gone: the server must release the connection (and every answer still owed).
    for (int round = 0; round < kMaxRounds && server->connectionCount() > 0; ++round) {
        QAbstractEventDispatcher::instance()->processEvents(QEventLoop::AllEvents);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    }
    if (viaLobby) {
        // The lobby sees the hang-up on its own thread, and hands over after it counted the
        // connection out: released means nothing counted and nothing adopted for a while.
        QElapsedTimer settled;
        settled.start();
        runFor(2000, -1, received, ended, reset, [&] {
            if (server->connectionCount() > 0 || adopted())
                settled.restart();
            return settled.elapsed() >= 5;
        });
    }
    if (server->connectionCount() > 0)
        fail("server kept the connection after the client closed");

    // When reproducing a report: FLEETMON_FUZZ_TRACE=1 prints what the server answered.
    static const bool trace = qEnvironmentVariableIsSet("FLEETMON_FUZZ_TRACE");
    if (trace)
        std::fprintf(stderr, "--- server answered (%s):\n%s\n---\n",
                     ended ? (reset ? "then reset" : "then closed") : "connection left open",
                     received.constData());
    const int responses = checkResponses(received, ended && !reset);
    harness->takeHandled(); // those completed after the client left: not the next input's
    // Every request the server handed on is answered, in a connection left open as in one the
    // server closed; a closed one may carry one answer more, the error that closed it.
    if (!reset && responses != handled && !(ended && responses == handled + 1))
        fail("answers do not match the requests handled", QByteArray::number(handled) + " handled, " +
                                                              QByteArray::number(responses) + " answered:\n" +
                                                              received);
    return 0;
}
