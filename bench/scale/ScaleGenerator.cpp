// Writes a data folder at fleet scale, through the store layer as the app would have written it:
//   scale_generate DIR [--vehicles N] [--updates-per-vehicle K] [--history-rows R] [--seed S]
// 1. N FIRST_DELIVERY bodies plus K updates per vehicle from smartcar::SimulatedFleet, decoded and
//    appended to store::Journal as accepted deliveries with their history points, like the endpoint
//    does: the fleet state is real.
// 2. History filled up to R rows overall, with real vehicle ids, signal codes and fields, older than
//    the deliveries, inserted by SQLite itself (a recursive CTE per series) in one transaction.
// 3. The fleet snapshot a running app would have checkpointed, so a start reads the latest state.
// Prints one summary line on stdout.
#include "model/FleetState.h"
#include "model/HistoryExtractor.h"
#include "smartcar/FleetLoader.h"
#include "smartcar/PayloadDecoder.h"
#include "smartcar/SimulatedFleet.h"
#include "store/Database.h"
#include "store/FleetSnapshot.h"
#include "store/HistoryRollup.h"
#include "store/Journal.h"
#include "store/JournalReader.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QSqlError>
#include <QSqlQuery>
#include <cstdio>
#include <mutex>

namespace {

int fail(const QString &message) {
    std::fprintf(stderr, "scale_generate: %s\n", qPrintable(message));
    return 1;
}

bool exec(QSqlDatabase &db, const QString &sql, QString *error) {
    QSqlQuery q(db);
    if (q.exec(sql))
        return true;
    *error = q.lastError().text() + QStringLiteral(" in: ") + sql.left(200);
    return false;
}

} // namespace

