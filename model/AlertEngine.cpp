#include "model/AlertEngine.h"

#include "model/FleetState.h"

#include <QJsonObject>

#include <algorithm>

namespace model {

namespace {

constexpr qint64 kMinuteMs = qint64(60) * 1000;
constexpr qint64 kHourMs = 60 * kMinuteMs;

const QString kSoc = QStringLiteral("tractionbattery-stateofcharge");
const QString kCharging = QStringLiteral("charge-ischarging");
const QString kDetailedCharging = QStringLiteral("charge-detailedchargingstatus");

QString percentText(double percent) {
    return QString::number(percent, 'g', 3);
}

} // namespace

AlertEngine::AlertEngine(AlertRuleSettings settings)
    : m_settings(settings) {}

void AlertEngine::setSettings(const AlertRuleSettings &settings) {
    m_settings = settings;
}

AlertEngine::KeyedSlot *AlertEngine::keyedOf(VehicleAlerts &state, AlertKind kind, const QString &subject,
                                             bool create) {
    for (KeyedSlot &keyed : state.keyed) {
        if (keyed.kind == kind && keyed.subject == subject)
            return &keyed;
    }
    if (!create)
        return nullptr;
    state.keyed.append(KeyedSlot{kind, subject, {}, false, false});
    return &state.keyed.last();
}

AlertEngine::Slot *AlertEngine::slotOf(VehicleAlerts &state, AlertKind kind, const QString &subject,
                                       bool create) {
    if (kind == AlertKind::OpenClosure) {
        for (int i = 0; i < kClosureCount; ++i) {
            if (AlertReadings::kClosureRules[i].code == subject)
                return &state.closures[size_t(i)];
        }
    } else if (kind == AlertKind::LowBattery && subject.isEmpty()) {
        return &state.battery;
    } else if (kind == AlertKind::Silent && subject.isEmpty()) {
        return &state.silent;
    }
    // Airbags, vehicle errors, and whatever a restore brings that the rules no longer raise.
    KeyedSlot *keyed = keyedOf(state, kind, subject, create);
    return keyed ? &keyed->slot : nullptr;
}

void AlertEngine::restore(const QList<Alert> &alerts) {
    m_alerts.clear();
    m_vehicles.clear();
    m_clearedOrder.clear();

    QList<Alert> sorted = alerts;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const Alert &a, const Alert &b) { return a.id < b.id; });
    QList<const Alert *> cleared;
    for (const Alert &alert : std::as_const(sorted)) {
        if (alert.id <= 0 || alert.vehicleId.isEmpty())
            continue;
        m_nextId = std::max(m_nextId, alert.id + 1);
        m_alerts.insert(alert.id, alert);
        if (alert.isCleared())
            continue;
        // Two open alerts for one slot cannot come from this engine; the newer one wins.
        Slot &slot = *slotOf(m_vehicles[alert.vehicleId], alert.kind, alert.subject, true);
        if (slot.alertId != 0)
            m_alerts.remove(slot.alertId);
        slot.alertId = alert.id;
        slot.evidence.clear();
    }
    for (const Alert &alert : std::as_const(m_alerts)) {
        if (alert.isCleared())
            cleared.append(&alert);
    }
    std::sort(cleared.begin(), cleared.end(), [](const Alert *a, const Alert *b) {
        return a->clearedAt != b->clearedAt ? a->clearedAt < b->clearedAt : a->id < b->id;
    });
    for (const Alert *alert : std::as_const(cleared))
        m_clearedOrder.push_back(alert->id);
    collect({}); // trims the history to its bound
}

QList<Alert> AlertEngine::evaluate(const Vehicle &vehicle, qint64 nowMs) {
    if (vehicle.id.isEmpty())
        return {};
    Changes changes;
    VehicleAlerts &state = m_vehicles[vehicle.id];
    evaluateAirbags(vehicle, state, nowMs, changes);
    evaluateClosures(vehicle, state, nowMs, changes);
    evaluateBattery(vehicle, state, nowMs, changes);
    evaluateErrors(vehicle, state, nowMs, changes);
    evaluateSilent(vehicle, state, nowMs, false, changes);
    return collect(std::move(changes));
}

QList<Alert> AlertEngine::tick(const QList<const Vehicle *> &vehicles, qint64 nowMs) {
    Changes changes;
    for (const Vehicle *vehicle : vehicles) {
        if (!vehicle || vehicle->id.isEmpty())
            continue;
        VehicleAlerts &state = m_vehicles[vehicle->id];
        evaluateSilent(*vehicle, state, nowMs, true, changes);
        firePendingClosures(*vehicle, state, nowMs, changes);
    }
    return collect(std::move(changes));
}

