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
    if (filter.acceptedOnly)
        sql += QStringLiteral(" WHERE verdict = 'accepted'");
    sql += QStringLiteral(" ORDER BY id");
    if (!q.exec(sql)) {
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

} // namespace store
