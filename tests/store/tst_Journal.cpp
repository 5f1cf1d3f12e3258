// The journal on a real SQLite file: group commit, idempotency, durability across reopen, and
// clear refusals for files it must not touch.

#include "store/Journal.h"
#include "store/JournalReader.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QSemaphore>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using model::Delivery;
using model::Verdict;

namespace {
Delivery accepted(const QString &eventId, const QByteArray &body = "{}") {
    Delivery d;
    d.receivedAtMs = 1000;
    d.eventId = eventId;
    d.eventType = QStringLiteral("VEHICLE_STATE");
    d.vehicleId = QStringLiteral("v1");
    d.verdict = Verdict::Accepted;
    d.status = 200;
    d.body = body;
    return d;
}

// Collects the listener's reports, which arrive on the store thread.
struct Reports {
    QMutex mutex;
    QList<store::AppendResult> results;
    int batches = 0;
    void attach(store::Journal &journal) {
        journal.setCommitListener([this](const QList<store::AppendResult> &batch) {
            QMutexLocker lock(&mutex);
            results += batch;
            ++batches;
        });
    }
    qsizetype count() {
        QMutexLocker lock(&mutex);
        return results.size();
    }
};

// The fleet snapshot's rows and cover, read after the journal closed.
struct StoredSnapshot {
    qint64 coveredId = -1;
    QStringList ids;
};
StoredSnapshot readSnapshot(const QString &path) {
    StoredSnapshot stored;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("snapshot"));
        db.setDatabaseName(path);
        QString error;
        if (!db.open() ||
            !store::FleetSnapshot::read(
                db, &stored.coveredId, [&](model::Vehicle &&v) { stored.ids.append(v.id); }, &error))
            qWarning("reading the snapshot failed: %s", qPrintable(error));
        QSqlQuery rows(db);
        if (rows.exec(QStringLiteral("SELECT vehicle_id FROM fleet_snapshot ORDER BY position")))
            while (rows.next())
                stored.ids.append(rows.value(0).toString()); // also without a cover
    }
    QSqlDatabase::removeDatabase(QStringLiteral("snapshot"));
    return stored;
}

QList<store::Journal::SnapshotVehicle> planOf(int count) {
    QList<store::Journal::SnapshotVehicle> vehicles;
    for (int i = 0; i < count; ++i)
        vehicles.append({QStringLiteral("v%1").arg(i), i});
    return vehicles;
}

QList<Delivery> readAll(const QString &path) {
    store::JournalReader reader;
    QString error;
    QList<Delivery> all;
    if (!reader.open(path, &error) || !reader.forEach(
                                          {},
                                          [&](const Delivery &d) {
                                              all.append(d);
                                              return true;
                                          },
                                          &error))
        qWarning("read failed: %s", qPrintable(error));
    return all;
}
} // namespace

