#pragma once

#include "model/Alert.h"
#include "model/DeliveryLogEntry.h"
#include "model/VehicleEvent.h"
#include "store/DeliveryJournal.h"
#include "store/SharedFleetFeed.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace store {
class Journal;
}

namespace smartcar {

class FleetProcessor;

// Makes a desktop's replica journal and fleet follow a shared fleet (store::SharedFleetFeed).
// Each delivery a node stored is journaled here as the webhook endpoint would have journaled it
// (same verdict and status, decoded and with its history points when accepted), under its shared
// id, so the replica's highest id is how far it got: a restart, even after a crash, resumes right
// after the last delivery committed here, never skipping one and never taking one twice. Only
// once a page is committed (and applied to the fleet) does the feed read the next one.
//
// Acknowledgements from any desktop are applied by slot (FleetProcessor::acknowledgeMatching);
// those whose alert has not been raised here yet (the two tables are read separately) are held
// and tried again after each page. How far they were applied is saved in the replica after the
// alert changes they made, never before.
//
// Threads: takeDeliveries(), takeAcknowledgements() and setLive() run on the feed's thread; the
// fleet is changed on the processor's thread; stop() from any other.
class SharedFleetReplicator final {
    Q_DISABLE_COPY_MOVE(SharedFleetReplicator)
public:
    // `replica` is open and its commit listener becomes this object's; `processor` applies to the
    // fleet what the replica committed. Both outlive this object, and the processor's thread runs
    // whatever this object queued to it before this object goes.
    SharedFleetReplicator(store::Journal *replica, FleetProcessor *processor,
                          store::SharedFleetFeed::Cursor from);
    ~SharedFleetReplicator();

    // Where a replica at `path` resumes: its highest delivery id and the acknowledgements applied.
    static bool resumePoint(const QString &path, store::SharedFleetFeed::Cursor *cursor, QString *error);

    // The feed's deliveries listener: returns once the page is committed to the replica and applied
    // to the fleet, retrying with backoff while the replica cannot be written, or once stop() is called.
    void takeDeliveries(const QList<store::SharedFleetFeed::SharedDelivery> &page);
    // The feed's acknowledgements listener.
    void takeAcknowledgements(const QList<store::SharedFleetFeed::Acknowledgement> &acknowledgements);
    // Whether the feed is live (caught up): acknowledgements still held then for kHoldAcknowledgement
    // find nothing to acknowledge here and are let go.
    void setLive(bool live) { m_live = live; }
    // Makes a waiting takeDeliveries() return; nothing is journaled after it.
    void stop();

    qint64 takenDeliveries() const { return m_committedId; }   // the highest shared id committed here
    qint64 deliveriesJournaled() const { return m_journaled; } // by this object, since it was made

    static constexpr const char *kAcknowledgementsProgress = "shared-fleet/acknowledgements";
    static constexpr auto kHoldAcknowledgement = std::chrono::seconds(30);
    static constexpr auto kRetryFirst = std::chrono::milliseconds(250);
    static constexpr auto kRetryMax = std::chrono::seconds(2);

    // The copy the replica journals of a stored delivery, and what the fleet and the log take of it.
    struct Copy {
        model::Delivery delivery;
        model::VehicleEvent event;
        bool apply = false; // accepted and decoded: the fleet takes the event
        model::DeliveryLogEntry log;
    };
    static Copy copyOf(const store::SharedFleetFeed::SharedDelivery &stored);

private:
    struct Held {
        model::AlertAcknowledgement acknowledgement;
        QElapsedTimer since;
    };
    void onCommitted(const QList<store::AppendResult> &results); // store thread
    // Processor thread: held acknowledgements tried again, the expired let go, progress saved.
    void retryHeld(QList<model::AlertAcknowledgement> fresh);

    store::Journal *m_replica;
    FleetProcessor *m_processor;

    std::mutex m_mutex;
    std::condition_variable m_changed;
    bool m_stopping = false;
    // The page being journaled. Kept after stop(): what the replica still commits while it closes
    // reaches the fleet too, or the last snapshot would cover deliveries the fleet never took.
    QList<Copy> m_page;
    QHash<quint64, qsizetype> m_tickets; // append ticket -> index in m_page, until answered
    QList<bool> m_committed;             // per index of m_page
    QString m_refusal;                   // why the replica refused part of the page
    qint64 m_applied = 0;                // copies applied on the processor thread
    std::atomic<qint64> m_committedId{0};
    std::atomic<qint64> m_journaled{0};
    std::atomic<bool> m_live{false};

    // Processor thread only.
    QList<Held> m_held;
    qint64 m_acknowledgementsTaken = 0;
    qint64 m_savedProgress = -1;
};

} // namespace smartcar
