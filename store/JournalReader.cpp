#include "store/JournalReader.h"

#include "store/FleetSnapshot.h"

#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>
#include <sqlite3.h>

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
    if (filter.afterId > 0)
        where << QStringLiteral("id > :after");
    if (!where.isEmpty())
        sql += QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND "));
    sql += QStringLiteral(" ORDER BY id");
    q.prepare(sql);
    if (!filter.vehicleId.isEmpty())
        q.bindValue(QStringLiteral(":vehicle"), filter.vehicleId);
    if (filter.sinceMs > 0)
        q.bindValue(QStringLiteral(":since"), filter.sinceMs);
    if (filter.afterId > 0)
        q.bindValue(QStringLiteral(":after"), filter.afterId);
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

namespace {

QString historySql(const JournalReader::HistoryFilter &filter) {
    QString sql = QStringLiteral(
        "SELECT vehicle_id, code, field, t, value FROM history WHERE t >= :since AND t <= :until");
    if (!filter.vehicleId.isEmpty())
        sql += QStringLiteral(" AND vehicle_id = :vehicle");
    if (!filter.code.isEmpty())
        sql += QStringLiteral(" AND code = :code");
    sql += QStringLiteral(" ORDER BY vehicle_id, code, field, t");
    return sql;
}

// The SQLite handle under a Qt SQL connection, when it is SQLite (Debian's Qt plugin uses the
// system library, the one linked here); null for any other driver.
sqlite3 *sqliteHandle(QSqlDatabase &db) {
    const QVariant handle = db.driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(handle.data());
}

QByteArrayView columnText(sqlite3_stmt *statement, int column) {
    const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(statement, column));
    return QByteArrayView(text, sqlite3_column_bytes(statement, column));
}

} // namespace

bool JournalReader::forEachSample(const HistoryFilter &filter,
                                  const std::function<bool(const model::HistorySample &)> &visit,
                                  QString *error) {
    model::HistorySample s;
    return forEachSampleRow(
        filter,
        [&](const SampleRow &row) {
            s.vehicleId = QString::fromUtf8(row.vehicleId);
            s.code = QString::fromUtf8(row.code);
            s.field = QString::fromUtf8(row.field);
            s.oemUpdatedAt = row.oemUpdatedAt;
            s.value = row.value;
            return visit(s);
        },
        error);
}

bool JournalReader::forEachSampleRow(const HistoryFilter &filter,
                                     const std::function<bool(const SampleRow &)> &visit, QString *error) {
    const QString sql = historySql(filter);
    SampleRow row;
    if (sqlite3 *handle = sqliteHandle(m_db.connection())) {
        // Straight through SQLite: Qt SQL's per-value QVariant and UTF-16 conversion cost more
        // than the query itself at millions of rows.
        sqlite3_stmt *statement = nullptr;
        const QByteArray utf8 = sql.toUtf8();
        auto failedWith = [&](const char *message) {
            *error = QStringLiteral("cannot read %1: %2").arg(m_db.path(), QString::fromUtf8(message));
            sqlite3_finalize(statement);
            return false;
        };
        if (sqlite3_prepare_v2(handle, utf8.constData(), int(utf8.size()), &statement, nullptr) != SQLITE_OK)
            return failedWith(sqlite3_errmsg(handle));
        const QByteArray vehicle = filter.vehicleId.toUtf8();
        const QByteArray code = filter.code.toUtf8();
        sqlite3_bind_int64(statement, sqlite3_bind_parameter_index(statement, ":since"), filter.sinceMs);
        sqlite3_bind_int64(statement, sqlite3_bind_parameter_index(statement, ":until"), filter.untilMs);
        if (!filter.vehicleId.isEmpty())
            sqlite3_bind_text(statement, sqlite3_bind_parameter_index(statement, ":vehicle"),
                              vehicle.constData(), int(vehicle.size()), SQLITE_STATIC);
        if (!filter.code.isEmpty())
            sqlite3_bind_text(statement, sqlite3_bind_parameter_index(statement, ":code"), code.constData(),
                              int(code.size()), SQLITE_STATIC);
        int step;
        while ((step = sqlite3_step(statement)) == SQLITE_ROW) {
            row.vehicleId = columnText(statement, 0);
            row.code = columnText(statement, 1);
            row.field = columnText(statement, 2);
            row.oemUpdatedAt = sqlite3_column_int64(statement, 3);
            row.value = sqlite3_column_double(statement, 4);
            if (!visit(row))
                break;
        }
        if (step != SQLITE_ROW && step != SQLITE_DONE)
            return failedWith(sqlite3_errmsg(handle));
        sqlite3_finalize(statement);
        return true;
    }

    QSqlQuery q(m_db.connection());
    q.setForwardOnly(true);
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
    while (q.next()) {
        const QByteArray vehicleId = q.value(0).toString().toUtf8();
        const QByteArray code = q.value(1).toString().toUtf8();
        const QByteArray field = q.value(2).toString().toUtf8();
        row.vehicleId = vehicleId;
        row.code = code;
        row.field = field;
        row.oemUpdatedAt = q.value(3).toLongLong();
        row.value = q.value(4).toDouble();
        if (!visit(row))
            return true;
    }
    if (q.lastError().isValid()) {
        *error = QStringLiteral("cannot read %1: %2").arg(m_db.path(), q.lastError().text());
        return false;
    }
    return true;
}

