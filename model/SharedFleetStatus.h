#pragma once

#include <QMetaType>
#include <QString>

namespace model {

// How a desktop following a shared fleet stands with the database, for the status bar and the
// banner. Produced off the GUI thread, handed over by value.
struct SharedFleetStatus {
    enum class State {
        Connecting, // first connection, or reconnecting after a loss (attempt > 0)
        CatchingUp, // connected, taking what was stored while away (taken of latest)
        Live,       // connected and up to date; new deliveries arrive as they are stored
        Lost        // the connection failed; the next try is in retryInMs
    };
    State state = State::Connecting;
    QString location; // the database, without password ("postgresql://fleet@db:5432/fleet")
    QString error;    // why the connection was lost
    int attempt = 0;  // consecutive failed attempts
    qint64 retryInMs = 0;
    qint64 taken = 0;  // shared deliveries taken so far (the cursor)
    qint64 latest = 0; // the highest the database had at the last look

    friend bool operator==(const SharedFleetStatus &, const SharedFleetStatus &) = default;
};

} // namespace model

Q_DECLARE_METATYPE(model::SharedFleetStatus)
