// What the GUI asks of the pipeline (model::FleetCommands, called from another thread), against the
// real pipeline and database file: acknowledging an alert is stored and survives a restart; a
// replay goes through the journal marked as a replay, and is refused with a message by an ingest
// node of a shared database (no file to replay from); a watched vehicle's detail is pushed.

#include "app/IngestService.h"
#include "model/FleetUpdateQueue.h"
#include "smartcar/Signature.h"
#include "store/JournalReader.h"
#include "support/PostgresCluster.h"
#include "support/RawHttpClient.h"

#include <QMutex>
#include <QTemporaryDir>
#include <QtTest>

using testsupport::RawHttpClient;
using testsupport::RawResponse;

namespace {
const QByteArray kAmt = "ack-amt";

QByteArray airbagBody(qint64 t) {
    return QStringLiteral(
               R"({"eventId":"airbag-%1","eventType":"VEHICLE_STATE","data":{"vehicle":{"id":"crashed",)"
               R"("make":"VOLVO","model":"EX30","year":2025},"signals":[{"code":"diagnostics-airbag",)"
               R"("name":"Airbag","group":"Diagnostics","body":{"status":"ALERT","description":)"
               R"("Airbag deployed"},"meta":{"oemUpdatedAt":%1}}]}})")
        .arg(t)
        .toUtf8();
}

app::AppOptions options(const QString &dir) {
    app::AppOptions o;
    o.mode = app::AppOptions::Mode::Headless;
    o.listenPort = 0;
    o.dataDir = dir;
    o.amt = kAmt;
    return o;
}

// Drains the queue until an alert satisfying `pred` arrives (or the time is up).
std::optional<model::Alert> waitForAlert(model::FleetUpdateQueue &queue,
                                         const std::function<bool(const model::Alert &)> &pred) {
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 5000) {
        for (const model::Alert &a : queue.takeBatch().alerts)
            if (pred(a))
                return a;
        QTest::qWait(20);
    }
    return std::nullopt;
}
} // namespace

void post(quint16 port, const QByteArray &body) {
    RawHttpClient client(port);
    QVERIFY(client.waitConnected());
    client.send("POST /webhooks/smartcar HTTP/1.1\r\nHost: x\r\nSC-Signature: " +
                smartcar::Signature::hmacSha256Hex(kAmt, body) +
                "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    RawResponse r;
    QVERIFY(client.read(&r));
    QCOMPARE(r.status, 200);
}

// Warnings from any thread, kept for the test to look at, and passed on to Qt Test's own handler.
QMutex g_warningsMutex;
QStringList g_warnings;
QtMessageHandler g_previousHandler = nullptr;
void keepWarnings(QtMsgType type, const QMessageLogContext &context, const QString &message) {
    if (type == QtWarningMsg) {
        const QMutexLocker lock(&g_warningsMutex);
        g_warnings.append(message);
    }
    g_previousHandler(type, context, message);
}
bool warned(const QString &text) {
    const QMutexLocker lock(&g_warningsMutex);
    return std::any_of(g_warnings.cbegin(), g_warnings.cend(),
                       [&](const QString &w) { return w.contains(text); });
}

template <typename T, typename Pick> std::optional<T> waitFor(model::FleetUpdateQueue &queue, Pick pick) {
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 5000) {
        if (auto found = pick(queue.takeBatch()))
            return found;
        QTest::qWait(20);
    }
    return std::nullopt;
}

class tst_FleetCommands : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void replayIsJournaledAsAReplay() {
        QTemporaryDir tmp;
        model::FleetUpdateQueue queue;
        app::IngestService ingest;
        QString error;
        QVERIFY2(ingest.start(options(tmp.path()), &queue, &error), qPrintable(error));
        post(quint16(ingest.webhookUrl().port()), airbagBody(1'760'000'000'000));
        const auto original =
            waitFor<model::DeliveryLogEntry>(queue, [](const model::FleetUpdateQueue::Batch &b) {
                return b.deliveries.isEmpty() ? std::nullopt : std::optional(b.deliveries.first());
            });
        QVERIFY(original);
        QVERIFY(!original->replay);
        QVERIFY(original->journalId > 0);

        ingest.replayDelivery(original->journalId);
        const auto replayed =
            waitFor<model::DeliveryLogEntry>(queue, [](const model::FleetUpdateQueue::Batch &b) {
                for (const auto &d : b.deliveries)
                    if (d.replay)
                        return std::optional(d);
                return std::optional<model::DeliveryLogEntry>();
            });
        QVERIFY(replayed);
        QCOMPARE(replayed->verdict, model::Verdict::Accepted); // a replay is never a duplicate
        QCOMPARE(replayed->eventId, original->eventId);
        QVERIFY(replayed->journalId > original->journalId);
        ingest.stop();