QList<Alert> AlertEngine::tick(const FleetState &fleet, qint64 nowMs) {
    QList<const Vehicle *> vehicles;
    vehicles.reserve(fleet.vehicleCount());
    for (const QString &id : fleet.vehicleIds())
        vehicles.append(fleet.vehicle(id));
    return tick(vehicles, nowMs);
}

void AlertEngine::evaluateAirbags(const Vehicle &vehicle, VehicleAlerts &state, qint64 nowMs,
                                  Changes &changes) {
    // SignalMap iterates in code order: alert ids come out the same in every run.
    for (auto it = vehicle.signalsByCode.cbegin(); it != vehicle.signalsByCode.cend(); ++it) {
        const QString &code = it.key();
        if (!AlertReadings::isAirbagCode(code))
            continue;
        const SignalValue &signal = it.value();
        // A failed read keeps the previous body in FleetState: it is not a new observation.
        const std::optional<bool> deployed =
            signal.isInError() ? std::nullopt : AlertReadings::airbagDeployed(signal);
        Observation observation;
        if (deployed.value_or(false)) {
            // Evidence only matters while the condition holds; building it serialises the body.
            observation.evidence = AlertReadings::signalEvidence(&signal);
            observation.state = Observation::State::Holds;
            const QString description = signal.body.value(QLatin1String("description")).toString().trimmed();
            observation.message =
                description.isEmpty() ? tr("Airbag deployed") : tr("Airbag deployed: %1").arg(description);
        } else if (deployed) {
            observation.state = Observation::State::Gone;
        }
        // Every airbag the vehicle reports gets its slot on first sight, whatever it says.
        keyedOf(state, AlertKind::Airbag, code, true);
        apply(vehicle.id, state, AlertKind::Airbag, code, observation, nowMs, true, changes);
        KeyedSlot &airbag = *keyedOf(state, AlertKind::Airbag, code, true);
        if (observation.state == Observation::State::Holds)
            airbag.deployed = true;
        else if (observation.state == Observation::State::Gone)
            airbag.deployed = false;
    }
}

void AlertEngine::evaluateClosures(const Vehicle &vehicle, VehicleAlerts &state, qint64 nowMs,
                                   Changes &changes) {
    const qint64 delayMs = std::max(0, m_settings.closureOpenDelayMinutes) * kMinuteMs;
    const bool enabled = m_settings.isEnabled(AlertKind::OpenClosure);
    for (int i = 0; i < kClosureCount; ++i) {
        const AlertReadings::ClosureRule &rule = AlertReadings::kClosureRules[size_t(i)];
        const QString &code = AlertReadings::closureCodes()[size_t(i)];
        PendingClosure &pending = state.pending[size_t(i)];
        const std::optional<int> open = AlertReadings::openCount(vehicle, rule);
        Observation observation;
        if (open && *open > 0) {
            // Evidence only matters while the condition holds; building it serialises the body.
            observation.evidence = AlertReadings::signalEvidence(vehicle.signal(code));
            observation.state = Observation::State::Holds;
            QString text;
            if (code == QLatin1String("closure-doors"))
                text = *open == 1 ? tr("1 door open") : tr("%1 doors open").arg(*open);
            else if (code == QLatin1String("closure-windows"))
                text = *open == 1 ? tr("1 window open") : tr("%1 windows open").arg(*open);
            else if (code == QLatin1String("closure-fronttrunk"))
                text = tr("Front trunk open");
            else if (code == QLatin1String("closure-reartrunk"))
                text = tr("Rear trunk open");
            else
                text = tr("Sunroof open");
            observation.message =
                delayMs > 0 ? tr("%1 for more than %2 min").arg(text).arg(delayMs / kMinuteMs) : text;
        } else if (open) {
            observation.state = Observation::State::Gone;
            pending = {}; // closed before the delay ran out: nothing to say
        }

        if (observation.state != Observation::State::Holds || state.closures[size_t(i)].alertId != 0) {
            apply(vehicle.id, state, AlertKind::OpenClosure, code, observation, nowMs, true, changes);
            continue;
        }
        if (!enabled) {
            pending = {};
            continue;
        }
        // Not alerted yet: the condition must hold for the delay (0 fires on the first sighting).
        if (pending.count == 0)
            pending.since = nowMs;
        if (pending.count == 0 || pending.evidence != observation.evidence) {
            pending.lastSeen = std::max(pending.lastSeen, nowMs);
            ++pending.count;
            pending.evidence = observation.evidence;
        }
        pending.message = observation.message;
        if (nowMs - pending.since >= delayMs) {
            Alert &alert = raise(vehicle.id, state.closures[size_t(i)], AlertKind::OpenClosure, code,
                                 observation, pending.since, pending.lastSeen, changes);
            alert.fireCount = pending.count;
            pending = {};
        }
    }
}

