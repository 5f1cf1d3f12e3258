#pragma once

#include <QElapsedTimer>

namespace smartcar {

// Client-side pacing for Smartcar's app-wide limit (a bucket of 120 requests refilling 2 per
// minute, smartcar-protocol.md §13): spending our own tokens first means the server's bucket is
// rarely the one that says no. A 429's retry-after pauses the bucket as a whole, because the
// server's bucket is shared by every request of the application.
class TokenBucket final {
public:
    static constexpr double kSmartcarCapacity = 120.0;
    static constexpr double kSmartcarRefillPerSecond = 2.0 / 60.0;

    explicit TokenBucket(double capacity = kSmartcarCapacity,
                         double refillPerSecond = kSmartcarRefillPerSecond);

    void configure(double capacity, double refillPerSecond); // starts full again
    // Milliseconds until a token may be taken (0: now).
    qint64 msUntilAvailable();
    // Takes a token when one is available now.
    bool tryTake();
    // No token is handed out for ms from now (a retry-after).
    void pauseFor(qint64 ms);

private:
    void refill();

    double m_capacity;
    double m_refillPerMs;
    double m_tokens;
    qint64 m_lastMs = 0;
    qint64 m_pausedUntilMs = 0;
    QElapsedTimer m_clock;
};

} // namespace smartcar
