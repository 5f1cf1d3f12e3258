#pragma once

#include "model/SharedObjectCache.h"
#include "smartcar/PayloadDecoding.h"

#include <QByteArray>

namespace smartcar {

// Turns a raw webhook body into a model::VehicleEvent. Tolerant by design: it accepts every variant
// of the unified (meta.version 3.0/4.0, `eventType`) and legacy (v2.0, `eventName`) formats listed
// in the protocol reference, and anything it cannot place is kept as Kind::Unknown rather than
// refused. Only a body that is not a JSON object is an error.
//
// Hostile bodies: Qt's parser refuses invalid UTF-8, nesting deeper than 1024, numbers no double
// holds (1e999999, a megabyte of digits) and NaN/Infinity; such a body is an error (stored as
// malformed when signed). A key repeated in one object resolves to its last occurrence, as
// ECMAScript's JSON.parse does (two "eventId": the second is the idempotency key; two "data": the
// second is read). Fields of the wrong type are never coerced into fleet state: vehicle ids, make,
// model, VIN, signal codes and VERIFY challenges must be strings, and a signal whose documented
// fields are of the wrong type is left out of the event (see isWellTyped in QtPayloadDecoder.cpp)
// rather than applied.
class PayloadDecoder final {
public:
    using Result = PayloadDecoding::Result;

    // Parses with simdjson and reads each object in one pass; where simdjson's rules and Qt's differ
    // (every body simdjson refuses, a floating-point zero that may be an underflow, the rare legacy
    // and keyed-signal forms, bodies over 64 KiB) it falls back to QtPayloadDecoder, so the result
    // is always the one described above.
    //
    // Signal bodies (and signal errors) of the same content come out as one shared QJsonObject:
    // see SharedObjectCache, one per thread.
    static Result decode(const QByteArray &raw);

    // The calling thread's signal bodies so far: built, and handed out again.
    static model::SharedObjectCache::Counts sharedBodies();
};

} // namespace smartcar
