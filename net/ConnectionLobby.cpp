#include "net/ConnectionLobby.h"

#include "net/HttpRequest.h"
#include "net/HttpResponse.h"

#include <QString>
#include <algorithm>
#include <cerrno>
#include <http_parser.h>
#include <limits>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

namespace net {

namespace {

// How far the header block has come, judged by http-parser on the bytes that have arrived.
enum class Arrival { Incomplete, HeadersComplete, Invalid };

Arrival judge(const char *data, size_t size) {
    struct State {
        bool complete = false;
    } state;
    static const http_parser_settings settings = [] {
        http_parser_settings s;
        http_parser_settings_init(&s);
        s.on_headers_complete = [](http_parser *p) {
            static_cast<State *>(p->data)->complete = true;
            http_parser_pause(p, 1);
            return 0;
        };
        return s;
    }();
    http_parser parser;
    http_parser_init(&parser, HTTP_REQUEST);
    parser.data = &state;
    http_parser_execute(&parser, &settings, data, size);
    if (state.complete)
        return Arrival::HeadersComplete;
    const auto error = http_errno(HTTP_PARSER_ERRNO(&parser));
    return error == HPE_OK || error == HPE_PAUSED ? Arrival::Incomplete : Arrival::Invalid;
}

// How far a TLS client's first record (its ClientHello) has come: a handshake record is 0x16, a
// two-byte version, a two-byte length, then that many bytes. Anything else is not TLS.
Arrival judgeTls(const unsigned char *data, size_t size) {
    if (size < 1)
        return Arrival::Incomplete;
    if (data[0] != 0x16)
        return Arrival::Invalid;
    if (size < 5)
        return Arrival::Incomplete;
    const size_t length = (size_t(data[3]) << 8) | data[4];
    return size >= 5 + length ? Arrival::HeadersComplete : Arrival::Incomplete;
}

constexpr int kMaxEvents = 256;

} // namespace

ConnectionLobby::ConnectionLobby(const HttpLimits &limits, Handover handover)
    : m_limits(limits)
    , m_handover(std::move(handover))
    , m_epoll(limits.connectionLobby ? epoll_create1(EPOLL_CLOEXEC) : -1)
    , m_wake(limits.connectionLobby ? eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK) : -1)
    // The request line counts against maxHeaderBytes too; a little more than the limit tells
    // "too large" from "complete at the limit".
    , m_peek(size_t(limits.maxHeaderBytes) + 4096) {
    if (!limits.connectionLobby || m_epoll < 0 || m_wake < 0)
        return; // isRunning() is false: the server serves without a lobby
    epoll_event wake{};
    wake.events = EPOLLIN;
    wake.data.fd = m_wake;
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wake, &wake) != 0)
        return;
    m_thread = std::thread([this] { run(); });
}

ConnectionLobby::~ConnectionLobby() {
    if (m_thread.joinable()) {
        m_stopping.store(true);
        wake();
        m_thread.join();
    }
    for (const Entry &e : m_order)
        ::close(e.fd);
    if (m_wake >= 0)
        ::close(m_wake);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

void ConnectionLobby::wake() {
    const quint64 one = 1;
    [[maybe_unused]] const ssize_t written = ::write(m_wake, &one, sizeof one);
}

void ConnectionLobby::add(int fd, qint64 acceptedNs) {
    const std::lock_guard lock(m_mutex);
    // An empty lobby waits without a deadline: the first newcomer brings one, so it wakes the
    // thread to wait for that instead. Later ones expire after the oldest, which it waits for.
    if (m_order.empty() && m_thread.joinable())
        wake();
    m_order.push_back(Entry{fd, acceptedNs});
    m_byFd[fd] = std::prev(m_order.end());
    m_size.store(int(m_order.size()), std::memory_order_relaxed);
    // Edge-triggered: the bytes are only peeked at, so level-triggered would wake for them forever.
    // Bytes already there when the socket is added are reported at once.
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
    event.data.fd = fd;
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event) != 0) {
        ::close(fd);
        m_order.pop_back();
        m_byFd.erase(fd);
        m_size.store(int(m_order.size()), std::memory_order_relaxed);
    }
}

void ConnectionLobby::setTls(bool tls) {
    const std::lock_guard lock(m_mutex);
    m_tls = tls;
}

qint64 ConnectionLobby::oldestAcceptedNs() const {
    const std::lock_guard lock(m_mutex);
    return m_order.empty() ? std::numeric_limits<qint64>::max() : m_order.front().acceptedNs;
}

