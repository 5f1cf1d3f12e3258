#include "smartcar/FleetProcessor.h"

#include "model/VehicleDetailBuilder.h"

#include <QDateTime>

namespace smartcar {

FleetProcessor::FleetProcessor(store::DeliveryJournal *journal, model::FleetState fleet,
                               const QList<model::Alert> &alerts, const model::AlertRuleSettings &rules,
                               model::FleetUpdateQueue *updates, QObject *parent)
    : QObject(parent)
    , m_journal(journal)
    , m_fleet(std::move(fleet))
    , m_alerts(rules)
    , m_updates(updates) {
    m_alerts.restore(alerts);
    for (const model::Alert &a : m_alerts.activeAlerts())
        m_worstSeverity[a.vehicleId] = std::max(m_worstSeverity.value(a.vehicleId, -1), int(a.severity));
    if (m_updates) {
        for (const QString &id : m_fleet.vehicleIds())
            m_updates->push(rowFor(*m_fleet.vehicle(id)));
        m_updates->pushAlerts(alerts);
    }
    m_tickTimer.setInterval(kTickIntervalMs);
    connect(&m_tickTimer, &QTimer::timeout, this, [this] { tick(QDateTime::currentMSecsSinceEpoch()); });
    m_tickTimer.start();
}

void FleetProcessor::applyAccepted(const model::VehicleEvent &event, qint64 receivedAtMs) {
    if (!m_fleet.apply(event, receivedAtMs))
        return;
    const model::Vehicle *vehicle = m_fleet.vehicle(event.vehicleId);
    if (!vehicle)
        return;
    const QList<model::Alert> changed = m_alerts.evaluate(*vehicle, receivedAtMs);
    publish(changed);
    if (changed.isEmpty()) // publish() already showed the vehicle when its alerts changed
        publishVehicle(*vehicle);
}

model::VehicleRow FleetProcessor::rowFor(const model::Vehicle &vehicle) const {
    model::VehicleRow row = model::FleetState::rowFor(vehicle);
    row.worstAlertSeverity = m_worstSeverity.value(vehicle.id, -1);
    return row;
}

void FleetProcessor::publishVehicle(const model::Vehicle &vehicle) {
    if (!m_updates)
        return;
    const model::VehicleRow row = rowFor(vehicle);
    m_updates->push(row);
    if (m_watched.contains(vehicle.id))
        m_updates->pushDetail(model::VehicleDetailBuilder::build(vehicle, row));
}

void FleetProcessor::watchVehicles(const QStringList &vehicleIds) {
    QMetaObject::invokeMethod(this, [this, vehicleIds] {
        m_watched = QSet<QString>(vehicleIds.cbegin(), vehicleIds.cend());
        for (const QString &id : vehicleIds)
            if (const model::Vehicle *v = m_fleet.vehicle(id))
                publishVehicle(*v);
    });
}

void FleetProcessor::logDelivery(const model::DeliveryLogEntry &entry) {
    if (m_updates)
        m_updates->pushDelivery(entry);
}

void FleetProcessor::logVerification(const model::VerificationEvent &verification) {
    if (m_updates)
        m_updates->pushVerification(verification);
}

void FleetProcessor::acknowledge(qint64 alertId, const QString &by) {
    QMetaObject::invokeMethod(this, [this, alertId, by] {
        if (auto changed = m_alerts.acknowledge(alertId, by, QDateTime::currentMSecsSinceEpoch())) {
            publish({*changed});
            if (m_acknowledgementListener)
                m_acknowledgementListener({*changed});
        }
    });
}

void FleetProcessor::acknowledgeAll(const QString &by) {
    QMetaObject::invokeMethod(this, [this, by] {
        const QList<model::Alert> changed = m_alerts.acknowledgeAll(by, QDateTime::currentMSecsSinceEpoch());
        publish(changed);
        if (m_acknowledgementListener && !changed.isEmpty())
            m_acknowledgementListener(changed);
    });
}

void FleetProcessor::acknowledgeMatching(
    const QList<model::AlertAcknowledgement> &acknowledgements,
    std::function<void(const QList<model::AlertAcknowledgement> &)> unmatched) {
    QMetaObject::invokeMethod(this, [this, acknowledgements, unmatched = std::move(unmatched)] {
        const QList<model::AlertAcknowledgement> left = applyAcknowledgements(acknowledgements);
        if (unmatched)
            unmatched(left);
    });
}

QList<model::AlertAcknowledgement>
FleetProcessor::applyAcknowledgements(const QList<model::AlertAcknowledgement> &acks) {
    QList<model::Alert> changed;
    QList<model::AlertAcknowledgement> left;
    for (const model::AlertAcknowledgement &a : acks) {
        if (auto alert = m_alerts.acknowledgeMatching(a.vehicleId, a.kind, a.subject, a.acknowledgedAt,
                                                      a.acknowledgedBy))
            changed.append(*alert);
        else if (!m_alerts.raisedBy(a.vehicleId, a.kind, a.subject, a.acknowledgedAt))
            left.append(a); // its alert is still to come here (deliveries and acknowledgements race)
    }
    publish(changed);
    return left;
}

void FleetProcessor::setRules(const model::AlertRuleSettings &rules) {
    QMetaObject::invokeMethod(this, [this, rules] { m_alerts.setSettings(rules); });
}

void FleetProcessor::tick(qint64 nowMs) {
    publish(m_alerts.tick(m_fleet, nowMs));
}

void FleetProcessor::publish(const QList<model::Alert> &changed) {
    if (changed.isEmpty())
        return;
    m_journal->saveAlerts(changed);
    if (m_updates)
        m_updates->pushAlerts(changed);
    // Rows are tinted by their worst active alert: refresh the vehicles whose alerts changed.
    QSet<QString> vehicles;
    for (const model::Alert &a : changed)
        vehicles.insert(a.vehicleId);
    for (const QString &id : vehicles) {
        const int worst = m_alerts.worstActiveSeverity(id);
        if (worst < 0)
            m_worstSeverity.remove(id);
        else
            m_worstSeverity[id] = worst;
    }
    for (const QString &id : vehicles)
        if (const model::Vehicle *v = m_fleet.vehicle(id))
            publishVehicle(*v);
}

} // namespace smartcar
