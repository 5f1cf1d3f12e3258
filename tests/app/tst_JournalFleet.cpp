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

#include <QMutex>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <malloc.h>

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

// A vehicle as fleetsim's are: a few dozen signals (a snapshot row of ~3 KB).
constexpr int kSignals = 30;

model::VehicleEvent fullStateOf(int i, double percent) {
    model::VehicleEvent e = stateOf(i, percent);
    for (int s = 1; s < kSignals; ++s) {
        model::SignalValue v;
        v.code = QStringLiteral("signal-%1").arg(s, 2, 10, QLatin1Char('0'));
        v.body = QJsonObject{{QStringLiteral("value"), percent + s},
                             {QStringLiteral("unit"), QStringLiteral("km")}};
        v.oemUpdatedAt = e.signalValues.first().oemUpdatedAt;
        e.signalValues.append(v);
    }
    return e;
}

// Bytes in use in every arena of the process (glibc sums them all).
qint64 heapInUse() {
    return qint64(mallinfo2().uordblks);
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

    void aSliceWaitingToBeWrittenSharesNothingWithTheFleet() {
        // A slice is written on the store thread while the fleet's thread goes on changing the
        // fleet. Whatever the slice holds must not share the vehicles' containers: each vehicle
        // changed meanwhile would get a copy of its own, made on the fleet's thread, kept for good
        // by the fleet, while the old one is freed later by the store thread (under load a few
        // hundred KB per checkpoint that glibc's arena never gave back).
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("journal.sqlite"));
        QMutex mutex;
        QList<std::pair<quint64, QList<store::Journal::SnapshotVehicle>>> asked;
        store::Journal journal; // after what its supplier uses, so it stops first
        journal.setSliceSupplier([&](quint64 plan, const QList<store::Journal::SnapshotVehicle> &slice,
                                     store::FleetSnapshot::EncodedRows) {
            QMutexLocker lock(&mutex);
            asked.append({plan, slice});
        });
        QString error;
        QVERIFY2(journal.open(path, &error), qPrintable(error));
        constexpr int kChunk = int(store::Journal::kSnapshotChunk);
        constexpr int kFleet = 2 * kChunk; // two slices
        model::FleetState fleet;
        for (int i = 0; i < kFleet; ++i)
            fleet.apply(fullStateOf(i, 50), 1000);

        // Another connection holds the write lock: the store thread waits with the first slice, as
        // it does behind a slow sync under load.
        {
            QSqlDatabase blocker =
                QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("blocker"));
            blocker.setDatabaseName(path);
            QVERIFY(blocker.open());
            QSqlQuery writeLock(blocker);
            QVERIFY2(writeLock.exec(QStringLiteral("BEGIN IMMEDIATE")),
                     qPrintable(writeLock.lastError().text()));
            // Released whatever happens, or the journal could not stop.
            bool locked = true;
            const auto unlock = qScopeGuard([&] {
                if (std::exchange(locked, false))
                    writeLock.exec(QStringLiteral("ROLLBACK"));
            });
            journal.planSnapshot(7, app::JournalFleet::snapshotVehicles(fleet, {}, true));
            const auto nextAsked = [&] {
                QMutexLocker lock(&mutex);
                return asked.isEmpty() ? std::pair<quint64, QList<store::Journal::SnapshotVehicle>>{}
                                       : asked.takeFirst();
            };
            QTRY_VERIFY_WITH_TIMEOUT(
                [&] {
                    QMutexLocker lock(&mutex);
                    return !asked.isEmpty();
                }(),
                10000);
            const auto first = nextAsked();
            QCOMPARE(first.second.size(), kChunk);
            journal.supplySnapshotSlice(first.first, app::JournalFleet::sliceRows(fleet, first.second));
            // The changes are made before they are measured, so that only the fleet's own
            // reaction to them counts; the store thread is left the time to reach the lock.
            QList<model::VehicleEvent> changes;
            for (int i = 0; i < kChunk; ++i)
                changes.append(fullStateOf(i, 60));
            QThread::msleep(200);

            const qint64 before = heapInUse();
            for (const model::VehicleEvent &change : std::as_const(changes))
                fleet.apply(change, 2000);
            const qint64 grown = heapInUse() - before;
            locked = false;
            QVERIFY(writeLock.exec(QStringLiteral("ROLLBACK")));
            // A copy of the slice's signal lists would be kChunk * kSignals values: half of that
            // is the bound (nothing is copied now; freed bodies make it about 0 or less).
            const qint64 copies = qint64(kChunk) * kSignals * qint64(sizeof(model::SignalValue));
            QVERIFY2(grown < copies / 2,
                     qPrintable(QStringLiteral("the heap grew %1 KB while the %2 vehicles of a waiting slice "
                                               "changed (a copy of their signals: %3 KB)")
                                    .arg(grown / 1024)
                                    .arg(kChunk)
                                    .arg(copies / 1024)));

            // The rest of the checkpoint, as the fleet is when its slices are asked for.
            for (int i = kChunk; i < kFleet; ++i)
                fleet.apply(fullStateOf(i, 60), 2000);
            QTRY_VERIFY_WITH_TIMEOUT(
                [&] {
                    for (auto next = nextAsked(); next.first > 0; next = nextAsked())
                        journal.supplySnapshotSlice(next.first,
                                                    app::JournalFleet::sliceRows(fleet, next.second));
                    return readSnapshot(path).coveredId == 7;
                }(),
                20000);
        }
        QSqlDatabase::removeDatabase(QStringLiteral("blocker"));
        journal.close();
        // Each row is its vehicle as it was when its slice was taken.
        const Stored stored = readSnapshot(path);
        QCOMPARE(stored.percentById.size(), kFleet);
        for (int i = 0; i < kFleet; ++i)
            QCOMPARE(stored.percentById.value(vehicleId(i)), i < kChunk ? 50.0 : 60.0);
    }
};

QTEST_GUILESS_MAIN(tst_JournalFleet)
#include "tst_JournalFleet.moc"
