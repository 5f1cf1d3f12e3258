#include "smartcar/FleetProcessor.h"

#include <QDateTime>

namespace smartcar {

FleetProcessor::FleetProcessor(store::Journal *journal, model::FleetState fleet, const QList<model::Alert> &alerts,
                               const model::AlertRuleSettings &rules, model::FleetUpdateQueue *updates,
                               QObject *parent)
    : QObject(parent), m_journal(journal), m_fleet(std::move(fleet)), m_alerts(rules), m_updates(updates) {
    m_alerts.restore(alerts);
    if (m_updates) {
        for (const QString &id : m_fleet.vehicleIds())
            m_updates->push(model::FleetState::rowFor(*m_fleet.vehicle(id)));
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
    if (m_updates)
        m_updates->push(model::FleetState::rowFor(*vehicle));
    publish(m_alerts.evaluate(*vehicle, receivedAtMs));
}

void FleetProcessor::logDelivery(const model::DeliveryLogEntry &entry) {
    if (m_updates)
        m_updates->pushDelivery(entry);
}

void FleetProcessor::acknowledge(qint64 alertId, const QString &by) {
    QMetaObject::invokeMethod(this, [this, alertId, by] {
        if (auto changed = m_alerts.acknowledge(alertId, by, QDateTime::currentMSecsSinceEpoch()))
            publish({*changed});
    });
}

void FleetProcessor::acknowledgeAll(const QString &by) {
    QMetaObject::invokeMethod(
        this, [this, by] { publish(m_alerts.acknowledgeAll(by, QDateTime::currentMSecsSinceEpoch())); });
}

void FleetProcessor::setRules(const model::AlertRuleSettings &rules) {
    QMetaObject::invokeMethod(this, [this, rules] { m_alerts.setSettings(rules); });
}

void FleetProcessor::tick(qint64 nowMs) { publish(m_alerts.tick(m_fleet, nowMs)); }

void FleetProcessor::publish(const QList<model::Alert> &changed) {
    if (changed.isEmpty())
        return;
    m_journal->saveAlerts(changed);
    if (m_updates)
        m_updates->pushAlerts(changed);
}

} // namespace smartcar
