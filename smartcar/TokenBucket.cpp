#include "smartcar/TokenBucket.h"

#include <algorithm>
#include <cmath>

namespace smartcar {

TokenBucket::TokenBucket(double capacity, double refillPerSecond) {
    m_clock.start();
    configure(capacity, refillPerSecond);
}

void TokenBucket::configure(double capacity, double refillPerSecond) {
    m_capacity = std::max(1.0, capacity);
    m_refillPerMs = std::max(1e-9, refillPerSecond / 1000.0);
    m_tokens = m_capacity;
    m_lastMs = m_clock.elapsed();
    m_pausedUntilMs = 0;
}

void TokenBucket::refill() {
    const qint64 now = m_clock.elapsed();
    m_tokens = std::min(m_capacity, m_tokens + double(now - m_lastMs) * m_refillPerMs);
    m_lastMs = now;
}

qint64 TokenBucket::msUntilAvailable() {
    refill();
    const qint64 pause = std::max<qint64>(0, m_pausedUntilMs - m_clock.elapsed());
    const qint64 refillWait = m_tokens >= 1.0 ? 0 : qint64(std::ceil((1.0 - m_tokens) / m_refillPerMs));
    return std::max(pause, refillWait);
}

bool TokenBucket::tryTake() {
    if (msUntilAvailable() > 0)
        return false;
    m_tokens -= 1.0;
    return true;
}

void TokenBucket::pauseFor(qint64 ms) {
    m_pausedUntilMs = std::max(m_pausedUntilMs, m_clock.elapsed() + ms);
}

} // namespace smartcar
