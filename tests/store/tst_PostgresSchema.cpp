// The shared fleet's schema on a real, throwaway PostgreSQL server: created on first connect,
// left alone when current, created once when several connections race for it, and a newer
// schema refused untouched. Also the URL forms `--database` takes.

#include "store/PostgresLocation.h"
#include "store/PostgresSchema.h"
#include "support/PostgresCluster.h"
#include "support/PostgresLocationOf.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QThread>
#include <atomic>

class tst_PostgresSchema : public QObject {
    Q_OBJECT

    testsupport::PostgresCluster m_cluster;

    static store::PostgresLocation location(const QString &url) {
        return testsupport::postgresLocationOf(url);
    }

private slots:
    void initTestCase() {
        QString error;
        QVERIFY2(store::PostgresLocation::driverAvailable(&error), qPrintable(error));
        QVERIFY2(m_cluster.start(&error, false), qPrintable(error));
    }

    void urlForms_data() {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("shown");
        QTest::newRow("full") << "postgresql://fleet:s3cret@db.example:6543/fleet" << true
                              << "postgresql://fleet@db.example:6543/fleet";
        QTest::newRow("short scheme") << "postgres://db/fleet" << true << "postgresql://db/fleet";
        QTest::newRow("options") << "postgresql://u@h/d?sslmode=require&password=x" << true
                                 << "postgresql://u@h/d?sslmode=require";
        QTest::newRow("escaped password") << "postgresql://u:p%40ss@h/d" << true << "postgresql://u@h/d";
        QTest::newRow("sqlite path") << "/var/lib/fleetmon" << false << "";
        QTest::newRow("http") << "http://h/d" << false << "";
        QTest::newRow("two path parts") << "postgresql://h/d/e" << false << "";
        QTest::newRow("port 0") << "postgresql://h:0/d" << false << "";
    }
    void urlForms() {
        QFETCH(QString, url);
        QFETCH(bool, valid);
        QFETCH(QString, shown);
        store::PostgresLocation l;
        QString error;
        QCOMPARE(store::PostgresLocation::parse(url, &l, &error), valid);
        if (valid) {
            QCOMPARE(l.displayName(), shown);
            QVERIFY(!l.displayName().contains(QLatin1String("s3cret")));
        } else {
            QVERIFY(!error.isEmpty());
        }
    }

    // A vanished peer is noticed in seconds (keepalives, tcp_user_timeout); what the URL sets wins,
    // and libpq accepts the whole set (the connection opens).
    void connectionDefaultsDetectDeadPeers() {
        const QString url =
            m_cluster.url() + QStringLiteral("?keepalives_idle=30&application_name=fleetmon-test");
        QString options;
        {
            QSqlDatabase db = location(url).addConnection(QStringLiteral("k"));
            options = db.connectOptions();
            QVERIFY2(db.open(), qPrintable(db.lastError().text()));
            QSqlQuery q(db);
            QVERIFY(q.exec(QStringLiteral("SELECT current_setting('application_name')")) && q.next());
            QCOMPARE(q.value(0).toString(), QStringLiteral("fleetmon-test"));
        }
        QSqlDatabase::removeDatabase(QStringLiteral("k"));
        const QStringList parts = options.split(QLatin1Char(';'));
        QVERIFY2(parts.contains(QStringLiteral("keepalives_idle=30")), qPrintable(options));
        QVERIFY2(!parts.contains(QStringLiteral("keepalives_idle=10")), qPrintable(options));
        for (const char *expected : {"connect_timeout=5", "keepalives=1", "keepalives_interval=5",
                                     "keepalives_count=3", "tcp_user_timeout=30000"})
            QVERIFY2(parts.contains(QLatin1String(expected)), qPrintable(options));
    }

    void createsOnceWhenConnectionsRace() {
        QString error;
        QVERIFY2(m_cluster.createDatabase(QStringLiteral("race"), &error), qPrintable(error));
        // Four connections ensure the schema at the same moment; all must succeed, and there is
        // one set of tables at the current version.
        std::atomic<int> ready{0}, succeeded{0};
        QList<QThread *> threads;
        for (int i = 0; i < 4; ++i) {
            threads.append(QThread::create([&, i] {
                const QString name = QStringLiteral("race-%1").arg(i);
                {
                    QSqlDatabase db = location(m_cluster.url(QStringLiteral("race"))).addConnection(name);
                    if (db.open()) {
                        ++ready;
                        while (ready.load() < 4)
                            QThread::yieldCurrentThread();
                        QString e;
                        if (store::PostgresSchema::ensure(db, &e))
                            ++succeeded;
                        else
                            qWarning("%s", qPrintable(e));
                    }
                }
                QSqlDatabase::removeDatabase(name);
            }));
            threads.last()->start();
        }
        for (QThread *t : threads) {
            QVERIFY(t->wait(60000));
            delete t;
        }
        QCOMPARE(succeeded.load(), 4);
        QCOMPARE(m_cluster.psql(QStringLiteral("SELECT count(*), max(version) FROM fleetmon_schema"), &error,
                                QStringLiteral("race")),
                 QStringLiteral("1|%1").arg(store::PostgresSchema::kVersion));
        QCOMPARE(m_cluster.psql(QStringLiteral("SELECT count(*) FROM information_schema.tables WHERE "
                                               "table_name IN ('deliveries', 'alert_acks')"),
                                &error, QStringLiteral("race")),
                 QStringLiteral("2"));
    }

    void refusesNewerSchema() {
        QString error;
        QVERIFY2(m_cluster.createDatabase(QStringLiteral("newer"), &error), qPrintable(error));
        m_cluster.psql(QStringLiteral("CREATE TABLE fleetmon_schema (version integer NOT NULL); "
                                      "INSERT INTO fleetmon_schema VALUES (99)"),
                       &error, QStringLiteral("newer"));
        QVERIFY2(error.isEmpty(), qPrintable(error));
        {
            QSqlDatabase db =
                location(m_cluster.url(QStringLiteral("newer"))).addConnection(QStringLiteral("n"));
            QVERIFY2(db.open(), qPrintable(db.lastError().text()));
            QVERIFY(!store::PostgresSchema::ensure(db, &error));
            QVERIFY2(error.contains(QLatin1String("version 99")), qPrintable(error));
        }
        QSqlDatabase::removeDatabase(QStringLiteral("n"));
        QCOMPARE(m_cluster.psql(QStringLiteral("SELECT to_regclass('deliveries') IS NULL"), &error,
                                QStringLiteral("newer")),
                 QStringLiteral("t"));
    }

    void unreachableServerIsAnErrorInTime() {
        store::PostgresLocation l = location(QStringLiteral("postgresql://fleetmon@127.0.0.1:1/postgres"));
        QElapsedTimer timer;
        timer.start();
        {
            QSqlDatabase db = l.addConnection(QStringLiteral("u"));
            QVERIFY(!db.open());
            QVERIFY(!db.lastError().text().isEmpty());
        }
        QSqlDatabase::removeDatabase(QStringLiteral("u"));
        QVERIFY(timer.elapsed() < 10000);
    }
};

QTEST_GUILESS_MAIN(tst_PostgresSchema)
#include "tst_PostgresSchema.moc"
