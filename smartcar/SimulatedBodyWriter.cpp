#include "smartcar/SimulatedBodyWriter.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace smartcar::sim {

namespace {

// ---- JSON ---------------------------------------------------------------------------------------
// Built by hand: QJsonDocument is several times slower, and the load generator needs tens of
// thousands of bodies a second. Every string written is a fixed ASCII literal, a UUID, a VIN or a
// version number, so nothing needs escaping.

void put(QByteArray &b, const char *s) {
    b.append(s);
}
void putString(QByteArray &b, const char *s) {
    b.append('"');
    b.append(s);
    b.append('"');
}
void putString(QByteArray &b, const QByteArray &s) {
    b.append('"');
    b.append(s);
    b.append('"');
}
void putInt(QByteArray &b, qint64 v) {
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
    b.append(buffer, qsizetype(result.ptr - buffer));
}
void putBool(QByteArray &b, bool v) {
    b.append(v ? "true" : "false");
}
// Fixed decimals without trailing zeros: 42506.3, 52.2385, 167336.
void putNumber(QByteArray &b, double v, int decimals) {
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::fixed, decimals);
    char *end = result.ptr;
    if (decimals > 0) {
        while (end[-1] == '0')
            --end;
        if (end[-1] == '.')
            --end;
    }
    if (end - buffer == 2 && buffer[0] == '-' && buffer[1] == '0') {
        b.append('0');
        return;
    }
    b.append(buffer, qsizetype(end - buffer));
}

void putValueUnit(QByteArray &b, double value, int decimals, const char *unit) {
    put(b, "{\"value\":");
    putNumber(b, value, decimals);
    put(b, ",\"unit\":");
    putString(b, unit);
    b.append('}');
}

void putBoolValue(QByteArray &b, bool value) {
    put(b, "{\"value\":");
    putBool(b, value);
    b.append('}');
}

void putGrid(QByteArray &b, const std::array<bool, 4> &open, const bool *locked) {
    put(b, "{\"values\":[");
    for (int i = 0; i < 4; ++i) {
        if (i > 0)
            b.append(',');
        put(b, "{\"row\":");
        putInt(b, i / 2);
        put(b, ",\"column\":");
        putInt(b, i % 2);
        put(b, ",\"isOpen\":");
        putBool(b, open[size_t(i)]);
        if (locked) {
            put(b, ",\"isLocked\":");
            putBool(b, *locked);
        }
        b.append('}');
    }
    put(b, "],\"rowCount\":2,\"columnCount\":2}");
}

void putBody(QByteArray &b, const VehicleState &v, Sig s) {
    switch (s) {
    case Soc:
        putValueUnit(b, std::round(v.soc), 0, "percent");
        break;
    case Range:
        put(b, "{\"value\":");
        putInt(b, v.rangeKm());
        put(b, ",\"type\":\"DEFAULT\",\"additionalValues\":[],\"unit\":\"km\"}");
        break;
    case Odometer:
        putValueUnit(b, v.odometer, 1, "km");
        break;
    case IsCharging:
        putBoolValue(b, v.charge == ChargeState::Charging);
        break;
    case CableConnected:
        putBoolValue(b, v.plugged);
        break;
    case ChargingStatus:
        put(b, "{\"value\":");
        putString(b, v.charge == ChargeState::Charging       ? "CHARGING"
                     : v.charge == ChargeState::FullyCharged ? "FULLY_CHARGED"
                                                             : "NOT_CHARGING");
        b.append('}');
        break;
    case IsLocked:
        putBoolValue(b, v.locked);
        break;
    case Doors:
        putGrid(b, v.doorOpen, &v.locked);
        break;
    case Windows:
        putGrid(b, v.windowOpen, nullptr);
        break;
    case RearTrunk:
        put(b, "{\"isOpen\":");
        putBool(b, v.rearTrunkOpen);
        put(b, ",\"isLocked\":");
        putBool(b, v.locked);
        b.append('}');
        break;
    case FrontTrunk:
        // Front trunks report no lock state (null in the Polestar capture).
        put(b, "{\"isOpen\":");
        putBool(b, v.frontTrunkOpen);
        put(b, ",\"isLocked\":null}");
        break;
    case Location:
        put(b, "{\"latitude\":");
        putNumber(b, v.latitude, 6);
        put(b, ",\"longitude\":");
        putNumber(b, v.longitude, 6);
        put(b, ",\"heading\":");
        putInt(b, std::lround(v.heading) % 360);
        b.append('}');
        break;
    case Tires:
        put(b, "{\"values\":[");
        for (int i = 0; i < 4; ++i) {
            if (i > 0)
                b.append(',');
            put(b, "{\"row\":");
            putInt(b, i / 2);
            put(b, ",\"column\":");
            putInt(b, i % 2);
            put(b, ",\"tirePressure\":");
            putInt(b, v.tireKpa[size_t(i)]);
            b.append('}');
        }
        put(b, "],\"rowCount\":2,\"columnCount\":2,\"unit\":\"kPa\"}");
        break;
    case Airbag:
        put(b, v.airbagAlert ? "{\"status\":\"ALERT\",\"description\":\"Airbag deployed\"}"
                             : "{\"status\":\"OK\",\"description\":\"No airbag deployment\"}");
        break;
    case IsOnline:
        putBoolValue(b, v.online);
        break;
    case Vin:
        put(b, "{\"value\":");
        putString(b, v.vin);
        b.append('}');
        break;
    case SigCount:
        break;
    }
}

