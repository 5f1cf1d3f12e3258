#include "smartcar/PayloadDecoder.h"

#include "model/SharedObjectCache.h"
#include "smartcar/QtPayloadDecoder.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <simdjson.h>
#include <string>
#include <string_view>

namespace smartcar {

namespace {

// The fast path: simdjson's DOM, walked once per object.
//
// simdjson parses a delivery in a fraction of the time QJsonDocument takes and allocates nothing
// per value; the walk below reads each object's fields in one pass (a later occurrence of a key
// replacing an earlier one, as in Qt's parser) and converts only what the event keeps. It takes
// a body only where the two parsers provably agree; everything else goes to QtPayloadDecoder, so
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

// Bodies larger than this (no real delivery comes near it) go to QtPayloadDecoder, so that the
// parser each thread keeps never grows past a few hundred KiB for one hostile megabyte.
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

// A scalar as Qt's parser stores it: integers that fit 64 signed bits as integers, other numbers as
// doubles. Containers are not scalars: callers check (scalarOf).
QJsonValue valueOf(dom::element e) {
    switch (e.type()) {
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
    case dom::element_type::OBJECT:
    case dom::element_type::ARRAY:
    case dom::element_type::NULL_VALUE:
        break;
    }
    return QJsonValue(QJsonValue::Null);
}

// Appends the exact content of a value: each value's type and raw bytes, keys and strings after
// their lengths, so that equal bytes mean equal objects. (An integer 1 and a double 1.0 differ
// here, though Qt reads both as the integer 1: the key errs on the side of building again.) Each
// part announces itself, so no two contents run together alike: o, k-prefixed keys with their
// values, } (object); a, values, ] (array); s (string); l, u, d (int64, uint64, double: 8 bytes
// each); t, f, n.
void appendSized(std::string_view text, std::string &out) {
    const quint32 size = quint32(text.size());
    out.append(reinterpret_cast<const char *>(&size), sizeof size).append(text);
}
void appendContent(dom::element e, std::string &out);
void appendContent(dom::object o, std::string &out) {
    out.push_back('o');
    for (const dom::key_value_pair field : o) {
        out.push_back('k');
        appendSized(field.key, out);
        appendContent(field.value, out);
    }
    out.push_back('}');
}
void appendContent(dom::element e, std::string &out) {
    const auto appendWord = [&out](char tag, const auto &value) {
        out.push_back(tag);
        out.append(reinterpret_cast<const char *>(&value), sizeof value);
    };
    switch (e.type()) {
    case dom::element_type::OBJECT:
        appendContent(objectIn(e), out);
        return;
    case dom::element_type::ARRAY:
        out.push_back('a');
        for (const dom::element item : arrayOf(e))
            appendContent(item, out);
        out.push_back(']');
        return;
    case dom::element_type::STRING:
        out.push_back('s');
        appendSized(e.get_string().value_unsafe(), out);
        return;
    case dom::element_type::INT64:
        appendWord('l', e.get_int64().value_unsafe());
        return;
    case dom::element_type::UINT64:
        appendWord('u', e.get_uint64().value_unsafe());
        return;
    case dom::element_type::DOUBLE:
        appendWord('d', e.get_double().value_unsafe());
        return;
    case dom::element_type::BOOL:
        out.push_back(e.get_bool().value_unsafe() ? 't' : 'f');
        return;
    case dom::element_type::NULL_VALUE:
        out.push_back('n');
        return;
    }
}

// Signal bodies and errors as QJsonObjects, through the thread's SharedObjectCache: the same content
// gives the same shared object. A new one is built by Qt's own parser from simdjson's compact
// rewrite of the object: half the instructions of inserting key by key (every insert allocates
// its key and value), and by construction what QtPayloadDecoder reads from the same object, as the
// rewrite keeps every key and string and prints each number in its shortest form that reads back
// exactly.
struct SharedBodies {
    model::SharedObjectCache cache;
    std::string content;     // reused for every key: its capacity stays
    bool unreadable = false; // Qt's parser refused a rewrite (never seen): QtPayloadDecoder decides