        store::JournalReader reader;
        QVERIFY(reader.open(options(tmp.path()).journalPath(), &error));
        model::Delivery stored;
        QVERIFY(reader.read(replayed->journalId, &stored, &error));
        QVERIFY(stored.replay);
        QCOMPARE(stored.eventId, original->eventId);
    }

    void replayOnASharedDatabaseIsRefused() {
        testsupport::PostgresCluster cluster;
        QString error;
        QVERIFY2(cluster.start(&error, false),
                 qPrintable(error)); // the server's durability is not the subject
        QTemporaryDir tmp;
        app::AppOptions shared = options(tmp.path());
        shared.databaseUrl = cluster.url();
        model::FleetUpdateQueue queue;
        app::IngestService ingest;
        QVERIFY2(ingest.start(shared, &queue, &error), qPrintable(error));
        QCOMPARE(ingest.storeName(), cluster.url()); // no password in it to leave out
        const quint16 port = quint16(ingest.webhookUrl().port());
        post(port, airbagBody(1'760'000'000'000));
        const auto original =
            waitFor<model::DeliveryLogEntry>(queue, [](const model::FleetUpdateQueue::Batch &b) {
                return b.deliveries.isEmpty() ? std::nullopt : std::optional(b.deliveries.first());
            });
        QVERIFY(original);
        QVERIFY(original->journalId > 0);

        g_previousHandler = qInstallMessageHandler(keepWarnings);
        ingest.replayDelivery(original->journalId);
        const QString refusal = QStringLiteral("replay of delivery %1 refused").arg(original->journalId);
        QTRY_VERIFY_WITH_TIMEOUT(warned(refusal), 5000);
        qInstallMessageHandler(g_previousHandler);
        QVERIFY(!warned(QStringLiteral("failed")));

        // /healthz names the kind of store, and nothing more of it.
        RawHttpClient client(port);
        QVERIFY(client.waitConnected());
        client.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        RawResponse health;
        QVERIFY(client.read(&health));
        QCOMPARE(QJsonDocument::fromJson(health.body).object().value("store").toString(),
                 QStringLiteral("postgresql"));
        ingest.stop();
        QCOMPARE(cluster.psql(QStringLiteral("select count(*), count(*) filter (where verdict = 'accepted') "
                                             "from deliveries"),
                              &error),
                 QStringLiteral("1|1"));
    }

    void watchedVehicleDetailIsPushed() {
        QTemporaryDir tmp;
        model::FleetUpdateQueue queue;
        app::IngestService ingest;
        QString error;
        QVERIFY2(ingest.start(options(tmp.path()), &queue, &error), qPrintable(error));
        post(quint16(ingest.webhookUrl().port()), airbagBody(1'760'000'000'000));
        ingest.watchVehicles({"crashed"});
        const auto detail = waitFor<model::VehicleDetail>(queue, [](const model::FleetUpdateQueue::Batch &b) {
            return b.details.isEmpty() ? std::nullopt : std::optional(b.details.first());
        });
        QVERIFY(detail);
        QCOMPARE(detail->row.id, QStringLiteral("crashed"));
        QCOMPARE(detail->row.worstAlertSeverity, int(model::AlertSeverity::Critical));
        QCOMPARE(detail->signalDetails.size(), 1);
        QCOMPARE(detail->signalDetails.first().code, QStringLiteral("diagnostics-airbag"));
        QCOMPARE(detail->signalDetails.first().value, QStringLiteral("ALERT — Airbag deployed"));
        ingest.stop();
    }

    void acknowledgementIsStoredAndRestored() {
        QTemporaryDir tmp;
        qint64 alertId = 0;
        {
            model::FleetUpdateQueue queue;
            app::IngestService ingest;
            QString error;
            QVERIFY2(ingest.start(options(tmp.path()), &queue, &error), qPrintable(error));
            RawHttpClient client(quint16(ingest.webhookUrl().port()));
            QVERIFY(client.waitConnected());
            const QByteArray body = airbagBody(QDateTime::currentMSecsSinceEpoch());
            client.send("POST /webhooks/smartcar HTTP/1.1\r\nHost: x\r\nSC-Signature: " +
                        smartcar::Signature::hmacSha256Hex(kAmt, body) +
                        "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
            RawResponse r;
            QVERIFY(client.read(&r));
            QCOMPARE(r.status, 200);

            const auto raised =
                waitForAlert(queue, [](const model::Alert &a) { return a.kind == model::AlertKind::Airbag; });
            QVERIFY(raised);
            QCOMPARE(raised->severity, model::AlertSeverity::Critical);
            QVERIFY(!raised->isCleared());
            alertId = raised->id;

            ingest.acknowledgeAlert(alertId, QStringLiteral("fleet manager"));
            const auto acknowledged = waitForAlert(
                queue, [&](const model::Alert &a) { return a.id == alertId && a.isAcknowledged(); });
            QVERIFY(acknowledged);
            QVERIFY(acknowledged->isCleared()); // an airbag alert ends only by acknowledgement
            QCOMPARE(acknowledged->acknowledgedBy, QStringLiteral("fleet manager"));
            ingest.stop();
        }
        model::FleetUpdateQueue queue;
        app::IngestService ingest;
        QString error;
        QVERIFY2(ingest.start(options(tmp.path()), &queue, &error), qPrintable(error));
        const model::FleetUpdateQueue::Batch restored = queue.takeBatch();
        QCOMPARE(restored.rows.size(), 1);
        QCOMPARE(restored.rows.first().id, QStringLiteral("crashed"));
        QCOMPARE(restored.alerts.size(), 1);
        const model::Alert &alert = restored.alerts.first();
        QCOMPARE(alert.id, alertId);
        QCOMPARE(alert.acknowledgedBy, QStringLiteral("fleet manager"));
        QVERIFY(alert.isCleared());
        ingest.stop();
    }
};

QTEST_GUILESS_MAIN(tst_FleetCommands)
#include "tst_FleetCommands.moc"
