#include "store/JournalReader.h"

#include <QSqlError>
#include <QSqlQuery>

namespace store {

bool JournalReader::open(const QString &path, QString *error) {
    return m_db.open(path, Database::Mode::ReadOnly, error);
}

bool JournalReader::forEach(const Filter &filter, const std::function<bool(const model::Delivery &)> &visit,
                            QString *error) {
    QSqlQuery q(m_db.connection());
    q.setForwardOnly(true);
    QString sql =
        QStringLiteral(
            "SELECT id, received_at, event_id, event_type, vehicle_id, verdict, status, headers, %1,"
            " replay FROM deliveries")
            .arg(filter.withBodies ? QStringLiteral("body") : QStringLiteral("NULL"));
    QStringList where;
    if (filter.acceptedOnly)
        where << QStringLiteral("verdict = 'accepted'");
    if (!filter.vehicleId.isEmpty())
        where << QStringLiteral("vehicle_id = :vehicle");
    if (filter.sinceMs > 0)
        where << QStringLiteral("received_at >= :since");
    if (!where.isEmpty())
        sql += QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND "));
    sql += QStringLiteral(" ORDER BY id");
    q.prepare(sql);
    if (!filter.vehicleId.isEmpty())
        q.bindValue(QStringLiteral(":vehicle"), filter.vehicleId);
    if (filter.sinceMs > 0)
        q.bindValue(QStringLiteral(":since"), filter.sinceMs);
    if (!q.exec()) {
        *error = QStringLiteral("cannot read %1: %2").arg(m_db.path(), q.lastError().text());
        return false;
    }
    model::Delivery d;
    while (q.next()) {
        d.id = q.value(0).toLongLong();
        d.receivedAtMs = q.value(1).toLongLong();
        d.eventId = q.value(2).toString();
        d.eventType = q.value(3).toString();
        d.vehicleId = q.value(4).toString();
        if (!model::verdictFromName(q.value(5).toString(), &d.verdict))
            d.verdict = model::Verdict::Malformed;
        d.status = q.value(6).toInt();
        d.headers = q.value(7).toString().toUtf8();
        d.body = q.value(8).toByteArray();
        d.replay = q.value(9).toInt() != 0;
        if (!visit(d))
            return true;
    }
    if (q.lastError().isValid()) {
        *error = QStringLiteral("cannot read %1: %2").arg(m_db.path(), q.lastError().text());
        return false;
    }
    return true;
}

bool JournalReader::read(qint64 id, model::Delivery *delivery, QString *error) {
    QSqlQuery q(m_db.connection());
    q.prepare(
        QStringLiteral("SELECT received_at, event_id, event_type, vehicle_id, verdict, status, headers, body,"
                       " replay FROM deliveries WHERE id = ?"));
    q.addBindValue(id);
    if (!q.exec()) {
        *error = QStringLiteral("cannot read %1: %2").arg(m_db.path(), q.lastError().text());
        return false;
    }
    if (!q.next()) {
        *error = QStringLiteral("no delivery %1 in the journal").arg(id);
        return false;
    }
    delivery->id = id;
    delivery->receivedAtMs = q.value(0).toLongLong();
    delivery->eventId = q.value(1).toString();
    delivery->eventType = q.value(2).toString();
    delivery->vehicleId = q.value(3).toString();
    if (!model::verdictFromName(q.value(4).toString(), &delivery->verdict))
        delivery->verdict = model::Verdict::Malformed;
    delivery->status = q.value(5).toInt();
    delivery->headers = q.value(6).toString().toUtf8();
    delivery->body = q.value(7).toByteArray();
    delivery->replay = q.value(8).toInt() != 0;
    return true;
}

bool JournalReader::forEachSample(const HistoryFilter &filter,
                                  const std::function<bool(const model::HistorySample &)> &visit,
                                  QString *error) {
    QSqlQuery q(m_db.connection());
    q.setForwardOnly(true);
    QString sql = QStringLiteral(
        "SELECT vehicle_id, code, field, t, value FROM history WHERE t >= :since AND t <= :until");
    if (!filter.vehicleId.isEmpty())
        sql += QStringLiteral(" AND vehicle_id = :vehicle");
    if (!filter.code.isEmpty())
        sql += QStringLiteral(" AND code = :code");
    sql += QStringLiteral(" ORDER BY vehicle_id, code, field, t");
    q.prepare(sql);
    q.bindValue(QStringLiteral(":since"), filter.sinceMs);
    q.bindValue(QStringLiteral(":until"), filter.untilMs);
    if (!filter.vehicleId.isEmpty())
        q.bindValue(QStringLiteral(":vehicle"), filter.vehicleId);
    if (!filter.code.isEmpty())
        q.bindValue(QStringLiteral(":code"), filter.code);
    if (!q.exec()) {
        *error = QStringLiteral("cannot read %1: %2").arg(m_db.path(), q.lastError().text());
        return false;
    }
    model::HistorySample s;
    while (q.next()) {
        s.vehicleId = q.value(0).toString();
        s.code = q.value(1).toString();
        s.field = q.value(2).toString();
        s.oemUpdatedAt = q.value(3).toLongLong();
        s.value = q.value(4).toDouble();
        if (!visit(s))
            return true;
    }
    if (q.lastError().isValid()) {
        *error = QStringLiteral("cannot read %1: %2").arg(m_db.path(), q.lastError().text());
        return false;
    }
    return true;
}

bool JournalReader::forEachAlert(const QString &vehicleId, qint64 sinceMs,
                                 const std::function<bool(const model::Alert &)> &visit, QString *error) {
    QSqlQuery q(m_db.connection());
    q.setForwardOnly(true);
    QString sql =
        QStringLiteral("SELECT id, vehicle_id, kind, subject, severity, message, first_seen, last_seen,"
                       " fire_count, cleared_at, cleared_by, acknowledged_at, acknowledged_by FROM alerts"
                       " WHERE last_seen >= :since");
    if (!vehicleId.isEmpty())
        sql += QStringLiteral(" AND vehicle_id = :vehicle");
    sql += QStringLiteral(" ORDER BY id");
    q.prepare(sql);
    q.bindValue(QStringLiteral(":since"), sinceMs);
    if (!vehicleId.isEmpty())
        q.bindValue(QStringLiteral(":vehicle"), vehicleId);
    if (!q.exec()) {
        *error = QStringLiteral("cannot read %1: %2").arg(m_db.path(), q.lastError().text());
        return false;
    }
    while (q.next()) {
        model::Alert a;
        a.id = q.value(0).toLongLong();
        a.vehicleId = q.value(1).toString();
        if (!model::alertKindFromName(q.value(2).toString(), &a.kind))
            continue; // written by a newer version; nothing this one can show
        a.subject = q.value(3).toString();
        model::alertSeverityFromName(q.value(4).toString(), &a.severity);
        a.message = q.value(5).toString();
        a.firstSeenAt = q.value(6).toLongLong();
        a.lastSeenAt = q.value(7).toLongLong();
        a.fireCount = q.value(8).toInt();
        a.clearedAt = q.value(9).toLongLong();
        a.clearedBy = q.value(10).toString();
        a.acknowledgedAt = q.value(11).toLongLong();
        a.acknowledgedBy = q.value(12).toString();
        if (!visit(a))
            return true;
    }
    if (q.lastError().isValid()) {
        *error = QStringLiteral("cannot read %1: %2").arg(m_db.path(), q.lastError().text());
        return false;
    }
    return true;
}

} // namespace store
