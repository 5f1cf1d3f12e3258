// The fleet snapshot against the journal it abbreviates: whatever a start reads from the snapshot
// plus the deliveries after it must be exactly the fleet a replay of the whole journal builds. The
// real fleetmon writes the snapshot (clean stop, start after a replay), fleetsim and the real
// Smartcar captures feed it, and the test reads the file back with the loader the app uses.

#include "smartcar/FleetLoader.h"
#include "smartcar/Signature.h"
#include "store/FleetSnapshot.h"
#include "store/JournalReader.h"
#include "support/Fixtures.h"
#include "support/FleetmonProcess.h"
#include "support/RawHttpClient.h"

#include <QJsonDocument>
#include <QProcess>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>
#include <QtTest>

using smartcar::FleetLoader;
using testsupport::fixture;
using testsupport::FleetmonProcess;
using testsupport::RawHttpClient;
using testsupport::RawResponse;

namespace {

const QByteArray kAmt = "snapshot-e2e-amt";

// The capture's bytes with a fresh eventId (several captures share one), so each is accepted once.
QByteArray withFreshEventId(QByteArray body) {
    const QByteArray key = "\"eventId\": \"";
    qsizetype at = body.indexOf(key);
    if (at < 0)
        qFatal("fixture without an eventId");
    at += key.size();
    const qsizetype end = body.indexOf('"', at);
    return body.replace(at, end - at, QUuid::createUuid().toByteArray(QUuid::WithoutBraces));
}

QByteArray request(const QByteArray &body) {
    return "POST /webhooks/smartcar HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           "SC-Signature: " +
           smartcar::Signature::hmacSha256Hex(kAmt, body) +
           "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

// Posts signed bodies one after another on one connection; false unless every one got a 2xx.
bool postAll(quint16 port, const QList<QByteArray> &bodies) {
    RawHttpClient client(port);
    if (!client.waitConnected())
        return false;
    for (const QByteArray &body : bodies) {
        client.send(request(body));
        RawResponse r;
        if (!client.read(&r, 10000) || r.status / 100 != 2) {
            qWarning("delivery answered %d: %s", r.status, r.body.constData());
            return false;
        }
    }
    return true;
}

// fleetsim's real-shaped VEHICLE_STATE bodies (first deliveries, then changes, some signals in error).
bool runFleetsim(quint16 port, const QString &amtFile, int vehicles, int seed) {
    QProcess sim;
    sim.start(QStringLiteral(FLEETSIM_BINARY),
              {"--url", QStringLiteral("http://127.0.0.1:%1/webhooks/smartcar").arg(port), "--amt-file",
               amtFile, "--vehicles", QString::number(vehicles), "--rate", "150", "--duration", "2",
               "--connections", "4", "--seed", QString::number(seed)});
    if (!sim.waitForFinished(30000) || sim.exitStatus() != QProcess::NormalExit || sim.exitCode() != 0) {
        qWarning("fleetsim: %s %s", sim.readAllStandardOutput().constData(),
                 sim.readAllStandardError().constData());
        return false;
    }
    return true;
}

struct Loaded {
    bool ok = false;
    QString error;
    model::FleetState state;
    FleetLoader::Outcome outcome;
};

Loaded load(const QString &journal, FleetLoader::Source source) {
    Loaded l;
    store::JournalReader reader;
    l.ok =
        reader.open(journal, &l.error) && FleetLoader::load(reader, &l.state, &l.outcome, &l.error, source);
    return l;
}

struct Accepted {
    qint64 newestId = 0;
    qint64 count = 0;
};

Accepted accepted(const QString &journal) {
    Accepted a;
    store::JournalReader reader;
    QString error;
    if (!reader.open(journal, &error) ||
        !reader.forEach(
            {.acceptedOnly = true, .withBodies = false, .vehicleId = {}, .sinceMs = 0, .afterId = 0},
            [&](const model::Delivery &d) {
                a.newestId = std::max(a.newestId, d.id);
                ++a.count;
                return true;
            },
            &error))
        qWarning("reading the journal: %s", qPrintable(error));
    return a;
}

QString jsonText(const QJsonObject &o) {
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
}

// The first difference between two fleets, empty when they are the same.
QString firstDifference(const model::FleetState &a, const model::FleetState &b) {
    if (a.vehicleIds() != b.vehicleIds())
        return QStringLiteral("vehicle ids differ: %1 vs %2 vehicles, [%3] vs [%4]")
            .arg(a.vehicleCount())
            .arg(b.vehicleCount())
            .arg(a.vehicleIds().join(u','), b.vehicleIds().join(u','));
    for (const QString &id : a.vehicleIds()) {
        const model::Vehicle &x = *a.vehicle(id);
        const model::Vehicle &y = *b.vehicle(id);
        const auto differ = [&](const char *field, const QString &l, const QString &r) {
            return QStringLiteral("vehicle %1: %2 differs: \"%3\" vs \"%4\"")
                .arg(id, QLatin1String(field), l, r);
        };
        if (x.id != y.id)
            return differ("id", x.id, y.id);
        if (x.make != y.make)
            return differ("make", x.make, y.make);
        if (x.model != y.model)
            return differ("model", x.model, y.model);
        if (x.year != y.year)
            return differ("year", QString::number(x.year), QString::number(y.year));
        if (x.vin != y.vin)
            return differ("vin", x.vin, y.vin);
        if (x.nickname != y.nickname)
            return differ("nickname", x.nickname, y.nickname);
        if (x.subscription != y.subscription)
            return differ("subscription", QString::number(int(x.subscription)),
                          QString::number(int(y.subscription)));
        if (x.lastDeliveryAt != y.lastDeliveryAt)
            return differ("lastDeliveryAt", QString::number(x.lastDeliveryAt),
                          QString::number(y.lastDeliveryAt));
        if (x.openErrors.size() != y.openErrors.size())
            return differ("openErrors count", QString::number(x.openErrors.size()),
                          QString::number(y.openErrors.size()));
        for (qsizetype i = 0; i < x.openErrors.size(); ++i) {
            const model::VehicleError &e = x.openErrors.at(i);
            const model::VehicleError &f = y.openErrors.at(i);
            const QString at = QStringLiteral("openErrors[%1].").arg(i);
            const QList<std::pair<const char *, std::pair<QString, QString>>> fields = {
                {"type", {e.type, f.type}},
                {"code", {e.code, f.code}},
                {"state", {e.state, f.state}},
                {"description", {e.description, f.description}},
                {"suggestedUserMessage", {e.suggestedUserMessage, f.suggestedUserMessage}},
                {"resolutionType", {e.resolutionType, f.resolutionType}},
                {"docUrl", {e.docUrl, f.docUrl}},
                {"signalCodes", {e.signalCodes.join(u','), f.signalCodes.join(u',')}}};
            for (const auto &[name, values] : fields)
                if (values.first != values.second)
                    return differ(qPrintable(at + QLatin1String(name)), values.first, values.second);
        }
        QStringList codes = x.signalsByCode.keys();
        QStringList otherCodes = y.signalsByCode.keys();
        codes.sort();
        otherCodes.sort();
        if (codes != otherCodes)
            return differ("signal codes", codes.join(u','), otherCodes.join(u','));
        for (const QString &code : codes) {
            const model::SignalValue &s = *x.signal(code);
            const model::SignalValue &t = *y.signal(code);
            const QString at = QStringLiteral("signal %1 ").arg(code);
            if (s.code != t.code)
                return differ(qPrintable(at + "code"), s.code, t.code);
            if (s.name != t.name)
                return differ(qPrintable(at + "name"), s.name, t.name);
            if (s.group != t.group)
                return differ(qPrintable(at + "group"), s.group, t.group);
            if (s.body != t.body || jsonText(s.body) != jsonText(t.body))
                return differ(qPrintable(at + "body"), jsonText(s.body), jsonText(t.body));
            if (s.oemUpdatedAt != t.oemUpdatedAt)
                return differ(qPrintable(at + "oemUpdatedAt"), QString::number(s.oemUpdatedAt),
                              QString::number(t.oemUpdatedAt));
            if (s.retrievedAt != t.retrievedAt)
                return differ(qPrintable(at + "retrievedAt"), QString::number(s.retrievedAt),
                              QString::number(t.retrievedAt));
            if (s.error != t.error || jsonText(s.error) != jsonText(t.error))
                return differ(qPrintable(at + "error"), jsonText(s.error), jsonText(t.error));
        }
    }
    return {};
}

// Runs `fleetmon export vehicles --format json` and returns stdout exactly as written.
QByteArray exportVehicles(const QString &dataDir) {
    QProcess p;
    p.start(QStringLiteral(FLEETMON_BINARY),
            {"export", "vehicles", "--format", "json", "--data-dir", dataDir});
    if (!p.waitForFinished(30000) || p.exitCode() != 0)
        qWarning("export failed: %s", p.readAllStandardError().constData());
    return p.readAllStandardOutput();
}

// Runs statements on the journal file while fleetmon is stopped, as an operator (or a bad disk) would.
bool sql(const QString &journal, const std::function<bool(QSqlDatabase &)> &work) {
    const QString name = QStringLiteral("tst_FleetSnapshot-%1").arg(QUuid::createUuid().toString());
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(journal);
        ok = db.open() && work(db);
        if (!ok)
            qWarning("sql: %s", qPrintable(db.lastError().text()));
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

bool exec(QSqlDatabase &db, const QString &statement, const QVariantList &values = {}) {
    QSqlQuery q(db);
    if (!q.prepare(statement))
        return false;
    for (const QVariant &v : values)
        q.addBindValue(v);
    if (!q.exec()) {
        qWarning("%s: %s", qPrintable(statement), qPrintable(q.lastError().text()));
        return false;
    }
    return true;
}

qint64 coverRows(const QString &journal) {
    qint64 n = -1;
    sql(journal, [&](QSqlDatabase &db) {
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("SELECT COUNT(*) FROM fleet_snapshot_cover")) || !q.next())
            return false;
        n = q.value(0).toLongLong();
        return true;
    });
    return n;
}

} // namespace

