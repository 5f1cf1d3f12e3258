#include "smartcar/WebhookEndpoint.h"

#include "model/HistoryExtractor.h"
#include "smartcar/FleetProcessor.h"
#include "smartcar/Signature.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

namespace smartcar {

namespace {
// The request headers worth keeping with a delivery, for the inspector and diagnostics, in the
// order QJsonObject sorts its keys (the stored form predates the hand-written encoder below).
constexpr const char *kKeptHeaders[] = {"Content-Length", "Content-Type", "SC-Signature", "User-Agent",
                                        "X-Forwarded-For"};

// Appends a header value (Latin-1 bytes, as HTTP carries them) as a JSON string, escaped the way
// QJsonDocument's compact form does. Written by hand because building a QJsonObject and
// serialising it cost as much per delivery as verifying the signature.
void appendJsonString(QByteArray &out, const QByteArray &latin1) {
    static const char hex[] = "0123456789abcdef";
    out += '"';
    for (const char c : latin1) {
        const auto u = static_cast<unsigned char>(c);
        switch (u) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\b':
            out += "\\b";
            break;
        case '\f':
            out += "\\f";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (u < 0x20) {
                out += "\\u00";
                out += hex[u >> 4];
                out += hex[u & 0xf];
            } else if (u < 0x80) {
                out += c;
            } else { // Latin-1 to UTF-8: two bytes
                out += char(0xc0 | (u >> 6));
                out += char(0x80 | (u & 0x3f));
            }
        }
    }
    out += '"';
}

bool isPlausibleChallenge(const QByteArray &challenge) {
    if (challenge.isEmpty() || challenge.size() > WebhookEndpoint::kMaxChallengeLength)
        return false;
    return std::all_of(challenge.cbegin(), challenge.cend(), [](char c) { return c >= 0x21 && c <= 0x7e; });
}
} // namespace

WebhookEndpoint::WebhookEndpoint(const QByteArray &amt, store::DeliveryJournal *journal,
                                 const QString &journalPath, FleetProcessor *processor, QObject *parent)
    : QObject(parent)
    , m_amt(amt)
    , m_journal(journal)
    , m_journalPath(journalPath)
    , m_processor(processor) {
    // The listener runs on the store thread: hop to this object's thread once per batch.
    m_journal->setCommitListener([this](const QList<store::AppendResult> &results) {
        QMetaObject::invokeMethod(
            this, [this, results] { onCommitted(results); }, Qt::QueuedConnection);
    });
}

model::Delivery WebhookEndpoint::deliveryFor(const net::HttpRequest &request, model::Verdict verdict,
                                             int status) const {
    model::Delivery d;
    d.receivedAtMs = request.receivedAtMs;
    d.verdict = verdict;
    d.status = status;
    d.headers = keptHeadersJson(request);
    return d;
}

QByteArray WebhookEndpoint::keptHeadersJson(const net::HttpRequest &request) {
    QByteArray headers = "{";
    headers.reserve(256);
    for (const char *name : kKeptHeaders) {
        if (!request.hasHeader(name))
            continue;
        if (headers.size() > 1)
            headers += ',';
        headers += '"';
        headers += name;
        headers += "\":";
        appendJsonString(headers, request.header(name));
    }
    headers += '}';
    return headers;
}

void WebhookEndpoint::takeEvent(model::Delivery *delivery, const model::VehicleEvent &event) {
    delivery->eventId = event.eventId;
    delivery->eventType = event.eventType;
    delivery->vehicleId = event.vehicleId;
    if (!event.vehicleId.isEmpty())
        delivery->samples = model::HistoryExtractor::samples(event.vehicleId, event.signalValues);
}

void WebhookEndpoint::journal(const net::HttpRequest &request, model::Delivery delivery, Pending pending) {
    pending.log.receivedAtMs = delivery.receivedAtMs;
    pending.log.eventId = delivery.eventId;
    pending.log.eventType = delivery.eventType;
    pending.log.vehicleId = delivery.vehicleId;
    pending.log.verdict = delivery.verdict;
    pending.log.status = delivery.status;
    pending.log.replay = delivery.replay;
    pending.log.bodyBytes = request.body.size();
    pending.log.processingUs = (net::HttpRequest::monotonicNs() - request.receivedAtNs) / 1000;
    const quint64 ticket = m_journal->append(std::move(delivery));
    m_pending.insert(ticket, std::move(pending));
}