    QJsonObject objectOf(dom::object o) {
        content.clear();
        appendContent(o, content);
        const QByteArray key = QByteArray::fromRawData(content.data(), qsizetype(content.size()));
        if (const QJsonObject *kept = cache.find(key))
            return *kept;
        const std::string text = simdjson::to_string(o);
        QJsonParseError error;
        const QJsonDocument document =
            QJsonDocument::fromJson(QByteArray::fromRawData(text.data(), qsizetype(text.size())), &error);
        if (error.error != QJsonParseError::NoError || !document.isObject()) {
            unreadable = true;
            return {};
        }
        const QJsonObject object = document.object();
        cache.keep(key, object);
        return object;
    }
};

// What PayloadDecoding's readings of scalars take: absent is undefined, containers are never read as scalars.
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
    return f.isString() || f.isNumber() ? PayloadDecoding::stringOf(scalarOf(f)) : QString();
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
    return f.isString() && PayloadDecoding::millisOf(scalarOf(f)) != 0;
}

// status.value compared as QtPayloadDecoder does (case-insensitively with "ERROR") without a QString
// per signal: no character outside ASCII folds to E, R or O, so five ASCII bytes are the only match.
bool isError(const Field &statusValue) {
    if (!statusValue.isString())
        return false;
    const std::string_view text = statusValue.string();
    return text.size() == 5 && std::equal(text.begin(), text.end(), "ERROR", [](char a, char b) {
               return (a >= 'a' && a <= 'z' ? char(a - 'a' + 'A') : a) == b;
           });
}

// QtPayloadDecoder's isWellTyped and decodeSignal, reading each object once.
void decodeSignal(dom::object s, model::VehicleEvent &event, SharedBodies &bodies) {
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
        value.body = bodies.objectOf(body.object());
    value.oemUpdatedAt = PayloadDecoding::millisOf(scalarOf(oemUpdatedAt));
    value.retrievedAt = PayloadDecoding::millisOf(scalarOf(fetchedAt.present ? fetchedAt : retrievedAt));
    if (inError) {
        if (statusError.present)
            value.error = bodies.objectOf(statusError.object());
        if (value.error.isEmpty())
            value.error.insert(QLatin1String("type"), QLatin1String("UNKNOWN"));
    }
    event.signalValues.append(std::move(value));
}

QString triggerCode(dom::element trigger) {
    if (trigger.type() == dom::element_type::STRING) {
        const QString text = qstring(trigger.get_string().value_unsafe());
        return text.contains(QLatin1Char('.')) ? PayloadDecoding::codeFromDotted(text) : text;
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
        return PayloadDecoding::codeFromDotted(qstring(signal.string()));
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
                    error.signalCodes.append(
                        PayloadDecoding::codeFromDotted(qstring(s.get_string().value_unsafe())));
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
    SharedBodies bodies;
    std::unique_ptr<char[]> buffer;
    size_t capacity = 0;
};

ThreadParser &threadParser() {
    thread_local ThreadParser local;
    return local;
}

// Decodes a unified delivery as QtPayloadDecoder does; false when the body must go to it instead.
bool decode(const QByteArray &raw, PayloadDecoder::Result &result) {
    const size_t size = size_t(raw.size());
    if (size > kMaxBytes)
        return false;
    ThreadParser &local = threadParser();
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
        return false; // legacy (eventName) or no type at all: rare, read by QtPayloadDecoder

    model::VehicleEvent &event = result.event;
    event.eventType = qstring(eventType.string());
    event.eventId = stringOf(eventId);
    static constexpr std::array<std::string_view, 2> metaKeys{"mode", "deliveredAt"};
    const auto [mode, deliveredAt] = fieldsOf(meta, metaKeys);
    event.mode = stringOf(mode);
    event.deliveredAt =
        PayloadDecoding::millisOf(scalarOf(deliveredAt), PayloadDecoding::SmallNumbers::AreSeconds);

    static constexpr std::array<std::string_view, 6> dataKeys{"challenge", "vehicle",  "vehicleId",
                                                              "signals",   "triggers", "errors"};
    const auto [challenge, vehicle, dataVehicleId, signalList, dataTriggers, errors] =
        fieldsOf(data, dataKeys);
    const QString type = event.eventType.toUpper();
    if (type == QLatin1String("VEHICLE_STATE") && signalList.isObject())
        return false; // signals keyed by name (one illustrative doc page): read by QtPayloadDecoder
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
            local.bodies.unreadable = false;
            for (const dom::element s : list)
                if (s.type() == dom::element_type::OBJECT)
                    decodeSignal(objectIn(s), event, local.bodies);
            if (local.bodies.unreadable)
                return false;
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

PayloadDecoder::Result PayloadDecoder::decode(const QByteArray &raw) {
    Result result;
    if (fast::decode(raw, result))
        return result;
    return QtPayloadDecoder::decode(raw);
}

model::SharedObjectCache::Counts PayloadDecoder::sharedBodies() {
    return fast::threadParser().bodies.cache.counts();
}

} // namespace smartcar
