#include "app/ExportCommand.h"

#include "app/RecordWriter.h"
#include "model/FleetState.h"
#include "smartcar/FleetLoader.h"
#include "store/JournalReader.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace app {

namespace {

QString isoTime(qint64 ms) {
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QJsonObject vehicleJson(const model::Vehicle &v, const QString &signalFilter) {
    QJsonObject signalMap;
    for (auto it = v.signalsByCode.cbegin(); it != v.signalsByCode.cend(); ++it) {
        if (!signalFilter.isEmpty() && it.key() != signalFilter)
            continue;
        QJsonObject s{{QStringLiteral("body"), it->hasBody() ? QJsonValue(it->body) : QJsonValue()},
                      {QStringLiteral("oemUpdatedAt"), it->oemUpdatedAt}};
        if (it->isInError())
            s.insert(QStringLiteral("error"), it->error);
        signalMap.insert(it.key(), s);
    }
    QJsonArray errors;
    for (const model::VehicleError &e : v.openErrors) {
        errors.append(
            QJsonObject{{QStringLiteral("type"), e.type},
                        {QStringLiteral("code"), e.code.isEmpty() ? QJsonValue() : QJsonValue(e.code)},
                        {QStringLiteral("state"), e.state},
                        {QStringLiteral("description"), e.description},
                        {QStringLiteral("suggestedUserMessage"), e.suggestedUserMessage},
                        {QStringLiteral("resolution"),
                         e.resolutionType.isEmpty() ? QJsonValue() : QJsonValue(e.resolutionType)},
                        {QStringLiteral("signals"), QJsonArray::fromStringList(e.signalCodes)}});
    }
    return QJsonObject{
        {QStringLiteral("id"), v.id},
        {QStringLiteral("make"), v.make},
        {QStringLiteral("model"), v.model},
        {QStringLiteral("year"), v.year},
        {QStringLiteral("vin"), v.vin.isEmpty() ? QJsonValue() : QJsonValue(v.vin)},
        {QStringLiteral("nickname"), v.nickname.isEmpty() ? QJsonValue() : QJsonValue(v.nickname)},
        {QStringLiteral("lastDeliveryAt"),
         v.lastDeliveryAt ? QJsonValue(isoTime(v.lastDeliveryAt)) : QJsonValue()},
        {QStringLiteral("signals"), signalMap},
        {QStringLiteral("errors"), errors}};
}

QJsonValue orNull(const QString &s) {
    return s.isEmpty() ? QJsonValue() : QJsonValue(s);
}
QJsonValue timeOrNull(qint64 ms) {
    return ms > 0 ? QJsonValue(isoTime(ms)) : QJsonValue();
}

RecordWriter::Format formatOf(const AppOptions &options) {
    return options.exportFormat == QLatin1String("csv") ? RecordWriter::Format::Csv
                                                        : RecordWriter::Format::Json;
}

int failed(QIODevice &err, const QString &error) {
    err.write("fleetmon export: " + error.toUtf8() + '\n');
    return 1;
}

int exportVehicles(const AppOptions &options, store::JournalReader &reader, QIODevice &out, QIODevice &err) {
    model::FleetState fleet;
    QString error;
    if (!smartcar::FleetLoader::load(reader, &fleet, nullptr, &error))
        return failed(err, error);
    // CSV is the table's digest (one line per vehicle); JSON carries every signal as delivered.
    RecordWriter writer(out, formatOf(options),
                        {"id", "make", "model", "year", "batteryPercent", "pluggedIn", "charging",
                         "odometerKm", "openDoors", "openErrors", "lastDeliveryAt"});
    for (const QString &id : fleet.vehicleIds()) {
        if (!options.exportVehicle.isEmpty() && id != options.exportVehicle)
            continue;
        const model::Vehicle &v = *fleet.vehicle(id);
        if (formatOf(options) == RecordWriter::Format::Json) {
            writer.write(vehicleJson(v, options.exportSignal));
            continue;
        }
        const model::VehicleRow row = model::FleetState::rowFor(v);
        auto opt = [](const auto &o) { return o ? QJsonValue(double(*o)) : QJsonValue(); };
        writer.write({{"id", v.id},
                      {"make", v.make},
                      {"model", v.model},
                      {"year", v.year},
                      {"batteryPercent", opt(row.batteryPercent)},
                      {"pluggedIn", row.pluggedIn ? QJsonValue(*row.pluggedIn) : QJsonValue()},
                      {"charging", row.charging ? QJsonValue(*row.charging) : QJsonValue()},
                      {"odometerKm", opt(row.odometerKm)},
                      {"openDoors", opt(row.openDoors)},
                      {"openErrors", row.openErrorCount},
                      {"lastDeliveryAt", timeOrNull(v.lastDeliveryAt)}});
    }
    writer.finish();
    return 0;
}

int exportDeliveries(const AppOptions &options, store::JournalReader &reader, QIODevice &out,
                     QIODevice &err) {
    RecordWriter writer(
        out, formatOf(options),
        {"id", "eventId", "eventType", "vehicleId", "receivedAt", "verdict", "status", "replay"});
    store::JournalReader::Filter filter;
    filter.withBodies = false;
    filter.vehicleId = options.exportVehicle;
    filter.sinceMs = options.exportSinceMs;
    QString error;
    const bool ok = reader.forEach(
        filter,
        [&](const model::Delivery &d) {
            writer.write({{"id", d.id},
                          {"eventId", orNull(d.eventId)},
                          {"eventType", orNull(d.eventType)},
                          {"vehicleId", orNull(d.vehicleId)},
                          {"receivedAt", isoTime(d.receivedAtMs)},
                          {"verdict", model::verdictName(d.verdict)},
                          {"status", d.status},
                          {"replay", d.replay}});
            return true;
        },
        &error);
    writer.finish();
    return ok ? 0 : failed(err, error);
}

// isoTime() for a stream of times: the date part is formatted by Qt once per day, the time of
// day by hand, so millions of rows cost no QDateTime each. Same bytes as isoTime().
class IsoTimeFormatter {
public:
    void append(QByteArray &out, qint64 ms) {
        if (ms < 0) { // before 1970: rare enough for the general way
            out += isoTime(ms).toLatin1();
            return;
        }
        const qint64 day = ms / kDayMs;
        if (day != m_day) {
            m_day = day;
            m_datePrefix = isoTime(day * kDayMs).toLatin1().left(11); // "YYYY-MM-DDT"
        }
        qint64 rest = ms - day * kDayMs;
        const int millis = int(rest % 1000);
        rest /= 1000;
        const int seconds = int(rest % 60);
        rest /= 60;
        const int minutes = int(rest % 60);
        const int hours = int(rest / 60);
        char text[13] = {digit(hours / 10),
                         digit(hours % 10),
                         ':',
                         digit(minutes / 10),
                         digit(minutes % 10),
                         ':',
                         digit(seconds / 10),
                         digit(seconds % 10),
                         '.',
                         digit(millis / 100),
                         digit(millis / 10 % 10),
                         digit(millis % 10),
                         'Z'};
        out += m_datePrefix;
        out += QByteArrayView(text, sizeof text);
    }

private:
    static constexpr qint64 kDayMs = 24 * 3600 * 1000;
    static char digit(int d) { return char('0' + d); }
    qint64 m_day = -1;
    QByteArray m_datePrefix;
};

int exportHistory(const AppOptions &options, store::JournalReader &reader, QIODevice &out, QIODevice &err) {
    const RecordWriter::Format format = formatOf(options);
    RecordWriter writer(out, format, {"vehicleId", "signal", "field", "time", "value"});
    store::JournalReader::HistoryFilter filter;
    filter.vehicleId = options.exportVehicle;
    filter.code = options.exportSignal;
    filter.sinceMs = options.exportSinceMs;
    // Each record is formatted straight from the database's bytes into one reused buffer; the
    // output is the same as writing a QJsonObject per row (keys in QJsonObject's sorted order).
    IsoTimeFormatter times;
    QByteArray record;
    QString error;
    const bool ok = reader.forEachSampleRow(
        filter,
        [&](const store::JournalReader::SampleRow &s) {
            record.resize(0);
            if (format == RecordWriter::Format::Csv) {
                RecordWriter::appendCsvText(record, s.vehicleId);
                record += ',';
                RecordWriter::appendCsvText(record, s.code);
                record += ',';
                RecordWriter::appendCsvText(record, s.field);
                record += ',';
                times.append(record, s.oemUpdatedAt);
                record += ',';
                RecordWriter::appendCsvNumber(record, s.value);
            } else {
                record += "{\"field\":";
                RecordWriter::appendJsonText(record, s.field);
                record += ",\"signal\":";
                RecordWriter::appendJsonText(record, s.code);
                record += ",\"time\":\"";
                times.append(record, s.oemUpdatedAt);
                record += "\",\"value\":";
                RecordWriter::appendJsonNumber(record, s.value);
                record += ",\"vehicleId\":";
                RecordWriter::appendJsonText(record, s.vehicleId);
                record += '}';
            }
            writer.writeFormatted(record);
            return true;
        },
        &error);
    writer.finish();
    return ok ? 0 : failed(err, error);
}

int exportAlerts(const AppOptions &options, store::JournalReader &reader, QIODevice &out, QIODevice &err) {
    RecordWriter writer(out, formatOf(options),
                        {"id", "vehicleId", "kind", "subject", "severity", "message", "firstSeenAt",
                         "lastSeenAt", "fireCount", "clearedAt", "clearedBy", "acknowledgedAt",
                         "acknowledgedBy"});
    QString error;
    const bool ok = reader.forEachAlert(
        options.exportVehicle, options.exportSinceMs,
        [&](const model::Alert &a) {
            writer.write({{"id", a.id},
                          {"vehicleId", a.vehicleId},
                          {"kind", model::alertKindName(a.kind)},
                          {"subject", orNull(a.subject)},
                          {"severity", model::alertSeverityName(a.severity)},
                          {"message", a.message},
                          {"firstSeenAt", timeOrNull(a.firstSeenAt)},
                          {"lastSeenAt", timeOrNull(a.lastSeenAt)},
                          {"fireCount", a.fireCount},
                          {"clearedAt", timeOrNull(a.clearedAt)},
                          {"clearedBy", orNull(a.clearedBy)},
                          {"acknowledgedAt", timeOrNull(a.acknowledgedAt)},
                          {"acknowledgedBy", orNull(a.acknowledgedBy)}});
            return true;
        },
        &error);
    writer.finish();
    return ok ? 0 : failed(err, error);
}

} // namespace

int ExportCommand::run(const AppOptions &options, QIODevice &out, QIODevice &err) {
    using Exporter = int (*)(const AppOptions &, store::JournalReader &, QIODevice &, QIODevice &);
    const QHash<QString, Exporter> exporters = {{QStringLiteral("vehicles"), exportVehicles},
                                                {QStringLiteral("deliveries"), exportDeliveries},
                                                {QStringLiteral("history"), exportHistory},
                                                {QStringLiteral("alerts"), exportAlerts}};
    const Exporter exporter = exporters.value(options.exportWhat);
    if (!exporter) {
        err.write("fleetmon export: unknown export \"" + options.exportWhat.toUtf8() +
                  "\" (vehicles, deliveries, history, alerts)\n");
        return 2;
    }
    store::JournalReader reader;
    QString error;
    if (!reader.open(options.journalPath(), &error))
        return failed(err, error);
    return exporter(options, reader, out, err);
}

} // namespace app
