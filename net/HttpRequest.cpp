#include "net/HttpRequest.h"

#include <chrono>

namespace net {

qint64 HttpRequest::monotonicNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

QByteArray HttpRequest::header(QByteArrayView name) const {
    for (const auto &[key, value] : headers) {
        if (name.compare(key, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

bool HttpRequest::hasHeader(QByteArrayView name) const {
    return std::any_of(headers.cbegin(), headers.cend(),
                       [&](const auto &h) { return name.compare(h.first, Qt::CaseInsensitive) == 0; });
}

} // namespace net
