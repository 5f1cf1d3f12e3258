#pragma once

#include "store/DeliveryJournal.h"
#include "store/PostgresLocation.h"

#include <chrono>
#include <memory>

namespace store {

// The journal of an ingest node on a shared PostgreSQL database (see PostgresSchema for the
// tables). Same promises as the SQLite Journal (DeliveryJournal): group commit on a thread of its
// own, every append reported once, an Accepted delivery whose eventId any node already stored as
// accepted becomes Duplicate by the unique constraint, decided inside the transaction, so two
// nodes given the same eventId at the same moment store it once as accepted.
//
// Each transaction takes PostgresSchema::kCommitOrderLock before inserting and NOTIFYs
// PostgresSchema::kDeliveriesChannel before committing, so ids become visible in order and
// listeners hear of them the moment they are.
//
// When the server goes away (restart, network, a full disk on its side) the batch in flight is
// reported not committed, every later delivery is refused at once (the endpoint answers 503 and
// Smartcar retries), the health listener hears of it once, and the journal reconnects with backoff
// (kRetryFirst doubling to kRetryMax) until a write commits again.
class PostgresJournal final : public DeliveryJournal {
    Q_DISABLE_COPY_MOVE(PostgresJournal)
public:
    // `node` names this ingest node in the rows it stores (e.g. its endpoint's host:port).
    PostgresJournal(PostgresLocation location, QString node);
    ~PostgresJournal() override; // close()

    // Starts the store thread, connects, creates or migrates the schema. Blocks until it knows;
    // false with `error` (unreachable server, refused login, newer schema, no QPSQL driver).
    bool open(QString *error);

    void setCommitListener(CommitListener listener) override;
    void setHealthListener(HealthListener listener) override;
    quint64 append(model::Delivery delivery) override;
    void saveAlerts(const QList<model::Alert> &alerts) override; // nodes keep no alerts: ignored
    void close() override;

    static constexpr auto kRetryFirst = std::chrono::milliseconds(250);
    static constexpr auto kRetryMax = std::chrono::seconds(2);

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace store
