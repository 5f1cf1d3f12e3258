#include "smartcar/PayloadDecoder.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <simdjson.h>
#include <string_view>

namespace smartcar {

namespace {

QString stringOf(const QJsonValue &v) {
    if (v.isString())
        return v.toString();
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 17);
    return {};
}

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

enum class SmallNumbers { AreMillis, AreSeconds };

// Epoch milliseconds from a number or an ISO string. One documented deliveredAt reads 1700000000,
// seconds by the look of it; where that quirk was seen, numbers too small to be ms are seconds.
qint64 millisOf(const QJsonValue &v, SmallNumbers small = SmallNumbers::AreMillis) {
    if (v.isDouble()) {
        const double d = v.toDouble();
        if (d <= 0 || d > 1e15)
            return 0;
        return (small == SmallNumbers::AreSeconds && d < 1e11) ? qint64(d * 1000.0) : qint64(d);
    }
    if (v.isString()) {
        const QDateTime t = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
        return t.isValid() ? t.toMSecsSinceEpoch() : 0;
    }
    return 0;
}

// "Group.Name" -> "group-name", the code form used everywhere else.
QString codeFromDotted(const QString &dotted) {
    const qsizetype dot = dotted.indexOf(QLatin1Char('.'));
    if (dot <= 0)
        return dotted.toLower();
    return (dotted.left(dot) + QLatin1Char('-') + dotted.mid(dot + 1)).toLower();
}

QString triggerCode(const QJsonValue &trigger) {
    if (trigger.isString())
        return trigger.toString().contains(QLatin1Char('.')) ? codeFromDotted(trigger.toString())
                                                             : trigger.toString();
    const QJsonObject t = trigger.toObject();
    if (t.value(QLatin1String("code")).isString())
        return t.value(QLatin1String("code")).toString();
    const QJsonValue signal = t.value(QLatin1String("signal"));
    if (signal.isObject() && signal.toObject().value(QLatin1String("code")).isString())
        return signal.toObject().value(QLatin1String("code")).toString();
    if (signal.isString())
        return codeFromDotted(signal.toString());
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
    return v.isString() && millisOf(v) != 0;
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
    value.oemUpdatedAt = millisOf(meta.value(QLatin1String("oemUpdatedAt")));
    value.retrievedAt =
        millisOf(meta.contains(QLatin1String("fetchedAt")) ? meta.value(QLatin1String("fetchedAt"))
                                                           : meta.value(QLatin1String("retrievedAt")));
    const QJsonObject status = s.value(QLatin1String("status")).toObject();
    if (stringOf(status.value(QLatin1String("value"))).compare(QLatin1String("ERROR"), Qt::CaseInsensitive) ==
        0) {
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
                s.insert(QLatin1String("code"), codeFromDotted(it.key()));
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
        error.type = stringOf(o.value(QLatin1String("type")));
        error.code = stringOf(o.value(QLatin1String("code")));
        error.state = stringOf(o.value(QLatin1String("state")));
        if (error.state.isEmpty())
            error.state = QStringLiteral("ERROR");
        error.description = stringOf(o.value(QLatin1String("description")));
        error.suggestedUserMessage = stringOf(o.value(QLatin1String("suggestedUserMessage")));
        error.docUrl = stringOf(o.value(QLatin1String("docURL")));
        error.resolutionType =
            stringOf(o.value(QLatin1String("resolution")).toObject().value(QLatin1String("type")));
        const QJsonArray signalList = o.value(QLatin1String("signals")).toArray();
        for (const QJsonValue &s : signalList) {
            if (s.isString())
                error.signalCodes.append(codeFromDotted(s.toString()));
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

void decodeUnified(const QJsonObject &root, PayloadDecoder::Result &result) {
    model::VehicleEvent &event = result.event;
    const QJsonObject data = root.value(QLatin1String("data")).toObject();
    const QJsonObject meta = root.value(QLatin1String("meta")).toObject();
    event.eventId = stringOf(root.value(QLatin1String("eventId")));
    event.mode = stringOf(meta.value(QLatin1String("mode")));
    event.deliveredAt = millisOf(meta.value(QLatin1String("deliveredAt")), SmallNumbers::AreSeconds);

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

void decodeLegacy(const QJsonObject &root, PayloadDecoder::Result &result) {
    model::VehicleEvent &event = result.event;
    const QJsonObject payload = root.value(QLatin1String("payload")).toObject();
    event.mode = stringOf(root.value(QLatin1String("mode")));
    if (event.eventType.compare(QLatin1String("verify"), Qt::CaseInsensitive) == 0) {
        event.kind = model::VehicleEvent::Kind::Verify;
        result.challenge = textOf(payload.value(QLatin1String("challenge"))).toUtf8();
        return;
    }
    // eventBased / schedule(d) / dynamic: stored and acknowledged; only ids are read from them.
    event.eventId = stringOf(payload.value(QLatin1String("eventId")));
    event.vehicleId = textOf(payload.value(QLatin1String("vehicleId")));
    event.deliveredAt = millisOf(payload.value(QLatin1String("eventTime")));
}

// ---- The fast path: simdjson's DOM, walked once per object ------------------------------------
//
// simdjson parses a delivery in a fraction of the time QJsonDocument takes and allocates nothing
// per value; the walk below reads each object's fields in one pass (a later occurrence of a key
// replacing an earlier one, as in Qt's parser) and converts only what the event keeps. It takes
// a body only where the two parsers provably agree; everything else goes to the Qt walk above, so
// Qt's rules stay the contract for hostile input:
// - simdjson refuses what Qt also refuses (invalid UTF-8, depth > 1024, 1e999999) and some things
//   Qt accepts (an escaped lone surrogate, unescaped control characters, ".5", integers beyond
//   64 bits, a BOM): every refusal falls back, and Qt decides and words the error.
// - simdjson rounds a number that underflows (1e-999999) to 0 where Qt refuses it: a body holding
//   a floating-point zero anywhere falls back.
// - A body that is no object, a legacy (eventName) delivery and signals keyed by name (the rare
//   forms) fall back too.
namespace fast {

namespace dom = simdjson::dom;

// Bodies larger than this (no real delivery comes near it) take the Qt path, so that the parser
// each thread keeps never grows past a few hundred KiB for one hostile megabyte.
constexpr size_t kMaxBytes = 64 * 1024;

struct Field {
    dom::element value;
    bool present = false;

    bool is(dom::element_type type) const { return present && value.type() == type; }
    bool isString() const { return is(dom::element_type::STRING); }
    bool isObject() const { return is(dom::element_type::OBJECT); }
    bool isArray() const { return is(dom::element_type::ARRAY); }
    bool isNumber() const {
        return present &&
               (value.type() == dom::element_type::INT64 || value.type() == dom::element_type::UINT64 ||
                value.type() == dom::element_type::DOUBLE);
    }
    std::string_view string() const { return value.get_string().value_unsafe(); }
    dom::object object() const;
    dom::array array() const;
};

// The fields named in keys, each at its last occurrence, in one pass over the object.
template <size_t N>
std::array<Field, N> fieldsOf(dom::object o, const std::array<std::string_view, N> &keys) {
    std::array<Field, N> out{};
    for (const dom::key_value_pair field : o) {
        for (size_t i = 0; i < N; ++i) {
            if (field.key == keys[i]) {
                out[i] = {field.value, true};
                break;
            }
        }
    }
    return out;
}
template <size_t N>
std::array<Field, N> fieldsOf(const Field &f, const std::array<std::string_view, N> &keys) {
    return f.isObject() ? fieldsOf(f.object(), keys) : std::array<Field, N>{};
}

// Copies out of simdjson's results: a range-for over a temporary result's value would dangle.
dom::array arrayOf(dom::element e) {
    dom::array a;
    if (e.get_array().get(a) != simdjson::SUCCESS)
        return {}; // never: callers check the type first
    return a;
}
dom::object objectIn(dom::element e) {
    dom::object o;
    if (e.get_object().get(o) != simdjson::SUCCESS)
        return {}; // never: callers check the type first
    return o;
}

dom::object Field::object() const {
    return objectIn(value);
}
dom::array Field::array() const {
    return arrayOf(value);
}

QString qstring(std::string_view s) {
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

bool isAscii(std::string_view s) {
    for (const char c : s)
        if (uchar(c) >= 0x80)
            return false;
    return true;
}

QJsonObject objectOf(dom::object o);

// Values as Qt's parser stores them: integers that fit 64 signed bits as integers, other numbers
// as doubles.
QJsonValue valueOf(dom::element e) {
    switch (e.type()) {
    case dom::element_type::OBJECT:
        return objectOf(objectIn(e));
    case dom::element_type::ARRAY: {
        QJsonArray list;
        for (const dom::element item : arrayOf(e))
            list.append(valueOf(item));
        return list;
    }
    case dom::element_type::STRING:
        return qstring(e.get_string().value_unsafe());
    case dom::element_type::INT64:
        return QJsonValue(qint64(e.get_int64().value_unsafe()));
    case dom::element_type::UINT64:
        return QJsonValue(double(e.get_uint64().value_unsafe()));
    case dom::element_type::DOUBLE:
        return QJsonValue(e.get_double().value_unsafe());
    case dom::element_type::BOOL:
        return QJsonValue(e.get_bool().value_unsafe());
    case dom::element_type::NULL_VALUE:
        break;
    }
    return QJsonValue(QJsonValue::Null);
}

// insert() replaces an earlier occurrence: the last one wins, as in Qt's parser.
QJsonObject objectOf(dom::object o) {
    QJsonObject object;
    for (const dom::key_value_pair field : o) {
        if (isAscii(field.key))
            object.insert(QLatin1String(field.key.data(), qsizetype(field.key.size())), valueOf(field.value));
        else
            object.insert(qstring(field.key), valueOf(field.value));
    }
    return object;
}

// What the shared helpers above read: absent is undefined, containers are never read as scalars.
QJsonValue scalarOf(const Field &f) {
    if (!f.present)
        return QJsonValue(QJsonValue::Undefined);
    if (f.isObject() || f.isArray())
        return QJsonValue(QJsonValue::Null); // neither string nor number: read as nothing
    return valueOf(f.value);
}

QString textOf(const Field &f) {
    return f.isString() ? qstring(f.string()) : QString();
}
QString stringOf(const Field &f) {
    return f.isString() || f.isNumber() ? smartcar::stringOf(scalarOf(f)) : QString();
}

// Whether the document holds a floating-point zero, which may be a number that underflowed
// (1e-999999): Qt's parser refuses those, simdjson reads 0. One pass over simdjson's tape (its
// documented DOM layout, doc/tape.md): a 64-bit word per value with the type in the top byte;
// numbers ('d' double, 'l' int64, 'u' uint64) take one more word holding the value; the root word
// holds the index of the document's last word.
bool holdsFloatZero(const dom::document &document) {
    constexpr uint64_t kPayload = (uint64_t(1) << 56) - 1;
    const uint64_t *tape = document.tape.get();
    const uint64_t end = tape[0] & kPayload;
    for (uint64_t i = 1; i < end; ++i) {
        switch (char(tape[i] >> 56)) {
        case 'd':
            if ((tape[i + 1] << 1) == 0) // +0.0 or -0.0
                return true;
            ++i;
            break;
        case 'l':
        case 'u':
            ++i;
            break;
        default:
            break;
        }
    }
    return false;
}

bool readableTime(const Field &f) {
    if (!f.present)
        return true;
    if (f.isNumber()) {
        const double d = scalarOf(f).toDouble();
        return d >= 0 && d <= 1e15;
    }
    return f.isString() && millisOf(scalarOf(f)) != 0;
}

// status.value compared as the Qt walk does (case-insensitively with "ERROR") without a QString per
// signal: no character outside ASCII folds to E, R or O, so five ASCII bytes are the only match.
bool isError(const Field &statusValue) {
    if (!statusValue.isString())
        return false;
    const std::string_view text = statusValue.string();
    return text.size() == 5 && std::equal(text.begin(), text.end(), "ERROR", [](char a, char b) {
               return (a >= 'a' && a <= 'z' ? char(a - 'a' + 'A') : a) == b;
           });
}

// isWellTyped and decodeSignal of the Qt walk, reading each object once.
void decodeSignal(dom::object s, model::VehicleEvent &event) {
    static constexpr std::array<std::string_view, 6> keys{"code", "name", "group", "body", "meta", "status"};
    const auto [code, name, group, body, meta, status] = fieldsOf(s, keys);
    const auto absentOr = [](const Field &f, dom::element_type type) { return !f.present || f.is(type); };
    using T = dom::element_type;
    if (!absentOr(code, T::STRING) || !absentOr(name, T::STRING) || !absentOr(group, T::STRING) ||
        !absentOr(body, T::OBJECT) || !absentOr(meta, T::OBJECT) || !absentOr(status, T::OBJECT))
        return;
    static constexpr std::array<std::string_view, 3> metaKeys{"oemUpdatedAt", "retrievedAt", "fetchedAt"};
    const auto [oemUpdatedAt, retrievedAt, fetchedAt] = fieldsOf(meta, metaKeys);
    if (!readableTime(oemUpdatedAt) || !readableTime(retrievedAt) || !readableTime(fetchedAt))
        return;
    static constexpr std::array<std::string_view, 2> statusKeys{"value", "error"};
    const auto [statusValue, statusError] = fieldsOf(status, statusKeys);
    if (!absentOr(statusValue, T::STRING) || !absentOr(statusError, T::OBJECT))
        return;
    const bool inError = isError(statusValue);
    if (!body.present && !inError)
        return;

    model::SignalValue value;
    value.code = textOf(code);
    value.name = textOf(name);
    value.group = textOf(group);
    if (value.code.isEmpty() && !value.group.isEmpty() && !value.name.isEmpty())
        value.code = (value.group + QLatin1Char('-') + value.name).toLower();
    if (value.code.isEmpty())
        return;
    if (body.present)
        value.body = objectOf(body.object());
    value.oemUpdatedAt = millisOf(scalarOf(oemUpdatedAt));
    value.retrievedAt = millisOf(scalarOf(fetchedAt.present ? fetchedAt : retrievedAt));
    if (inError) {
        if (statusError.present)
            value.error = objectOf(statusError.object());
        if (value.error.isEmpty())
            value.error.insert(QLatin1String("type"), QLatin1String("UNKNOWN"));
    }
    event.signalValues.append(std::move(value));
}

QString triggerCode(dom::element trigger) {
    if (trigger.type() == dom::element_type::STRING) {
        const QString text = qstring(trigger.get_string().value_unsafe());
        return text.contains(QLatin1Char('.')) ? codeFromDotted(text) : text;
    }
    if (trigger.type() != dom::element_type::OBJECT)
        return {};
    static constexpr std::array<std::string_view, 3> keys{"code", "signal", "type"};
    const auto [code, signal, type] = fieldsOf(objectIn(trigger), keys);
    if (code.isString())
        return qstring(code.string());
    if (signal.isObject()) {
        static constexpr std::array<std::string_view, 1> signalKeys{"code"};
        const auto [signalCode] = fieldsOf(signal.object(), signalKeys);
        if (signalCode.isString())
            return qstring(signalCode.string());
    }
    if (signal.isString())
        return codeFromDotted(qstring(signal.string()));
    return textOf(type); // FIRST_DELIVERY and other signal-less triggers
}

void decodeErrors(const Field &errors, model::VehicleEvent &event) {
    if (!errors.isArray())
        return;
    for (const dom::element e : errors.array()) {
        if (e.type() != dom::element_type::OBJECT)
            continue;
        static constexpr std::array<std::string_view, 8> keys{
            "type",   "code",       "state",  "description", "suggestedUserMessage",
            "docURL", "resolution", "signals"};
        const auto [type, code, state, description, message, docUrl, resolution, signalList] =
            fieldsOf(objectIn(e), keys);
        // An entry that names no error type would open an error with an empty key.
        if (!type.isString())
            continue;
        model::VehicleError error;
        error.type = qstring(type.string());
        error.code = stringOf(code);
        error.state = stringOf(state);
        if (error.state.isEmpty())
            error.state = QStringLiteral("ERROR");
        error.description = stringOf(description);
        error.suggestedUserMessage = stringOf(message);
        error.docUrl = stringOf(docUrl);
        static constexpr std::array<std::string_view, 1> resolutionKeys{"type"};
        error.resolutionType = stringOf(fieldsOf(resolution, resolutionKeys)[0]);
        if (signalList.isArray()) {
            for (const dom::element s : signalList.array()) {
                if (s.type() == dom::element_type::STRING) {
                    error.signalCodes.append(codeFromDotted(qstring(s.get_string().value_unsafe())));
                } else if (s.type() == dom::element_type::OBJECT) {
                    static constexpr std::array<std::string_view, 1> codeKeys{"code"};
                    const auto [signalCode] = fieldsOf(objectIn(s), codeKeys);
                    if (signalCode.isString())
                        error.signalCodes.append(qstring(signalCode.string()));
                }
            }
        }
        event.errors.append(std::move(error));
    }
}

// One parser and one padded copy of the body per thread: no allocation per delivery once warm.
struct ThreadParser {
    dom::parser parser;
    std::unique_ptr<char[]> buffer;
    size_t capacity = 0;
};

// Decodes a unified delivery as the Qt walk does; false when the body must take the Qt path.
bool decode(const QByteArray &raw, PayloadDecoder::Result &result) {
    const size_t size = size_t(raw.size());
    if (size > kMaxBytes)
        return false;
    thread_local ThreadParser local;
    if (local.capacity < size + simdjson::SIMDJSON_PADDING) {
        local.capacity = std::max<size_t>(size + simdjson::SIMDJSON_PADDING, 8 * 1024);
        local.buffer = std::make_unique<char[]>(local.capacity);
    }
    std::memcpy(local.buffer.get(), raw.constData(), size);
    std::memset(local.buffer.get() + size, 0, simdjson::SIMDJSON_PADDING);
    dom::element document;
    if (local.parser.parse(local.buffer.get(), size, false).get(document) != simdjson::SUCCESS)
        return false;
    if (document.type() != dom::element_type::OBJECT || holdsFloatZero(local.parser.doc))
        return false;

    static constexpr std::array<std::string_view, 7> rootKeys{"eventType", "eventName", "eventId", "data",
                                                              "meta",      "vehicleId", "triggers"};
    const auto [eventType, eventName, eventId, data, meta, rootVehicleId, rootTriggers] =
        fieldsOf(objectIn(document), rootKeys);
    if (!eventType.isString())
        return false; // legacy (eventName) or no type at all: rare, read by the Qt walk

    model::VehicleEvent &event = result.event;
    event.eventType = qstring(eventType.string());
    event.eventId = stringOf(eventId);
    static constexpr std::array<std::string_view, 2> metaKeys{"mode", "deliveredAt"};
    const auto [mode, deliveredAt] = fieldsOf(meta, metaKeys);
    event.mode = stringOf(mode);
    event.deliveredAt = millisOf(scalarOf(deliveredAt), SmallNumbers::AreSeconds);

    static constexpr std::array<std::string_view, 6> dataKeys{"challenge", "vehicle",  "vehicleId",
                                                              "signals",   "triggers", "errors"};
    const auto [challenge, vehicle, dataVehicleId, signalList, dataTriggers, errors] =
        fieldsOf(data, dataKeys);
    const QString type = event.eventType.toUpper();
    if (type == QLatin1String("VEHICLE_STATE") && signalList.isObject())
        return false; // signals keyed by name (one illustrative doc page): read by the Qt walk
    if (type == QLatin1String("VERIFY")) {
        event.kind = model::VehicleEvent::Kind::Verify;
        if (challenge.isString())
            result.challenge = QByteArray(challenge.string().data(), qsizetype(challenge.string().size()));
        result.ok = true;
        return true;
    }

    // Real captures carry the id only in data.vehicle; the documented envelope has it at the top.
    static constexpr std::array<std::string_view, 5> vehicleKeys{"id", "make", "model", "vin", "year"};
    const auto [id, make, vehicleModel, vin, year] = fieldsOf(vehicle, vehicleKeys);
    event.vehicleId = textOf(id);
    if (event.vehicleId.isEmpty())
        event.vehicleId = textOf(rootVehicleId);
    if (event.vehicleId.isEmpty())
        event.vehicleId = textOf(dataVehicleId);
    event.make = textOf(make);
    event.model = textOf(vehicleModel);
    event.vin = textOf(vin);
    // A model year is a positive integer (a numeric string tolerated); anything else is no year.
    event.year = std::max(0, year.isNumber() ? scalarOf(year).toInt() : textOf(year).toInt());

    if (type == QLatin1String("VEHICLE_STATE")) {
        event.kind = model::VehicleEvent::Kind::State;
        if (signalList.isArray()) {
            const dom::array list = signalList.array();
            event.signalValues.reserve(qsizetype(list.size()));
            for (const dom::element s : list)
                if (s.type() == dom::element_type::OBJECT)
                    decodeSignal(objectIn(s), event);
        }
        const Field &triggers = rootTriggers.present ? rootTriggers : dataTriggers;
        if (triggers.isArray()) {
            for (const dom::element trigger : triggers.array()) {
                const QString code = triggerCode(trigger);
                if (!code.isEmpty())
                    event.triggers.append(code);
            }
        }
    } else if (type == QLatin1String("VEHICLE_ERROR")) {
        event.kind = model::VehicleEvent::Kind::Error;
        decodeErrors(errors, event);
    }
    result.ok = true;
    return true;
}

} // namespace fast

} // namespace

PayloadDecoder::Result PayloadDecoder::decodeWithQtParser(const QByteArray &raw) {
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
        decodeUnified(root, result);
    } else if (root.value(QLatin1String("eventName")).isString()) {
        result.event.eventType = root.value(QLatin1String("eventName")).toString();
        decodeLegacy(root, result);
    }
    return result;
}

PayloadDecoder::Result PayloadDecoder::decode(const QByteArray &raw) {
    Result result;
    if (fast::decode(raw, result))
        return result;
    return decodeWithQtParser(raw);
}

} // namespace smartcar