void WebhookEndpoint::answer(Pending &pending, const net::HttpResponse &response) {
    pending.log.status = response.status;
    pending.responder.respond(response);
}

void WebhookEndpoint::handleDelivery(const net::HttpRequest &request, const net::Responder &responder) {
    if (m_amt.isEmpty()) {
        // Without the token nothing can be verified; 503 keeps Smartcar retrying until it is set.
        responder.respond(net::HttpResponse::error(
            503, QStringLiteral("no Application Management Token configured on this endpoint")));
        return;
    }
    const QByteArray signature = request.header("SC-Signature");
    const bool signedOk = !signature.isEmpty() && Signature::verify(m_amt, request.body, signature);

    if (!signedOk) {
        // VERIFY is unsigned by Smartcar's practice; only a small body is even parsed to find out.
        if (request.body.size() <= kMaxUnsignedBody) {
            const PayloadDecoder::Result peek = PayloadDecoder::decode(request.body);
            if (peek.ok && peek.event.kind == model::VehicleEvent::Kind::Verify) {
                answerVerify(request, responder, peek.challenge);
                return;
            }
        }
        ++m_counters.badSignature;
        responder.respond(net::HttpResponse::error(
            401, signature.isEmpty() ? QStringLiteral("missing SC-Signature header")
                                     : QStringLiteral("SC-Signature does not match the body")));
        journal(request, deliveryFor(request, model::Verdict::BadSignature, 401), Pending{});
        return;
    }

    PayloadDecoder::Result decoded = PayloadDecoder::decode(request.body);
    if (decoded.ok && decoded.event.kind == model::VehicleEvent::Kind::Verify) {
        answerVerify(request, responder, decoded.challenge);
        return;
    }

    model::Delivery delivery = deliveryFor(
        request, decoded.ok ? model::Verdict::Accepted : model::Verdict::Malformed, decoded.ok ? 200 : 400);
    delivery.body = request.body; // signed: kept whole, even when it is not JSON
    takeEvent(&delivery, decoded.event);
    journal(request, std::move(delivery), Pending{responder, std::move(decoded.event), {}, decoded.error});
}

void WebhookEndpoint::answerVerify(const net::HttpRequest &request, const net::Responder &responder,
                                   const QByteArray &challenge) {
    model::Delivery d = deliveryFor(request, model::Verdict::Verify, 200);
    d.eventType = QStringLiteral("VERIFY");
    if (!isPlausibleChallenge(challenge)) {
        ++m_counters.malformed;
        d.verdict = model::Verdict::Malformed;
        d.status = 400;
        responder.respond(net::HttpResponse::error(
            400, QStringLiteral("VERIFY challenge must be 1-%1 printable ASCII characters")
                     .arg(kMaxChallengeLength)));
        m_processor->logVerification(
            {request.receivedAtMs, QString::fromUtf8(challenge.left(kMaxChallengeLength)), {}, 400});
        journal(request, std::move(d), Pending{});
        return;
    }
    ++m_counters.verify;
    d.body = request.body;
    // Answered at once: VERIFY changes no state, and Smartcar waits for it before sending anything.
    const QByteArray answerHex = Signature::hmacSha256Hex(m_amt, challenge);
    responder.respond(net::HttpResponse::json(200, "{\"challenge\":\"" + answerHex + "\"}"));
    m_processor->logVerification(
        {request.receivedAtMs, QString::fromLatin1(challenge), QString::fromLatin1(answerHex), 200});
    journal(request, std::move(d), Pending{});
}

void WebhookEndpoint::onCommitted(const QList<store::AppendResult> &results) {
    for (const store::AppendResult &result : results) {
        auto it = m_pending.find(result.ticket);
        if (it == m_pending.end())
            continue;
        Pending pending = std::move(*it);
        m_pending.erase(it);
        pending.log.journalId = result.id;
        pending.log.verdict = result.verdict;

        if (!result.committed)
            ++m_counters.storeFailures;
        if (result.committed && pending.log.replay && result.verdict == model::Verdict::Accepted) {
            // A replay: no client waits; the fleet takes it like any accepted delivery.
            ++m_counters.replayed;
            m_processor->applyAccepted(pending.event, pending.log.receivedAtMs);
        } else if (pending.responder.hasResponded()) {
            // A rejection, VERIFY or replay, answered (or not asked) on arrival: only the log is left.
        } else if (!result.committed) {
            // Nothing was stored: a 503 makes Smartcar retry instead of dropping the delivery.
            answer(pending, net::HttpResponse::error(
                                503, QStringLiteral("delivery not stored: %1").arg(result.error)));
        } else if (result.verdict == model::Verdict::Accepted) {
            ++m_counters.accepted;
            m_processor->applyAccepted(pending.event, pending.log.receivedAtMs);
            answer(pending, net::HttpResponse::json(200, R"({"status":"accepted"})"));
        } else if (result.verdict == model::Verdict::Duplicate) {
            ++m_counters.duplicate;
            answer(pending, net::HttpResponse::json(200, R"({"status":"duplicate"})"));
        } else {
            ++m_counters.malformed;
            answer(pending, net::HttpResponse::error(400, pending.malformedReason));
        }
        m_processor->logDelivery(pending.log);
    }
}

