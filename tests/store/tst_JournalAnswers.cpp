// When the journal tells the waiting deliveries they are stored: right after their own commit, not
// after the slower writes that may share the batch (alert changes, a fleet snapshot of thousands of
// vehicles). Observed from a second connection inside the commit listener.

#include "store/Journal.h"
#include "tests/support/SyncCountingVfs.h"

#include <QSemaphore>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

namespace {
model::Delivery accepted(const QString &eventId) {
    model::Delivery d;
    d.receivedAtMs = 1000;
    d.eventId = eventId;
    d.eventType = QStringLiteral("VEHICLE_STATE");
    d.vehicleId = QStringLiteral("v1");
    d.verdict = model::Verdict::Accepted;
    d.status = 200;
    d.body = "{}";
    return d;
}

// A fleet snapshot of `vehicles` bare vehicles, in first-seen order.
QList<store::FleetSnapshot::Entry> snapshotOf(int vehicles) {
    QList<store::FleetSnapshot::Entry> entries;
    for (int i = 0; i < vehicles; ++i) {
        store::FleetSnapshot::Entry e;
        e.vehicle.id = QStringLiteral("vehicle-%1").arg(i);
        e.position = i;
        entries.append(e);
    }
    return entries;
}

// Runs on the store thread: a connection of its own, reading what is committed.
qint64 countRows(const QString &path, const QString &table) {
    qint64 rows = -1;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("observer"));
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery q(db);
            if (q.exec(QStringLiteral("SELECT count(*) FROM %1").arg(table)) && q.next())
                rows = q.value(0).toLongLong();
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("observer"));
    return rows;
}
} // namespace

class tst_JournalAnswers : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void answersDoNotWaitForTheSnapshotOrAlertsOfTheirBatch() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("journal.sqlite"));
        store::Journal journal;
        QString error;
        QVERIFY2(journal.open(path, &error), qPrintable(error));

        // The first delivery's answer holds the store thread while the next batch gathers: a big
        // snapshot, an alert change and a second delivery, written together.
        QSemaphore gathered, firstEntered;
        QMutex mutex;
        qint64 deliveriesSeen = -1, snapshotRowsSeen = -1, alertRowsSeen = -1;
        journal.setCommitListener([&](const QList<store::AppendResult> &results) {
            if (results.size() == 1 && results.first().ticket == 1) {
                firstEntered.release();
                gathered.acquire();
                return;
            }
            QMutexLocker lock(&mutex);
            deliveriesSeen = countRows(path, QStringLiteral("deliveries"));
            snapshotRowsSeen = countRows(path, QStringLiteral("fleet_snapshot"));
            alertRowsSeen = countRows(path, QStringLiteral("alerts"));
        });
        QCOMPARE(journal.append(accepted(QStringLiteral("e0"))), quint64(1));
        firstEntered.acquire();

        const QList<store::FleetSnapshot::Entry> entries = snapshotOf(2000);
        model::Alert alert;
        alert.id = 1;
        alert.vehicleId = QStringLiteral("v1");
        alert.message = QStringLiteral("1 door open");
        journal.saveSnapshot(1, entries);
        journal.saveAlerts({alert});
        journal.append(accepted(QStringLiteral("e1")));
        gathered.release();
        journal.close();

        QMutexLocker lock(&mutex);
        QCOMPARE(deliveriesSeen, 2);
        QCOMPARE(snapshotRowsSeen, 0); // written after the answer went out
        QCOMPARE(alertRowsSeen, 0);
        lock.unlock();
        QCOMPARE(countRows(path, QStringLiteral("fleet_snapshot")), 2000);
        QCOMPARE(countRows(path, QStringLiteral("alerts")), 1);
    }

    void aBigSnapshotIsWrittenInSlicesBetweenBatches() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("journal.sqlite"));
        store::Journal journal;
        QString error;
        QVERIFY2(journal.open(path, &error), qPrintable(error));

        // e0's answer holds the store thread while a 600-vehicle snapshot and e1 queue up; e1's
        // answer holds it while e2 queues. e2's batch comes after the first slice only.
        QSemaphore firstHeld, firstEntered, secondHeld, secondEntered;
        QMutex mutex;
        qint64 rowsSeenByThird = -1, coversSeenByThird = -1;
        journal.setCommitListener([&](const QList<store::AppendResult> &results) {
            const quint64 ticket = results.first().ticket;
            if (ticket == 1) {
                firstEntered.release();
                firstHeld.acquire();
            } else if (ticket == 2) {
                secondEntered.release();
                secondHeld.acquire();
            } else {
                QMutexLocker lock(&mutex);
                rowsSeenByThird = countRows(path, QStringLiteral("fleet_snapshot"));
                coversSeenByThird = countRows(path, QStringLiteral("fleet_snapshot_cover"));
            }
        });
        journal.append(accepted(QStringLiteral("e0")));
        firstEntered.acquire();
        const QList<store::FleetSnapshot::Entry> entries = snapshotOf(600);
        journal.saveSnapshot(1, entries);
        journal.append(accepted(QStringLiteral("e1")));
        firstHeld.release();
        secondEntered.acquire(); // e1's batch is being answered: e2 gathers into the next one
        journal.append(accepted(QStringLiteral("e2")));
        secondHeld.release();
        journal.close();

        QMutexLocker lock(&mutex);
        QVERIFY(rowsSeenByThird > 0);
        QVERIFY(rowsSeenByThird < 600); // a slice, not the whole fleet, between two batches
        QCOMPARE(coversSeenByThird, 0); // the cover waits for the last slice
        lock.unlock();
        QCOMPARE(countRows(path, QStringLiteral("fleet_snapshot")), 600);
        QCOMPARE(countRows(path, QStringLiteral("fleet_snapshot_cover")), 1);
    }

    // A snapshot slice's commit does not wait for the disk (it would hold up the batches behind
    // it), and a delivery's commit after it still does: its answer says it is durable.
    void snapshotSlicesDoNotSyncAndTheDeliveryAfterThemDoes() {
        testsupport::SyncCountingVfs &vfs = testsupport::SyncCountingVfs::install();
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("journal.sqlite"));
        store::Journal journal;
        QString error;
        QVERIFY2(journal.open(path, &error), qPrintable(error));
        QSemaphore answered;
        journal.setCommitListener(
            [&](const QList<store::AppendResult> &results) { answered.release(int(results.size())); });
        journal.append(accepted(QStringLiteral("e0")));
        QVERIFY(answered.tryAcquire(1, 10000));
        QVERIFY(vfs.walSyncs("store") >= 1); // the counter sees the journal's thread

        vfs.reset();
        const QList<store::FleetSnapshot::Entry> entries = snapshotOf(300);
        journal.saveSnapshot(1, entries);
        QTRY_COMPARE_WITH_TIMEOUT(countRows(path, QStringLiteral("fleet_snapshot_cover")), 1, 10000);
        QCOMPARE(countRows(path, QStringLiteral("fleet_snapshot")), 300);
        QCOMPARE(vfs.walSyncs("store"), 0); // several slices, none synced

        journal.append(accepted(QStringLiteral("e1")));
        QVERIFY(answered.tryAcquire(1, 10000));
        QVERIFY(vfs.walSyncs("store") >= 1);
        journal.close();
    }
};

QTEST_GUILESS_MAIN(tst_JournalAnswers)
#include "tst_JournalAnswers.moc"
