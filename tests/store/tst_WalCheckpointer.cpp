// The WAL checkpointer on a real SQLite file, driven commit by commit through a writer connection
// of the test's own: how the WAL is started over when it has grown past restartFrames. When a
// catch-up finds nothing committed since, the writer's next transaction starts the WAL over by
// itself and never waits; when commits never pause, the writer steps aside for a RESTART; and when
// the writer was left to start over but did not (a reader held the WAL), the next attempt is the
// checkpointer's own RESTART.

#include "store/WalCheckpointer.h"

#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>

namespace {

// A writer connection in the journal's settings: WAL, synchronous=FULL, one table of 4 KB blobs.
class Writer final {
public:
    explicit Writer(const QString &path) {
        const QByteArray file = path.toUtf8();
        if (sqlite3_open_v2(file.constData(), &m_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
            SQLITE_OK)
            return;
        m_ok = exec("PRAGMA journal_mode=WAL") && exec("PRAGMA synchronous=FULL") &&
               exec("CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL)");
    }
    ~Writer() { sqlite3_close(m_db); }
    Writer(const Writer &) = delete;
    Writer &operator=(const Writer &) = delete;

    bool ok() const { return m_ok; }
    sqlite3 *handle() const { return m_db; }
    bool exec(const char *sql) { return sqlite3_exec(m_db, sql, nullptr, nullptr, nullptr) == SQLITE_OK; }
    // One transaction of `rows` 4 KB blobs: about one WAL frame per row.
    bool commit(int rows) {
        if (!exec("BEGIN IMMEDIATE"))
            return false;
        sqlite3_stmt *insert = nullptr;
        if (sqlite3_prepare_v2(m_db, "INSERT INTO blobs(data) VALUES(zeroblob(4000))", -1, &insert,
                               nullptr) != SQLITE_OK)
            return false;
        bool ok = true;
        for (int i = 0; i < rows && ok; ++i) {
            ok = sqlite3_step(insert) == SQLITE_DONE;
            sqlite3_reset(insert);
        }
        sqlite3_finalize(insert);
        return ok && exec("COMMIT");
    }
    qint64 rows() {
        sqlite3_stmt *count = nullptr;
        sqlite3_prepare_v2(m_db, "SELECT count(*) FROM blobs", -1, &count, nullptr);
        const qint64 n = sqlite3_step(count) == SQLITE_ROW ? sqlite3_column_int64(count, 0) : -1;
        sqlite3_finalize(count);
        return n;
    }

private:
    sqlite3 *m_db = nullptr;
    bool m_ok = false;
};

store::WalCheckpointer::Limits smallLimits() {
    store::WalCheckpointer::Limits limits;
    limits.passiveFrames = 200;
    limits.restartFrames = 1000;
    limits.catchUpFrames = 50;
    limits.quiet = std::chrono::milliseconds(60000); // no TRUNCATE within a test
    return limits;
}

// A fresh database in a temporary folder, its writer, and a checkpointer started on it.
struct Rig {
    QTemporaryDir dir;
    QString path = dir.filePath("wal.sqlite");
    Writer writer{path};
    store::WalCheckpointer checkpointer;
    const store::WalCheckpointer::Limits limits = smallLimits();

    bool start(QString *error) {
        if (!writer.ok()) {
            *error = QStringLiteral("cannot create %1").arg(path);
            return false;
        }
        return checkpointer.start(path, writer.handle(), limits, error);
    }
};

} // namespace

class tst_WalCheckpointer final : public QObject {
    Q_OBJECT

private slots:
    // Once the WAL was emptied after a quiet period, nothing is left to time: the thread sleeps
    // until the writer's next commit instead of waking every quiet period (an idle app must not
    // keep a thread ticking), and that commit still gets its TRUNCATE after the next quiet period.
    void anIdleCheckpointerSleepsUntilTheNextCommit() {
        QTemporaryDir dir;
        const QString path = dir.filePath("wal.sqlite");
        Writer writer(path);
        QVERIFY(writer.ok());
        store::WalCheckpointer::Limits limits = smallLimits();
        limits.quiet = std::chrono::milliseconds(100);
        store::WalCheckpointer checkpointer;
        QString error;
        QVERIFY2(checkpointer.start(path, writer.handle(), limits, &error), qPrintable(error));

        QTest::qWait(500); // five quiet periods with nothing written
        QCOMPARE(checkpointer.stats().wakeups, quint64(0));

        QVERIFY(writer.commit(10));
        checkpointer.writerCommitted();
        QTRY_COMPARE_WITH_TIMEOUT(checkpointer.stats().truncates, quint64(1), 10000);
        QCOMPARE(QFileInfo(path + "-wal").size(), qint64(0));
        const quint64 afterTruncate = checkpointer.stats().wakeups;
        QTest::qWait(500);
        QCOMPARE(checkpointer.stats().wakeups, afterTruncate);

        QVERIFY(writer.commit(10)); // and the next commit is noticed again
        checkpointer.writerCommitted();
        QTRY_COMPARE_WITH_TIMEOUT(checkpointer.stats().truncates, quint64(2), 10000);
        checkpointer.stop();
        QCOMPARE(writer.rows(), qint64(20));
    }