bool JournalReader::lastDeliveryId(qint64 *id, QString *error) {
    QSqlQuery q(m_db.connection());
    if (!q.exec(QStringLiteral("SELECT coalesce(max(id), 0) FROM deliveries")) || !q.next()) {
        *error = QStringLiteral("cannot read %1: %2").arg(m_db.path(), q.lastError().text());
        return false;
    }
    *id = q.value(0).toLongLong();
    return true;
}

bool JournalReader::progress(const QString &name, qint64 *value, QString *error) {
    QSqlQuery q(m_db.connection());
    q.prepare(QStringLiteral("SELECT value FROM progress WHERE name = ?"));
    q.addBindValue(name);
    if (!q.exec()) {
        *error = QStringLiteral("cannot read %1: %2").arg(m_db.path(), q.lastError().text());
        return false;
    }
    *value = q.next() ? q.value(0).toLongLong() : 0;
    return true;
}

bool JournalReader::readSnapshot(qint64 *coveredId, const std::function<void(model::Vehicle &&)> &visit,
                                 QString *error) {
    if (FleetSnapshot::read(m_db.connection(), coveredId, visit, error))
        return true;
    *error = QStringLiteral("cannot read the fleet snapshot in %1: %2").arg(m_db.path(), *error);
    return false;
}

namespace {
const QString kAlertColumns =
    QStringLiteral("id, vehicle_id, kind, subject, severity, message, first_seen, last_seen, fire_count,"
                   " cleared_at, cleared_by, acknowledged_at, acknowledged_by");
}

bool JournalReader::forEachAlertToRestore(int recentCleared,
                                          const std::function<bool(const model::Alert &)> &visit,
                                          QString *error) {
    // Both halves use the (cleared_at, id) index; a fleet's years of cleared alerts stay on disk.
    const QString sql = QStringLiteral("SELECT %1 FROM alerts WHERE cleared_at = 0 UNION ALL"
                                       " SELECT * FROM (SELECT %1 FROM alerts WHERE cleared_at != 0"
                                       " ORDER BY id DESC LIMIT :recent) ORDER BY id")
                            .arg(kAlertColumns);
    return forEachAlertWhere(sql, {{QStringLiteral(":recent"), recentCleared}}, visit, error);
}

bool JournalReader::forEachAlert(const QString &vehicleId, qint64 sinceMs,
                                 const std::function<bool(const model::Alert &)> &visit, QString *error) {
    QString sql = QStringLiteral("SELECT %1 FROM alerts WHERE last_seen >= :since").arg(kAlertColumns);
    QVariantMap bindings{{QStringLiteral(":since"), sinceMs}};
    if (!vehicleId.isEmpty()) {
        sql += QStringLiteral(" AND vehicle_id = :vehicle");
        bindings.insert(QStringLiteral(":vehicle"), vehicleId);
    }
    sql += QStringLiteral(" ORDER BY id");
    return forEachAlertWhere(sql, bindings, visit, error);
}

bool JournalReader::forEachAlertWhere(const QString &sql, const QVariantMap &bindings,
                                      const std::function<bool(const model::Alert &)> &visit,
                                      QString *error) {
    QSqlQuery q(m_db.connection());
    q.setForwardOnly(true);
    q.prepare(sql);
    for (auto it = bindings.cbegin(); it != bindings.cend(); ++it)
        q.bindValue(it.key(), it.value());
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
