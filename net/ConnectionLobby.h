#pragma once

#include "net/HttpLimits.h"

#include <QtGlobal>
#include <atomic>
#include <functional>
#include <list>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace net {

// Where an accepted connection waits until its request's header block has arrived (or cannot be
// valid), before it becomes a QTcpSocket and an HttpConnection on the serving thread. For HTTPS,
// until its ClientHello has arrived, before QSslServer takes it through the handshake.
//
// Why: Qt's event loop polls every socket it watches on every turn. With a thousand clients
// trickling a request a byte a second, each a QTcpSocket on the serving thread, poll() over their
// sockets took about a quarter of that thread's time (perf: sock_poll, tcp_poll), signed deliveries
// kept only 81-87 % of their throughput, and each client cost 17-19 kB (mostly Qt's read buffer).
// Here they are one epoll set on a thread of their own, woken only by the sockets that receive
// something, at the cost of a descriptor and about a hundred bytes each (no socket object, no read
// buffer: the bytes stay in the kernel and are examined with MSG_PEEK).
//
// A connection leaves the lobby when http-parser finds its header block complete, or an error in
// what has arrived, or maxHeaderBytes arrived without the end of the header block (the serving
// side then answers 431 or 400 as usual); it is closed here when the client hangs up first, and
// answered 408 and closed when the request timeout passes first (silently if it sent nothing).
class ConnectionLobby final {
public:
    // Called on the lobby's thread with a descriptor that leaves the lobby, and when it was accepted.
    using Handover = std::function<void(int fd, qint64 acceptedNs)>;

    ConnectionLobby(const HttpLimits &limits, Handover handover);
    ~ConnectionLobby(); // closes what it still holds
    Q_DISABLE_COPY_MOVE(ConnectionLobby)

    bool isRunning() const { return m_thread.joinable(); }
    // The connections speak TLS: they wait for their first record (the ClientHello) instead of a
    // header block, and are closed without an answer when it does not come in time. Before add().
    void setTls(bool tls);
    // Takes ownership of an accepted, connected socket descriptor. Any thread.
    void add(int fd, qint64 acceptedNs);
    // When the connection that has waited longest was accepted; INT64_MAX when none waits.
    qint64 oldestAcceptedNs() const;
    // Closes the connection that has waited longest; false when none waits. Any thread.
    bool evictOldest();
    int size() const { return m_size.load(std::memory_order_relaxed); }
    // How often the lobby's thread has woken (a socket's news, a deadline, a newcomer), to check
    // that it sleeps while nothing is due.
    quint64 wakeups() const { return m_wakeups.load(std::memory_order_relaxed); }

private:
    struct Entry {
        int fd;
        qint64 acceptedNs;
        bool sawBytes = false;
    };
    using Order = std::list<Entry>;

    void run();
    void wake(); // any thread: the thread's wait ends (to stop, or to wait for a new deadline)
    int msUntilNextDeadline(qint64 nowNs) const; // with m_mutex held; -1: none
    void examine(int fd, quint32 events);        // with m_mutex held
    void release(Order::iterator it);            // with m_mutex held: out of the epoll set and the lists
    void expire(qint64 nowNs);                   // with m_mutex held

    HttpLimits m_limits;
    Handover m_handover;
    int m_epoll = -1;
    int m_wake = -1; // eventfd that wakes the thread
    std::atomic<bool> m_stopping{false};
    std::atomic<quint64> m_wakeups{0};
    bool m_tls = false;
    mutable std::mutex m_mutex;
    Order m_order; // accept order, which is also deadline order
    std::unordered_map<int, Order::iterator> m_byFd;
    std::atomic<int> m_size{0};
    std::vector<char> m_peek;
    std::thread m_thread;
};

} // namespace net
