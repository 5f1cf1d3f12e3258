#pragma once

#include "model/Alert.h"
#include "model/Delivery.h"
#include "store/SqliteStatement.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QSqlQuery>
#include <QString>
#include <QStringEncoder>

namespace store {

class Database;

// The journal's inserts, for the store thread: prepared once per run of the thread and reused by
// every transaction, values bound straight from the delivery (UTF-8, the body without a copy), so
// a delivery costs SQLite's work and little else. Runs inside the caller's transaction.
class JournalWriter final {
    Q_DISABLE_COPY_MOVE(JournalWriter)
public:
    explicit JournalWriter(Database &db);

    bool prepare(QString *error);
    // Decides Accepted or Duplicate against the unique eventId, then stores the delivery and,
    // when accepted, its history points. On false, error() says why; roll the transaction back.
    bool writeDelivery(model::Delivery &delivery, qint64 *id);
    bool writeAlerts(const QList<model::Alert> &alerts);
    // Progress values by name (see Journal::saveProgress), inserted or replaced.
    bool writeProgress(const QHash<QString, qint64> &progress);
    const QString &error() const { return m_error; }

private:
    // Runs a bound statement to completion and makes it ready for the next one.
    bool run(SqliteStatement &statement);
    // s as UTF-8 in buffer (its capacity reused: no allocation once warm).
    const QByteArray &utf8(const QString &s, QByteArray &buffer);

    Database &m_db;
    SqliteStatement m_claim;
    SqliteStatement m_insert;
    SqliteStatement m_sample;
    QSqlQuery m_alert; // rare: Qt SQL is good enough
    QStringEncoder m_encoder{QStringEncoder::Utf8};
    QByteArray m_eventId, m_eventType, m_vehicleId, m_verdict, m_code, m_field;
    QString m_prepareError = QStringLiteral("the journal's statements are not prepared");
    QString m_error;
};

} // namespace store
