#include "store/JournalWriter.h"

#include "store/Database.h"
#include "store/HistoryRollup.h"

#include <QSqlError>
#include <QVariant>

namespace store {

JournalWriter::JournalWriter(Database &db)
    : m_db(db)
    , m_alert(db.connection()) {}

bool JournalWriter::prepare(QString *error) {
    sqlite3 *handle = SqliteStatement::handleOf(m_db.connection());
    const auto failed = [&](const QString &why) {
        *error = why;
        m_prepareError = QStringLiteral("the journal's statements could not be prepared: %1").arg(why);
        return false;
    };
    if (!m_claim.prepare(handle, "INSERT OR IGNORE INTO event_ids(event_id) VALUES(?)"))
        return failed(m_claim.error());
    if (!m_insert.prepare(handle, "INSERT INTO deliveries(id, received_at, event_id, event_type, vehicle_id,"
                                  " verdict, status, headers, body, replay) VALUES(?,?,?,?,?,?,?,?,?,?)"))
        return failed(m_insert.error());
    if (!m_sample.prepare(handle, "INSERT OR IGNORE INTO history(vehicle_id, code, field, t, value)"
                                  " VALUES(?,?,?,?,?)"))
        return failed(m_sample.error());
    if (!m_alert.prepare(
            QStringLiteral("INSERT OR REPLACE INTO alerts(id, vehicle_id, kind, subject, severity, message,"
                           " first_seen, last_seen, fire_count, cleared_at, cleared_by, acknowledged_at,"
                           " acknowledged_by) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)")))
        return failed(m_alert.lastError().text());
    m_prepareError.clear();
    return true;
}

const QByteArray &JournalWriter::utf8(const QString &s, QByteArray &buffer) {
    buffer.resize(s.size() * 3); // the most UTF-8 one UTF-16 unit can need
    char *end = m_encoder.appendToBuffer(buffer.data(), s);
    buffer.truncate(end - buffer.constData());
    return buffer;
}

bool JournalWriter::run(SqliteStatement &statement) {
    statement.step();
    const bool ok = statement.ok();
    if (!ok)
        m_error = statement.error();
    statement.reset();
    return ok;
}

bool JournalWriter::writeDelivery(model::Delivery &d, qint64 *id) {
    if (!m_prepareError.isEmpty()) {
        m_error = m_prepareError;
        return false;
    }
    // Qt SQL stored a null QString as NULL and an empty one as ''; the raw binds keep that.
    const auto bindText = [this](SqliteStatement &s, int index, const QString &text, QByteArray &buffer) {
        if (text.isNull())
            s.bindNull(index);
        else
            s.bind(index, utf8(text, buffer));
    };
    // A replay is asked for by the user: it is applied again on purpose, never a duplicate.
    if (d.verdict == model::Verdict::Accepted && !d.eventId.isEmpty() && !d.replay) {
        m_claim.bind(1, utf8(d.eventId, m_eventId));
        if (!run(m_claim))
            return false;
        if (m_claim.changes() == 0)
            d.verdict = model::Verdict::Duplicate;
    }
    // NULL: SQLite hands out the next id.
    if (d.id > 0)
        m_insert.bind(1, d.id);
    else
        m_insert.bindNull(1);
    m_insert.bind(2, d.receivedAtMs);
    if (d.eventId.isEmpty())
        m_insert.bindNull(3);
    else
        m_insert.bind(3, utf8(d.eventId, m_eventId));
    bindText(m_insert, 4, d.eventType, m_eventType);
    bindText(m_insert, 5, d.vehicleId, m_vehicleId);
    m_insert.bind(6, utf8(model::verdictName(d.verdict), m_verdict));
    m_insert.bind(7, qint64(d.status));
    if (d.headers.isNull())
        m_insert.bindNull(8);
    else
        m_insert.bind(8, d.headers); // compact JSON, UTF-8 already
    m_insert.bindBlob(9, d.body);
    m_insert.bind(10, qint64(d.replay ? 1 : 0));
    if (!run(m_insert))
        return false;
    *id = m_insert.lastInsertRowId();
    if (d.verdict != model::Verdict::Accepted)
        return true;
    HistoryRollup *rollup = m_db.historyRollup();
    QByteArray sampleVehicle;
    for (const model::HistorySample &h : std::as_const(d.samples)) {
        // The readings of a delivery are its vehicle's: converted once, not per reading.
        const QByteArray &vehicle = h.vehicleId == d.vehicleId && !d.vehicleId.isNull()
                                        ? m_vehicleId
                                        : utf8(h.vehicleId, sampleVehicle);
        m_sample.bind(1, vehicle);
        m_sample.bind(2, utf8(h.code, m_code));
        m_sample.bind(3, utf8(h.field, m_field));
        m_sample.bind(4, h.oemUpdatedAt);
        m_sample.bind(5, h.value);
        if (!run(m_sample))
            return false;
        // Only a reading really inserted joins the pyramid: one already stored (re-delivered, or
        // the same time with another value) was ignored and must not count twice.
        if (m_sample.changes() == 1)
            rollup->addReading(vehicle, m_code, m_field, h.oemUpdatedAt, h.value);
    }
    return true;
}

bool JournalWriter::writeProgress(const QHash<QString, qint64> &progress) {
    if (progress.isEmpty())
        return true;
    QSqlQuery q(m_db.connection());
    if (!q.prepare(QStringLiteral("INSERT OR REPLACE INTO progress(name, value) VALUES(?, ?)"))) {
        m_error = q.lastError().text();
        return false;
    }
    for (auto it = progress.cbegin(); it != progress.cend(); ++it) {
        q.addBindValue(it.key());
        q.addBindValue(it.value());
        if (!q.exec()) {
            m_error = q.lastError().text();
            return false;
        }
    }
    return true;
}

bool JournalWriter::writeAlerts(const QList<model::Alert> &alerts) {
    if (!m_prepareError.isEmpty()) {
        m_error = m_prepareError;
        return false;
    }
    for (const model::Alert &a : alerts) {
        // Qt SQL binds a null QString as NULL; the columns hold "" for "none".
        auto text = [](const QString &v) { return v.isNull() ? QString(QLatin1String("")) : v; };
        const QVariantList values = {a.id,
                                     text(a.vehicleId),
                                     model::alertKindName(a.kind),
                                     text(a.subject),
                                     model::alertSeverityName(a.severity),
                                     text(a.message),
                                     a.firstSeenAt,
                                     a.lastSeenAt,
                                     a.fireCount,
                                     a.clearedAt,
                                     text(a.clearedBy),
                                     a.acknowledgedAt,
                                     text(a.acknowledgedBy)};
        for (const QVariant &v : values)
            m_alert.addBindValue(v);
        if (!m_alert.exec()) {
            m_error = m_alert.lastError().text();
            return false;
        }
    }
    return true;
}

} // namespace store
