#include "smartcar/FleetLoader.h"

#include "smartcar/PayloadDecoder.h"

namespace smartcar {

void FleetLoader::restore(model::FleetState *state, const model::Vehicle &vehicle) {
    // Applied to a vehicle it has not seen, an event takes every signal and open error as given
    // and the receive time as the last delivery: that is the recorded vehicle, exactly.
    model::VehicleEvent event;
    event.kind = model::VehicleEvent::Kind::State;
    event.vehicleId = vehicle.id;
    event.make = vehicle.make;
    event.model = vehicle.model;
    event.year = vehicle.year;
    event.vin = vehicle.vin;
    event.signalValues.reserve(vehicle.signalsByCode.size());
    for (const model::SignalValue &s : vehicle.signalsByCode)
        event.signalValues.append(s);
    event.errors = vehicle.openErrors;
    state->apply(event, vehicle.lastDeliveryAt);
}

bool FleetLoader::load(store::JournalReader &reader, model::FleetState *state, Outcome *outcome,
                       QString *error, Source source) {
    Outcome result;
    if (source == Source::SnapshotAndJournal &&
        !reader.readSnapshot(
            &result.snapshotCoveredId, [&](model::Vehicle &&v) { restore(state, v); }, error))
        return false;
    const bool ok = reader.forEach(
        {.acceptedOnly = true,
         .withBodies = true,
         .vehicleId = {},
         .sinceMs = 0,
         .afterId = result.snapshotCoveredId},
        [&](const model::Delivery &d) {
            const PayloadDecoder::Result decoded = PayloadDecoder::decode(d.body);
            if (decoded.ok && state->apply(decoded.event, d.receivedAtMs))
                result.replayedVehicles.insert(decoded.event.vehicleId);
            ++result.replayed;
            result.lastReplayedId = d.id;
            return true;
        },
        error);
    if (outcome)
        *outcome = std::move(result);
    return ok;
}

} // namespace smartcar