void AlertEngine::firePendingClosures(const Vehicle &vehicle, VehicleAlerts &state, qint64 nowMs,
                                      Changes &changes) {
    const qint64 delayMs = std::max(0, m_settings.closureOpenDelayMinutes) * kMinuteMs;
    const bool enabled = m_settings.isEnabled(AlertKind::OpenClosure);
    for (int i = 0; i < kClosureCount; ++i) {
        PendingClosure &waiting = state.pending[size_t(i)];
        if (waiting.count == 0)
            continue;
        if (!enabled) {
            waiting = {};
            continue;
        }
        if (nowMs - waiting.since < delayMs)
            continue;
        // evaluate() saw every delivery, so the pending entry is current; the vehicle is read again
        // only so that a closure known closed never fires.
        const std::optional<int> open =
            AlertReadings::openCount(vehicle, AlertReadings::kClosureRules[size_t(i)]);
        if (open && *open == 0) {
            waiting = {};
            continue;
        }
        const PendingClosure pending = std::exchange(waiting, PendingClosure{});
        Slot &slot = state.closures[size_t(i)];
        if (slot.alertId != 0)
            continue;
        // The tick is not a delivery: lastSeenAt stays at the last delivery that saw it open.
        Observation observation;
        observation.state = Observation::State::Holds;
        observation.message = pending.message;
        observation.evidence = pending.evidence;
        Alert &alert =
            raise(vehicle.id, slot, AlertKind::OpenClosure, AlertReadings::closureCodes()[size_t(i)],
                  observation, pending.since, pending.lastSeen, changes);
        alert.fireCount = pending.count;
    }
}

void AlertEngine::evaluateBattery(const Vehicle &vehicle, VehicleAlerts &state, qint64 nowMs,
                                  Changes &changes) {
    const VehicleRow row = FleetState::rowFor(vehicle);
    const SignalValue *soc = vehicle.signal(kSoc);
    const bool active = state.battery.alertId != 0;
    const double threshold = m_settings.lowBatteryPercent;
    const double clearAt = threshold + std::max(0.0, m_settings.lowBatteryHysteresis);

    Observation observation;
    if (row.charging.value_or(false)) {
        observation.state = Observation::State::Gone; // charging fixes it: no need to wait for 25 %
    } else if (row.batteryPercent && soc && !soc->isInError()) {
        const double percent = *row.batteryPercent;
        // Between the threshold and threshold + hysteresis an open alert stays open (and is re-observed),
        // and no new one is raised.
        if (percent < threshold || (active && percent < clearAt)) {
            observation.state = Observation::State::Holds;
            observation.message = tr("Battery low: %1 %").arg(percentText(percent));
            // Evidence only matters while the condition holds; building it serialises the bodies.
            observation.evidence = AlertReadings::signalEvidence(soc) +
                                   AlertReadings::signalEvidence(vehicle.signal(kCharging)) +
                                   AlertReadings::signalEvidence(vehicle.signal(kDetailedCharging));
        } else if (percent >= clearAt) {
            observation.state = Observation::State::Gone;
        }
    }
    apply(vehicle.id, state, AlertKind::LowBattery, QString(), observation, nowMs, true, changes);
}

void AlertEngine::evaluateErrors(const Vehicle &vehicle, VehicleAlerts &state, qint64 nowMs,
                                 Changes &changes) {
    QSet<QString> open;
    for (const VehicleError &error : vehicle.openErrors) {
        if (error.isResolved() || open.contains(error.key()))
            continue;
        open.insert(error.key());
        Observation observation;
        observation.state = Observation::State::Holds;
        observation.evidence = AlertReadings::errorEvidence(error);
        observation.message = error.suggestedUserMessage.trimmed();
        if (observation.message.isEmpty())
            observation.message = error.description.trimmed();
        if (observation.message.isEmpty())
            observation.message = error.code.isEmpty() ? error.type : error.key();
        apply(vehicle.id, state, AlertKind::VehicleError, error.key(), observation, nowMs, true, changes);
    }

    QStringList resolved;
    for (const KeyedSlot &keyed : std::as_const(state.keyed)) {
        if (keyed.kind == AlertKind::VehicleError && keyed.slot.alertId != 0 && !open.contains(keyed.subject))
            resolved.append(keyed.subject);
    }
    resolved.sort();
    Observation gone;
    gone.state = Observation::State::Gone;
    for (const QString &subject : std::as_const(resolved))
        apply(vehicle.id, state, AlertKind::VehicleError, subject, gone, nowMs, true, changes);
}

