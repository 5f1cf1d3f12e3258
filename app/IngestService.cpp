#include "app/IngestService.h"

#include "model/FleetState.h"
#include "model/FleetUpdateQueue.h"
#include "net/HttpServer.h"
#include "net/Router.h"
#include "smartcar/FleetLoader.h"
#include "smartcar/FleetProcessor.h"
#include "smartcar/Signature.h"
#include "smartcar/WebhookEndpoint.h"
#include "store/Journal.h"
#include "store/JournalReader.h"

#include <QDir>
#include <QSettings>
#include <QThread>

namespace app {

IngestService::IngestService() = default;

IngestService::~IngestService() {
    stop();
}

bool IngestService::start(const AppOptions &options, model::FleetUpdateQueue *updates, QString *error) {
    if (!QDir().mkpath(options.dataDir)) {
        *error = QStringLiteral("cannot create the data folder %1").arg(options.dataDir);
        return false;
    }
    m_journal = std::make_unique<store::Journal>();
    if (!m_journal->open(options.journalPath(), error))
        return false;

    if (!m_router)
        m_router = std::make_unique<net::Router>();
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("ingest"));
    m_thread->start();
    m_router->addRoute(
        "POST", "/webhooks/smartcar",
        [this](const net::HttpRequest &r, const net::Responder &w) { m_endpoint->handleDelivery(r, w); });
    m_router->addRoute("GET", "/healthz", [this](const net::HttpRequest &r, const net::Responder &w) {
        m_endpoint->handleHealth(r, w);
    });

    // Replaying the journal (SQL, JSON) and everything that serves HTTP happen on the ingest thread;
    // the caller only waits for the outcome.
    bool ok = false;
    QString threadError;
    auto *context = new QObject;
    context->moveToThread(m_thread);
    QMetaObject::invokeMethod(
        context,
        [&] {
            model::FleetState fleet;
            QList<model::Alert> alerts;
            store::JournalReader reader;
            const auto keep = [&](const model::Alert &a) {
                alerts.append(a);
                return true;
            };
            if (!reader.open(options.journalPath(), &threadError) ||
                !smartcar::FleetLoader::load(reader, &fleet, &m_restoredDeliveries, &threadError) ||
                !reader.forEachAlert({}, 0, keep, &threadError))
                return;
            const QSettings settings;
            m_journal->setHistoryRetentionDays(
                settings.value(QStringLiteral("history/retentionDays"), 0).toInt());
            m_processor = new smartcar::FleetProcessor(m_journal.get(), std::move(fleet), alerts,
                                                       model::AlertRuleSettings::load(settings), updates);
            m_endpoint = new smartcar::WebhookEndpoint(options.amt, m_journal.get(), options.journalPath(),
                                                       m_processor);
            m_server = new net::HttpServer(m_router.get());
            QObject::connect(m_thread, &QThread::finished, m_server, &QObject::deleteLater);
            QObject::connect(m_thread, &QThread::finished, m_endpoint, &QObject::deleteLater);
            QObject::connect(m_thread, &QThread::finished, m_processor, &QObject::deleteLater);
            if (!m_server->listen(options.listenAddress, options.listenPort)) {
                threadError = QStringLiteral("cannot listen on %1:%2: %3")
                                  .arg(options.listenAddress.toString())
                                  .arg(options.listenPort)
                                  .arg(m_server->errorString());
                return;
            }
            m_port = m_server->serverPort();
            if (!options.amt.isEmpty())
                m_selfTestAnswer = smartcar::Signature::hmacSha256Hex(options.amt, kSelfTestChallenge);
            ok = true;
        },
        Qt::BlockingQueuedConnection);
    context->deleteLater(); // deleted on the ingest thread, where it lives
    if (!ok) {
        *error = threadError;
        stop();
        return false;
    }
    m_host = options.listenAddress.protocol() == QAbstractSocket::IPv6Protocol
                 ? QLatin1Char('[') + options.listenAddress.toString() + QLatin1Char(']')
                 : options.listenAddress.toString();
    return true;
}

void IngestService::stop() {
    if (m_server) {
        // Close the door first, so nothing new arrives while the journal drains.
        QMetaObject::invokeMethod(
            m_server, [this] { m_server->close(); }, Qt::BlockingQueuedConnection);
    }
    if (m_journal)
        m_journal->close(); // everything appended is committed before this returns
    if (m_thread) {
        // Let the ingest thread answer what was just committed before its loop ends.
        if (m_endpoint)
            QMetaObject::invokeMethod(
                m_endpoint, [] {}, Qt::BlockingQueuedConnection);
        m_thread->quit();
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
        m_server = nullptr;
        m_endpoint = nullptr;
        m_processor = nullptr;
    }
    m_journal.reset();
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
    return QUrl(QStringLiteral("http://%1:%2/webhooks/smartcar").arg(m_host).arg(m_port));
}

} // namespace app
