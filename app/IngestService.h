#pragma once

#include "app/AppOptions.h"
#include "app/JournalFleet.h"
#include "model/FleetCommands.h"

#include <QString>
#include <QUrl>
#include <atomic>
#include <functional>
#include <memory>

class QThread;

namespace model {
struct Alert;
class FleetState;
class FleetUpdateQueue;
} // namespace model
namespace net {
class HttpServer;
class Responder;
class Router;
struct HttpRequest;
} // namespace net
namespace smartcar {
class FleetProcessor;
class WebhookEndpoint;
} // namespace smartcar
namespace store {
class DeliveryJournal;
class Journal;
class PostgresJournal;
struct JournalHealth;
} // namespace store

namespace app {

// The composition of the ingest pipeline: journal (store thread), fleet rebuilt from it, and the
// HTTP server with the Smartcar endpoint (ingest thread). start() returns only when the endpoint
// listens, or with the reason it cannot; stop() closes the door, then drains the journal.
//
// With options.sharedDatabase() it is an ingest node of a shared fleet: the journal is the
// PostgreSQL database every node writes to (store::PostgresJournal), the fleet starts empty (the
// desktops rebuild theirs from the database), and nothing is written to the data folder, which
// holds only settings and secrets.
class IngestService final : public model::FleetCommands {
    Q_DISABLE_COPY_MOVE(IngestService)
public:
    IngestService();
    ~IngestService() override;

    // model::FleetCommands: what the GUI asks; each hops onto the ingest thread.
    void acknowledgeAlert(qint64 alertId, const QString &by) override;
    void acknowledgeAllAlerts(const QString &by) override;
    void replayDelivery(qint64 journalId) override;
    void watchVehicles(const QStringList &vehicleIds) override;

    // `updates` (optional) receives every vehicle row now and each change later.
    bool start(const AppOptions &options, model::FleetUpdateQueue *updates, QString *error);
    // Adds a route served by the same endpoint, e.g. GET /oauth/callback; before start(). The
    // route runs on the ingest thread.
    void addRoute(const QByteArray &method, const QByteArray &path,
                  std::function<void(const net::HttpRequest &, const net::Responder &)> route);
    QThread *ingestThread() const { return m_thread; }
    // Where every acknowledged delivery is: the journal file, or the shared database's URL
    // without its password. Set by start().
    QString storeName() const { return m_storeName; }
    // Told (on the store thread) when the journal stops being writable and when it is again; each
    // change is also written once to stderr. Before start().
    void setStoreHealthListener(std::function<void(const store::JournalHealth &)> listener) {
        m_storeHealthListener = std::move(listener);
    }
    void stop();

    QUrl webhookUrl() const; // http://HOST:PORT/webhooks/smartcar, https:// when TLS is on
    // Deliveries the start replayed (those after the fleet snapshot) and the vehicles restored.
    qint64 restoredDeliveries() const { return m_fleet.restoredDeliveries(); }
    qsizetype restoredVehicles() const { return m_fleet.restoredVehicles(); }
    // A start restores every active alert and at most this many of the latest cleared ones.
    static constexpr int kRestoredClearedAlerts = JournalFleet::kRestoredClearedAlerts;
    // HMAC-SHA256(AMT, kSelfTestChallenge) in hex, computed on the ingest thread; empty without an AMT.
    static constexpr const char *kSelfTestChallenge = "fleetmon-self-test";
    QByteArray selfTestAnswer() const { return m_selfTestAnswer; }
    // For acknowledgements and rule changes from the GUI; its public calls are thread-safe.
    smartcar::FleetProcessor *processor() const { return m_processor; }

private:
    // The data folder's SQLite journal, opened on the calling thread before anything listens.
    bool openLocalJournal(const AppOptions &options, QString *error);
    // The shared database's journal, on the ingest thread once the endpoint listens: the rows it
    // stores are signed with the node's name, which needs the port actually bound.
    bool openSharedJournal(const AppOptions &options, QString *error);
    QString nodeName(const AppOptions &options) const;
    // Once per change of the journal's health, where an operator of a headless ingest reads.
    void reportStoreHealth(const store::JournalHealth &health, const QString &store, qint64 retryMs);
    store::DeliveryJournal *journal() const;

    QString m_journalPath; // empty on a shared database
    QString m_storeName;
    std::unique_ptr<store::Journal> m_journal;               // the data folder's own journal, or
    std::unique_ptr<store::PostgresJournal> m_sharedJournal; // the shared database's
    std::unique_ptr<net::Router> m_router;
    QThread *m_thread = nullptr;
    smartcar::WebhookEndpoint *m_endpoint = nullptr; // lives on m_thread
    smartcar::FleetProcessor *m_processor = nullptr; // lives on m_thread
    net::HttpServer *m_server = nullptr;             // lives on m_thread
    QString m_host;
    quint16 m_port = 0;
    bool m_tls = false;
    JournalFleet m_fleet; // the local journal's fleet: restore, checkpoints, last snapshot
    QByteArray m_selfTestAnswer;
    std::function<void(const store::JournalHealth &)> m_storeHealthListener;
    std::atomic<bool> m_journalDamaged{false}; // set on the store thread
};

} // namespace app
