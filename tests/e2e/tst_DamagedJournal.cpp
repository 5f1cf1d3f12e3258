// A journal whose SQLite file is damaged inside (a valid header, a malformed b-tree page), as a
// failing disk or a copy taken mid-write leaves it, met by the real `fleetmon --headless`: at the
// start it refuses, names the file and the recovery the README describes, and leaves every byte
// as it was; met while running, deliveries are refused (503) without any retry into the file and
// it is said once. The README's way out (move the file aside, start again) then works.

#include "smartcar/SimulatedFleet.h"
#include "support/FleetmonProcess.h"
#include "support/WebhookRequest.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QtTest>

using testsupport::FleetmonProcess;

namespace {

const QByteArray kAmt = "damaged-journal-amt";
constexpr int kPageSize = 4096; // SQLite's default, which the journal uses

// A signed delivery on a connection of its own: the status, or 0 when no answer came.
int post(quint16 port, const QByteArray &body) {
    return testsupport::postOnNewConnection(port, testsupport::signedWebhookRequest(kAmt, body));
}

// A journal of `count` accepted deliveries, written by fleetmon and stopped cleanly.
bool writeJournal(const QString &data, smartcar::SimulatedFleet &fleet, int count) {
    FleetmonProcess app(data, kAmt);
    if (!app.start())
        return false;
    for (int i = 0; i < count; ++i)
        if (post(app.port(), fleet.nextDelivery(QDateTime::currentMSecsSinceEpoch())) != 200)
            return false;
    return app.stop() == 0;
}

// The root pages of the named tables and indexes, read from the schema.
QList<int> rootPages(const QString &path, const QStringList &names) {
    QList<int> pages;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase("QSQLITE", "schema");
        // Immutable: no -wal or -shm is made, nothing in the folder changes.
        db.setDatabaseName("file:" + path + "?immutable=1");
        db.setConnectOptions("QSQLITE_OPEN_URI;QSQLITE_OPEN_READONLY");
        if (db.open()) {
            QSqlQuery q(db);
            for (const QString &name : names) {
                q.prepare("SELECT rootpage FROM sqlite_schema WHERE name = ?");
                q.addBindValue(name);
                if (q.exec() && q.next())
                    pages.append(q.value(0).toInt());
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase("schema");
    return pages;
}

// Overwrites the b-tree header at the start of each page: SQLite reports the page as malformed.
bool damagePages(const QString &path, const QList<int> &pages) {
    QFile f(path);
    if (!f.open(QIODevice::ReadWrite))
        return false;
    for (int page : pages)
        if (page < 2 || !f.seek(qint64(page - 1) * kPageSize) || f.write(QByteArray(16, '\x5a')) != 16)
            return false;
    return true;
}

QByteArray sha256(const QString &path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Sha256).toHex();
}

} // namespace

class tst_DamagedJournal : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void damagedPageRefusesTheStartAndLeavesEveryByte() {
        QTemporaryDir tmp;
        const QString data = tmp.filePath("data");
        smartcar::SimulatedFleet fleet(8, 3);
        QVERIFY(writeJournal(data, fleet, 200));
        const QString journal = QDir(data).filePath("journal.sqlite");
        const QList<int> roots = rootPages(journal, {"deliveries"});
        QCOMPARE(roots.size(), 1);
        QVERIFY(damagePages(journal, roots));
        const QByteArray before = sha256(journal);
        const QStringList filesBefore = QDir(data).entryList(QDir::Files);

        FleetmonProcess app(data, kAmt);
        QVERIFY(!app.start());
        app.process().waitForFinished(10000);
        QVERIFY(app.process().exitCode() != 0);
        const QByteArray err = app.process().readAllStandardError();
        QVERIFY2(err.contains(QFile::encodeName(journal)), err.constData());
        QVERIFY2(err.contains("malformed"), err.constData());
        QVERIFY2(err.contains("Recovering a damaged database"), err.constData());
        QVERIFY2(err.contains("mv " + QFile::encodeName(journal) + " "), err.constData());
        QCOMPARE(sha256(journal), before);
        QCOMPARE(QDir(data).entryList(QDir::Files), filesBefore);

        // The README's way out: the damaged file moved aside, a start makes a new journal.
        QVERIFY(QFile::rename(journal, journal + ".damaged"));
        FleetmonProcess fresh(data, kAmt);
        QVERIFY(fresh.start());
        QCOMPARE(post(fresh.port(), fleet.nextDelivery(QDateTime::currentMSecsSinceEpoch())), 200);
        QCOMPARE(fresh.stop(), 0);
        QCOMPARE(sha256(journal + ".damaged"), before);
    }

    void damagedPageMetWhileRunningRefusesWithoutRetrying() {
        QTemporaryDir tmp;
        const QString data = tmp.filePath("data");
        smartcar::SimulatedFleet fleet(8, 4);
        QVERIFY(writeJournal(data, fleet, 100));
        const QString journal = QDir(data).filePath("journal.sqlite");
        // The start never reads the readings: the damage is met by the first accepted delivery.
        const QList<int> roots = rootPages(journal, {"history"});
        QCOMPARE(roots.size(), 1);
        QVERIFY(damagePages(journal, roots));

        FleetmonProcess app(data, kAmt);
        QVERIFY(app.start());
        QCOMPARE(post(app.port(), fleet.nextDelivery(QDateTime::currentMSecsSinceEpoch())), 503);
        // Past the longest wait between two attempts of a journal that merely cannot write.
        QElapsedTimer clock;
        clock.start();
        int refused = 1;
        while (clock.elapsed() < 3000) {
            QCOMPARE(post(app.port(), fleet.nextDelivery(QDateTime::currentMSecsSinceEpoch())), 503);
            ++refused;
            QTest::qWait(100);
        }
        QCOMPARE(app.stop(), 0);
        const QByteArray err = app.process().readAllStandardError();
        QCOMPARE(err.count("is damaged"), 1);
        QVERIFY2(err.contains("Recovering a damaged database"), err.constData());
        QVERIFY2(!err.contains("writable again"), err.constData());
        QVERIFY2(!err.contains("fleet snapshot at stop"), err.constData()); // nothing written at stop
        qInfo("%d deliveries refused with 503 over %.1f s, one message", refused,
              double(clock.elapsed()) / 1000.0);
    }
};

QTEST_GUILESS_MAIN(tst_DamagedJournal)
#include "tst_DamagedJournal.moc"
