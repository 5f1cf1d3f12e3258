#pragma once

#include <QtGlobal>

namespace net {

// What one client may cost the server. The defaults are the product's contract; tests shrink the
// timeout to stay fast.
struct HttpLimits {
    qsizetype maxHeaderBytes = 16 * 1024; // request line + header block; beyond it: 431
    qsizetype maxBodyBytes = 1024 * 1024; // beyond it: 413, decided before the body is read
    int requestTimeoutMs = 10'000;        // idle connection, or a request not complete in time: close (408)
    int maxConnections = 512;             // beyond it: 503 and close
    int maxPipelinedRequests = 32;        // requests awaiting an answer before reading pauses
};

} // namespace net
