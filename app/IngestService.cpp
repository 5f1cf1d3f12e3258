#include "app/IngestService.h"

#include "app/TlsCredentials.h"

#include "model/FleetState.h"
#include "model/FleetUpdateQueue.h"
#include "net/HttpServer.h"
#include "net/Router.h"
#include "smartcar/FleetProcessor.h"
#include "smartcar/Signature.h"
#include "smartcar/WebhookEndpoint.h"
#include "store/Database.h"
#include "store/Journal.h"
#include "store/PostgresJournal.h"

#include <QDir>
#include <QHostInfo>
#include <QSettings>
#include <QThread>
#ifdef __GLIBC__
#include <malloc.h>
#include <openssl/crypto.h>
#endif

namespace app {

namespace {

// An address as a URL's host: IPv6 in brackets.
QString hostText(const QHostAddress &address) {
    return address.protocol() == QAbstractSocket::IPv6Protocol
               ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
               : address.toString();
}

} // namespace

IngestService::IngestService() = default;

IngestService::~IngestService() {
    stop();
}

bool IngestService::start(const AppOptions &options, model::FleetUpdateQueue *updates, QString *error) {
    // A node of a shared fleet keeps its settings and secrets here too.
    if (!QDir().mkpath(options.dataDir)) {
        *error = QStringLiteral("cannot create the data folder %1").arg(options.dataDir);
        return false;
    }
    m_journalPath.clear();
    if (!options.sharedDatabase() && !openLocalJournal(options, error))
        return false;

    if (!m_router)
        m_router = std::make_unique<net::Router>();
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("ingest"));
    // The HMACs and Qt's TLS backend give this thread OpenSSL state of its own (error queue, random
    // generator); OpenSSL does not always free it when the thread ends (LeakSanitizer saw 9-10 KB
    // in one exit out of three), so the thread hands it back itself on its way out.
    QObject::connect(
        m_thread, &QThread::finished, m_thread, [] { OPENSSL_thread_stop(); }, Qt::DirectConnection);
    m_thread->start();
    m_router->addRoute(
        "POST", "/webhooks/smartcar",
        [this](const net::HttpRequest &r, const net::Responder &w) { m_endpoint->handleDelivery(r, w); });
    m_router->addRoute("GET", "/healthz", [this](const net::HttpRequest &r, const net::Responder &w) {
        m_endpoint->handleHealth(r, w);
    });

    // Replaying the journal (SQL, JSON) and everything that serves HTTP happen on the ingest thread;
    // the caller only waits for the outcome. Nothing is served before it returns: connections wait
    // for this thread's event loop.
    bool ok = false;
    QString threadError;
    auto *context = new QObject;
    context->moveToThread(m_thread);
    QMetaObject::invokeMethod(
        context,
        [&] {
            model::FleetState fleet;
            QList<model::Alert> alerts;
            if (m_journal && !m_fleet.restore(m_journalPath, m_journal.get(), &fleet, &alerts, &threadError))
                return;
            // Each connection holds a descriptor; the cap is clamped to what the limit allows.
            net::HttpServer::raiseOpenFileLimit();
            m_server = new net::HttpServer(m_router.get());
            QObject::connect(m_thread, &QThread::finished, m_server, &QObject::deleteLater);
            if (options.tls()) {
                QSslConfiguration tls;
                if (!TlsCredentials::load(options.tlsCertificateFile, options.tlsKeyFile, &tls, &threadError))
                    return;
                m_server->setTlsConfiguration(tls);
            }
            if (!m_server->listen(options.listenAddress, options.listenPort)) {
                threadError = QStringLiteral("cannot listen on %1:%2: %3")
                                  .arg(options.listenAddress.toString())
                                  .arg(options.listenPort)
                                  .arg(m_server->errorString());
                return;
            }
            m_port = m_server->serverPort();
            if (options.sharedDatabase() && !openSharedJournal(options, &threadError))
                return;
            const QSettings settings;
            m_processor = new smartcar::FleetProcessor(journal(), std::move(fleet), alerts,
                                                       model::AlertRuleSettings::load(settings), updates);
            if (m_journal)
                m_fleet.attach(m_processor);
            // A shared node has no file to replay from: the endpoint refuses replays.
            m_endpoint = new smartcar::WebhookEndpoint(options.amt, journal(), m_journalPath, m_processor);
            m_endpoint->setStoreKind(m_journal ? QStringLiteral("sqlite") : QStringLiteral("postgresql"));
            QObject::connect(m_thread, &QThread::finished, m_endpoint, &QObject::deleteLater);
            QObject::connect(m_thread, &QThread::finished, m_processor, &QObject::deleteLater);
            if (!options.amt.isEmpty())
                m_selfTestAnswer = smartcar::Signature::hmacSha256Hex(options.amt, kSelfTestChallenge);
            ok = true;
        },
        Qt::BlockingQueuedConnection);
    context->deleteLater(); // deleted on the ingest thread, where it lives
    if (!ok) {
        // A damaged page met while restoring the fleet: say what to do about it.
        if (m_journal && store::Database::isDamage(threadError) &&
            !threadError.contains(QLatin1String("README")))
            threadError += QStringLiteral(". ") + store::Database::recoveryHint(m_journalPath);
        *error = threadError;
        stop();
        return false;
    }
#ifdef __GLIBC__
    // Restoring the fleet decoded every snapshot row into temporaries; glibc keeps what they freed
    // (about 25 MB for 10,000 vehicles) unless asked to give it back.
    malloc_trim(0);
#endif
    m_tls = options.tls();
    m_host = hostText(options.listenAddress);
    return true;
}

