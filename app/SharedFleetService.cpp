#include "app/SharedFleetService.h"

#include "app/JournalFleet.h"

#include "smartcar/FleetProcessor.h"
#include "smartcar/SharedFleetReplicator.h"
#include "store/Database.h"
#include "store/Journal.h"
#include "store/PostgresLocation.h"
#include "store/SharedFleetFeed.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSettings>
#include <QThread>
#include <atomic>

namespace app {

namespace {

model::SharedFleetStatus::State stateOf(store::SharedFleetFeed::State state) {
    switch (state) {
    case store::SharedFleetFeed::State::Connecting:
        return model::SharedFleetStatus::State::Connecting;
    case store::SharedFleetFeed::State::CatchingUp:
        return model::SharedFleetStatus::State::CatchingUp;
    case store::SharedFleetFeed::State::Live:
        return model::SharedFleetStatus::State::Live;
    case store::SharedFleetFeed::State::Lost:
        return model::SharedFleetStatus::State::Lost;
    }
    return model::SharedFleetStatus::State::Connecting;
}

// A folder name from a part of the URL: letters, digits, '.', '-' and '_' kept, the rest '_'.
QString safeName(const QString &part) {
    QString name;
    for (const QChar c : part)
        name +=
            (c.isLetterOrNumber() && c.unicode() < 0x80) || c == u'.' || c == u'-' || c == u'_' ? c : u'_';
    return name;
}

} // namespace

struct SharedFleetService::Private {
    store::PostgresLocation location;
    QString replicaPath;
    std::function<void(const model::SharedFleetStatus &)> statusListener;
    std::unique_ptr<store::Journal> replica;
    std::atomic<bool> replicaDamaged{false};
    QThread *thread = nullptr; // the fleet's: processor, alerts, checkpoints
    std::unique_ptr<JournalFleet> fleet = std::make_unique<JournalFleet>();
    smartcar::FleetProcessor *processor = nullptr; // lives on `thread`
    std::unique_ptr<smartcar::SharedFleetReplicator> replicator;
    std::unique_ptr<store::SharedFleetFeed> feed;
};

SharedFleetService::SharedFleetService()
    : d(std::make_unique<Private>()) {}

SharedFleetService::~SharedFleetService() {
    stop();
}

void SharedFleetService::setStatusListener(std::function<void(const model::SharedFleetStatus &)> listener) {
    d->statusListener = std::move(listener);
}

QString SharedFleetService::replicaPathFor(const QString &dataDir, const QString &databaseUrl) {
    store::PostgresLocation location;
    QString error;
    if (!store::PostgresLocation::parse(databaseUrl, &location, &error))
        return {};
    // libpq's defaults for what the URL leaves out, so one database has one replica however it is written.
    const QString host = location.host().isEmpty() ? QStringLiteral("localhost") : location.host();
    const int port = location.port() > 0 ? location.port() : 5432;
    QString database = location.database();
    if (database.isEmpty())
        database = location.user().isEmpty() ? QStringLiteral("default") : location.user();
    const QString folder =
        safeName(host) + QLatin1Char('-') + QString::number(port) + QLatin1Char('-') + safeName(database);
    return QDir(dataDir).filePath(QStringLiteral("shared/%1/journal.sqlite").arg(folder));
}

bool SharedFleetService::start(const AppOptions &options, model::FleetUpdateQueue *updates, QString *error) {
    if (!store::PostgresLocation::parse(options.databaseUrl, &d->location, error))
        return false;
    d->replicaPath = replicaPathFor(options.dataDir, options.databaseUrl);
    if (!QDir().mkpath(QFileInfo(d->replicaPath).absolutePath())) {
        *error = QStringLiteral("cannot create the folder of the replica %1").arg(d->replicaPath);
        return false;
    }
    d->replica = std::make_unique<store::Journal>();
    d->replica->setHealthListener([this, path = d->replicaPath](const store::JournalHealth &health) {
        if (health.damaged) {
            d->replicaDamaged = true;
            qWarning("fleetmon: %s", qPrintable(health.error));
        } else if (!health.writable) {
            qWarning("fleetmon: cannot write the replica %s: %s; the shared fleet waits until it can",
                     qPrintable(path), qPrintable(health.error));
        } else {
            qWarning("fleetmon: the replica %s is writable again after %.1f s", qPrintable(path),
                     double(health.downMs) / 1000.0);
        }
    });
    if (!d->replica->open(d->replicaPath, error)) {
        if (store::Database::isDamage(*error) && !error->contains(QLatin1String("README")))
            *error += QStringLiteral(". ") + store::Database::recoveryHint(d->replicaPath);
        d->replica.reset();
        return false;
    }

    d->thread = new QThread;
    d->thread->setObjectName(QStringLiteral("shared-fleet"));
    d->thread->start();
    d->feed = std::make_unique<store::SharedFleetFeed>(d->location);
    // SQL and JSON of the restore run on the fleet's thread; the caller only waits for the outcome.
    bool ok = false;
    QString threadError;
    store::SharedFleetFeed::Cursor from;
    auto *context = new QObject;
    context->moveToThread(d->thread);
    QMetaObject::invokeMethod(
        context,
        [&] {
            model::FleetState fleet;
            QList<model::Alert> alerts;
            if (!smartcar::SharedFleetReplicator::resumePoint(d->replicaPath, &from, &threadError) ||
                !d->fleet->restore(d->replicaPath, d->replica.get(), &fleet, &alerts, &threadError))
                return;
            d->processor = new smartcar::FleetProcessor(d->replica.get(), std::move(fleet), alerts,
                                                        model::AlertRuleSettings::load(QSettings()), updates);
            smartcar::FleetProcessor *processor = d->processor;
            d->fleet->attach(processor);
            QObject::connect(d->thread, &QThread::finished, processor, &QObject::deleteLater);
            // Acknowledged here: stored for every desktop, this one included (which finds it done).
            processor->setAcknowledgementListener(
                [feed = d->feed.get()](const QList<model::Alert> &acknowledged) {
                    for (const model::Alert &a : acknowledged) {
                        store::SharedFleetFeed::Acknowledgement ack;
                        ack.vehicleId = a.vehicleId;
                        ack.kind = a.kind;
                        ack.subject = a.subject;
                        // Never before the alert was first seen (by a node's clock): other desktops
                        // apply it to the alert seen by then, and this one must be among them.
                        ack.acknowledgedAt = std::max(a.acknowledgedAt, a.firstSeenAt);
                        ack.acknowledgedBy = a.acknowledgedBy;
                        feed->acknowledge(ack);
                    }
                });
            ok = true;
        },
        Qt::BlockingQueuedConnection);
    context->deleteLater();
    if (!ok) {
        if (store::Database::isDamage(threadError) && !threadError.contains(QLatin1String("README")))
            threadError += QStringLiteral(". ") + store::Database::recoveryHint(d->replicaPath);
        *error = threadError;
        stop();
        return false;
    }

    d->replicator = std::make_unique<smartcar::SharedFleetReplicator>(d->replica.get(), d->processor, from);
    smartcar::SharedFleetReplicator *replicator = d->replicator.get();
    // The feed tells of changes of state; while it catches up, the service adds how far it got
    // after the first page and then at most every kProgressInterval, so a catch-up shows progress.
    // Both listeners run on the feed's thread, one after the other.
    struct Shown {
        model::SharedFleetStatus status;
        QElapsedTimer sinceReport;
        bool pageReported = false; // since the feed last reported
        bool warnedBehind = false;
    };
    auto shown = std::make_shared<Shown>();
    shown->status.location = d->location.displayName();
    const auto report = [listener = d->statusListener, shown] {
        shown->sinceReport.start();
        if (listener)
            listener(shown->status);
    };
    d->feed->setDeliveriesListener(
        [replicator, shown, report](const QList<store::SharedFleetFeed::SharedDelivery> &page) {
            replicator->takeDeliveries(page);
            if (shown->status.state != model::SharedFleetStatus::State::CatchingUp ||
                (shown->pageReported && shown->sinceReport.elapsed() < kProgressInterval.count()))
                return;
            shown->pageReported = true;
            shown->status.taken = replicator->takenDeliveries();
            shown->status.latest = std::max(shown->status.latest, shown->status.taken);
            report();
        });
    d->feed->setAcknowledgementsListener(
        [replicator](const QList<store::SharedFleetFeed::Acknowledgement> &acks) {
            replicator->takeAcknowledgements(acks);
        });
    d->feed->setStatusListener(
        [replicator, shown, report, path = d->replicaPath,
         location = d->location.displayName()](const store::SharedFleetFeed::Status &status) {
            replicator->setLive(status.state == store::SharedFleetFeed::State::Live);
            // Ids only grow: a database that holds fewer than the replica took is not the one it
            // followed (recreated, restored from an older backup), and what it stores under ids the
            // replica has would never be taken.
            if (status.state == store::SharedFleetFeed::State::CatchingUp &&
                status.latestId < replicator->takenDeliveries() && !shown->warnedBehind) {
                shown->warnedBehind = true;
                qWarning(
                    "fleetmon: %s holds deliveries up to id %lld, but this desktop's replica has taken up to "
                    "%lld: the database is not the one the replica followed (recreated, or restored from "
                    "an older backup). Deliveries up to %lld are not shown; to follow the database from "
                    "its start, quit, move %s away and start again.",
                    qPrintable(location), status.latestId, replicator->takenDeliveries(),
                    replicator->takenDeliveries(), qPrintable(QFileInfo(path).absolutePath()));
            }
            shown->status.state = stateOf(status.state);
            shown->status.error = status.error;
            shown->status.attempt = status.attempt;
            shown->status.retryInMs = status.retryInMs;
            shown->status.taken = status.cursor;
            shown->status.latest = status.latestId;
            shown->pageReported = false;
            report();
        });
    d->feed->start(from);
    return true;
}

void SharedFleetService::stop() {
    // Whatever the feed hands over now is not waited for; what the replica already took is
    // committed and applied before the fleet's last snapshot is written.
    if (d->replicator)
        d->replicator->stop();
    if (d->feed)
        d->feed->stop();
    if (d->replica)
        d->replica->close();
    if (d->thread) {
        if (smartcar::FleetProcessor *processor = d->processor)
            QMetaObject::invokeMethod(
                processor, [this] { d->fleet->writeLastSnapshot(d->replicaDamaged); },
                Qt::BlockingQueuedConnection);
        d->thread->quit();
        d->thread->wait();
        delete d->thread;
        d->thread = nullptr;
    }
    d->replicator.reset();
    d->feed.reset();
    d->replica.reset();
    d->fleet = std::make_unique<JournalFleet>();
    d->processor = nullptr; // deleted with the thread
}

void SharedFleetService::acknowledgeAlert(qint64 alertId, const QString &by) {
    if (smartcar::FleetProcessor *processor = d->processor)
        processor->acknowledge(alertId, by);
}

void SharedFleetService::acknowledgeAllAlerts(const QString &by) {
    if (smartcar::FleetProcessor *processor = d->processor)
        processor->acknowledgeAll(by);
}

void SharedFleetService::replayDelivery(qint64) {
    // Only ingest nodes take deliveries; a replay here would be a delivery no node stored.
}

void SharedFleetService::watchVehicles(const QStringList &vehicleIds) {
    if (smartcar::FleetProcessor *processor = d->processor)
        processor->watchVehicles(vehicleIds);
}

QString SharedFleetService::replicaPath() const {
    return d->replicaPath;
}

QString SharedFleetService::displayName() const {
    return d->location.displayName();
}

smartcar::FleetProcessor *SharedFleetService::processor() const {
    return d->processor;
}

qsizetype SharedFleetService::restoredVehicles() const {
    return d->fleet->restoredVehicles();
}

} // namespace app
