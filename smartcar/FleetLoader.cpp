#include "smartcar/FleetLoader.h"

#include "smartcar/PayloadDecoder.h"

#include <QFileInfo>

namespace smartcar {

bool FleetLoader::load(store::JournalReader &reader, model::FleetState *state, qint64 *deliveries,
                       QString *error) {
    qint64 count = 0;
    const bool ok = reader.forEach(
        {.acceptedOnly = true, .withBodies = true},
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

bool FleetLoader::loadFile(const QString &path, model::FleetState *state, qint64 *deliveries,
                           QString *error) {
    if (!QFileInfo::exists(path)) {
        if (deliveries)
            *deliveries = 0;
        return true;
    }
    store::JournalReader reader;
    return reader.open(path, error) && load(reader, state, deliveries, error);
}

} // namespace smartcar