bool IngestService::openLocalJournal(const AppOptions &options, QString *error) {
    m_journalPath = options.journalPath();
    m_storeName = m_journalPath;
    m_journal = std::make_unique<store::Journal>();
    m_journal->setHealthListener(
        [this, what = QStringLiteral("the journal %1").arg(m_journalPath),
         retryMs = qint64(std::chrono::milliseconds(store::Journal::kRetryMax).count())](
            const store::JournalHealth &health) { reportStoreHealth(health, what, retryMs); });
    if (!m_journal->open(m_journalPath, error)) {
        if (store::Database::isDamage(*error) && !error->contains(QLatin1String("README")))
            *error += QStringLiteral(". ") + store::Database::recoveryHint(m_journalPath);
        return false;
    }
    return true;
}

bool IngestService::openSharedJournal(const AppOptions &options, QString *error) {
    store::PostgresLocation location;
    if (!store::PostgresLocation::parse(options.databaseUrl, &location, error))
        return false; // AppOptions checked it already
    m_storeName = location.displayName();
    m_sharedJournal = std::make_unique<store::PostgresJournal>(location, nodeName(options));
    m_sharedJournal->setHealthListener(
        [this, what = QStringLiteral("the shared database %1").arg(m_storeName),
         retryMs = qint64(std::chrono::milliseconds(store::PostgresJournal::kRetryMax).count())](
            const store::JournalHealth &health) { reportStoreHealth(health, what, retryMs); });
    if (!m_sharedJournal->open(error)) {
        // libpq spreads its reasons over several lines; the operator gets one.
        *error = error->simplified();
        return false;
    }
    return true;
}

QString IngestService::nodeName(const AppOptions &options) const {
    // A wildcard or loopback address does not tell the nodes of a fleet apart; the machine's name does.
    const QHostAddress &address = options.listenAddress;
    const bool anonymous = address == QHostAddress::Any || address == QHostAddress::AnyIPv4 ||
                           address == QHostAddress::AnyIPv6 || address.isLoopback();
    return QStringLiteral("%1:%2")
        .arg(anonymous ? QHostInfo::localHostName() : hostText(address))
        .arg(m_port);
}

void IngestService::reportStoreHealth(const store::JournalHealth &health, const QString &store,
                                      qint64 retryMs) {
    // Once per episode, where an operator of a headless ingest reads.
    if (health.damaged) {
        m_journalDamaged = true;
        qWarning("fleetmon: %s", qPrintable(health.error));
    } else if (!health.writable) {
        qWarning("fleetmon: cannot write %s: %s; deliveries are answered 503 (Smartcar retries them) until "
                 "it can, checked every %lld ms",
                 qPrintable(store), qPrintable(health.error.simplified()), retryMs);
    } else {
        qWarning("fleetmon: %s is writable again after %.1f s; %lld deliveries were answered 503 meanwhile",
                 qPrintable(store), double(health.downMs) / 1000.0, health.refused);
    }
    if (m_storeHealthListener)
        m_storeHealthListener(health);
}

store::DeliveryJournal *IngestService::journal() const {
    if (m_sharedJournal)
        return m_sharedJournal.get();
    return m_journal.get();
}

void IngestService::stop() {
    if (m_server) {
        // Close the door first, so nothing new arrives while the journal drains.
        QMetaObject::invokeMethod(
            m_server, [this] { m_server->close(); }, Qt::BlockingQueuedConnection);
    }
    if (m_journal)
        m_journal->close(); // everything appended is committed before this returns
    if (m_sharedJournal)
        m_sharedJournal->close();
    if (m_thread) {
        // Let the ingest thread answer what was just committed before its loop ends.
        if (m_endpoint)
            QMetaObject::invokeMethod(
                m_endpoint, [] {}, Qt::BlockingQueuedConnection);
        if (m_processor && m_journal) // a shared database keeps no snapshots of a node's fleet
            QMetaObject::invokeMethod(
                m_processor, [this] { m_fleet.writeLastSnapshot(m_journalDamaged); },
                Qt::BlockingQueuedConnection);
        m_thread->quit();
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
        m_server = nullptr;
        m_endpoint = nullptr;
        m_processor = nullptr;
    }
    m_journal.reset();
    m_sharedJournal.reset();
    m_router.reset();
}

void IngestService::addRoute(const QByteArray &method, const QByteArray &path,
                             std::function<void(const net::HttpRequest &, const net::Responder &)> route) {
    if (!m_router)
        m_router = std::make_unique<net::Router>();
    m_router->addRoute(method, path, std::move(route));
}

void IngestService::acknowledgeAlert(qint64 alertId, const QString &by) {
    if (m_processor)
        m_processor->acknowledge(alertId, by);
}

void IngestService::acknowledgeAllAlerts(const QString &by) {
    if (m_processor)
        m_processor->acknowledgeAll(by);
}

void IngestService::replayDelivery(qint64 journalId) {
    if (m_endpoint)
        QMetaObject::invokeMethod(m_endpoint,
                                  [endpoint = m_endpoint, journalId] { endpoint->replay(journalId); });
}

void IngestService::watchVehicles(const QStringList &vehicleIds) {
    if (m_processor)
        m_processor->watchVehicles(vehicleIds);
}

QUrl IngestService::webhookUrl() const {
    return QUrl(QStringLiteral("%1://%2:%3/webhooks/smartcar")
                    .arg(m_tls ? QStringLiteral("https") : QStringLiteral("http"), m_host)
                    .arg(m_port));
}

} // namespace app
