#pragma once

#include "model/FleetState.h"
#include "store/JournalReader.h"

namespace smartcar {

// Rebuilds the fleet by decoding every accepted delivery in journal order and applying it: the
// same steps, in the same order, as when the deliveries arrived, so the result is the same state.
class FleetLoader final {
public:
    static bool load(store::JournalReader &reader, model::FleetState *state, qint64 *deliveries,
                     QString *error);
};

} // namespace smartcar
