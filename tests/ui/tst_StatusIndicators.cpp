// The status bar's delivery rate: deliveries received within the last minute, replays left out,
// sliding as time passes, and the same whatever the volume (it is counted per second); the endpoint
// label flags an address other machines can reach; the journal's problem shows while deliveries
// cannot be stored and goes when they can again.

#include "ui/StatusIndicators.h"

#include <QLabel>
#include <QStatusBar>
#include <QTest>

using model::DeliveryLogEntry;

namespace {

const qint64 kT0 = 1'769'937'940'000; // a whole second

DeliveryLogEntry delivery(qint64 receivedAtMs, bool replay = false) {
    DeliveryLogEntry e;
    e.receivedAtMs = receivedAtMs;
    e.replay = replay;
    return e;
}

} // namespace

class tst_StatusIndicators : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void rateCountsTheLastMinute() {
        QStatusBar bar;
        ui::StatusIndicators status(&bar);
        auto *rate = bar.findChild<QLabel *>(QStringLiteral("deliveryRateLabel"));
        QVERIFY(rate);
        status.addDeliveries({delivery(kT0), delivery(kT0 + 10), delivery(kT0 + 999), delivery(kT0, true)});
        status.addDeliveries({delivery(kT0 + 30'000), delivery(kT0 + 30'500)});
        status.refresh(kT0 + 30'600);
        QCOMPARE(rate->text(), QStringLiteral("5 deliveries/min"));
        // A minute after the first three, only the later two are left.
        status.refresh(kT0 + 60'000);
        QCOMPARE(rate->text(), QStringLiteral("2 deliveries/min"));
        status.refresh(kT0 + 91'000);
        QCOMPARE(rate->text(), QStringLiteral("0 deliveries/min"));
    }

    void endpointBeyondLoopbackIsFlagged() {
        QStatusBar bar;
        ui::StatusIndicators status(&bar);
        auto *endpoint = bar.findChild<QLabel *>(QStringLiteral("endpointLabel"));
        QVERIFY(endpoint);
        const QString url = QStringLiteral("Listening on http://0.0.0.0:8787/webhooks/smartcar");
        const QString warning =
            QStringLiteral("the endpoint listens on 0.0.0.0:8787, every network interface");
        status.setEndpoint(url, warning);
        QVERIFY(endpoint->text().startsWith(url));
        QVERIFY2(endpoint->text().contains(QStringLiteral("reachable from other machines")),
                 qPrintable(endpoint->text()));
        QCOMPARE(endpoint->toolTip(), warning);
        QVERIFY(!endpoint->styleSheet().isEmpty());
        // Back on loopback: the plain address, no warning left behind.
        status.setEndpoint(QStringLiteral("Listening on http://127.0.0.1:8787/webhooks/smartcar"));
        QCOMPARE(endpoint->text(), QStringLiteral("Listening on http://127.0.0.1:8787/webhooks/smartcar"));
        QCOMPARE(endpoint->toolTip(), endpoint->text());
        QVERIFY(endpoint->styleSheet().isEmpty());
    }

    void rateAtFleetVolume() {
        // 2,000 deliveries a second for 100 s: the figure is the last minute's 120,000.
        QStatusBar bar;
        ui::StatusIndicators status(&bar);
        for (qint64 second = 0; second < 100; ++second) {
            QList<DeliveryLogEntry> batch;
            for (int i = 0; i < 2000; ++i)
                batch.append(delivery(kT0 + second * 1000 + i / 2));
            status.addDeliveries(batch);
        }
        status.refresh(kT0 + 99'999);
        QCOMPARE(status.deliveriesText(), QStringLiteral("120000 deliveries/min"));
    }

    void storeProblemShowsUntilCleared() {
        QStatusBar bar;
        bar.show();
        ui::StatusIndicators status(&bar);
        auto *label = bar.findChild<QLabel *>(QStringLiteral("storeProblemLabel"));
        QVERIFY(label);
        QVERIFY(!label->isVisible());
        QVERIFY(status.storeProblemText().isEmpty());
        const QString why = QStringLiteral("The journal /data/journal.sqlite cannot be written: database or "
                                           "disk is full.");
        status.setStoreProblem(why);
        QVERIFY(label->isVisible());
        QVERIFY(label->text().contains(QLatin1String("503")));
        QCOMPARE(label->toolTip(), why);
        QCOMPARE(status.storeProblemText(), why);
        status.setStoreProblem(QString());
        QVERIFY(!label->isVisible());
        QVERIFY(status.storeProblemText().isEmpty());
    }

    void sharedFleetTakesTheEndpointsPlace() {
        using State = model::SharedFleetStatus::State;
        QStatusBar bar;
        bar.show();
        ui::StatusIndicators status(&bar);
        auto *endpoint = bar.findChild<QLabel *>(QStringLiteral("endpointLabel"));
        auto *verify = bar.findChild<QLabel *>(QStringLiteral("verifyLabel"));
        auto *vehicles = bar.findChild<QLabel *>(QStringLiteral("vehicleCountLabel"));
        QVERIFY(endpoint && verify && vehicles);
        QVERIFY(verify->isVisible());
        model::SharedFleetStatus s;
        s.location = QStringLiteral("postgresql://fleet@db:5432/fleet");
        s.state = State::Live;
        status.setSharedFleet(s);
        QCOMPARE(endpoint->text(), QStringLiteral("Shared fleet: postgresql://fleet@db:5432/fleet — live"));
        QVERIFY2(endpoint->styleSheet().contains(QStringLiteral("#2e7d32")),
                 qPrintable(endpoint->styleSheet()));
        // VERIFY requests go to the ingest nodes, never here; nor do webhooks.
        QVERIFY(!verify->isVisible());
        QCOMPARE(vehicles->text(), QStringLiteral("No vehicle in the shared fleet yet"));
        status.setVehicleCounts(0, 0);
        QCOMPARE(vehicles->text(), QStringLiteral("No vehicle in the shared fleet yet"));

        s.state = State::Lost;
        s.error = QStringLiteral("connection refused");
        s.attempt = 2;
        status.setSharedFleet(s);
        QCOMPARE(endpoint->text(),
                 QStringLiteral("Shared fleet: postgresql://fleet@db:5432/fleet — reconnecting…"));
        QVERIFY2(endpoint->styleSheet().contains(QStringLiteral("#a15c00")),
                 qPrintable(endpoint->styleSheet()));
        QVERIFY2(endpoint->toolTip().contains(QStringLiteral("connection refused")),
                 qPrintable(endpoint->toolTip()));
        s.state = State::Connecting;
        status.setSharedFleet(s);
        QCOMPARE(endpoint->text(),
                 QStringLiteral("Shared fleet: postgresql://fleet@db:5432/fleet — reconnecting…"));

        s.state = State::CatchingUp;
        s.taken = 10;
        s.latest = 20;
        status.setSharedFleet(s);
        QCOMPARE(endpoint->text(),
                 QStringLiteral("Shared fleet: postgresql://fleet@db:5432/fleet — catching up"));
        QCOMPARE(endpoint->toolTip(), s.location);

        s = {};
        s.location = QStringLiteral("postgresql://fleet@db:5432/fleet");
        status.setSharedFleet(s); // the first connection, attempt 0
        QCOMPARE(endpoint->text(),
                 QStringLiteral("Shared fleet: postgresql://fleet@db:5432/fleet — connecting…"));

        // A long URL gives up its middle, never the state; the whole of it is in the tooltip.
        s.location =
            QStringLiteral("postgresql://fleet-manager-readonly@fleet-db-primary.eu-west.example.com:"
                           "5432/fleet_production?sslmode=verify-full");
        s.state = State::Live;
        status.setSharedFleet(s);
        QVERIFY2(endpoint->text().endsWith(QStringLiteral(" — live")), qPrintable(endpoint->text()));
        QVERIFY2(endpoint->text().startsWith(QStringLiteral("Shared fleet: postgresql://fleet-")),
                 qPrintable(endpoint->text()));
        QVERIFY2(endpoint->text().contains(QChar(0x2026)), qPrintable(endpoint->text()));
        QCOMPARE(endpoint->toolTip(), s.location);
    }
};

QTEST_MAIN(tst_StatusIndicators)
#include "tst_StatusIndicators.moc"
