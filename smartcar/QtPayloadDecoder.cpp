#include "smartcar/QtPayloadDecoder.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>

namespace smartcar {

namespace {

// The walk over Qt's DOM. Its own namespace: in a unity build this file shares a translation unit
// with PayloadDecoder.cpp, whose simdjson walk has functions of the same names.
namespace qtwalk {

// Identity and signal keys and VERIFY challenges must be strings: a number or anything else in
// their place names nothing ("42" would otherwise become a vehicle or signal of its own, or a
// challenge this endpoint signs). An eventId changes no state; a numeric one is still read as its
// text so that retries of it stay duplicates.
QString textOf(const QJsonValue &v) {
    return v.isString() ? v.toString() : QString();
}

// A field that is either absent or of its documented type; anything else makes the part that holds
// it unusable for the fleet state (the delivery itself is kept whole in the journal).
bool absentOr(const QJsonObject &o, QLatin1String key, bool (QJsonValue::*isType)() const) {
    const auto it = o.constFind(key);
    return it == o.constEnd() || (QJsonValue(*it).*isType)();
}

QString triggerCode(const QJsonValue &trigger) {
    if (trigger.isString())
        return trigger.toString().contains(QLatin1Char('.'))
                   ? PayloadDecoding::codeFromDotted(trigger.toString())
                   : trigger.toString();
    const QJsonObject t = trigger.toObject();
    if (t.value(QLatin1String("code")).isString())
        return t.value(QLatin1String("code")).toString();
    const QJsonValue signal = t.value(QLatin1String("signal"));
    if (signal.isObject() && signal.toObject().value(QLatin1String("code")).isString())
        return signal.toObject().value(QLatin1String("code")).toString();
    if (signal.isString())
        return PayloadDecoding::codeFromDotted(signal.toString());
    return textOf(t.value(QLatin1String("type"))); // FIRST_DELIVERY and other signal-less triggers
}

// A signal timestamp that is present must be readable: epoch ms in [0, 1e15] (0 marks static
// attributes) or an ISO date. An unreadable one must not turn into 0, which wins over every reading.
bool readableTime(const QJsonObject &meta, QLatin1String key) {
    const auto it = meta.constFind(key);
    if (it == meta.constEnd())
        return true;
    const QJsonValue v = *it;
    if (v.isDouble())
        return v.toDouble() >= 0 && v.toDouble() <= 1e15;
    return v.isString() && PayloadDecoding::millisOf(v) != 0;
}

void decodeTriggers(const QJsonValue &triggers, model::VehicleEvent &event) {
    const QJsonArray list = triggers.toArray();
    for (const QJsonValue &trigger : list) {
        const QString code = triggerCode(trigger);
        if (!code.isEmpty())
            event.triggers.append(code);
    }
}

// Whether a signal's fields have the types the fleet state relies on. A signal that fails is left
// out of the event (it changes nothing), so one wrongly typed field cannot blank or replace a good
// reading: a body that is not an object, an unreadable timestamp, an error status that no longer
// reads as one.
bool isWellTyped(const QJsonObject &s) {
    using V = QJsonValue;
    if (!absentOr(s, QLatin1String("code"), &V::isString) ||
        !absentOr(s, QLatin1String("name"), &V::isString) ||
        !absentOr(s, QLatin1String("group"), &V::isString) ||
        !absentOr(s, QLatin1String("body"), &V::isObject) ||
        !absentOr(s, QLatin1String("meta"), &V::isObject) ||
        !absentOr(s, QLatin1String("status"), &V::isObject))
        return false;
    const QJsonObject meta = s.value(QLatin1String("meta")).toObject();
    if (!readableTime(meta, QLatin1String("oemUpdatedAt")) ||
        !readableTime(meta, QLatin1String("retrievedAt")) || !readableTime(meta, QLatin1String("fetchedAt")))
        return false;
    const QJsonObject status = s.value(QLatin1String("status")).toObject();
    if (!absentOr(status, QLatin1String("value"), &V::isString) ||
        !absentOr(status, QLatin1String("error"), &V::isObject))
        return false;
    // Without a body only an error status says something (the read failed); a signal with neither
    // would replace the last good body with nothing.
    const bool inError = status.value(QLatin1String("value"))
                             .toString()
                             .compare(QLatin1String("ERROR"), Qt::CaseInsensitive) == 0;
    return s.contains(QLatin1String("body")) || inError;
}

model::SignalValue decodeSignal(const QJsonObject &s) {
    model::SignalValue value;
    value.code = textOf(s.value(QLatin1String("code")));
    value.name = textOf(s.value(QLatin1String("name")));
    value.group = textOf(s.value(QLatin1String("group")));
    if (value.code.isEmpty() && !value.group.isEmpty() && !value.name.isEmpty())
        value.code = (value.group + QLatin1Char('-') + value.name).toLower();
    value.body = s.value(QLatin1String("body")).toObject();
    const QJsonObject meta = s.value(QLatin1String("meta")).toObject();
    value.oemUpdatedAt = PayloadDecoding::millisOf(meta.value(QLatin1String("oemUpdatedAt")));
    value.retrievedAt = PayloadDecoding::millisOf(meta.contains(QLatin1String("fetchedAt"))
                                                      ? meta.value(QLatin1String("fetchedAt"))
                                                      : meta.value(QLatin1String("retrievedAt")));
    const QJsonObject status = s.value(QLatin1String("status")).toObject();
    if (PayloadDecoding::stringOf(status.value(QLatin1String("value")))
            .compare(QLatin1String("ERROR"), Qt::CaseInsensitive) == 0) {
        value.error = status.value(QLatin1String("error")).toObject();
        if (value.error.isEmpty())
            value.error.insert(QLatin1String("type"), QLatin1String("UNKNOWN"));
    }
    return value;
}

// Signals come as an array of objects (every real capture) or, in one illustrative doc page, as an
// object keyed by "Group.Name"; both are read.
void decodeSignals(const QJsonValue &signalsValue, model::VehicleEvent &event) {
    if (signalsValue.isArray()) {
        const QJsonArray list = signalsValue.toArray();
        for (const QJsonValue &s : list) {
            if (!s.isObject() || !isWellTyped(s.toObject()))
                continue;
            model::SignalValue value = decodeSignal(s.toObject());
            if (!value.code.isEmpty())
                event.signalValues.append(std::move(value));
        }
    } else if (signalsValue.isObject()) {
        const QJsonObject map = signalsValue.toObject();
        for (auto it = map.begin(); it != map.end(); ++it) {
            if (!it.value().isObject() || !isWellTyped(it.value().toObject()))
                continue;
            QJsonObject s = it.value().toObject();
            if (!s.contains(QLatin1String("code")))
                s.insert(QLatin1String("code"), PayloadDecoding::codeFromDotted(it.key()));
            event.signalValues.append(decodeSignal(s));
        }
    }
}

void decodeErrors(const QJsonValue &errorsValue, model::VehicleEvent &event) {
    const QJsonArray list = errorsValue.toArray();
    for (const QJsonValue &e : list) {
        // An entry that is no object, or names no error type, would open an error with an empty key.
        if (!e.isObject() || !e.toObject().value(QLatin1String("type")).isString())
            continue;
        const QJsonObject o = e.toObject();
        model::VehicleError error;
        error.type = PayloadDecoding::stringOf(o.value(QLatin1String("type")));
        error.code = PayloadDecoding::stringOf(o.value(QLatin1String("code")));
        error.state = PayloadDecoding::stringOf(o.value(QLatin1String("state")));
        if (error.state.isEmpty())
            error.state = QStringLiteral("ERROR");
        error.description = PayloadDecoding::stringOf(o.value(QLatin1String("description")));
        error.suggestedUserMessage =
            PayloadDecoding::stringOf(o.value(QLatin1String("suggestedUserMessage")));
        error.docUrl = PayloadDecoding::stringOf(o.value(QLatin1String("docURL")));
        error.resolutionType = PayloadDecoding::stringOf(
            o.value(QLatin1String("resolution")).toObject().value(QLatin1String("type")));
        const QJsonArray signalList = o.value(QLatin1String("signals")).toArray();
        for (const QJsonValue &s : signalList) {
            if (s.isString())
                error.signalCodes.append(PayloadDecoding::codeFromDotted(s.toString()));
            else if (s.isObject() && s.toObject().value(QLatin1String("code")).isString())
                error.signalCodes.append(s.toObject().value(QLatin1String("code")).toString());
        }
        event.errors.append(std::move(error));
    }
}

void decodeVehicle(const QJsonObject &root, const QJsonObject &data, model::VehicleEvent &event) {
    const QJsonObject vehicle = data.value(QLatin1String("vehicle")).toObject();
    // Real captures carry the id only in data.vehicle; the documented envelope has it at the top.
    event.vehicleId = textOf(vehicle.value(QLatin1String("id")));
    if (event.vehicleId.isEmpty())
        event.vehicleId = textOf(root.value(QLatin1String("vehicleId")));
    if (event.vehicleId.isEmpty())
        event.vehicleId = textOf(data.value(QLatin1String("vehicleId")));
    event.make = textOf(vehicle.value(QLatin1String("make")));
    event.model = textOf(vehicle.value(QLatin1String("model")));
    event.vin = textOf(vehicle.value(QLatin1String("vin")));
    const QJsonValue year = vehicle.value(QLatin1String("year"));
    // A model year is a positive integer (a numeric string tolerated); anything else is no year.
    event.year = std::max(0, year.isDouble() ? year.toInt() : textOf(year).toInt());
}

void decodeUnified(const QJsonObject &root, PayloadDecoding::Result &result) {
    model::VehicleEvent &event = result.event;
    const QJsonObject data = root.value(QLatin1String("data")).toObject();
    const QJsonObject meta = root.value(QLatin1String("meta")).toObject();
    event.eventId = PayloadDecoding::stringOf(root.value(QLatin1String("eventId")));
    event.mode = PayloadDecoding::stringOf(meta.value(QLatin1String("mode")));
    event.deliveredAt = PayloadDecoding::millisOf(meta.value(QLatin1String("deliveredAt")),
                                                  PayloadDecoding::SmallNumbers::AreSeconds);

    const QString type = event.eventType.toUpper();
    if (type == QLatin1String("VERIFY")) {
        event.kind = model::VehicleEvent::Kind::Verify;
        result.challenge = textOf(data.value(QLatin1String("challenge"))).toUtf8();
        return;
    }
    decodeVehicle(root, data, event);
    if (type == QLatin1String("VEHICLE_STATE")) {
        event.kind = model::VehicleEvent::Kind::State;
        decodeSignals(data.value(QLatin1String("signals")), event);
        decodeTriggers(root.contains(QLatin1String("triggers")) ? root.value(QLatin1String("triggers"))
                                                                : data.value(QLatin1String("triggers")),
                       event);
    } else if (type == QLatin1String("VEHICLE_ERROR")) {
        event.kind = model::VehicleEvent::Kind::Error;
        decodeErrors(data.value(QLatin1String("errors")), event);
    }
}

void decodeLegacy(const QJsonObject &root, PayloadDecoding::Result &result) {
    model::VehicleEvent &event = result.event;
    const QJsonObject payload = root.value(QLatin1String("payload")).toObject();
    event.mode = PayloadDecoding::stringOf(root.value(QLatin1String("mode")));
    if (event.eventType.compare(QLatin1String("verify"), Qt::CaseInsensitive) == 0) {
        event.kind = model::VehicleEvent::Kind::Verify;
        result.challenge = textOf(payload.value(QLatin1String("challenge"))).toUtf8();
        return;
    }
    // eventBased / schedule(d) / dynamic: stored and acknowledged; only ids are read from them.
    event.eventId = PayloadDecoding::stringOf(payload.value(QLatin1String("eventId")));
    event.vehicleId = textOf(payload.value(QLatin1String("vehicleId")));
    event.deliveredAt = PayloadDecoding::millisOf(payload.value(QLatin1String("eventTime")));
}

} // namespace qtwalk

} // namespace

QtPayloadDecoder::Result QtPayloadDecoder::decode(const QByteArray &raw) {
    Result result;
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(raw, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        result.error = QStringLiteral("body is not valid JSON: %1 at offset %2")
                           .arg(parseError.errorString())
                           .arg(parseError.offset);
        return result;
    }
    if (!document.isObject()) {
        result.error = QStringLiteral("body is JSON but not an object");
        return result;
    }
    result.ok = true;
    const QJsonObject root = document.object();
    if (root.value(QLatin1String("eventType")).isString()) {
        result.event.eventType = root.value(QLatin1String("eventType")).toString();
        qtwalk::decodeUnified(root, result);
    } else if (root.value(QLatin1String("eventName")).isString()) {
        result.event.eventType = root.value(QLatin1String("eventName")).toString();
        qtwalk::decodeLegacy(root, result);
    }
    return result;
}

} // namespace smartcar