    void aPauseLetsTheWriterStartTheWalOverWithoutWaiting() {
        Rig rig;
        QString error;
        QVERIFY2(rig.start(&error), qPrintable(error));
        Writer &writer = rig.writer;
        store::WalCheckpointer &checkpointer = rig.checkpointer;
        const QString &path = rig.path;

        // One commit past restartFrames, then nothing: the catch-up finds nothing new.
        QVERIFY(writer.commit(1500));
        checkpointer.writerCommitted();
        QTRY_COMPARE_WITH_TIMEOUT(checkpointer.stats().passive, quint64(1), 20000);
        store::WalCheckpointer::Stats stats = checkpointer.stats();
        QCOMPARE(stats.writerWaits, quint64(0));
        QCOMPARE(stats.restarts, quint64(0));
        QCOMPARE(stats.startOvers, quint64(0));
        QVERIFY2(stats.largestWalFrames >= 1500, qPrintable(QString::number(stats.largestWalFrames)));

        // The next transaction begins with every frame copied: SQLite writes it from the WAL's start.
        QVERIFY(writer.commit(1));
        checkpointer.writerCommitted();
        stats = checkpointer.stats();
        QCOMPARE(stats.startOvers, quint64(1));
        QCOMPARE(stats.writerWaits, quint64(0));
        const qint64 walBytes = QFileInfo(path + "-wal").size();
        QVERIFY(writer.commit(1500)); // written over the old frames, not after them
        checkpointer.writerCommitted();
        QVERIFY2(QFileInfo(path + "-wal").size() <= walBytes + 64 * 4096,
                 qPrintable(QString::number(QFileInfo(path + "-wal").size())));
        checkpointer.stop();
        QCOMPARE(writer.rows(), qint64(3001));
    }

    void steadyCommitsMakeTheWriterStepAsideForARestart() {
        Rig rig;
        QString error;
        QVERIFY2(rig.start(&error), qPrintable(error));
        Writer &writer = rig.writer;
        store::WalCheckpointer &checkpointer = rig.checkpointer;
        const store::WalCheckpointer::Limits &limits = rig.limits;

        // Commits back to back, as under load: no catch-up ever finds the WAL all copied at the
        // moment the writer begins, so the writer is asked to wait between two transactions.
        QElapsedTimer clock;
        clock.start();
        qint64 rows = 0;
        while (checkpointer.stats().restarts < 2 && clock.elapsed() < 60000) {
            QVERIFY(writer.commit(20));
            rows += 20;
            checkpointer.writerCommitted();
        }
        QVERIFY(writer.commit(1)); // the one that shows the last restart
        rows += 1;
        checkpointer.writerCommitted();
        const store::WalCheckpointer::Stats stats = checkpointer.stats();
        QVERIFY2(stats.restarts >= 2, qPrintable(QStringLiteral("%1 restarts, %2 busy after %3 rows")
                                                     .arg(stats.restarts)
                                                     .arg(stats.busy)
                                                     .arg(rows)));
        QVERIFY(stats.writerWaits >= 1);
        QVERIFY(stats.startOvers >= stats.restarts);
        // Bounded: at most one attempt left to the writer in vain, plus what came in meanwhile.
        QVERIFY2(stats.largestWalFrames <= 4 * limits.restartFrames,
                 qPrintable(QString::number(stats.largestWalFrames)));
        checkpointer.stop();
        QCOMPARE(writer.rows(), rows);
    }

    void aWriterThatDidNotStartOverIsNotCountedOnNextTime() {
        Rig rig;
        QString error;
        QVERIFY2(rig.start(&error), qPrintable(error));
        Writer &writer = rig.writer;
        store::WalCheckpointer &checkpointer = rig.checkpointer;
        sqlite3 *reader = nullptr;
        QCOMPARE(sqlite3_open_v2(rig.path.toUtf8().constData(), &reader, SQLITE_OPEN_READONLY, nullptr),
                 SQLITE_OK);

        // A reader with a snapshot of the whole WAL: the catch-up can copy everything, and the
        // attempt after the pause is left to the writer.
        QVERIFY(writer.commit(1500));
        QCOMPARE(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM blobs", nullptr, nullptr, nullptr),
                 SQLITE_OK);
        checkpointer.writerCommitted();
        QTRY_COMPARE_WITH_TIMEOUT(checkpointer.stats().passive, quint64(1), 20000);
        QCOMPARE(checkpointer.stats().restarts, quint64(0));

        // But SQLite does not start the WAL over under a reader: this commit goes after the rest.
        QVERIFY(writer.commit(300));
        QCOMPARE(checkpointer.stats().startOvers, quint64(0));
        QCOMPARE(sqlite3_exec(reader, "COMMIT", nullptr, nullptr, nullptr), SQLITE_OK);

        // The next attempt, after a pause again, does not count on the writer a second time: the
        // checkpointer starts the WAL over itself (the writer is idle, so it never waits).
        checkpointer.writerCommitted();
        QTRY_COMPARE_WITH_TIMEOUT(checkpointer.stats().restarts, quint64(1), 20000);
        QCOMPARE(checkpointer.stats().writerWaits, quint64(0));
        QVERIFY(writer.commit(1));
        checkpointer.writerCommitted();
        QCOMPARE(checkpointer.stats().startOvers, quint64(1));
        checkpointer.stop();
        sqlite3_close(reader);
        QCOMPARE(writer.rows(), qint64(1801));
    }
};

QTEST_GUILESS_MAIN(tst_WalCheckpointer)
#include "tst_WalCheckpointer.moc"
