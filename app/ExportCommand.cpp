#include "app/ExportCommand.h"

#include "model/FleetState.h"
#include "smartcar/FleetLoader.h"
#include "store/JournalReader.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace app {

namespace {

QByteArray csvField(const QString &value) {
    QByteArray v = value.toUtf8();
    if (v.contains(',') || v.contains('"') || v.contains('\n') || v.contains('\r'))
        return '"' + v.replace("\"", "\"\"") + '"';
    return v;
}

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
    return QJsonObject{{QStringLiteral("id"), v.id},
                       {QStringLiteral("make"), v.make},
                       {QStringLiteral("model"), v.model},
                       {QStringLiteral("year"), v.year},
                       {QStringLiteral("lastDeliveryAt"),
                        v.lastDeliveryAt ? QJsonValue(isoTime(v.lastDeliveryAt)) : QJsonValue()},
                       {QStringLiteral("signals"), signalMap},
                       {QStringLiteral("errors"), errors}};
}

int exportVehicles(const AppOptions &options, QIODevice &out, QIODevice &err) {
    model::FleetState fleet;
    QString error;
    store::JournalReader reader;
    if (!reader.open(options.journalPath(), &error) ||
        !smartcar::FleetLoader::load(reader, &fleet, nullptr, &error)) {
        err.write("fleetmon export: " + error.toUtf8() + '\n');
        return 1;
    }
    if (options.exportFormat == QLatin1String("csv")) {
        out.write("id,make,model,year,battery_percent,plugged_in,charging,odometer_km,open_doors,open_errors,"
                  "last_delivery_at\n");
    } else {
        out.write("[");
    }
    bool first = true;
    for (const QString &id : fleet.vehicleIds()) {
        if (!options.exportVehicle.isEmpty() && id != options.exportVehicle)
            continue;
        const model::Vehicle &v = *fleet.vehicle(id);
        if (options.exportFormat == QLatin1String("csv")) {
            const model::VehicleRow row = model::FleetState::rowFor(v);
            auto opt = [](const auto &o) { return o ? QString::number(*o) : QString(); };
            auto optBool = [](const std::optional<bool> &o) {
                return o ? QString::number(*o ? 1 : 0) : QString();
            };
            const QList<QByteArray> fields = {csvField(v.id),
                                              csvField(v.make),
                                              csvField(v.model),
                                              QByteArray::number(v.year),
                                              opt(row.batteryPercent).toUtf8(),
                                              optBool(row.pluggedIn).toUtf8(),
                                              optBool(row.charging).toUtf8(),
                                              opt(row.odometerKm).toUtf8(),
                                              opt(row.openDoors).toUtf8(),
                                              QByteArray::number(row.openErrorCount),
                                              v.lastDeliveryAt ? isoTime(v.lastDeliveryAt).toUtf8()
                                                               : QByteArray()};
            out.write(fields.join(',') + '\n');
        } else {
            out.write(first ? "\n" : ",\n");
            out.write(QJsonDocument(vehicleJson(v, options.exportSignal)).toJson(QJsonDocument::Compact));
        }
        first = false;
    }
    if (options.exportFormat != QLatin1String("csv"))
        out.write(first ? "]\n" : "\n]\n");
    return 0;
}

int exportDeliveries(const AppOptions &options, QIODevice &out, QIODevice &err) {
    store::JournalReader reader;
    QString error;
    if (!reader.open(options.journalPath(), &error)) {
        err.write("fleetmon export: " + error.toUtf8() + '\n');
        return 1;
    }
    const bool csv = options.exportFormat == QLatin1String("csv");
    out.write(csv ? "id,eventId,eventType,vehicleId,receivedAt,verdict,status,replay\n" : "[");
    bool first = true;
    const bool ok = reader.forEach(
        {.acceptedOnly = false, .withBodies = false},
        [&](const model::Delivery &d) {
            if (!options.exportVehicle.isEmpty() && d.vehicleId != options.exportVehicle)
                return true;
            if (csv) {
                out.write(QByteArray::number(d.id) + ',' + csvField(d.eventId) + ',' + csvField(d.eventType) +
                          ',' + csvField(d.vehicleId) + ',' + isoTime(d.receivedAtMs).toUtf8() + ',' +
                          model::verdictName(d.verdict).toUtf8() + ',' + QByteArray::number(d.status) + ',' +
                          (d.replay ? "1" : "0") + '\n');
            } else {
                const QJsonObject o{
                    {QStringLiteral("id"), d.id},
                    {QStringLiteral("eventId"), d.eventId.isEmpty() ? QJsonValue() : QJsonValue(d.eventId)},
                    {QStringLiteral("eventType"),
                     d.eventType.isEmpty() ? QJsonValue() : QJsonValue(d.eventType)},
                    {QStringLiteral("vehicleId"),
                     d.vehicleId.isEmpty() ? QJsonValue() : QJsonValue(d.vehicleId)},
                    {QStringLiteral("receivedAt"), isoTime(d.receivedAtMs)},
                    {QStringLiteral("verdict"), model::verdictName(d.verdict)},
                    {QStringLiteral("status"), d.status},
                    {QStringLiteral("replay"), d.replay}};
                out.write(first ? "\n" : ",\n");
                out.write(QJsonDocument(o).toJson(QJsonDocument::Compact));
            }
            first = false;
            return true;
        },
        &error);
    if (!ok) {
        err.write("fleetmon export: " + error.toUtf8() + '\n');
        return 1;
    }
    if (!csv)
        out.write(first ? "]\n" : "\n]\n");
    return 0;
}

} // namespace

int ExportCommand::run(const AppOptions &options, QIODevice &out, QIODevice &err) {
    if (options.exportWhat == QLatin1String("vehicles"))
        return exportVehicles(options, out, err);
    if (options.exportWhat == QLatin1String("deliveries"))
        return exportDeliveries(options, out, err);
    if (options.exportWhat == QLatin1String("history") || options.exportWhat == QLatin1String("alerts")) {
        err.write("fleetmon export: " + options.exportWhat.toUtf8() +
                  " is not recorded by this version; vehicles and deliveries are\n");
        return 2;
    }
    err.write("fleetmon export: unknown export \"" + options.exportWhat.toUtf8() +
              "\" (vehicles, deliveries, history, alerts)\n");
    return 2;
}

} // namespace app
