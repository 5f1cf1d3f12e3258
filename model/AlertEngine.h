#pragma once

#include "model/Alert.h"
#include "model/AlertReadings.h"
#include "model/AlertRuleSettings.h"
#include "model/Vehicle.h"

#include <QCoreApplication>
#include <QHash>
#include <QList>
#include <QMap>
#include <QSet>
#include <QString>

#include <array>
#include <deque>
#include <optional>

namespace model {

class FleetState;

// The alert rules. Given the same vehicles, times and calls it always gives the same alerts: it never
// reads the clock, time is passed in (epoch ms). Not thread-safe: it runs on the ingest thread beside
// FleetState.
//
// Promises:
// - At most one uncleared alert per (vehicle, kind, subject); a condition that keeps holding updates
//   that alert (lastSeenAt, fireCount, message) each time a delivery re-observes it (evaluate()). A
//   re-observation is new evidence: a reading of the signal with another retrievedAt, oemUpdatedAt or
//   body (a VEHICLE_ERROR delivery does not re-observe an open door, nor a stale retry a battery level),
//   or, for a vehicle error, an entry that differs from the one seen before.
// - Once an alert is cleared it never changes again; the condition returning raises a new alert with a
//   new id. Ids only grow, also across restarts (restore()).
// - Every call returns the alerts it created or changed, as full snapshots, ordered by id.
// - Airbag alerts clear only by acknowledgement. An airbag signal that still reports deployment after
//   the acknowledgement raises nothing new until it has reported "not deployed" once.
// - A disabled rule raises nothing new and stops re-observing its alerts, but alerts it raised before
//   still clear when their condition ends (they would otherwise stay active forever).
class AlertEngine final {
    Q_DECLARE_TR_FUNCTIONS(AlertEngine)
    Q_DISABLE_COPY_MOVE(AlertEngine)
public:
    static constexpr int kClearedHistory = 1000; // cleared alerts kept for alert(id); oldest go first

    explicit AlertEngine(AlertRuleSettings settings = {});

    const AlertRuleSettings &settings() const { return m_settings; }
    // Applies from the next evaluate()/tick(); raises and clears nothing by itself.
    void setSettings(const AlertRuleSettings &settings);

    // Replaces the engine's alerts with those loaded from the database at start (open and recently
    // cleared). New ids continue after the largest id restored (or ever assigned). Delayed closures
    // that were waiting start over with the next delivery.
    void restore(const QList<Alert> &alerts);

    // Runs every rule against one vehicle after an accepted delivery changed it.
    QList<Alert> evaluate(const Vehicle &vehicle, qint64 nowMs);

    // Periodic: raises "silent" alerts and delayed closure alerts whose delay has elapsed (a tick never
    // counts as a re-observation, so it does not touch lastSeenAt or fireCount of open alerts).
    QList<Alert> tick(const QList<const Vehicle *> &vehicles, qint64 nowMs);
    QList<Alert> tick(const FleetState &fleet, qint64 nowMs);

    // Returns the changed alert, or nothing when the id is unknown, already cleared or already
    // acknowledged. An empty `by` is recorded as "user".
    std::optional<Alert> acknowledge(qint64 alertId, const QString &by, qint64 nowMs);
    QList<Alert> acknowledgeAll(const QString &by, qint64 nowMs);
    // An acknowledgement made elsewhere (another desktop following the same shared fleet), known by
    // the alert's slot instead of its id, since ids are this engine's own: it applies to the active
    // alert of (vehicleId, kind, subject) that was first seen at or before `acknowledgedAt` (an alert
    // raised after it is a new condition nobody has seen yet). Nothing when there is none or it is
    // acknowledged already, so the same acknowledgement applied twice changes nothing.
    std::optional<Alert> acknowledgeMatching(const QString &vehicleId, AlertKind kind, const QString &subject,
                                             qint64 acknowledgedAt, const QString &by);
    // Whether an alert of (vehicleId, kind, subject), active or among the cleared ones kept, was
    // first seen at or before `atMs`: an acknowledgement made then has had its effect here (or its
    // alert is gone), as opposed to one whose alert this engine has not raised yet.
    bool raisedBy(const QString &vehicleId, AlertKind kind, const QString &subject, qint64 atMs) const;

    QList<Alert> activeAlerts() const; // uncleared, ordered by id
    // The highest severity among one vehicle's active alerts, -1 when it has none. Looks at that
    // vehicle's alerts only, so it stays cheap with thousands of alerts open across the fleet.
    int worstActiveSeverity(const QString &vehicleId) const;
    // Active, or cleared and still in the bounded history; nullptr otherwise. Valid until the next
    // non-const call.
    const Alert *alert(qint64 id) const;

