#pragma once

#include "net/HttpRequest.h"

#include <QByteArray>
#include <QString>

namespace net {

// What HttpClientConnection hands back for one request: either a complete response (error empty,
// whatever its status) or a transport failure (error set, status 0: refused, timed out, closed).
struct HttpClientReply {
    int status = 0;
    HttpHeaders headers; // in arrival order, names as sent
    QByteArray body;     // de-chunked
    QString error;       // empty when a response arrived
    // From the moment the connection started on the request (connecting first if it had to) to
    // the last byte of the response; time spent queued behind earlier requests is not included.
    qint64 latencyNs = 0;

    // A response arrived and it is a 2xx: what a webhook sender counts as acknowledged.
    bool ok() const { return error.isEmpty() && status >= 200 && status < 300; }

    // First header with that name, compared case-insensitively; empty when absent.
    QByteArray header(QByteArrayView name) const {
        for (const auto &[key, value] : headers) {
            if (name.compare(key, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
};

} // namespace net
