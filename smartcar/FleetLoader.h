#pragma once

#include "model/FleetState.h"
#include "store/JournalReader.h"

#include <QSet>

namespace smartcar {

// Rebuilds the fleet: the snapshot's vehicles (the state as of the journal id it covers), then
// every accepted delivery after that id decoded and applied in journal order, the same steps in
// the same order as when they arrived. Without a snapshot that is the whole journal; either way
// the result is the same state.
class FleetLoader final {
public:
    struct Outcome {
        qint64 snapshotCoveredId = 0;   // 0: no snapshot was used
        qint64 replayed = 0;            // accepted deliveries decoded after the snapshot
        qint64 lastReplayedId = 0;      // 0 when none was
        QSet<QString> replayedVehicles; // whose state the replay changed since the snapshot
    };
    enum class Source { SnapshotAndJournal, JournalOnly };

    static bool load(store::JournalReader &reader, model::FleetState *state, Outcome *outcome, QString *error,
                     Source source = Source::SnapshotAndJournal);
    // Puts a vehicle as a snapshot recorded it into a state that does not know it yet.
    static void restore(model::FleetState *state, const model::Vehicle &vehicle);
};

} // namespace smartcar