    static QString clearedByCondition() { return QStringLiteral("condition"); }

private:
    // A closure seen open while closureOpenDelayMinutes > 0, not alerted yet (count 0: none).
    struct PendingClosure {
        qint64 since = 0;    // first delivery that saw it open
        qint64 lastSeen = 0; // latest delivery that saw it open
        int count = 0;       // deliveries that saw it open
        QString message;
        QByteArray evidence;
    };
    // One (kind, subject) of one vehicle: its active alert, if any.
    struct Slot {
        qint64 alertId = 0;  // the active alert; 0 when there is none
        QByteArray evidence; // what the active alert was last observed from; empty after a restore
    };
    // A slot whose subject varies from vehicle to vehicle: an airbag signal code, an error key.
    struct KeyedSlot {
        AlertKind kind = AlertKind::Airbag;
        QString subject;
        Slot slot;
        bool deployed = false; // airbag: the latest reading said deployed
        bool latched = false;  // airbag: acknowledged while still deployed
    };
    // The closure signals that raise "open" alerts.
    static constexpr int kClosureCount = int(AlertReadings::kClosureRules.size());
    // What the engine tracks per vehicle. It is one flat record, made when the vehicle's first
    // delivery is evaluated and kept while the engine runs: the rules with a fixed subject have a
    // slot each, so a vehicle's first open door or low battery takes no memory. Per-vehicle hash
    // tables, made on a vehicle's first condition and dropped once it had none, took ~2 KB each
    // (Qt's hash tables start at 48 entries) at moments a fleet reaches over minutes.
    struct VehicleAlerts {
        std::array<Slot, kClosureCount> closures; // by index in the closure rules
        std::array<PendingClosure, kClosureCount> pending;
        Slot battery;
        Slot silent;
        QList<KeyedSlot> keyed; // airbags (one per code the vehicle reports), vehicle errors
    };
    // What one rule found about one subject of one vehicle.
    struct Observation {
        enum class State { Unknown, Holds, Gone };
        State state = State::Unknown;
        QString message;
        QByteArray evidence; // identifies the readings it was made from (see the class comment)
    };
    using Changes = QList<qint64>; // ids of alerts created or changed by the current call

    // The slot of (kind, subject); nullptr when it has none yet and `create` is false.
    static Slot *slotOf(VehicleAlerts &state, AlertKind kind, const QString &subject, bool create);
    static KeyedSlot *keyedOf(VehicleAlerts &state, AlertKind kind, const QString &subject, bool create);

    void evaluateAirbags(const Vehicle &vehicle, VehicleAlerts &state, qint64 nowMs, Changes &changes);
    void evaluateClosures(const Vehicle &vehicle, VehicleAlerts &state, qint64 nowMs, Changes &changes);
    void evaluateBattery(const Vehicle &vehicle, VehicleAlerts &state, qint64 nowMs, Changes &changes);
    void evaluateErrors(const Vehicle &vehicle, VehicleAlerts &state, qint64 nowMs, Changes &changes);
    void evaluateSilent(const Vehicle &vehicle, VehicleAlerts &state, qint64 nowMs, bool mayRaise,
                        Changes &changes);
    void firePendingClosures(const Vehicle &vehicle, VehicleAlerts &state, qint64 nowMs, Changes &changes);

    // Applies an observation to the slot: re-observes (when `reobserve`), raises or clears.
    void apply(const QString &vehicleId, VehicleAlerts &state, AlertKind kind, const QString &subject,
               const Observation &observation, qint64 nowMs, bool reobserve, Changes &changes);
    Alert &raise(const QString &vehicleId, Slot &slot, AlertKind kind, const QString &subject,
                 const Observation &observation, qint64 firstSeenAt, qint64 lastSeenAt, Changes &changes);
    void clear(Slot &slot, qint64 nowMs, const QString &by, Changes &changes);
    bool acknowledgeOne(Alert &alert, const QString &by, qint64 nowMs, Changes &changes);
    // Snapshots the changed alerts (ordered by id), then trims the cleared history.
    QList<Alert> collect(Changes changes);

    AlertRuleSettings m_settings;
    QMap<qint64, Alert> m_alerts; // active and the bounded cleared history
    QHash<QString, VehicleAlerts> m_vehicles;
    std::deque<qint64> m_clearedOrder; // cleared ids, oldest first, for the bounded history
    qint64 m_nextId = 1;
};

} // namespace model
