// Acknowledging an alert, as the GUI does (a call into the ingest pipeline from another thread),
// is stored and survives a restart of the whole pipeline on the same database file.

#include "app/IngestService.h"
#include "model/FleetUpdateQueue.h"
#include "smartcar/FleetProcessor.h"
#include "smartcar/Signature.h"
#include "support/RawHttpClient.h"

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

class tst_AlertAcknowledgement : public QObject {
    Q_OBJECT
private Q_SLOTS:
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

            ingest.processor()->acknowledge(alertId, QStringLiteral("fleet manager"));
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

QTEST_GUILESS_MAIN(tst_AlertAcknowledgement)
#include "tst_AlertAcknowledgement.moc"
