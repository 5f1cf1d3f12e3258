#pragma once

#include "model/Delivery.h"
#include "store/Database.h"

#include <functional>

namespace store {

// Reads the journal on the calling thread through its own connection, in journal order. Used to
// rebuild the fleet on start and by `fleetmon export`, which may run while the app writes (WAL).
class JournalReader final {
    Q_DISABLE_COPY_MOVE(JournalReader)
public:
    JournalReader() = default;

    bool open(const QString &path, QString *error);

    struct Filter {
        bool acceptedOnly = false; // only deliveries that changed (or may change) the fleet
        bool withBodies = true;
    };
    // Calls visit for each delivery in journal order; visit returns false to stop early.
    bool forEach(const Filter &filter, const std::function<bool(const model::Delivery &)> &visit,
                 QString *error);

private:
    Database m_db;
};

} // namespace store