void WebhookEndpoint::replay(qint64 journalId) {
    if (m_journalPath.isEmpty()) {
        // An ingest node of a shared fleet: the deliveries are in the database, not in a file here.
        qWarning("fleetmon: replay of delivery %lld refused: this endpoint keeps no journal file to "
                 "replay from (its deliveries are in a shared database)",
                 journalId);
        return;
    }
    QString error;
    if (!m_reader) {
        m_reader = std::make_unique<store::JournalReader>();
        if (!m_reader->open(m_journalPath, &error)) {
            m_reader.reset();
            qWarning("fleetmon: replay of delivery %lld failed: %s", journalId, qPrintable(error));
            return;
        }
    }
    model::Delivery stored;
    if (!m_reader->read(journalId, &stored, &error) || stored.body.isEmpty()) {
        qWarning("fleetmon: replay of delivery %lld failed: %s", journalId,
                 qPrintable(error.isEmpty() ? QStringLiteral("it kept no body") : error));
        return;
    }
    // The stored body was verified when it arrived; it goes through decoding, the journal and the
    // fleet again, marked as a replay so nobody mistakes it for a new delivery from Smartcar.
    PayloadDecoder::Result decoded = PayloadDecoder::decode(stored.body);
    const bool usable = decoded.ok && (decoded.event.kind == model::VehicleEvent::Kind::State ||
                                       decoded.event.kind == model::VehicleEvent::Kind::Error ||
                                       decoded.event.kind == model::VehicleEvent::Kind::Unknown);
    model::Delivery d;
    d.receivedAtMs = QDateTime::currentMSecsSinceEpoch();
    d.verdict = usable ? model::Verdict::Accepted : model::Verdict::Malformed;
    d.status = 0; // no HTTP answer: nobody sent it
    d.headers = stored.headers;
    d.body = stored.body;
    d.replay = true;
    d.eventId = decoded.event.eventId;
    d.eventType = usable ? decoded.event.eventType : stored.eventType;
    d.vehicleId = decoded.event.vehicleId;
    if (usable && !d.vehicleId.isEmpty())
        d.samples = model::HistoryExtractor::samples(d.vehicleId, decoded.event.signalValues);
    Pending pending;
    pending.event = std::move(decoded.event);
    pending.log.replay = true;
    net::HttpRequest origin; // for the log's size and timing
    origin.body = stored.body;
    origin.receivedAtNs = net::HttpRequest::monotonicNs();
    journal(origin, std::move(d), std::move(pending));
}

void WebhookEndpoint::handleHealth(const net::HttpRequest &, const net::Responder &responder) {
    const QJsonObject deliveries{
        {QStringLiteral("accepted"), m_counters.accepted},
        {QStringLiteral("duplicate"), m_counters.duplicate},
        {QStringLiteral("badSignature"), m_counters.badSignature},
        {QStringLiteral("malformed"), m_counters.malformed},
        {QStringLiteral("verify"), m_counters.verify},
        {QStringLiteral("storeFailures"), m_counters.storeFailures},
        {QStringLiteral("replayed"), m_counters.replayed},
    };
    QJsonObject body{
        {QStringLiteral("status"), QStringLiteral("ok")},
        {QStringLiteral("vehicles"), qint64(m_processor->fleet().vehicleCount())},
        {QStringLiteral("activeAlerts"), qint64(m_processor->alerts().activeAlerts().size())},
        {QStringLiteral("pending"), qint64(m_pending.size())},
        {QStringLiteral("deliveries"), deliveries},
    };
    if (!m_storeKind.isEmpty())
        body.insert(QStringLiteral("store"), m_storeKind);
    responder.respond(net::HttpResponse::json(200, QJsonDocument(body).toJson(QJsonDocument::Compact)));
}

} // namespace smartcar
