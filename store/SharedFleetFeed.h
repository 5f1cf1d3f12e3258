#pragma once

#include "model/Alert.h"
#include "model/Delivery.h"
#include "store/PostgresLocation.h"

#include <QList>
#include <QString>
#include <chrono>
#include <functional>
#include <memory>

namespace store {

// A desktop's view of a shared fleet: follows the PostgreSQL tables ingest nodes write (see
// PostgresSchema) from a cursor, in id order, live through LISTEN/NOTIFY, and writes the
// acknowledgements made on this desktop for every other desktop to see.
//
// Nothing is missed: after any disconnect (server restart, network), the feed reconnects with
// backoff (kRetryFirst doubling to kRetryMax), LISTENs again and then reads everything after its
// cursor before it reports itself live. A notification only says "look now"; the rows are always
// read by cursor, and a read every kPollInterval backs up a notification that never came.
//
// Threads: the feed has its own thread and its own connection. Listeners run on that thread; the
// next page is read only after the deliveries listener returns, so a slow consumer slows the
// feed instead of filling memory.
class SharedFleetFeed final {
    Q_DISABLE_COPY_MOVE(SharedFleetFeed)
public:
    // One stored delivery as a node kept it; delivery.id is the shared id (the cursor).
    struct SharedDelivery {
        model::Delivery delivery; // id, receivedAtMs, eventId, eventType, vehicleId, verdict, status,
                                  // headers, body
        QString node;
    };
    struct Acknowledgement {
        qint64 id = 0; // shared id (the cursor); 0 for one not stored yet
        QString vehicleId;
        model::AlertKind kind = model::AlertKind::OpenClosure;
        QString subject;
        qint64 acknowledgedAt = 0; // epoch ms
        QString acknowledgedBy;
    };
    struct Cursor {
        qint64 deliveries = 0; // the highest shared delivery id already taken
        qint64 acknowledgements = 0;
    };
    enum class State {
        Connecting, // before the first connection, or reconnecting (see attempt / retryInMs)
        CatchingUp, // connected, reading what was stored while away
        Live,       // connected, everything up to the latest notification taken
        Lost        // the connection failed; the next try is in retryInMs
    };
    struct Status {
        State state = State::Connecting;
        QString error;   // why the connection was lost (Lost, Connecting after a loss)
        int attempt = 0; // consecutive failed attempts
        qint64 retryInMs = 0;
        qint64 cursor = 0;   // deliveries taken so far
        qint64 latestId = 0; // the highest delivery id the server had at the last look (progress)
    };

    using DeliveriesListener = std::function<void(const QList<SharedDelivery> &)>; // in id order
    using AcknowledgementsListener = std::function<void(const QList<Acknowledgement> &)>;
    using StatusListener = std::function<void(const Status &)>; // on every change of state

    explicit SharedFleetFeed(PostgresLocation location);
    ~SharedFleetFeed(); // stop()

    // Before start().
    void setDeliveriesListener(DeliveriesListener listener);
    void setAcknowledgementsListener(AcknowledgementsListener listener);
    void setStatusListener(StatusListener listener);

    // Starts the thread and follows from `from`. Returns at once; the first connection is reported
    // through the status listener. An unreachable server is not an error here: it is retried.
    void start(Cursor from);
    void stop(); // waits for the thread; no listener runs after it returns

    // Stores an acknowledgement made on this desktop (thread-safe). Kept in order while
    // disconnected and written once connected; every desktop, this one included, then receives it
    // through the acknowledgements listener.
    void acknowledge(const Acknowledgement &acknowledgement);

    static constexpr auto kRetryFirst = std::chrono::milliseconds(250);
    static constexpr auto kRetryMax = std::chrono::seconds(5);
    static constexpr auto kPollInterval = std::chrono::seconds(2);
    static constexpr int kPageSize = 1000; // deliveries per read

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace store
