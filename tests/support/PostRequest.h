#pragma once

// A raw HTTP/1.1 POST with a Content-Length body, for tests that send bytes through RawHttpClient.

#include <QByteArray>

namespace testsupport {

// "POST target HTTP/1.1", the Host header, `extraHeaders` (whole "Name: value\r\n" lines), the
// Content-Length of `body`, then the body.
inline QByteArray postRequest(const QByteArray &target, const QByteArray &body,
                              const QByteArray &extraHeaders = {}, const QByteArray &host = "test") {
    return "POST " + target + " HTTP/1.1\r\nHost: " + host + "\r\n" + extraHeaders +
           "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

} // namespace testsupport
