#pragma once

#include "model/SharedObjectCache.h"
#include "model/Vehicle.h"

#include <QByteArray>
#include <QDataStream>
#include <QList>
#include <QSqlDatabase>
#include <QStringList>
#include <functional>

class QSqlQuery;

namespace store {

// The fleet's latest state, one row per vehicle, and the journal id it covers: every accepted
// delivery up to that id is in it, none after. A start reads it and replays only the deliveries
// after that id, instead of decoding the whole journal. Rows are written for the vehicles that
// changed since the last checkpoint; a vehicle keeps its position (the fleet's first-seen order).
class FleetSnapshot final {
public:
    struct Entry {
        model::Vehicle vehicle;
        qint64 position = 0;
    };
    // Rows encoded on the thread that owns the fleet, back to back in one buffer: what a slice of a
    // checkpoint carries to the store thread. A copy of a Vehicle shares its containers with the
    // fleet, so every vehicle the fleet changed while the copy waited to be written got a copy of
    // its own, made and kept on the fleet's thread while the old one was freed later on the store
    // thread; under load that left a few hundred KB per checkpoint the arena kept. Bytes share
    // nothing, and one buffer is one allocation where a row each was one per vehicle.
    class EncodedRows final {
    public:
        struct Row {
            QString vehicleId;
            qint64 position = 0;
            qsizetype end = 0; // where its state ends in the buffer (the row before ends where it starts)
        };
        // Room for `rows` rows of about `bytesPerRow` each, so the buffer is allocated once.
        void reserve(qsizetype rows, qsizetype bytesPerRow);
        void append(const model::Vehicle &vehicle, qint64 position);
        qsizetype size() const { return m_rows.size(); }
        qsizetype byteSize() const { return m_bytes.size(); }
        qsizetype byteCapacity() const { return m_bytes.capacity(); }
        bool isEmpty() const { return m_rows.isEmpty(); }
        // No rows, the room kept (so a buffer can be filled again without allocating).
        void clear();
        const QList<Row> &rows() const { return m_rows; }
        // The state of row i, without a copy (valid while this object is unchanged).
        QByteArray state(qsizetype i) const;

    private:
        QByteArray m_bytes;
        QList<Row> m_rows;
    };

    // The schema step that adds the snapshot tables (and the index that bounds the alerts a
    // start loads).
    static QStringList migrationSql();

    static QByteArray encode(const model::Vehicle &vehicle);
    // With bodies, signal bodies and errors of the same bytes come out as one shared object, as
    // the live fleet keeps them (PayloadDecoder): a start from the snapshot then holds a body
    // that most vehicles share once, not once per vehicle.
    static bool decode(const QByteArray &bytes, model::Vehicle *vehicle,
                       model::SharedObjectCache *bodies = nullptr);

    // Upserts the entries and records coveredId (none when coveredId is 0: a slice of a snapshot
    // written in several transactions); runs inside the caller's transaction.
    static bool write(QSqlDatabase &db, qint64 coveredId, const QList<Entry> &entries, QString *error);
    static bool write(QSqlDatabase &db, qint64 coveredId, const EncodedRows &rows, QString *error);
    // Forgets the snapshot (rows stay, the cover goes): the next start replays the whole journal.
    static bool invalidate(QSqlDatabase &db, QString *error);
    // Vehicles in position order; coveredId 0 (and no visit) when there is no usable snapshot.
    static bool read(QSqlDatabase &db, qint64 *coveredId, const std::function<void(model::Vehicle &&)> &visit,
                     QString *error);

private:
    static void encodeTo(QDataStream &out, const model::Vehicle &vehicle);
    static bool writeRows(QSqlDatabase &db, qint64 coveredId, qsizetype count,
                          const std::function<void(qsizetype, QSqlQuery &)> &bind, QString *error);
};

} // namespace store
