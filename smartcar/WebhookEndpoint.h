#pragma once

#include "model/FleetState.h"
#include "model/FleetUpdateQueue.h"
#include "net/RequestHandler.h"
#include "smartcar/PayloadDecoder.h"
#include "store/Journal.h"

#include <QHash>
#include <QObject>

namespace smartcar {

// Smartcar's side of the HTTP endpoint: VERIFY answers, signature checks, journaling and the fleet
// state. Promises: a 2xx leaves only after the delivery is committed to the journal; an unsigned
// or wrongly signed body changes nothing and keeps no body; a retried eventId changes nothing.
// Lives on the ingest thread with the HTTP server; never sees a socket.
class WebhookEndpoint final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebhookEndpoint)
public:
    struct Counters {
        qint64 accepted = 0, duplicate = 0, badSignature = 0, malformed = 0, verify = 0, storeFailures = 0;
    };

    // `state` is the fleet as rebuilt from the journal; `updates` (optional) receives changed rows.
    WebhookEndpoint(const QByteArray &amt, store::Journal *journal, model::FleetState state,
                    model::FleetUpdateQueue *updates, QObject *parent = nullptr);

    void handleDelivery(const net::HttpRequest &request, const net::Responder &responder);
    void handleHealth(const net::HttpRequest &request, const net::Responder &responder);

    const model::FleetState &fleet() const { return m_fleet; }
    const Counters &counters() const { return m_counters; }

    // The longest VERIFY challenge answered: a bound, so the endpoint is no signing oracle.
    static constexpr qsizetype kMaxChallengeLength = 512;
    // Unsigned bodies are looked at (as a possible VERIFY) only up to this size.
    static constexpr qsizetype kMaxUnsignedBody = 4096;

private:
    struct Pending {
        net::Responder responder;
        model::VehicleEvent event;
        qint64 receivedAtMs = 0;
        QString malformedReason; // set when the signed body could not be decoded
    };

    void answerVerify(const net::HttpRequest &request, const net::Responder &responder,
                      const QByteArray &challenge);
    void onCommitted(const QList<store::AppendResult> &results);
    model::Delivery deliveryFor(const net::HttpRequest &request, model::Verdict verdict, int status) const;

    QByteArray m_amt;
    store::Journal *m_journal;
    model::FleetState m_fleet;
    model::FleetUpdateQueue *m_updates;
    QHash<quint64, Pending> m_pending; // journal ticket -> request waiting for its commit
    Counters m_counters;
};

} // namespace smartcar
