#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>

namespace net {

using HttpHeaders = QList<QPair<QByteArray, QByteArray>>;

// A complete HTTP request as the parser produced it. The body is the exact bytes received
// (de-chunked when the client used chunked transfer coding), so a handler can sign them.
struct HttpRequest {
    QByteArray method; // "GET", "POST", ...
    QByteArray target; // the raw request target, e.g. "/webhooks/smartcar?x=1"
    QByteArray path;   // target without the query string
    QByteArray query;  // without the leading '?'
    int versionMajor = 1;
    int versionMinor = 1;
    HttpHeaders headers; // in arrival order, names as sent
    QByteArray body;
    QHostAddress peer;
    qint64 receivedAtMs = 0; // wall clock when the last byte arrived
    qint64 receivedAtNs = 0; // monotonicNs() when the last byte arrived, for processing times

    static qint64 monotonicNs();

    // First header with that name, compared case-insensitively; empty when absent.
    QByteArray header(QByteArrayView name) const;
    bool hasHeader(QByteArrayView name) const;
};

} // namespace net