#define COMPARE_FLEETS(a, b)                                                                                 \
    do {                                                                                                     \
        const QString difference = firstDifference(a, b);                                                    \
        QVERIFY2(difference.isEmpty(), qPrintable(difference));                                              \
    } while (false)

class tst_FleetSnapshot : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_dataDir;
    QString m_journal;
    QString m_amtFile;
    qint64 m_firstCoveredId = 0;

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_tmp.isValid());
        m_dataDir = m_tmp.filePath(QStringLiteral("data"));
        m_journal = m_dataDir + QStringLiteral("/journal.sqlite");
        m_amtFile = m_tmp.filePath(QStringLiteral("amt"));
        QFile amt(m_amtFile);
        QVERIFY(amt.open(QIODevice::WriteOnly));
        amt.write(kAmt + "\n");
    }

    void cleanStopWritesASnapshotThatEqualsAFullReplay() {
        FleetmonProcess app(m_dataDir, kAmt);
        QVERIFY(app.start());
        // Real captures first (signals in error, VEHICLE_ERROR with null codes, a nickname, test mode),
        // then a simulated fleet of 30 on top.
        QList<QByteArray> captures;
        for (const char *name :
             {"polestar_2_all.json", "jaguar_ipace_all.json", "byd_seal_all.json", "vw_id_4_all.json",
              "vw_id_4_fuel.json", "vw_id_4_test_mode.json", "vw_id_4_error.json",
              "vw_id_4_broad_auth_error.json", "vw_id_4_irrelevant_auth_error.json", "vw_id_4_mismatch.json"})
            captures.append(withFreshEventId(fixture(QLatin1String(name))));
        QVERIFY(postAll(app.port(), captures));
        QVERIFY(runFleetsim(app.port(), m_amtFile, 30, 7));
        QCOMPARE(app.stop(), 0);
        QCOMPARE(app.process().exitStatus(), QProcess::NormalExit);

        const Accepted journal = accepted(m_journal);
        QVERIFY2(journal.count >= 200, qPrintable(QString::number(journal.count)));

        const Loaded fromSnapshot = load(m_journal, FleetLoader::Source::SnapshotAndJournal);
        QVERIFY2(fromSnapshot.ok, qPrintable(fromSnapshot.error));
        QVERIFY(fromSnapshot.outcome.snapshotCoveredId > 0);
        QCOMPARE(fromSnapshot.outcome.snapshotCoveredId, journal.newestId);
        QCOMPARE(fromSnapshot.outcome.replayed, 0);

        const Loaded replay = load(m_journal, FleetLoader::Source::JournalOnly);
        QVERIFY2(replay.ok, qPrintable(replay.error));
        QCOMPARE(replay.outcome.snapshotCoveredId, 0);
        QCOMPARE(replay.outcome.replayed, journal.count);
        QVERIFY(replay.state.vehicleCount() >= 30);
        // The variety the comparison must cover is really there.
        const model::Vehicle *vw =
            replay.state.vehicle(QStringLiteral("a1d50709-3502-4faa-ba43-a5c7565e6a09"));
        QVERIFY(vw && !vw->openErrors.isEmpty());
        COMPARE_FLEETS(fromSnapshot.state, replay.state);
        m_firstCoveredId = fromSnapshot.outcome.snapshotCoveredId;
    }

    void snapshotOlderThanTheJournalIsCaughtUpByReplay() {
        QVERIFY2(m_firstCoveredId > 0, "needs the snapshot of the previous case");
        {
            FleetmonProcess app(m_dataDir, kAmt);
            QVERIFY(app.start());
            // Seed 7 again with more vehicles: the first 30 are the known ones, 12 are new, and the
            // event ids differ. A capture resolves one of the open VEHICLE_ERRORs, another is new.
            QVERIFY(runFleetsim(app.port(), m_amtFile, 42, 7));
            QByteArray resolved = withFreshEventId(fixture(QStringLiteral("vw_id_4_error.json")));
            resolved.replace("\"state\": \"ERROR\"", "\"state\": \"RESOLVED\"");
            QByteArray renamed = withFreshEventId(fixture(QStringLiteral("polestar_2_all.json")));
            renamed.replace("875d9333-bbbb-4444-aaaa-17be22ebe970", "875d9333-bbbb-4444-aaaa-000000000001");
            QVERIFY(postAll(app.port(), {resolved, renamed}));
            app.kill9(); // no snapshot at stop
            QCOMPARE(app.process().exitStatus(), QProcess::CrashExit);
        }
        const Accepted journal = accepted(m_journal);
        QVERIFY(journal.newestId > m_firstCoveredId);

        const Loaded fromSnapshot = load(m_journal, FleetLoader::Source::SnapshotAndJournal);
        QVERIFY2(fromSnapshot.ok, qPrintable(fromSnapshot.error));
        QCOMPARE(fromSnapshot.outcome.snapshotCoveredId, m_firstCoveredId);
        QVERIFY(fromSnapshot.outcome.replayed > 0);
        QCOMPARE(fromSnapshot.outcome.lastReplayedId, journal.newestId);
        const Loaded replay = load(m_journal, FleetLoader::Source::JournalOnly);
        QVERIFY2(replay.ok, qPrintable(replay.error));
        QVERIFY(replay.state.vehicleCount() >= 43);
        COMPARE_FLEETS(fromSnapshot.state, replay.state);

        // The next start replays what the snapshot lacked and records it; a clean stop adds nothing.
        {
            FleetmonProcess app(m_dataDir, kAmt);
            QVERIFY(app.start());
            QCOMPARE(app.stop(), 0);
        }
        const Loaded caughtUp = load(m_journal, FleetLoader::Source::SnapshotAndJournal);
        QVERIFY2(caughtUp.ok, qPrintable(caughtUp.error));
        QCOMPARE(caughtUp.outcome.snapshotCoveredId, journal.newestId);
        QCOMPARE(caughtUp.outcome.replayed, 0);
        COMPARE_FLEETS(caughtUp.state, replay.state);

        const QByteArray withSnapshot = exportVehicles(m_dataDir);
        QVERIFY(withSnapshot.size() > 1000);
        QVERIFY(
            sql(m_journal, [](QSqlDatabase &db) { return exec(db, "DELETE FROM fleet_snapshot_cover"); }));
        QCOMPARE(coverRows(m_journal), 0);
        const QByteArray withoutSnapshot = exportVehicles(m_dataDir);
        QVERIFY(withSnapshot == withoutSnapshot);
    }

    void corruptSnapshotRowFallsBackOrFailsClearly() {
        // Put a snapshot back (a start after the invalidation replays everything and records it).
        {
            FleetmonProcess app(m_dataDir, kAmt);
            QVERIFY(app.start());
            QCOMPARE(app.stop(), 0);
        }
        const Accepted journal = accepted(m_journal);
        const Loaded replay = load(m_journal, FleetLoader::Source::JournalOnly);
        QVERIFY2(replay.ok, qPrintable(replay.error));
        {
            const Loaded restored = load(m_journal, FleetLoader::Source::SnapshotAndJournal);
            QCOMPARE(restored.outcome.snapshotCoveredId, journal.newestId);
            COMPARE_FLEETS(restored.state, replay.state);
        }
        const QString victim = replay.state.vehicleIds().at(replay.state.vehicleCount() / 2);

        // Three kinds of damage: bytes that are nothing like a vehicle, and real rows whose list of
        // signal codes or count of signals says four billion (a flipped length must not become an
        // allocation).
        model::Vehicle one = *replay.state.vehicle(victim);
        one.signalsByCode.clear();
        model::VehicleError error;
        error.type = QStringLiteral("COMPATIBILITY");
        error.signalCodes = {QStringLiteral("a")};
        one.openErrors = {error};
        QByteArray hugeCount = store::FleetSnapshot::encode(one);
        // The list of signal codes is the last field of the error, before the signal count (4 bytes):
        // its own count sits just before the single code "a" (4-byte length + 2 bytes of UTF-16).
        const qsizetype listCount = hugeCount.size() - 4 - (4 + 2) - 4;
        QCOMPARE(hugeCount.mid(listCount, 4), QByteArray::fromHex("00000001"));
        hugeCount.replace(listCount, 4, QByteArray::fromHex("fffffff0"));
        one.openErrors.clear();
        QByteArray hugeSignalCount = store::FleetSnapshot::encode(one);
        QCOMPARE(hugeSignalCount.right(4), QByteArray::fromHex("00000000"));
        hugeSignalCount.replace(hugeSignalCount.size() - 4, 4, QByteArray::fromHex("fffffff0"));
        model::Vehicle decoded;
        QVERIFY(!store::FleetSnapshot::decode(hugeCount, &decoded));
        QVERIFY(!store::FleetSnapshot::decode(hugeSignalCount, &decoded));

        const QList<QByteArray> damages = {QByteArray("\xde\xad\xbe\xef garbage, not a vehicle \x01\x02"),
                                           hugeCount, hugeSignalCount};
        for (const QByteArray &damage : damages) {
            QVERIFY(sql(m_journal, [&](QSqlDatabase &db) {
                return exec(db, "UPDATE fleet_snapshot SET state = ? WHERE vehicle_id = ?", {damage, victim});
            }));
            QVERIFY(!store::FleetSnapshot::decode(damage, &decoded));

            // The loader ignores the whole snapshot and replays the journal: the same fleet.
            const Loaded fallback = load(m_journal, FleetLoader::Source::SnapshotAndJournal);
            QVERIFY2(fallback.ok, qPrintable(fallback.error));
            QCOMPARE(fallback.outcome.snapshotCoveredId, 0);
            QCOMPARE(fallback.outcome.replayed, journal.count);
            COMPARE_FLEETS(fallback.state, replay.state);

            // fleetmon starts on it the same way, and rewrites the snapshot from that replay.
            FleetmonProcess app(m_dataDir, kAmt);
            QVERIFY(app.start());
            QCOMPARE(app.stop(), 0);
            QCOMPARE(app.process().exitStatus(), QProcess::NormalExit);
            const Loaded repaired = load(m_journal, FleetLoader::Source::SnapshotAndJournal);
            QVERIFY2(repaired.ok, qPrintable(repaired.error));
            QCOMPARE(repaired.outcome.snapshotCoveredId, journal.newestId);
            QCOMPARE(repaired.outcome.replayed, 0);
            COMPARE_FLEETS(repaired.state, replay.state);
        }
    }

    void identicalBodiesAreDecodedOnce() {
        // Three vehicles whose doors read alike, two of them charged alike.
        const auto vehicle = [](const QString &id, const QJsonValue &charge) {
            model::Vehicle v;
            v.id = id;
            model::SignalValue door;
            door.code = QStringLiteral("closure-isopen");
            door.oemUpdatedAt = 1700000000000;
            door.body = QJsonObject{{QStringLiteral("isOpen"), false}, {QStringLiteral("isLocked"), true}};
            v.signalsByCode.insert(door.code, door);
            model::SignalValue soc;
            soc.code = QStringLiteral("tractionbattery-stateofcharge");
            soc.oemUpdatedAt = 1700000000000;
            soc.body = QJsonObject{{QStringLiteral("value"), charge}};
            v.signalsByCode.insert(soc.code, soc);
            return v;
        };
        const QList<model::Vehicle> vehicles = {vehicle(QStringLiteral("a"), 80),
                                                vehicle(QStringLiteral("b"), 80.5),
                                                vehicle(QStringLiteral("c"), 80)};
        model::SharedObjectCache bodies;
        for (const model::Vehicle &v : vehicles) {
            model::Vehicle shared, alone;
            QVERIFY(store::FleetSnapshot::decode(store::FleetSnapshot::encode(v), &shared, &bodies));
            QVERIFY(store::FleetSnapshot::decode(store::FleetSnapshot::encode(v), &alone));
            for (const model::SignalValue &s : v.signalsByCode) {
                QCOMPARE(shared.signal(s.code)->body, s.body);
                QCOMPARE(alone.signal(s.code)->body, s.body);
            }
        }
        // Built: the door, 80, 80.5; found: b's and c's doors, c's 80.
        QCOMPARE(bodies.counts().misses, 3);
        QCOMPARE(bodies.counts().hits, 3);
        QCOMPARE(bodies.size(), 3);
    }
};

QTEST_GUILESS_MAIN(tst_FleetSnapshot)
#include "tst_FleetSnapshot.moc"
