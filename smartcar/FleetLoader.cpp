#include "smartcar/FleetLoader.h"

#include "smartcar/PayloadDecoder.h"

namespace smartcar {

bool FleetLoader::load(store::JournalReader &reader, model::FleetState *state, qint64 *deliveries,
                       QString *error) {
    qint64 count = 0;
    const bool ok = reader.forEach(
        {.acceptedOnly = true, .withBodies = true, .vehicleId = {}, .sinceMs = 0},
        [&](const model::Delivery &d) {
            const PayloadDecoder::Result decoded = PayloadDecoder::decode(d.body);
            if (decoded.ok)
                state->apply(decoded.event, d.receivedAtMs);
            ++count;
            return true;
        },
        error);
    if (deliveries)
        *deliveries = count;
    return ok;
}

} // namespace smartcar
