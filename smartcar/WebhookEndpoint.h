#pragma once

#include "model/DeliveryLogEntry.h"
#include "net/RequestHandler.h"
#include "smartcar/PayloadDecoder.h"
#include "store/DeliveryJournal.h"
#include "store/JournalReader.h"

#include <QHash>
#include <QObject>

namespace smartcar {

class FleetProcessor;

// Smartcar's side of the HTTP endpoint: VERIFY answers, signature checks, journaling and the fleet
// state. Promises: a 2xx leaves only after the delivery is committed to the journal; an unsigned
// or wrongly signed body changes nothing and keeps no body; a retried eventId changes nothing.
// Lives on the ingest thread with the HTTP server; never sees a socket.
class WebhookEndpoint final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WebhookEndpoint)
public:
    struct Counters {
        qint64 accepted = 0, duplicate = 0, badSignature = 0, malformed = 0, verify = 0, storeFailures = 0,
               replayed = 0;
    };

    // `processor` takes every committed delivery: accepted ones change the fleet, all are logged.
    // `journalPath`: the SQLite file replays read from; empty when the journal is elsewhere (a
    // shared database), and replays are refused.
    WebhookEndpoint(const QByteArray &amt, store::DeliveryJournal *journal, const QString &journalPath,
                    FleetProcessor *processor, QObject *parent = nullptr);

    void handleDelivery(const net::HttpRequest &request, const net::Responder &responder);
    void handleHealth(const net::HttpRequest &request, const net::Responder &responder);
    // Re-feeds a journaled delivery (by journal id) through decoding, the journal and the fleet,
    // journaled as a replay. Must be called on the endpoint's thread.
    void replay(qint64 journalId);
    // What /healthz reports as the store deliveries go to ("sqlite", "postgresql"): the kind
    // only, never a path or an address, since the endpoint may face the internet.
    void setStoreKind(const QString &kind) { m_storeKind = kind; }

    const Counters &counters() const { return m_counters; }

    // The longest VERIFY challenge answered: a bound, so the endpoint is no signing oracle.
    static constexpr qsizetype kMaxChallengeLength = 512;
    // Unsigned bodies are looked at (as a possible VERIFY) only up to this size.
    static constexpr qsizetype kMaxUnsignedBody = 4096;

    // The headers kept with a delivery (Content-Length, Content-Type, SC-Signature, User-Agent,
    // X-Forwarded-For, those present) as a compact JSON object, the same bytes
    // QJsonDocument(QJsonObject).toJson(Compact) gives for their Latin-1 values.
    static QByteArray keptHeadersJson(const net::HttpRequest &request);
    // What a journaled delivery takes from its decoded event: eventId, eventType, vehicleId and the
    // history points of its signals. A replica of a shared fleet fills its copies the same way.
    static void takeEvent(model::Delivery *delivery, const model::VehicleEvent &event);

private:
    // A journaled delivery until its commit is reported. Rejections and VERIFY were answered
    // already (the responder is spent); they wait only to be logged with their journal id.
    struct Pending {
        net::Responder responder;
        model::VehicleEvent event;
        model::DeliveryLogEntry log;
        QString malformedReason; // set when the signed body could not be decoded
    };

    void answerVerify(const net::HttpRequest &request, const net::Responder &responder,
                      const QByteArray &challenge);
    void onCommitted(const QList<store::AppendResult> &results);
    void journal(const net::HttpRequest &request, model::Delivery delivery, Pending pending);
    void answer(Pending &pending, const net::HttpResponse &response);
    model::Delivery deliveryFor(const net::HttpRequest &request, model::Verdict verdict, int status) const;

    QByteArray m_amt;
    store::DeliveryJournal *m_journal;
    QString m_journalPath;
    QString m_storeKind;
    std::unique_ptr<store::JournalReader> m_reader; // opened on first replay
    FleetProcessor *m_processor;
    QHash<quint64, Pending> m_pending; // journal ticket -> request waiting for its commit
    Counters m_counters;
};

} // namespace smartcar
