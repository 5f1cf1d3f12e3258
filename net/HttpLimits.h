#pragma once

#include <QtGlobal>

namespace net {

// What one client may cost the server. The defaults are the product's contract; tests shrink the
// timeout to stay fast.
//
// Slow and idle clients. An endpoint that anyone can reach will meet clients that connect and send
// nothing, or trickle a request a byte at a time, on purpose or through a bad link. The policy:
// - A new connection has the request timeout (10 s from the accept) to deliver its first header
//   block, a TLS one to complete its handshake; after that every request, and every idle
//   keep-alive connection, has it again (from the request's first byte, or the last answer). A
//   client that has not completed its request by then gets 408 and is closed, so a first request
//   has at most twice the timeout. Smartcar sends a whole request at once.
// - Each connection's memory is bounded: the header block by maxHeaderBytes, the body by
//   maxBodyBytes, unread input by the socket's read buffer, unsent answers by the pipelining limit.
// - The connection cap is high (descriptors are cheap once the process's soft RLIMIT_NOFILE is
//   raised to its hard limit, which HttpServer::raiseOpenFileLimit() does). A connection whose
//   header block (with TLS, its ClientHello) has not arrived waits in the ConnectionLobby, off the serving
//   thread, for a descriptor and about a hundred bytes; once its headers are in it costs a QTcpSocket (about
//   18 kB, mostly Qt's read buffer) until the request completes or times out. The cap is clamped
//   below the descriptor limit.
// - At the cap the newcomer is served, and the connection that has gone longest without
//   completing a request is closed instead: clients that never finish a request are the ones that
//   go, and a sender whose requests complete keeps its place however many slow clients pile up.
//   Refusing the newcomer (as a plain cap does) would let 4,096 idle sockets lock Smartcar out.
struct HttpLimits {
    qsizetype maxHeaderBytes = 16 * 1024; // request line + header block; beyond it: 431
    qsizetype maxBodyBytes = 1024 * 1024; // beyond it: 413, decided before the body is read
    int requestTimeoutMs = 10'000;        // see above: a request, header block or handshake not done in time
    int maxConnections = 4096;            // beyond it: the stalest connection is closed for the newcomer
    int maxPipelinedRequests = 32;        // requests awaiting an answer before reading pauses
    // Connections wait for their header block (or ClientHello) in a ConnectionLobby on a thread of its
    // own. Off only for a harness that drives the server's event loop itself and needs every step
    // on that thread (the fuzz target).
    bool connectionLobby = true;
};

} // namespace net