class tst_Journal : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void appendsAreCommittedAndReadBackInOrder() {
        QTemporaryDir dir;
        const QString path = dir.filePath("journal.sqlite");
        {
            store::Journal journal;
            Reports reports;
            reports.attach(journal);
            QString error;
            QVERIFY2(journal.open(path, &error), qPrintable(error));
            for (int i = 0; i < 500; ++i)
                journal.append(accepted(QStringLiteral("e%1").arg(i), "body" + QByteArray::number(i)));
            QTRY_COMPARE(reports.count(), 500);
            for (const auto &r : reports.results)
                QVERIFY(r.committed);
            // Group commit: far fewer transactions than deliveries under a burst.
            QVERIFY2(reports.batches < 500, qPrintable(QString::number(reports.batches)));
        }
        const QList<Delivery> all = readAll(path);
        QCOMPARE(all.size(), 500);
        for (int i = 0; i < 500; ++i) {
            QCOMPARE(all[i].eventId, QStringLiteral("e%1").arg(i));
            QCOMPARE(all[i].body, "body" + QByteArray::number(i));
            QCOMPARE(all[i].verdict, Verdict::Accepted);
        }
    }

    void repeatedEventIdIsStoredAsDuplicateEvenAcrossReopen() {
        QTemporaryDir dir;
        const QString path = dir.filePath("journal.sqlite");
        {
            store::Journal journal;
            Reports reports;
            reports.attach(journal);
            QString error;
            QVERIFY(journal.open(path, &error));
            journal.append(accepted("same"));
            journal.append(accepted("same"));
            QTRY_COMPARE(reports.count(), 2);
            QCOMPARE(reports.results[0].verdict, Verdict::Accepted);
            QCOMPARE(reports.results[1].verdict, Verdict::Duplicate);
        }
        store::Journal journal;
        Reports reports;
        reports.attach(journal);
        QString error;
        QVERIFY(journal.open(path, &error));
        journal.append(accepted("same"));
        journal.append(accepted("")); // no eventId: nothing to deduplicate on
        journal.append(accepted(""));
        QTRY_COMPARE(reports.count(), 3);
        QCOMPARE(reports.results[0].verdict, Verdict::Duplicate);
        QCOMPARE(reports.results[1].verdict, Verdict::Accepted);
        QCOMPARE(reports.results[2].verdict, Verdict::Accepted);
    }

    // A replica of a shared fleet appends with the shared ids: they are kept (gaps included), so
    // the highest one stored is how far the replica got; progress values survive a reopen.
    void givenIdsAndProgressAreKept() {
        QTemporaryDir dir;
        const QString path = dir.filePath("journal.sqlite");
        {
            store::Journal journal;
            Reports reports;
            reports.attach(journal);
            QString error;
            QVERIFY2(journal.open(path, &error), qPrintable(error));
            for (const qint64 id : {7, 8, 20}) {
                Delivery d = accepted(QStringLiteral("e%1").arg(id));
                d.id = id;
                journal.append(d);
            }
            journal.saveProgress(QStringLiteral("acks"), 3);
            journal.saveProgress(QStringLiteral("acks"), 5);   // the latest wins
            journal.append(accepted(QStringLiteral("local"))); // no id given: the next one
            QTRY_COMPARE(reports.count(), 4);
            QCOMPARE(reports.results[0].id, 7);
            QCOMPARE(reports.results[2].id, 20);
            QCOMPARE(reports.results[3].id, 21);
        }
        const QList<Delivery> all = readAll(path);
        QCOMPARE(all.size(), 4);
        QCOMPARE(all[1].id, 8);
        QCOMPARE(all[1].eventId, QStringLiteral("e8"));
        store::JournalReader reader;
        QString error;
        QVERIFY2(reader.open(path, &error), qPrintable(error));
        qint64 last = 0, acks = 0, other = -1;
        QVERIFY2(reader.lastDeliveryId(&last, &error), qPrintable(error));
        QCOMPARE(last, 21);
        QVERIFY2(reader.progress(QStringLiteral("acks"), &acks, &error), qPrintable(error));
        QCOMPARE(acks, 5);
        QVERIFY2(reader.progress(QStringLiteral("other"), &other, &error), qPrintable(error));
        QCOMPARE(other, 0);

        QTemporaryDir emptyDir;
        store::Journal empty;
        QVERIFY2(empty.open(emptyDir.filePath("journal.sqlite"), &error), qPrintable(error));
        empty.close();
        store::JournalReader emptyReader;
        QVERIFY2(emptyReader.open(emptyDir.filePath("journal.sqlite"), &error), qPrintable(error));
        QVERIFY2(emptyReader.lastDeliveryId(&last, &error), qPrintable(error));
        QCOMPARE(last, 0);
    }

    void rejectedDeliveriesAreLoggedWithoutBody() {
        QTemporaryDir dir;
        const QString path = dir.filePath("journal.sqlite");
        {
            store::Journal journal;
            QString error;
            QVERIFY(journal.open(path, &error));
            Delivery d;
            d.receivedAtMs = 5;
            d.verdict = Verdict::BadSignature;
            d.status = 401;
            journal.append(d);
        } // close drains
        const QList<Delivery> all = readAll(path);
        QCOMPARE(all.size(), 1);
        QCOMPARE(all[0].verdict, Verdict::BadSignature);
        QCOMPARE(all[0].status, 401);
        QVERIFY(all[0].body.isEmpty());
    }

    // The exact values and SQL types each column receives: the readers and exports rely on NULL
    // for "no eventId" and "no body", a blob body, text headers, and ids in append order.
    void storedColumnsKeepTheirValuesAndTypes() {
        QTemporaryDir dir;
        const QString path = dir.filePath("journal.sqlite");
        {
            store::Journal journal;
            Reports reports;
            reports.attach(journal);
            QString error;
            QVERIFY(journal.open(path, &error));
            Delivery full = accepted(QStringLiteral("é-1"), QByteArray("{\"a\":\"\xc3\xa9\"}\0x", 13));
            full.headers = R"({"SC-Signature":"abc"})";
            full.vehicleId = QStringLiteral("vé");
            full.samples = {{QStringLiteral("vé"), QStringLiteral("odometer-traveleddistance"),
                             QStringLiteral("value"), 7, 1.5}};
            journal.append(full);
            Delivery rejected;
            rejected.receivedAtMs = 6;
            rejected.verdict = Verdict::Malformed;
            rejected.status = 400;
            journal.append(rejected);
            Delivery replay = accepted(QStringLiteral("é-1"));
            replay.replay = true;
            replay.body = QByteArray(""); // empty, not null
            journal.append(replay);
            QTRY_COMPARE(reports.count(), 3);
            QCOMPARE(reports.results[0].id, 1);
            QCOMPARE(reports.results[1].id, 2);
            QCOMPARE(reports.results[2].id, 3);
            QCOMPARE(reports.results[2].verdict, Verdict::Accepted); // a replay is never a duplicate
        }
        const QString connection = QStringLiteral("columns-check");
        {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
            db.setDatabaseName(path);
            QVERIFY(db.open());
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral(
                "SELECT id, received_at, event_id, typeof(event_id), event_type, vehicle_id,"
                " typeof(vehicle_id), verdict, status, headers, typeof(headers), body, typeof(body),"
                " replay FROM deliveries ORDER BY id")));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toLongLong(), 1);
            QCOMPARE(q.value(1).toLongLong(), 1000);
            QCOMPARE(q.value(2).toString(), QStringLiteral("é-1"));
            QCOMPARE(q.value(4).toString(), QStringLiteral("VEHICLE_STATE"));
            QCOMPARE(q.value(5).toString(), QStringLiteral("vé"));
            QCOMPARE(q.value(7).toString(), QStringLiteral("accepted"));
            QCOMPARE(q.value(8).toInt(), 200);
            QCOMPARE(q.value(9).toString(), QStringLiteral(R"({"SC-Signature":"abc"})"));
            QCOMPARE(q.value(10).toString(), QStringLiteral("text"));
            QCOMPARE(q.value(11).toByteArray(), QByteArray("{\"a\":\"\xc3\xa9\"}\0x", 13));
            QCOMPARE(q.value(12).toString(), QStringLiteral("blob"));
            QCOMPARE(q.value(13).toInt(), 0);
            QVERIFY(q.next());
            QCOMPARE(q.value(3).toString(), QStringLiteral("null")); // no eventId
            QCOMPARE(q.value(6).toString(), QStringLiteral("null")); // no vehicle
            QCOMPARE(q.value(7).toString(), QStringLiteral("malformed"));
            QCOMPARE(q.value(10).toString(), QStringLiteral("null")); // no headers
            QCOMPARE(q.value(12).toString(), QStringLiteral("null")); // no body
            QVERIFY(q.next());
            QCOMPARE(q.value(12).toString(), QStringLiteral("blob")); // empty, still a body
            QCOMPARE(q.value(13).toInt(), 1);
            QVERIFY(!q.next());
            QVERIFY(q.exec(QStringLiteral("SELECT vehicle_id, code, field, t, value FROM history")));
            QVERIFY(q.next());
            QCOMPARE(q.value(0).toString(), QStringLiteral("vé"));
            QCOMPARE(q.value(1).toString(), QStringLiteral("odometer-traveleddistance"));
            QCOMPARE(q.value(3).toLongLong(), 7);
            QCOMPARE(q.value(4).toDouble(), 1.5);
            QVERIFY(!q.next()); // the replay's body has no readings; the duplicate claim was skipped
        }
        QSqlDatabase::removeDatabase(connection);
    }

    // Checkpoints run on the checkpointer's thread, and the WAL stays bounded under a steady
    // stream that never lets a passive checkpoint catch up; once quiet, the file is emptied.
    void walStaysBoundedWithCheckpointsOffTheWriter() {
        QTemporaryDir dir;
        const QString path = dir.filePath("journal.sqlite");
        store::Journal journal;
        Reports reports;
        reports.attach(journal);
        store::WalCheckpointer::Limits limits;
        limits.passiveFrames = 200;
        limits.restartFrames = 2000;
        limits.quiet = std::chrono::milliseconds(500);
        journal.setWalCheckpointLimits(limits);
        QString error;
        QVERIFY(journal.open(path, &error));
        constexpr int kDeliveries = 12000; // 4.6 KB bodies: about 27,000 frames in all
        const QByteArray body(4600, 'x');
        for (int i = 0; i < kDeliveries; ++i) {
            journal.append(accepted(QStringLiteral("wal-%1").arg(i), body));
            if (i % 10 == 9)
                QThread::usleep(500);
        }
        QTRY_COMPARE_WITH_TIMEOUT(reports.count(), kDeliveries, 120000);
        const store::WalCheckpointer::Stats stats = journal.walCheckpointStats();
        QVERIFY(stats.passive > 0);
        QVERIFY2(stats.largestWalFrames > 0 && stats.largestWalFrames <= 4 * limits.restartFrames,
                 qPrintable(QString::number(stats.largestWalFrames)));
        QVERIFY2(stats.startOvers > 0, qPrintable(QString::number(stats.busy)));
        QVERIFY(QFileInfo(path + "-wal").size() <= qint64(4 * limits.restartFrames) * 4200);
        QTRY_COMPARE_WITH_TIMEOUT(QFileInfo(path + "-wal").size(), qint64(0), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(journal.walCheckpointStats().truncates > 0, 5000); // counted just after
        // Quiet now: no more checkpoints of any kind (none runs again and again on stale counts).
        const store::WalCheckpointer::Stats quiet = journal.walCheckpointStats();
        QTest::qWait(1500);
        const store::WalCheckpointer::Stats later = journal.walCheckpointStats();
        QCOMPARE(later.passive + later.restarts + later.truncates + later.busy,
                 quiet.passive + quiet.restarts + quiet.truncates + quiet.busy);
        journal.close();
        QCOMPARE(readAll(path).size(), kDeliveries);
    }

    void corruptFileIsRefusedAndLeftUntouched() {
        QTemporaryDir dir;
        const QString path = dir.filePath("journal.sqlite");
        QByteArray garbage(8192, '\x5a');
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(garbage);
        }
        store::Journal journal;
        QString error;
        QVERIFY(!journal.open(path, &error));
        QVERIFY2(error.contains(path) && error.contains("not"), qPrintable(error));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), garbage);

        store::JournalReader reader;
        QVERIFY(!reader.open(path, &error));
    }

    void unwritableFolderIsAClearError() {
        if (::geteuid() == 0)
            QSKIP("root writes anywhere; the read-only folder cannot be simulated for root");
        QTemporaryDir dir;
        QVERIFY(::chmod(QFile::encodeName(dir.path()).constData(), 0500) == 0);
        store::Journal journal;
        QString error;
        QVERIFY(!journal.open(dir.filePath("journal.sqlite"), &error));
        QVERIFY(!error.isEmpty());
        ::chmod(QFile::encodeName(dir.path()).constData(), 0700);
    }

    void unwritableFileIsAClearError() {
        QTemporaryDir dir;
        const QString path = dir.filePath("journal.sqlite");
        {
            store::Journal journal;
            QString error;
            QVERIFY(journal.open(path, &error));
        }
        // A directory where the WAL file must go makes the file unwritable even for root.
        QVERIFY(QDir(dir.path()).mkdir("journal.sqlite-wal"));
        store::Journal journal;
        QString error;
        QVERIFY(!journal.open(path, &error));
        QVERIFY2(error.contains(path), qPrintable(error));
    }

    void missingFileIsAnErrorForReaders() {
        QTemporaryDir dir;
        store::JournalReader reader;
        QString error;
        QVERIFY(!reader.open(dir.filePath("nothing.sqlite"), &error));
        QVERIFY(!QFile::exists(dir.filePath("nothing.sqlite")));
    }

    void retentionPrunesOldHistoryOnTheStoreThread() {
        QTemporaryDir dir;
        const QString path = dir.filePath("journal.sqlite");
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        const qint64 day = 24 * 3600 * 1000;
        {
            store::Journal journal;
            Reports reports;
            reports.attach(journal);
            QString error;
            QVERIFY(journal.open(path, &error));
            Delivery d = accepted("with-history");
            d.samples = {{"v1", "tractionbattery-stateofcharge", "value", now - 10 * day, 50},
                         {"v1", "tractionbattery-stateofcharge", "value", now - 2 * day, 60},
                         {"v1", "tractionbattery-stateofcharge", "value", now - 1000, 70}};
            journal.append(d);
            Delivery dup = accepted("with-history"); // a duplicate's points are not stored twice or at all
            dup.samples = {{"v1", "tractionbattery-stateofcharge", "value", now - 500, 99}};
            journal.append(dup);
            QTRY_COMPARE(reports.count(), 2);
            journal.setHistoryRetentionDays(5);
        }
        store::JournalReader reader;
        QString error;
        QVERIFY(reader.open(path, &error));
        QList<double> values;
        QVERIFY(reader.forEachSample(
            {}, [&](const model::HistorySample &s) { return values.append(s.value), true; }, &error));
        QCOMPARE(values, (QList<double>{60, 70}));
    }

    void aPlannedSnapshotIsAskedForOneSliceAtATime() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("journal.sqlite"));
        store::Journal journal;
        // The supplier runs on the store thread; the slices are made here, as the fleet's thread does.
        QMutex mutex;
        QList<std::pair<quint64, QList<store::Journal::SnapshotVehicle>>> asked;
        int outstandingMax = 0;
        QList<qsizetype> spareRoom; // of the buffer handed back with each ask
        journal.setSliceSupplier([&](quint64 plan, const QList<store::Journal::SnapshotVehicle> &slice,
                                     store::FleetSnapshot::EncodedRows spare) {
            QMutexLocker lock(&mutex);
            asked.append({plan, slice});
            outstandingMax = std::max(outstandingMax, int(asked.size()));
            spareRoom.append(spare.isEmpty() ? spare.byteCapacity() : -1);
        });
        QString error;
        QVERIFY2(journal.open(path, &error), qPrintable(error));
        journal.planSnapshot(7, planOf(600));
        int answered = 0;
        int slices = 0;
        int largestAsked = 0;
        QTRY_VERIFY([&] {
            QMutexLocker lock(&mutex);
            for (const auto &[plan, slice] : std::as_const(asked)) {
                store::FleetSnapshot::EncodedRows rows;
                for (const store::Journal::SnapshotVehicle &v : slice)
                    if (v.id != QLatin1String("v5")) { // a vehicle the fleet does not know is left out
                        model::Vehicle vehicle;
                        vehicle.id = v.id;
                        rows.append(vehicle, v.position);
                    }
                largestAsked = std::max(largestAsked, int(slice.size()));
                answered += int(slice.size());
                ++slices;
                // Moved, as the fleet's thread hands it: a copy kept here would share the buffer,
                // and the store thread's emptying it would then make a new one with no room.
                journal.supplySnapshotSlice(plan, std::move(rows));
            }
            asked.clear();
            return answered == 600;
        }());
        journal.close();
        constexpr int chunk = int(store::Journal::kSnapshotChunk);
        QCOMPARE(slices, (600 + chunk - 1) / chunk);
        QCOMPARE(largestAsked, chunk);
        QCOMPARE(outstandingMax, 1); // the next slice is asked for once the one before is written
        QCOMPARE(journal.largestSnapshotHeld(), chunk);
        // Each slice after the first is asked for with the one before, emptied, its room kept:
        // one buffer for the whole checkpoint, not one made and freed per slice.
        QCOMPARE(spareRoom.size(), slices);
        QCOMPARE(spareRoom.first(), 0);
        for (qsizetype i = 1; i < spareRoom.size(); ++i)
            QVERIFY2(spareRoom.at(i) > 0, qPrintable(QStringLiteral("slice %1 came with no room").arg(i)));
        const StoredSnapshot stored = readSnapshot(path);
        QCOMPARE(stored.coveredId, 7);
        QCOMPARE(stored.ids.size(), 599 * 2); // every row through the cover and without it
        QVERIFY(!stored.ids.contains(QStringLiteral("v5")));
        QVERIFY(journal.uncheckpointed().vehicles.isEmpty());
    }

    void aStopDoesNotWaitForASliceNobodyAnswers() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("journal.sqlite"));
        store::Journal journal;
        QSemaphore asked;
        journal.setSliceSupplier([&](quint64, const QList<store::Journal::SnapshotVehicle> &,
                                     store::FleetSnapshot::EncodedRows) { asked.release(); });
        QString error;
        QVERIFY2(journal.open(path, &error), qPrintable(error));
        journal.planSnapshot(7, planOf(10));
        QVERIFY(asked.tryAcquire(1, 10000));
        journal.close(); // returns: the fleet's thread may be gone already
        // What the snapshot covered is left for the owner's last snapshot at its stop.
        QCOMPARE(journal.uncheckpointed().vehicles.size(), 10);
        QCOMPARE(readSnapshot(path).coveredId, 0);
    }

    void concurrentAppendersAllGetAnAnswer() {
        QTemporaryDir dir;
        store::Journal journal;
        Reports reports;
        reports.attach(journal);
        QString error;
        QVERIFY(journal.open(dir.filePath("journal.sqlite"), &error));
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t)
            threads.emplace_back([&journal, t] {
                for (int i = 0; i < 250; ++i)
                    journal.append(accepted(QStringLiteral("t%1-%2").arg(t).arg(i % 200))); // 50 repeats each
            });
        for (auto &t : threads)
            t.join();
        QTRY_COMPARE(reports.count(), 1000);
        const auto duplicates = std::count_if(reports.results.cbegin(), reports.results.cend(),
                                              [](const auto &r) { return r.verdict == Verdict::Duplicate; });
        QCOMPARE(duplicates, 200);
    }
};

QTEST_GUILESS_MAIN(tst_Journal)
#include "tst_Journal.moc"
