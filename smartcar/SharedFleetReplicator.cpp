#include "smartcar/SharedFleetReplicator.h"

#include "smartcar/FleetProcessor.h"
#include "smartcar/PayloadDecoder.h"
#include "smartcar/WebhookEndpoint.h"
#include "store/Journal.h"
#include "store/JournalReader.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>

namespace smartcar {

SharedFleetReplicator::SharedFleetReplicator(store::Journal *replica, FleetProcessor *processor,
                                             store::SharedFleetFeed::Cursor from)
    : m_replica(replica)
    , m_processor(processor)
    , m_committedId(from.deliveries)
    , m_acknowledgementsTaken(from.acknowledgements)
    , m_savedProgress(from.acknowledgements) {
    m_replica->setCommitListener([this](const QList<store::AppendResult> &results) { onCommitted(results); });
}

SharedFleetReplicator::~SharedFleetReplicator() {
    stop();
}

bool SharedFleetReplicator::resumePoint(const QString &path, store::SharedFleetFeed::Cursor *cursor,
                                        QString *error) {
    *cursor = {};
    if (!QFileInfo::exists(path))
        return true; // a new replica starts from the beginning
    store::JournalReader reader;
    return reader.open(path, error) && reader.lastDeliveryId(&cursor->deliveries, error) &&
           reader.progress(QString::fromLatin1(kAcknowledgementsProgress), &cursor->acknowledgements, error);
}

SharedFleetReplicator::Copy
SharedFleetReplicator::copyOf(const store::SharedFleetFeed::SharedDelivery &stored) {
    const model::Delivery &s = stored.delivery;
    Copy copy;
    model::Delivery &d = copy.delivery;
    d.id = s.id; // the shared id: the replica's highest is its cursor
    d.receivedAtMs = s.receivedAtMs;
    d.eventId = s.eventId;
    d.eventType = s.eventType;
    d.vehicleId = s.vehicleId;
    d.verdict = s.verdict;
    d.status = s.status;
    d.headers = s.headers;
    d.body = s.body;
    if (s.verdict == model::Verdict::Accepted) {
        // Decoded here as the endpoint decoded it there: the same event, the same history points.
        PayloadDecoder::Result decoded = PayloadDecoder::decode(s.body);
        if (decoded.ok) {
            WebhookEndpoint::takeEvent(&d, decoded.event);
            copy.event = std::move(decoded.event);
            copy.apply = true;
        } else {
            qWarning("fleetmon: shared delivery %lld (%s) was accepted by %s but does not decode here: %s; "
                     "it is kept, the fleet does not take it",
                     s.id, qPrintable(s.eventId), qPrintable(stored.node), qPrintable(decoded.error));
        }
    }
    model::DeliveryLogEntry &log = copy.log;
    log.journalId = d.id;
    log.receivedAtMs = d.receivedAtMs;
    log.eventId = d.eventId;
    log.eventType = d.eventType;
    log.vehicleId = d.vehicleId;
    log.verdict = d.verdict;
    log.status = d.status;
    log.bodyBytes = d.body.size();
    if (d.body.isEmpty() && !d.headers.isEmpty()) // a rejected delivery keeps no body, only its size
        log.bodyBytes = QJsonDocument::fromJson(d.headers)
                            .object()
                            .value(QLatin1String("Content-Length"))
                            .toString()
                            .toLongLong();
    return copy;
}

void SharedFleetReplicator::takeDeliveries(const QList<store::SharedFleetFeed::SharedDelivery> &page) {
    QList<Copy> copies;
    copies.reserve(page.size());
    const qint64 committedBefore = m_committedId;
    for (const store::SharedFleetFeed::SharedDelivery &stored : page)
        if (stored.delivery.id > committedBefore) // never journaled twice, whatever the feed repeats
            copies.append(copyOf(stored));
    if (copies.isEmpty())
        return;

    std::unique_lock lock(m_mutex);
    if (m_stopping)
        return;
    m_page = std::move(copies);
    m_committed = QList<bool>(m_page.size(), false);
    m_applied = 0;
    auto delay = std::chrono::milliseconds(kRetryFirst);
    bool warned = false;
    for (;;) {
        // In order; after a refusal, what was not committed goes again, still in order.
        m_refusal.clear();
        for (qsizetype i = 0; i < m_page.size(); ++i)
            if (!m_committed.at(i))
                m_tickets.insert(m_replica->append(m_page.at(i).delivery), i);
        m_changed.wait(lock, [this] { return m_tickets.isEmpty() || m_stopping; });
        if (m_stopping || m_refusal.isEmpty())
            break;
        if (!warned)
            qWarning("fleetmon: the replica cannot be written (%s); the shared fleet waits and tries again",
                     qPrintable(m_refusal));
        warned = true;
        m_changed.wait_for(lock, delay, [this] { return m_stopping; });
        if (m_stopping)
            break;
        delay = std::min<std::chrono::milliseconds>(delay * 2, kRetryMax);
    }
    if (warned && !m_stopping)
        qWarning("fleetmon: the replica is written again");
    // The fleet takes the page before the next is read: memory stays bounded by one page.
    const qsizetype committed = std::count(m_committed.cbegin(), m_committed.cend(), true);
    m_changed.wait(lock, [&] { return m_applied >= committed || m_stopping; });
    if (m_stopping)
        return; // answers still due are applied as they come
    m_page.clear();
}

void SharedFleetReplicator::onCommitted(const QList<store::AppendResult> &results) {
    QList<Copy> apply;
    qint64 highest = 0;
    {
        std::lock_guard lock(m_mutex);
        for (const store::AppendResult &result : results) {
            const auto it = m_tickets.constFind(result.ticket);
            if (it == m_tickets.cend())
                continue;
            const qsizetype index = *it;
            m_tickets.erase(it);
            if (!result.committed) {
                m_refusal = result.error;
                continue;
            }
            m_committed[index] = true;
            Copy copy = m_page.at(index);
            copy.delivery.body.clear(); // the fleet needs the event, not the bytes
            copy.delivery.samples.clear();
            copy.log.journalId = result.id;
            copy.log.verdict = result.verdict;
            copy.apply = copy.apply && result.verdict == model::Verdict::Accepted;
            highest = std::max(highest, result.id);
            apply.append(std::move(copy));
        }
        if (highest > m_committedId)
            m_committedId = highest;
        m_journaled += apply.size();
    }
    m_changed.notify_all();
    if (apply.isEmpty())
        return;
    // Queued from the store thread before the journal asks for a checkpoint of this batch, so the
    // checkpoint (queued behind it) sees the fleet exactly as of the last id committed.
    QMetaObject::invokeMethod(
        m_processor,
        [this, apply = std::move(apply)] {
            for (const Copy &copy : apply) {
                if (copy.apply)
                    m_processor->applyAccepted(copy.event, copy.delivery.receivedAtMs);
                m_processor->logDelivery(copy.log);
            }
            retryHeld({});
            {
                std::lock_guard lock(m_mutex);
                m_applied += apply.size();
            }
            m_changed.notify_all();
        },
        Qt::QueuedConnection);
}

void SharedFleetReplicator::takeAcknowledgements(
    const QList<store::SharedFleetFeed::Acknowledgement> &acknowledgements) {
    QList<model::AlertAcknowledgement> fresh;
    fresh.reserve(acknowledgements.size());
    for (const store::SharedFleetFeed::Acknowledgement &a : acknowledgements)
        fresh.append({a.id, a.vehicleId, a.kind, a.subject, a.acknowledgedAt, a.acknowledgedBy});
    QMetaObject::invokeMethod(
        m_processor, [this, fresh] { retryHeld(fresh); }, Qt::QueuedConnection);
}

void SharedFleetReplicator::retryHeld(QList<model::AlertAcknowledgement> fresh) {
    for (const model::AlertAcknowledgement &a : std::as_const(fresh))
        m_acknowledgementsTaken = std::max(m_acknowledgementsTaken, a.id);
    if (!m_held.isEmpty()) {
        QList<model::AlertAcknowledgement> again;
        for (const Held &h : std::as_const(m_held))
            again.append(h.acknowledgement);
        fresh = again + fresh; // oldest first, as they were made
    }
    if (fresh.isEmpty() && m_savedProgress == m_acknowledgementsTaken)
        return;
    QHash<qint64, QElapsedTimer> heldSince;
    for (const Held &h : std::as_const(m_held))
        heldSince.insert(h.acknowledgement.id, h.since);
    m_held.clear();
    for (const model::AlertAcknowledgement &a : m_processor->applyAcknowledgements(fresh)) {
        Held h{a, heldSince.value(a.id)};
        if (!h.since.isValid())
            h.since.start();
        // Caught up and still nothing to acknowledge: its alert was never raised here.
        if (m_live && h.since.hasExpired(std::chrono::milliseconds(kHoldAcknowledgement).count()))
            continue;
        m_held.append(h);
    }
    // Saved behind the alert changes just queued to the replica, so it never claims more than is
    // stored; a held acknowledgement is read again after a restart.
    qint64 progress = m_acknowledgementsTaken;
    for (const Held &h : std::as_const(m_held))
        progress = std::min(progress, h.acknowledgement.id - 1);
    if (progress != m_savedProgress) {
        m_replica->saveProgress(QString::fromLatin1(kAcknowledgementsProgress), progress);
        m_savedProgress = progress;
    }
}

void SharedFleetReplicator::stop() {
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_changed.notify_all();
}

} // namespace smartcar