int main(int argc, char **argv) {
    QCoreApplication app(argc, argv);
    QStringList args = app.arguments().mid(1);
    if (args.isEmpty())
        return fail(QStringLiteral("usage: scale_generate DIR [--vehicles N] [--updates-per-vehicle K]"
                                   " [--history-rows R] [--seed S]"));
    const QString dir = args.takeFirst();
    int vehicles = 10'000;
    int updatesPerVehicle = 2;
    qint64 historyRows = 10'000'000;
    quint64 seed = 7;
    while (args.size() >= 2) {
        const QString key = args.takeFirst();
        const QString value = args.takeFirst();
        if (key == QLatin1String("--vehicles"))
            vehicles = value.toInt();
        else if (key == QLatin1String("--updates-per-vehicle"))
            updatesPerVehicle = value.toInt();
        else if (key == QLatin1String("--history-rows"))
            historyRows = value.toLongLong();
        else if (key == QLatin1String("--seed"))
            seed = value.toULongLong();
        else
            return fail(QStringLiteral("unknown option %1").arg(key));
    }
    if (!QDir().mkpath(dir))
        return fail(QStringLiteral("cannot create %1").arg(dir));
    const QString path = dir + QStringLiteral("/journal.sqlite");
    if (QFile::exists(path))
        return fail(QStringLiteral("%1 exists already").arg(path));

    QElapsedTimer clock;
    clock.start();
    QString error;

    // 1. Real deliveries through the journal.
    const qint64 deliveries = qint64(vehicles) * (1 + updatesPerVehicle);
    {
        store::Journal journal;
        if (!journal.open(path, &error))
            return fail(error);
        std::mutex mutex;
        qint64 committed = 0, failed = 0;
        journal.setCommitListener([&](const QList<store::AppendResult> &results) {
            std::lock_guard lock(mutex);
            for (const store::AppendResult &r : results)
                (r.committed ? committed : failed) += 1;
        });
        smartcar::SimulatedFleet fleet(vehicles, seed);
        // Deliveries a day apart per vehicle round, ending now: receive times look like a real log.
        const qint64 end = QDateTime::currentMSecsSinceEpoch();
        const qint64 start = end - deliveries * 1000;
        for (qint64 i = 0; i < deliveries; ++i) {
            const qint64 now = start + i * 1000;
            const QByteArray body = fleet.nextDelivery(now);
            smartcar::PayloadDecoder::Result decoded = smartcar::PayloadDecoder::decode(body);
            if (!decoded.ok)
                return fail(
                    QStringLiteral("the simulator wrote a body the decoder refuses: %1").arg(decoded.error));
            model::Delivery d;
            d.receivedAtMs = now;
            d.verdict = model::Verdict::Accepted;
            d.status = 200;
            d.headers = R"({"SC-Signature":"generated"})";
            d.body = body;
            d.eventId = decoded.event.eventId;
            d.eventType = decoded.event.eventType;
            d.vehicleId = decoded.event.vehicleId;
            d.samples = model::HistoryExtractor::samples(d.vehicleId, decoded.event.signalValues);
            journal.append(std::move(d));
        }
        journal.close();
        if (failed > 0 || committed != deliveries)
            return fail(QStringLiteral("%1 deliveries not stored").arg(deliveries - committed));
    }
    const qint64 deliveriesMs = clock.elapsed();

    // 2. History up to the row count, older than every delivery, in one transaction.
    qint64 totalRows = 0;
    {
        store::Database db;
        if (!db.open(path, store::Database::Mode::ReadWrite, &error))
            return fail(error);
        QSqlDatabase &sql = db.connection();
        // A benchmark folder: no need to survive power loss while it is written.
        if (!exec(sql, QStringLiteral("PRAGMA synchronous=OFF"), &error) ||
            !exec(sql, QStringLiteral("PRAGMA cache_size=-262144"), &error))
            return fail(error);
        QSqlQuery count(sql);
        count.exec(QStringLiteral("SELECT count(*), min(t) FROM history"));
        count.next();
        const qint64 realRows = count.value(0).toLongLong();
        const qint64 oldest = count.value(1).toLongLong();
        count.finish();
        QStringList ids;
        QSqlQuery idQuery(sql);
        idQuery.exec(QStringLiteral("SELECT DISTINCT vehicle_id FROM history ORDER BY vehicle_id"));
        while (idQuery.next())
            ids << idQuery.value(0).toString();
        idQuery.finish();
        // Battery and odometer: the series a fleet manager charts.
        const qint64 missing = std::max<qint64>(0, historyRows - realRows);
        const qint64 perSeries = ids.isEmpty() ? 0 : missing / (qint64(ids.size()) * 2);
        qint64 extra = ids.isEmpty() ? 0 : missing - perSeries * ids.size() * 2;
        if (!exec(sql, QStringLiteral("BEGIN"), &error))
            return fail(error);
        for (const QString &id : std::as_const(ids)) {
            for (int series = 0; series < 2; ++series) {
                const qint64 n = perSeries + (extra > 0 ? 1 : 0);
                if (extra > 0)
                    --extra;
                if (n == 0)
                    continue;
                // One reading every 5 minutes, ending just before the first real one.
                const QString value =
                    series == 0 ? QStringLiteral("abs((i * 7 + %1) % 200 - 100) * 1.0").arg(qHash(id) % 100)
                                : QStringLiteral("10000.0 + i * 0.85");
                const QString insert =
                    QStringLiteral(
                        "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i + 1 < %1)"
                        " INSERT OR IGNORE INTO history(vehicle_id, code, field, t, value)"
                        " SELECT '%2', '%3', 'value', %4 + i * 300000, %5 FROM s")
                        .arg(n)
                        .arg(id, series == 0 ? QStringLiteral("tractionbattery-stateofcharge")
                                             : QStringLiteral("odometer-traveleddistance"))
                        .arg(oldest - (n + 1) * 300000)
                        .arg(value);
                if (!exec(sql, insert, &error))
                    return fail(error);
            }
        }
        // The rows above were not reported to the min/max pyramid: it is rebuilt from the table.
        if (!db.historyRollup()->rebuild(&error) || !exec(sql, QStringLiteral("COMMIT"), &error))
            return fail(error);
        QSqlQuery total(sql);
        total.exec(QStringLiteral("SELECT count(*) FROM history"));
        total.next();
        totalRows = total.value(0).toLongLong();
        total.finish();
        exec(sql, QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"), &error);
    }
    const qint64 historyMs = clock.elapsed() - deliveriesMs;

    // 3. The snapshot the app checkpoints: the fleet as of the last delivery.
    {
        model::FleetState fleet;
        smartcar::FleetLoader::Outcome outcome;
        store::JournalReader reader;
        if (!reader.open(path, &error) ||
            !smartcar::FleetLoader::load(reader, &fleet, &outcome, &error,
                                         smartcar::FleetLoader::Source::JournalOnly))
            return fail(error);
        QList<store::FleetSnapshot::Entry> entries;
        for (qsizetype i = 0; i < fleet.vehicleIds().size(); ++i)
            entries.append({*fleet.vehicle(fleet.vehicleIds().at(i)), i});
        store::Database db;
        if (!db.open(path, store::Database::Mode::ReadWrite, &error) || !db.connection().transaction() ||
            !store::FleetSnapshot::write(db.connection(), outcome.lastReplayedId, entries, &error) ||
            !db.connection().commit())
            return fail(QStringLiteral("cannot write the fleet snapshot: %1").arg(error));
    }

    std::printf("generated %s: %d vehicles, %lld deliveries, %lld history rows in %.1f s"
                " (deliveries %.1f s, history %.1f s)\n",
                qPrintable(dir), vehicles, deliveries, totalRows, clock.elapsed() / 1000.0,
                deliveriesMs / 1000.0, historyMs / 1000.0);
    return 0;
}
