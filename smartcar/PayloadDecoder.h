#pragma once

#include "model/VehicleEvent.h"

#include <QByteArray>
#include <QString>

namespace smartcar {

// Turns a raw webhook body into a model::VehicleEvent. Tolerant by design: it accepts every variant
// of the unified (meta.version 3.0/4.0, `eventType`) and legacy (v2.0, `eventName`) formats listed
// in the protocol reference, and anything it cannot place is kept as Kind::Unknown rather than
// refused. Only a body that is not a JSON object is an error.
class PayloadDecoder final {
public:
    struct Result {
        bool ok = false;
        QString error; // why the body is not a JSON object; empty when ok
        model::VehicleEvent event;
        QByteArray challenge; // VERIFY only: the string to answer
    };

    static Result decode(const QByteArray &raw);
};

} // namespace smartcar
