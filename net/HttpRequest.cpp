#include "net/HttpRequest.h"

namespace net {

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