void AlertEngine::evaluateSilent(const Vehicle &vehicle, VehicleAlerts &state, qint64 nowMs, bool mayRaise,
                                 Changes &changes) {
    if (vehicle.lastDeliveryAt <= 0)
        return;
    const int hours = std::max(1, m_settings.silentAfterHours);
    Observation observation;
    if (nowMs - vehicle.lastDeliveryAt > hours * kHourMs) {
        // Only the periodic tick raises it: a delivery is by definition the end of the silence.
        if (!mayRaise)
            return;
        observation.state = Observation::State::Holds;
        observation.message = tr("No data for more than %1 h").arg(hours);
    } else {
        observation.state = Observation::State::Gone;
    }
    // Silence cannot be re-observed by a delivery, so ticks never count as firing again.
    apply(vehicle.id, state, AlertKind::Silent, QString(), observation, nowMs, false, changes);
}

void AlertEngine::apply(const QString &vehicleId, VehicleAlerts &state, AlertKind kind,
                        const QString &subject, const Observation &observation, qint64 nowMs, bool reobserve,
                        Changes &changes) {
    if (observation.state == Observation::State::Unknown)
        return;
    // Slots with a fixed subject always exist; a keyed one is made when its condition first holds.
    Slot *slot = slotOf(state, kind, subject, observation.state == Observation::State::Holds);
    if (observation.state == Observation::State::Gone) {
        if (kind == AlertKind::Airbag) {
            if (KeyedSlot *airbag = keyedOf(state, kind, subject, false))
                airbag->latched = false;
        }
        if (slot && slot->alertId != 0 && !m_alerts[slot->alertId].clearsOnlyByAcknowledgement())
            clear(*slot, nowMs, clearedByCondition(), changes);
        return;
    }
    const bool enabled = m_settings.isEnabled(kind);
    if (slot->alertId != 0) {
        if (!reobserve || !enabled)
            return;
        Alert &alert = m_alerts[slot->alertId];
        QByteArray &known = slot->evidence; // empty after a restore: the first look counts
        if (known == observation.evidence) {
            // The same readings again (another signal's delivery, a stale retry): nothing was observed,
            // though a settings change may still reword the message.
            if (!observation.message.isEmpty() && observation.message != alert.message) {
                alert.message = observation.message;
                changes.append(alert.id);
            }
            return;
        }
        known = observation.evidence;
        alert.lastSeenAt = std::max(alert.lastSeenAt, nowMs);
        ++alert.fireCount;
        if (!observation.message.isEmpty())
            alert.message = observation.message;
        changes.append(alert.id);
        return;
    }
    if (!enabled)
        return;
    if (kind == AlertKind::Airbag) {
        const KeyedSlot *airbag = keyedOf(state, kind, subject, false);
        if (airbag && airbag->latched)
            return;
    }
    raise(vehicleId, *slot, kind, subject, observation, nowMs, nowMs, changes);
}

Alert &AlertEngine::raise(const QString &vehicleId, Slot &slot, AlertKind kind, const QString &subject,
                          const Observation &observation, qint64 firstSeenAt, qint64 lastSeenAt,
                          Changes &changes) {
    Alert alert;
    alert.id = m_nextId++;
    alert.vehicleId = vehicleId;
    alert.kind = kind;
    alert.subject = subject;
    alert.severity = kind == AlertKind::Airbag ? AlertSeverity::Critical : AlertSeverity::Warning;
    alert.message = observation.message;
    alert.firstSeenAt = firstSeenAt;
    alert.lastSeenAt = std::max(firstSeenAt, lastSeenAt);
    alert.fireCount = 1;
    slot.alertId = alert.id;
    slot.evidence = observation.evidence;
    changes.append(alert.id);
    return *m_alerts.insert(alert.id, alert);
}

void AlertEngine::clear(Slot &slot, qint64 nowMs, const QString &by, Changes &changes) {
    const qint64 id = std::exchange(slot.alertId, 0);
    slot.evidence = QByteArray();
    Alert &alert = m_alerts[id];
    alert.clearedAt = std::max<qint64>(nowMs, 1); // 0 would read as "still active"
    alert.clearedBy = by;
    m_clearedOrder.push_back(id);
    changes.append(id);
}

