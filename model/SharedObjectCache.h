#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonObject>

namespace model {

// One QJsonObject for every signal body of the same content, built once and then handed out again
// through Qt's implicit sharing. Most of a delivery's bodies repeat (a door that stayed shut, a
// firmware version, the same reading on many vehicles), and building a QJsonObject costs
// allocations for every key: sharing makes decoding cheaper and the fleet state lighter.
//
// The caller's key must hold the exact content (PayloadDecoder: each value's type and raw bytes;
// FleetSnapshot: the body's CBOR), never text that two different values could print alike, so
// that what find() hands out is always the object the caller would have built. Bounded: once it
// holds `capacity` objects it starts over empty, and content longer than kMaxKeyBytes is never
// kept. Not thread-safe: PayloadDecoder keeps one per thread, a snapshot load one of its own; the
// objects it hands out may go to any thread (the sharing is atomic, and a write to a copy detaches
// it).
class SharedObjectCache final {
public:
    struct Counts {
        qint64 hits = 0;   // lookups that found an object
        qint64 misses = 0; // lookups that found none: the caller builds, then keeps
    };

    // About 16,000 distinct bodies: fleetsim's fleet of 10,000 vehicles finds about four in five
    // of its bodies here (65,536 would find 85 %, 4,096 73 %).
    static constexpr qsizetype kDefaultCapacity = 16384;
    static constexpr qsizetype kMaxKeyBytes = 1024;

    explicit SharedObjectCache(qsizetype capacity = kDefaultCapacity)
        : m_capacity(capacity) {}

    // The object kept for content; nullptr when there is none (then build it, and keep() it).
    const QJsonObject *find(const QByteArray &content);
    void keep(const QByteArray &content, const QJsonObject &object);

    Counts counts() const { return m_counts; }
    qsizetype size() const { return m_objects.size(); }

private:
    qsizetype m_capacity;
    QHash<QByteArray, QJsonObject> m_objects;
    Counts m_counts;
};

} // namespace model
