#pragma once

#include "model/AlertEngine.h"
#include "model/AlertRuleSettings.h"
#include "model/DeliveryLogEntry.h"
#include "model/FleetState.h"
#include "model/FleetUpdateQueue.h"
#include "store/DeliveryJournal.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>
#include <functional>

namespace smartcar {

// What follows the commit of an accepted delivery: the fleet state, the alert rules, the hand-off
// to the GUI and the persistence of alert changes. Lives on the ingest thread; the GUI reaches it
// only through queued calls (acknowledge, rule settings).
class FleetProcessor final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetProcessor)
public:
    // `fleet` and `alerts` as restored from the journal; `updates` may be null (headless).
    FleetProcessor(store::DeliveryJournal *journal, model::FleetState fleet,
                   const QList<model::Alert> &alerts, const model::AlertRuleSettings &rules,
                   model::FleetUpdateQueue *updates, QObject *parent = nullptr);

    void applyAccepted(const model::VehicleEvent &event, qint64 receivedAtMs);
    void logDelivery(const model::DeliveryLogEntry &entry);
    void logVerification(const model::VerificationEvent &verification);

    // Callable from any thread: they queue themselves onto the ingest thread.
    void acknowledge(qint64 alertId, const QString &by);
    void acknowledgeAll(const QString &by);
    void setRules(const model::AlertRuleSettings &rules);
    void watchVehicles(const QStringList &vehicleIds);

    // Told, on the processor's thread, of the alerts acknowledge() and acknowledgeAll() changed: a
    // desktop of a shared fleet passes them on to the others. Before the first call.
    void setAcknowledgementListener(std::function<void(const QList<model::Alert> &)> listener) {
        m_acknowledgementListener = std::move(listener);
    }
    // Acknowledgements made on any desktop of a shared fleet (AlertEngine::acknowledgeMatching).
    // Callable from any thread: queued onto the processor's thread, where `unmatched` (optional)
    // then gets those whose alert has not been raised here yet (AlertEngine::raisedBy).
    void acknowledgeMatching(const QList<model::AlertAcknowledgement> &acknowledgements,
                             std::function<void(const QList<model::AlertAcknowledgement> &)> unmatched = {});
    // The same on the processor's thread, at once; returns those whose alert is yet to come.
    QList<model::AlertAcknowledgement> applyAcknowledgements(const QList<model::AlertAcknowledgement> &acks);

    // Runs the time-based rules (silent vehicles, delayed closures) at `nowMs`; the timer calls it.
    void tick(qint64 nowMs);

    const model::FleetState &fleet() const { return m_fleet; }
    const model::AlertEngine &alerts() const { return m_alerts; }

    static constexpr int kTickIntervalMs = 30'000;

private:
    void publish(const QList<model::Alert> &changed);
    // The table row and, for a watched vehicle, its detail, as they are now.
    void publishVehicle(const model::Vehicle &vehicle);
    model::VehicleRow rowFor(const model::Vehicle &vehicle) const;

    store::DeliveryJournal *m_journal;
    model::FleetState m_fleet;
    model::AlertEngine m_alerts;
    model::FleetUpdateQueue *m_updates;
    QTimer m_tickTimer;
    QSet<QString> m_watched;
    QHash<QString, int> m_worstSeverity; // vehicle id -> worst active alert severity
    std::function<void(const QList<model::Alert> &)> m_acknowledgementListener;
};

} // namespace smartcar