bool ConnectionLobby::evictOldest() {
    const std::lock_guard lock(m_mutex);
    if (m_order.empty())
        return false;
    const int fd = m_order.front().fd;
    release(m_order.begin());
    ::close(fd);
    return true;
}

void ConnectionLobby::release(Order::iterator it) {
    epoll_ctl(m_epoll, EPOLL_CTL_DEL, it->fd, nullptr);
    m_byFd.erase(it->fd);
    m_order.erase(it);
    m_size.store(int(m_order.size()), std::memory_order_relaxed);
}

int ConnectionLobby::msUntilNextDeadline(qint64 nowNs) const {
    if (m_order.empty())
        return -1; // nothing can expire: only a socket or add() wakes the thread
    const qint64 deadlineNs = m_order.front().acceptedNs + qint64(m_limits.requestTimeoutMs) * 1'000'000;
    const qint64 waitNs = std::max<qint64>(0, deadlineNs - nowNs);
    // Rounded up: waking a little early would find nothing due and sleep again.
    return int(std::min<qint64>((waitNs + 999'999) / 1'000'000, std::numeric_limits<int>::max()));
}

void ConnectionLobby::run() {
    pthread_setname_np(pthread_self(), "lobby");
    epoll_event events[kMaxEvents];
    for (;;) {
        // Sleeps until a socket has news or the oldest connection's deadline: an idle endpoint
        // (the usual state of a desktop's) costs no wake-ups, and a 408 goes out on time.
        int timeoutMs = -1;
        {
            const std::lock_guard lock(m_mutex);
            timeoutMs = msUntilNextDeadline(HttpRequest::monotonicNs());
        }
        const int n = epoll_wait(m_epoll, events, kMaxEvents, timeoutMs);
        m_wakeups.fetch_add(1, std::memory_order_relaxed);
        if (m_stopping.load())
            return;
        const std::lock_guard lock(m_mutex);
        for (int i = 0; i < n; ++i) {
            if (events[i].data.fd == m_wake) {
                quint64 count = 0;
                [[maybe_unused]] const ssize_t read = ::read(m_wake, &count, sizeof count);
                continue;
            }
            examine(events[i].data.fd, events[i].events);
        }
        expire(HttpRequest::monotonicNs());
    }
}

void ConnectionLobby::examine(int fd, quint32 events) {
    const auto found = m_byFd.find(fd);
    if (found == m_byFd.end())
        return; // evicted since the event was queued
    const Order::iterator it = found->second;
    const ssize_t got = ::recv(fd, m_peek.data(), m_peek.size(), MSG_PEEK | MSG_DONTWAIT);
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    if (got <= 0) {
        release(it); // the client left before its request did
        ::close(fd);
        return;
    }
    it->sawBytes = true;
    const bool full = size_t(got) >= m_peek.size();
    const Arrival arrival =
        m_tls ? judgeTls(reinterpret_cast<const unsigned char *>(m_peek.data()), size_t(got))
              : judge(m_peek.data(), size_t(got));
    if (full || arrival != Arrival::Incomplete) {
        const qint64 acceptedNs = it->acceptedNs;
        release(it);
        m_handover(fd, acceptedNs);
        return;
    }
    if (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        release(it); // half a request and a hang-up: nothing can come of it
        ::close(fd);
    }
}

void ConnectionLobby::expire(qint64 nowNs) {
    const qint64 timeoutNs = qint64(m_limits.requestTimeoutMs) * 1'000'000;
    while (!m_order.empty() && nowNs - m_order.front().acceptedNs >= timeoutNs) {
        const Entry e = m_order.front();
        release(m_order.begin());
        if (e.sawBytes && !m_tls) { // a TLS client would not read a plain-text answer
            // Read what the client sent (closing on unread bytes would reset the connection, and
            // the client might never see the answer), then answer as HttpConnection does.
            for (int i = 0; i < 16 && ::recv(e.fd, m_peek.data(), m_peek.size(), MSG_DONTWAIT) > 0; ++i) {
            }
            HttpResponse response = HttpResponse::error(
                408, QStringLiteral("request not completed within %1 ms").arg(m_limits.requestTimeoutMs));
            const QByteArray bytes = response.serialize(false);
            [[maybe_unused]] const ssize_t sent =
                ::send(e.fd, bytes.constData(), size_t(bytes.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
            ::shutdown(e.fd, SHUT_WR);
        }
        ::close(e.fd);
    }
}

} // namespace net
