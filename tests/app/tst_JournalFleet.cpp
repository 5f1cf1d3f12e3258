// The journal's fleet checkpoints as the app wires them (JournalFleet on the processor's thread,
// store::Journal on its own): a checkpoint of the whole fleet under load must not hold the whole
// fleet's state while it is written. Entries waiting to be written share the vehicles'
// containers, so every vehicle the fleet changes meanwhile gets a copy of its own; with 10,000
// vehicles that was a few MB of heap whose pages the process never gave back.

#include "app/JournalFleet.h"
#include "model/AlertRuleSettings.h"
#include "smartcar/FleetProcessor.h"
#include "store/FleetSnapshot.h"
#include "store/Journal.h"

#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

namespace {

constexpr int kVehicles = 1000;

QString vehicleId(int i) {
    return QStringLiteral("vehicle-%1").arg(i, 4, 10, QLatin1Char('0'));
}

model::VehicleEvent stateOf(int i, double percent) {
    model::VehicleEvent e;
    e.kind = model::VehicleEvent::Kind::State;
    e.vehicleId = vehicleId(i);
    e.make = QStringLiteral("VOLKSWAGEN");
    e.model = QStringLiteral("ID.4");
    e.year = 2023;
    model::SignalValue soc;
    soc.code = QStringLiteral("tractionbattery-stateofcharge");
    soc.body =
        QJsonObject{{QStringLiteral("value"), percent}, {QStringLiteral("unit"), QStringLiteral("percent")}};
    soc.oemUpdatedAt = 1'700'000'000'000 + qint64(percent * 1000);
    e.signalValues.append(soc);
    return e;
}

model::Delivery accepted(int n) {
    model::Delivery d;
    d.receivedAtMs = 1000 + n;
    d.eventId = QStringLiteral("e%1").arg(n);
    d.eventType = QStringLiteral("VEHICLE_STATE");
    d.vehicleId = vehicleId(n % kVehicles);
    d.verdict = model::Verdict::Accepted;
    d.status = 200;
    d.body = "{}";
    return d;
}

struct Stored {
    qint64 coveredId = -1;
    QHash<QString, double> percentById;
};

Stored readSnapshot(const QString &path) {
    Stored stored;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("reader"));
        db.setDatabaseName(path);
        QString error;
        if (db.open())
            store::FleetSnapshot::read(
                db, &stored.coveredId,
                [&](model::Vehicle &&v) {
                    const model::SignalValue *soc = v.signal(QStringLiteral("tractionbattery-stateofcharge"));
                    stored.percentById.insert(v.id,
                                              soc ? soc->body.value(QStringLiteral("value")).toDouble() : -1);
                },
                &error);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("reader"));
    return stored;
}

} // namespace

class tst_JournalFleet final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void aCheckpointHoldsOneSliceOfTheFleetAtATime() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("journal.sqlite"));
        store::Journal journal;
        QString error;
        QVERIFY2(journal.open(path, &error), qPrintable(error));
        app::JournalFleet journalFleet;
        model::FleetState fleet;
        QList<model::Alert> alerts;
        QVERIFY2(journalFleet.restore(path, &journal, &fleet, &alerts, &error), qPrintable(error));
        for (int i = 0; i < kVehicles; ++i)
            fleet.apply(stateOf(i, 50), 1000);
        // The processor lives on this thread: the checkpoint's requests run in QTRY's event loop.
        smartcar::FleetProcessor processor(&journal, std::move(fleet), alerts, model::AlertRuleSettings{},
                                           nullptr);
        journalFleet.attach(&processor);

        // Enough accepted deliveries for a checkpoint of every vehicle.
        for (qint64 n = 0; n < store::Journal::kCheckpointDeliveries; ++n)
            journal.append(accepted(int(n)));
        // The fleet moves on while the checkpoint is written, as under load.
        int changes = 0;
        QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                if (changes < kVehicles)
                    processor.applyAccepted(stateOf(changes++, 60), 2000);
                return readSnapshot(path).coveredId > 0;
            }(),
            60000);

        // Never more than one transaction's slice of the fleet held, where the whole fleet was.
        QVERIFY2(journal.largestSnapshotHeld() > 0, "the checkpoint was not written by slices");
        QVERIFY2(journal.largestSnapshotHeld() <= store::Journal::kSnapshotChunk,
                 qPrintable(QStringLiteral("%1 vehicles held at once").arg(journal.largestSnapshotHeld())));
        const Stored stored = readSnapshot(path);
        QCOMPARE(stored.percentById.size(), kVehicles);
        QVERIFY(stored.coveredId >= store::Journal::kCheckpointDeliveries);
        // Each row is the vehicle as of its slice: changed or not, never anything else.
        for (auto it = stored.percentById.cbegin(); it != stored.percentById.cend(); ++it)
            QVERIFY2(it.value() == 50 || it.value() == 60, qPrintable(it.key()));
        journal.close();
    }
};

QTEST_GUILESS_MAIN(tst_JournalFleet)
#include "tst_JournalFleet.moc"
