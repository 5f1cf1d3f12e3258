#include "store/FleetSnapshot.h"

#include <QCborMap>
#include <QCborValue>
#include <QDataStream>
#include <QIODevice>
#include <QSqlError>
#include <QSqlQuery>

namespace store {

namespace {
// Bumped when the encoding changes; a snapshot in another format is ignored (full replay).
constexpr quint32 kFormat = 1;

QByteArray jsonBytes(const QJsonObject &object) {
    return object.isEmpty() ? QByteArray() : QCborValue::fromJsonValue(object).toCbor();
}

QJsonObject jsonFrom(const QByteArray &bytes) {
    return bytes.isEmpty() ? QJsonObject() : QCborValue::fromCbor(bytes).toMap().toJsonObject();
}

// What jsonFrom() makes depends on the bytes alone: equal bytes may share one object.
QJsonObject jsonFrom(const QByteArray &bytes, model::SharedObjectCache *shared) {
    if (!shared || bytes.isEmpty())
        return jsonFrom(bytes);
    if (const QJsonObject *kept = shared->find(bytes))
        return *kept;
    const QJsonObject object = jsonFrom(bytes);
    shared->keep(bytes, object);
    return object;
}

// A count read from a damaged row must not become an allocation (a flipped bit in a signal count
// had a start reserve gigabytes): every element takes at least 4 bytes, so more than fit in what
// is left marks the row unreadable.
bool readCount(QDataStream &in, quint32 *count) {
    in >> *count;
    if (in.status() == QDataStream::Ok && *count > (in.device()->size() - in.device()->pos()) / 4)
        in.setStatus(QDataStream::ReadCorruptData);
    if (in.status() != QDataStream::Ok)
        *count = 0;
    return in.status() == QDataStream::Ok;
}

// QDataStream's own QStringList reader reserves whatever count it reads.
QStringList readStrings(QDataStream &in) {
    QStringList list;
    quint32 count = 0;
    if (!readCount(in, &count))
        return list;
    list.reserve(count);
    for (quint32 i = 0; i < count && in.status() == QDataStream::Ok; ++i) {
        QString s;
        in >> s;
        list.append(s);
    }
    return list;
}
} // namespace

QStringList FleetSnapshot::migrationSql() {
    return {
        QStringLiteral("CREATE TABLE fleet_snapshot (vehicle_id TEXT PRIMARY KEY,"
                       " position INTEGER NOT NULL, state BLOB NOT NULL)"),
        QStringLiteral("CREATE TABLE fleet_snapshot_cover (only INTEGER PRIMARY KEY CHECK (only = 1),"
                       " journal_id INTEGER NOT NULL, format INTEGER NOT NULL)"),
        // Active alerts (cleared_at 0) without a scan of every alert ever raised.
        QStringLiteral("CREATE INDEX alerts_cleared ON alerts(cleared_at, id)"),
    };
}

QByteArray FleetSnapshot::encode(const model::Vehicle &v) {
    QByteArray bytes;
    QDataStream out(&bytes, QIODevice::WriteOnly);
    encodeTo(out, v);
    return bytes;
}

void FleetSnapshot::encodeTo(QDataStream &out, const model::Vehicle &v) {
    out.setVersion(QDataStream::Qt_6_4);
    out << v.id << v.make << v.model << qint32(v.year) << v.vin << v.nickname << qint32(v.subscription)
        << v.lastDeliveryAt;
    out << quint32(v.openErrors.size());
    for (const model::VehicleError &e : v.openErrors)
        out << e.type << e.code << e.state << e.description << e.suggestedUserMessage << e.resolutionType
            << e.docUrl << e.signalCodes;
    out << quint32(v.signalsByCode.size());
    for (const model::SignalValue &s : v.signalsByCode)
        out << s.code << s.name << s.group << s.oemUpdatedAt << s.retrievedAt << jsonBytes(s.body)
            << jsonBytes(s.error);
}

void FleetSnapshot::EncodedRows::reserve(qsizetype rows, qsizetype bytesPerRow) {
    m_rows.reserve(rows);
    m_bytes.reserve(rows * bytesPerRow);
}

void FleetSnapshot::EncodedRows::append(const model::Vehicle &vehicle, qint64 position) {
    QDataStream out(&m_bytes, QIODevice::WriteOnly | QIODevice::Append);
    encodeTo(out, vehicle);
    m_rows.append({vehicle.id, position, m_bytes.size()});
}

void FleetSnapshot::EncodedRows::clear() {
    m_bytes.resize(0); // where QByteArray::clear() would free it
    m_rows.clear();    // a QList keeps its capacity when it is not shared
}

QByteArray FleetSnapshot::EncodedRows::state(qsizetype i) const {
    const qsizetype begin = i == 0 ? 0 : m_rows.at(i - 1).end;
    return QByteArray::fromRawData(m_bytes.constData() + begin, m_rows.at(i).end - begin);
}

bool FleetSnapshot::decode(const QByteArray &bytes, model::Vehicle *v, model::SharedObjectCache *bodies) {
    QDataStream in(bytes);
    in.setVersion(QDataStream::Qt_6_4);
    qint32 year = 0, subscription = 0;
    in >> v->id >> v->make >> v->model >> year >> v->vin >> v->nickname >> subscription >> v->lastDeliveryAt;
    v->year = year;
    v->subscription = model::Vehicle::Subscription(subscription);
    quint32 count = 0;
    readCount(in, &count);
    v->openErrors.clear();
    for (quint32 i = 0; i < count && in.status() == QDataStream::Ok; ++i) {
        model::VehicleError e;
        in >> e.type >> e.code >> e.state >> e.description >> e.suggestedUserMessage >> e.resolutionType >>
            e.docUrl;
        e.signalCodes = readStrings(in);
        v->openErrors.append(e);
    }
    count = 0;
    readCount(in, &count);
    v->signalsByCode.clear();
    v->signalsByCode.reserve(count);
    for (quint32 i = 0; i < count && in.status() == QDataStream::Ok; ++i) {
        model::SignalValue s;
        QByteArray body, error;
        in >> s.code >> s.name >> s.group >> s.oemUpdatedAt >> s.retrievedAt >> body >> error;
        s.body = jsonFrom(body, bodies);
        s.error = jsonFrom(error, bodies);
        v->signalsByCode.insert(s.code, s);
    }
    return in.status() == QDataStream::Ok && in.atEnd();
}

bool FleetSnapshot::write(QSqlDatabase &db, qint64 coveredId, const QList<Entry> &entries, QString *error) {
    return writeRows(
        db, coveredId, entries.size(),
        [&](qsizetype i, QSqlQuery &upsert) {
            const Entry &e = entries.at(i);
            upsert.addBindValue(e.vehicle.id);
            upsert.addBindValue(e.position);
            upsert.addBindValue(encode(e.vehicle));
        },
        error);
}

bool FleetSnapshot::write(QSqlDatabase &db, qint64 coveredId, const EncodedRows &rows, QString *error) {
    return writeRows(
        db, coveredId, rows.size(),
        [&](qsizetype i, QSqlQuery &upsert) {
            const EncodedRows::Row &row = rows.rows().at(i);
            upsert.addBindValue(row.vehicleId);
            upsert.addBindValue(row.position);
            upsert.addBindValue(rows.state(i)); // bound as it is: SQLite copies it into the row
        },
        error);
}

bool FleetSnapshot::writeRows(QSqlDatabase &db, qint64 coveredId, qsizetype count,
                              const std::function<void(qsizetype, QSqlQuery &)> &bind, QString *error) {
    QSqlQuery upsert(db);
    if (!upsert.prepare(QStringLiteral("INSERT OR REPLACE INTO fleet_snapshot(vehicle_id, position, state)"
                                       " VALUES(?,?,?)"))) {
        *error = upsert.lastError().text();
        return false;
    }
    for (qsizetype i = 0; i < count; ++i) {
        bind(i, upsert);
        if (!upsert.exec()) {
            *error = upsert.lastError().text();
            return false;
        }
    }
    if (coveredId <= 0)
        return true; // a slice of a snapshot still being written: the cover comes with the last
    QSqlQuery cover(db);
    cover.prepare(QStringLiteral("INSERT OR REPLACE INTO fleet_snapshot_cover(only, journal_id, format)"
                                 " VALUES(1, ?, ?)"));
    cover.addBindValue(coveredId);
    cover.addBindValue(kFormat);
    if (!cover.exec()) {
        *error = cover.lastError().text();
        return false;
    }
    return true;
}

bool FleetSnapshot::invalidate(QSqlDatabase &db, QString *error) {
    QSqlQuery q(db);
    if (q.exec(QStringLiteral("DELETE FROM fleet_snapshot_cover")))
        return true;
    *error = q.lastError().text();
    return false;
}

bool FleetSnapshot::read(QSqlDatabase &db, qint64 *coveredId,
                         const std::function<void(model::Vehicle &&)> &visit, QString *error) {
    *coveredId = 0;
    QSqlQuery cover(db);
    if (!cover.exec(QStringLiteral("SELECT journal_id, format FROM fleet_snapshot_cover"))) {
        *error = cover.lastError().text();
        return false;
    }
    if (!cover.next() || cover.value(1).toUInt() != kFormat)
        return true; // none, or written by another version: the journal is the truth
    const qint64 covered = cover.value(0).toLongLong();
    cover.finish();
    QSqlQuery rows(db);
    rows.setForwardOnly(true);
    if (!rows.exec(QStringLiteral("SELECT state FROM fleet_snapshot ORDER BY position"))) {
        *error = rows.lastError().text();
        return false;
    }
    QList<model::Vehicle> vehicles;
    model::SharedObjectCache bodies;
    while (rows.next()) {
        model::Vehicle v;
        if (!decode(rows.value(0).toByteArray(), &v, &bodies))
            return true; // unreadable: ignore the snapshot, replay everything
        vehicles.append(std::move(v));
    }
    if (rows.lastError().isValid()) {
        *error = rows.lastError().text();
        return false;
    }
    *coveredId = covered;
    for (model::Vehicle &v : vehicles)
        visit(std::move(v));
    return true;
}

} // namespace store
