// libFuzzer target: a webhook body, as the ingest thread handles it once its signature checked out.
// PayloadDecoder turns it into an event; the event goes where an accepted delivery goes: the fleet
// state (twice, the second time as a later retry), the history samples, the table row and the alert
// rules (evaluated after each delivery, then a day of silence ticks by, then everything is
// acknowledged). Checks the decoder's contract: ok or an error message, never both.

#include "model/AlertEngine.h"
#include "model/FleetState.h"
#include "model/HistoryExtractor.h"
#include "smartcar/PayloadDecoder.h"

#include <cstdio>
#include <cstdlib>

namespace {

[[noreturn]] void fail(const char *what) {
    std::fprintf(stderr, "fuzz_payload_decoder: %s\n", what);
    std::abort();
}

void deliver(model::FleetState &fleet, model::AlertEngine &alerts, const model::VehicleEvent &event,
             qint64 nowMs) {
    const bool changed = fleet.apply(event, nowMs);
    const model::Vehicle *vehicle = fleet.vehicle(event.vehicleId);
    if (changed && !vehicle)
        fail("FleetState::apply reported a change but holds no such vehicle");
    if (!vehicle)
        return;
    (void)model::FleetState::rowFor(*vehicle);
    (void)alerts.evaluate(*vehicle, nowMs);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    // A copy: the decoder gets an ordinary, owned QByteArray, as the HTTP layer hands it over.
    const QByteArray body(reinterpret_cast<const char *>(data), qsizetype(size));
    const smartcar::PayloadDecoder::Result result = smartcar::PayloadDecoder::decode(body);
    if (result.ok != result.error.isEmpty())
        fail("a result must be ok or carry an error, not both or neither");
    if (!result.ok)
        return 0;
    const model::VehicleEvent &event = result.event;
    if (event.kind != model::VehicleEvent::Kind::Verify && !result.challenge.isEmpty())
        fail("a challenge outside a VERIFY event");

    if (!event.vehicleId.isEmpty())
        (void)model::HistoryExtractor::samples(event.vehicleId, event.signalValues);

    constexpr qint64 kNow = 1'700'000'000'000;
    constexpr qint64 kDay = 24 * 3600 * 1000;
    model::AlertRuleSettings delayed;
    delayed.closureOpenDelayMinutes = 5; // open closures wait before alerting: the pending path
    for (const model::AlertRuleSettings &settings : {model::AlertRuleSettings{}, delayed}) {
        model::FleetState fleet;
        model::AlertEngine alerts(settings);
        deliver(fleet, alerts, event, kNow);
        deliver(fleet, alerts, event, kNow + 60'000);
        if (fleet.vehicleCount() > 1)
            fail("one delivery created more than one vehicle");
        (void)alerts.tick(fleet, kNow + 10 * 60'000);
        (void)alerts.tick(fleet, kNow + 2 * kDay);
        const QList<model::Alert> acknowledged =
            alerts.acknowledgeAll(QStringLiteral("fuzz"), kNow + 2 * kDay);
        for (const model::Alert &alert : alerts.activeAlerts())
            (void)alerts.alert(alert.id);
        (void)acknowledged;
    }
    return 0;
}