void putSignal(QByteArray &b, const VehicleState &v, Sig s) {
    const SignalInfo &info = kSignals[size_t(s)];
    const quint64 mask = bit(s);
    if (v.unavailable() & mask) {
        // The real captures put an error signal's keys in this order, and give it neither body nor meta.
        put(b, "{\"name\":");
        putString(b, info.name);
        put(b, ",\"group\":");
        putString(b, info.group);
        put(b, ",\"code\":");
        putString(b, info.code);
        put(b, (v.spec->notPermitted & mask)
                   ? ",\"status\":{\"value\":\"ERROR\",\"error\":{\"type\":\"PERMISSION\",\"code\":null}}}"
                   : ",\"status\":{\"value\":\"ERROR\",\"error\":{\"type\":\"COMPATIBILITY\","
                     "\"code\":\"VEHICLE_NOT_CAPABLE\"}}}");
        return;
    }
    put(b, "{\"code\":");
    putString(b, info.code);
    put(b, ",\"name\":");
    putString(b, info.name);
    put(b, ",\"group\":");
    putString(b, info.group);
    put(b, ",\"body\":");
    putBody(b, v, s);
    put(b, ",\"meta\":{\"oemUpdatedAt\":");
    putInt(b, v.oemUpdatedAt[size_t(s)]);
    put(b, ",\"retrievedAt\":");
    putInt(b, v.retrievedAt[size_t(s)]);
    put(b, "},\"status\":{\"value\":\"SUCCESS\"}}");
}

// Triggers come in code order, as in the Polestar capture.
const std::array<Sig, SigCount> &signalsByCode() {
    static const std::array<Sig, SigCount> order = [] {
        std::array<Sig, SigCount> o{};
        for (int i = 0; i < SigCount; ++i)
            o[size_t(i)] = Sig(i);
        std::sort(o.begin(), o.end(), [](Sig a, Sig b) {
            return qstrcmp(kSignals[size_t(a)].code, kSignals[size_t(b)].code) < 0;
        });
        return o;
    }();
    return order;
}

} // namespace

QByteArray writeVehicleStateBody(const VehicleState &v, const Delivery &delivery) {
    QByteArray b;
    b.reserve(6 * 1024);
    put(b, "{\"eventId\":");
    putString(b, delivery.eventId);
    put(b, ",\"eventType\":\"VEHICLE_STATE\",\"data\":{\"user\":{\"id\":");
    putString(b, v.userId);
    put(b, "},\"vehicle\":{\"id\":");
    putString(b, v.id);
    put(b, ",\"make\":");
    putString(b, v.spec->make);
    put(b, ",\"model\":");
    putString(b, v.spec->model);
    put(b, ",\"year\":");
    putInt(b, v.year);
    put(b, "},\"signals\":[");
    for (int s = 0; s < SigCount; ++s) {
        if (s > 0)
            b.append(',');
        putSignal(b, v, Sig(s));
    }
    put(b, "]},\"triggers\":[");
    if (delivery.firstDelivery) {
        put(b, "{\"type\":\"FIRST_DELIVERY\"}");
    } else {
        bool comma = false;
        for (Sig s : signalsByCode()) {
            if (!(delivery.changedSignals & bit(s)))
                continue;
            if (comma)
                b.append(',');
            comma = true;
            const SignalInfo &info = kSignals[size_t(s)];
            put(b, "{\"type\":\"SIGNAL_UPDATED\",\"signal\":{\"name\":");
            putString(b, info.name);
            put(b, ",\"code\":");
            putString(b, info.code);
            put(b, ",\"group\":");
            putString(b, info.group);
            put(b, "}}");
        }
    }
    put(b, "],\"meta\":{\"deliveryId\":");
    putString(b, delivery.deliveryId);
    put(b, ",\"deliveredAt\":");
    putInt(b, delivery.deliveredAtMs);
    put(b, ",\"version\":\"4.0\",\"webhookId\":");
    putString(b, delivery.webhookId);
    put(b, ",\"webhookName\":\"fleetsim\",\"mode\":\"LIVE\",\"signalCount\":");
    putInt(b, SigCount);
    put(b, "}}");
    return b;
}

} // namespace smartcar::sim