std::optional<Alert> AlertEngine::acknowledge(qint64 alertId, const QString &by, qint64 nowMs) {
    const auto it = m_alerts.find(alertId);
    if (it == m_alerts.end())
        return std::nullopt;
    Changes changes;
    if (!acknowledgeOne(*it, by, nowMs, changes))
        return std::nullopt;
    const QList<Alert> changed = collect(std::move(changes));
    return changed.isEmpty() ? std::nullopt : std::optional<Alert>(changed.first());
}

QList<Alert> AlertEngine::acknowledgeAll(const QString &by, qint64 nowMs) {
    Changes changes;
    for (Alert &alert : m_alerts)
        acknowledgeOne(alert, by, nowMs, changes);
    return collect(std::move(changes));
}

std::optional<Alert> AlertEngine::acknowledgeMatching(const QString &vehicleId, AlertKind kind,
                                                      const QString &subject, qint64 acknowledgedAt,
                                                      const QString &by) {
    const auto vehicle = m_vehicles.find(vehicleId);
    if (vehicle == m_vehicles.end())
        return std::nullopt;
    const Slot *slot = slotOf(*vehicle, kind, subject, false);
    const qint64 id = slot ? slot->alertId : 0;
    const auto it = m_alerts.find(id);
    if (id == 0 || it == m_alerts.end() || it->firstSeenAt > acknowledgedAt)
        return std::nullopt;
    // The time it was made, not now: every desktop then records the same acknowledgement.
    return acknowledge(id, by, acknowledgedAt);
}

bool AlertEngine::raisedBy(const QString &vehicleId, AlertKind kind, const QString &subject,
                           qint64 atMs) const {
    return std::any_of(m_alerts.cbegin(), m_alerts.cend(), [&](const Alert &a) {
        return a.kind == kind && a.firstSeenAt <= atMs && a.vehicleId == vehicleId && a.subject == subject;
    });
}

bool AlertEngine::acknowledgeOne(Alert &alert, const QString &by, qint64 nowMs, Changes &changes) {
    if (alert.isCleared() || alert.isAcknowledged())
        return false;
    const QString who = by.trimmed().isEmpty() ? QStringLiteral("user") : by;
    alert.acknowledgedAt = std::max<qint64>(nowMs, 1);
    alert.acknowledgedBy = who;
    changes.append(alert.id);
    if (alert.clearsOnlyByAcknowledgement()) {
        VehicleAlerts &state = m_vehicles[alert.vehicleId];
        // Smartcar keeps reporting ALERT after a deployment; without the latch every delivery would
        // raise the acknowledged airbag again.
        if (KeyedSlot *airbag = keyedOf(state, alert.kind, alert.subject, false); airbag && airbag->deployed)
            airbag->latched = true;
        if (Slot *slot = slotOf(state, alert.kind, alert.subject, false); slot && slot->alertId == alert.id)
            clear(*slot, nowMs, who, changes);
    }
    return true;
}

QList<Alert> AlertEngine::activeAlerts() const {
    QList<Alert> active;
    for (const Alert &alert : m_alerts) {
        if (!alert.isCleared())
            active.append(alert);
    }
    return active;
}

int AlertEngine::worstActiveSeverity(const QString &vehicleId) const {
    const auto state = m_vehicles.constFind(vehicleId);
    if (state == m_vehicles.constEnd())
        return -1;
    int worst = -1;
    const auto consider = [&](const Slot &slot) {
        if (slot.alertId == 0)
            return;
        const auto it = m_alerts.constFind(slot.alertId);
        if (it != m_alerts.constEnd() && !it->isCleared())
            worst = std::max(worst, int(it->severity));
    };
    for (const Slot &slot : state->closures)
        consider(slot);
    consider(state->battery);
    consider(state->silent);
    for (const KeyedSlot &keyed : state->keyed)
        consider(keyed.slot);
    return worst;
}

const Alert *AlertEngine::alert(qint64 id) const {
    const auto it = m_alerts.constFind(id);
    return it == m_alerts.constEnd() ? nullptr : &*it;
}

QList<Alert> AlertEngine::collect(Changes changes) {
    std::sort(changes.begin(), changes.end());
    changes.erase(std::unique(changes.begin(), changes.end()), changes.end());
    QList<Alert> changed;
    changed.reserve(changes.size());
    for (qint64 id : std::as_const(changes))
        changed.append(m_alerts.value(id));
    while (m_clearedOrder.size() > std::size_t(kClearedHistory)) {
        m_alerts.remove(m_clearedOrder.front());
        m_clearedOrder.pop_front();
    }
    return changed;
}

} // namespace model
