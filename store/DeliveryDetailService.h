#pragma once

#include "model/DeliveryDetailSource.h"
#include "store/DatabaseThread.h"

#include <QString>

#include <condition_variable>
#include <mutex>
#include <optional>

namespace store {

class Database;

// Reads stored deliveries for the delivery inspector on a thread of its own, through its own
// read-only connection, so neither SQL nor JSON formatting ever runs on the GUI thread.
//
// Only the newest pending request is served: while one row is being read, later requests replace
// each other, so a manager scrolling through the log causes a handful of reads, not hundreds.
// Every served request answers with exactly one detailReady, emitted on the worker thread (connect
// with Qt::QueuedConnection or AutoConnection from a receiver on another thread). The answer never
// holds a whole SC-Signature: only its first 8 characters.
class DeliveryDetailService final : public model::DeliveryDetailSource {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeliveryDetailService)
public:
    explicit DeliveryDetailService(QObject *parent = nullptr);
    ~DeliveryDetailService() override; // stops the worker; an answer in progress is dropped

    // Starts the worker and opens the journal there, read-only. Blocks until it knows. Call once.
    bool open(const QString &path, QString *error);
    void close(); // stops the worker; later requests answer with an error

    // Thread-safe; returns at once. Before open() or after close() the answer is an error.
    void request(qint64 journalId) override;

    // The text the inspector shows for a delivery that kept no body.
    static QString bodyNotKeptText();

    // The pure formatting steps, public so they are testable without a database.
    static QString formatHeaders(const QByteArray &headersJson);
    static QString formatBody(const QByteArray &body);
    static QString shortenSignature(const QString &value);

private:
    void run(Database &db);
    model::DeliveryDetail read(Database &db, qint64 journalId) const;

    DatabaseThread m_worker;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::optional<qint64> m_pending; // the newest request not yet picked up
    bool m_stopping = false;
};

} // namespace store
