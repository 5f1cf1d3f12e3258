#pragma once

#include "model/Alert.h"
#include "model/Delivery.h"

#include <QList>
#include <QString>
#include <functional>

namespace store {

// The outcome of one append, reported once its batch is committed (or failed to commit).
struct AppendResult {
    quint64 ticket = 0;     // what append() returned
    bool committed = false; // false: nothing of it is stored, the sender must be told to retry
    QString error;
    model::Verdict verdict = model::Verdict::Accepted; // Accepted may have become Duplicate
    qint64 id = 0;                                     // journal sequence number
};

// Whether the journal can take deliveries. While it cannot (disk full, data folder read-only, an
// I/O error, the database server gone), every delivery is refused at once, nothing is answered as
// stored, and the journal reconnects with backoff until a write commits. A damaged file (SQLite
// finds a malformed page) is not tried again: deliveries are refused until the app stops, and
// `damaged` says the file needs the recovery the README describes.
struct JournalHealth {
    bool writable = true;
    bool damaged = false;
    QString error;      // why it cannot write (the first failure of the episode)
    qint64 refused = 0; // deliveries reported not committed during the episode
    qint64 downMs = 0;  // when writable again: how long it could not write
};

// What the webhook endpoint and the fleet need of a journal, whichever engine keeps it: the
// workstation's SQLite file (Journal) or a shared PostgreSQL database (PostgresJournal).
// Promises of every implementation: appends are thread-safe and committed in groups on a thread of
// the journal's own; each append is reported exactly once to the commit listener, committed or not;
// an Accepted delivery whose eventId is already stored as accepted is stored as Duplicate, decided
// by the database inside the transaction (a unique constraint), never by a check beforehand.
class DeliveryJournal {
public:
    using CommitListener = std::function<void(const QList<AppendResult> &)>; // runs on the store thread
    using HealthListener = std::function<void(const JournalHealth &)>;       // runs on the store thread

    virtual ~DeliveryJournal() = default;

    virtual void setCommitListener(CommitListener listener) = 0; // before the first append
    virtual void setHealthListener(HealthListener listener) = 0; // before open
    virtual quint64 append(model::Delivery delivery) = 0;        // thread-safe; the ticket
    // Alert snapshots (insert or replace by id), in order with the deliveries. Thread-safe. An
    // engine that keeps no alerts of a node's own ignores them.
    virtual void saveAlerts(const QList<model::Alert> &alerts) = 0;
    virtual void close() = 0; // drains what is queued, then stops
};

} // namespace store
