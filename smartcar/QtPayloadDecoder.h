#pragma once

#include "smartcar/PayloadDecoding.h"

#include <QByteArray>

namespace smartcar {

// PayloadDecoder's fallback and its reference: QJsonDocument::fromJson and a walk over QJsonObject.
// It decides and words every error (invalid JSON, a body that is no object) and reads every body
// whose handling simdjson's rules could change: a floating-point zero that may be an underflow, the
// legacy and keyed-signal forms, bodies over 64 KiB. Slower than PayloadDecoder's simdjson path
// (about twice the instructions on a real delivery); tests hold PayloadDecoder::decode to its
// results.
class QtPayloadDecoder final {
public:
    using Result = PayloadDecoding::Result;

    static Result decode(const QByteArray &raw);
};

} // namespace smartcar
