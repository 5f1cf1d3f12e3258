#include "smartcar/SimulatedVehicle.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

namespace smartcar::sim {

double unit(Rng &rng) {
    return double(rng() >> 11) * 0x1.0p-53;
}
double uniform(Rng &rng, double low, double high) {
    return low + (high - low) * unit(rng);
}
int uniformInt(Rng &rng, int low, int high) {
    return low + int(rng() % quint64(high - low + 1));
}
bool chance(Rng &rng, double p) {
    return unit(rng) < p;
}
double normal(Rng &rng) {
    // Irwin-Hall: plenty for jitter, and no transcendental functions per draw.
    double sum = 0;
    for (int i = 0; i < 12; ++i)
        sum += unit(rng);
    return sum - 6.0;
}

namespace {

// Vehicles without a front trunk report it as not capable rather than leaving it out: every
// delivery carries every signal configured on the webhook.
constexpr std::array<ModelSpec, 14> kModels = {{
    {"POLESTAR", "Polestar 2", 2021, 2024, "LPS", 82, 0.19, 11, 155, 0, 0},
    {"JAGUAR", "I-PACE", 2019, 2023, "SAD", 90, 0.24, 11, 100, bit(IsOnline), 0},
    {"BYD", "SEAL", 2023, 2025, "LGX", 82.5, 0.17, 11, 150, bit(Tires), 0},
    {"VOLKSWAGEN", "ID.4", 2021, 2024, "WVG", 77, 0.19, 11, 135, bit(FrontTrunk), 0},
    {"TESLA", "Model 3", 2019, 2024, "5YJ", 75, 0.15, 11, 250, 0, 0},
    {"TESLA", "Model Y", 2020, 2024, "7SA", 75, 0.16, 11, 250, 0, 0},
    {"HYUNDAI", "IONIQ 5", 2022, 2024, "KM8", 77.4, 0.18, 11, 230, 0, 0},
    {"KIA", "EV6", 2022, 2024, "KNA", 77.4, 0.18, 11, 230, 0, bit(Airbag)},
    {"FORD", "Mustang Mach-E", 2021, 2024, "3FM", 91, 0.21, 11, 150, 0, 0},
    {"AUDI", "Q4 e-tron", 2022, 2024, "WAU", 77, 0.19, 11, 135, bit(FrontTrunk), 0},
    {"BMW", "i4", 2022, 2024, "WBY", 81.5, 0.18, 11, 205, bit(FrontTrunk), 0},
    {"CHEVROLET", "Bolt EUV", 2022, 2023, "1G1", 65, 0.17, 11, 55, bit(FrontTrunk), 0},
    {"NISSAN", "Ariya", 2023, 2024, "JN1", 87, 0.2, 7.4, 130, bit(FrontTrunk), 0},
    {"RIVIAN", "R1T", 2022, 2024, "7FC", 135, 0.28, 11, 220, 0, 0},
}};

struct City {
    double latitude;
    double longitude;
};

constexpr std::array<City, 10> kCities = {{
    {52.2053, 0.1218},    // Cambridge
    {57.7089, 11.9746},   // Gothenburg
    {59.9139, 10.7522},   // Oslo
    {48.1351, 11.5820},   // Munich
    {52.3676, 4.9041},    // Amsterdam
    {37.7749, -122.4194}, // San Francisco
    {30.2672, -97.7431},  // Austin
    {43.6532, -79.3832},  // Toronto
    {60.1699, 24.9384},   // Helsinki
    {45.7640, 4.8357},    // Lyon
}};

QByteArray makeVin(Rng &rng, const ModelSpec &spec, int year) {
    // Letters I, O and Q never appear in a VIN; position 9 is the ISO 3779 check digit, position 10
    // the model year, so a VIN decoder in the app (or a human) finds them plausible.
    static constexpr char kChars[] = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";
    static constexpr char kYearCodes[] = "KLMNPRSTV"; // 2019..2027
    QByteArray vin(17, '0');
    for (int i = 0; i < 3; ++i)
        vin[i] = spec.wmi[i];
    for (int i = 3; i < 8; ++i)
        vin[i] = kChars[rng() % (sizeof(kChars) - 1)];
    vin[9] = kYearCodes[std::clamp(year - 2019, 0, 8)];
    vin[10] = kChars[rng() % 23];
    for (int i = 11; i < 17; ++i)
        vin[i] = char('0' + rng() % 10);

    auto value = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        static constexpr int kLetters[26] = {1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 2, 3, 4,
                                             5, 0, 7, 0, 9, 2, 3, 4, 5, 6, 7, 8, 9};
        return kLetters[c - 'A'];
    };
    static constexpr int kWeights[17] = {8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2};
    int sum = 0;
    for (int i = 0; i < 17; ++i)
        sum += value(vin[i]) * kWeights[i];
    const int check = sum % 11;
    vin[8] = check == 10 ? 'X' : char('0' + check);
    return vin;
}

// ---- life of a car ------------------------------------------------------------------------------
// One step is a stretch of a car's life (a few km of driving, 5-20 minutes of charging, one thing
// happening while parked), independent of nowMs so that the same seed tells the same story however
// fast the caller asks. Each step returns the signals it changed: they become the triggers.

bool any(const std::array<bool, 4> &flags) {
    return std::any_of(flags.begin(), flags.end(), [](bool b) { return b; });
}

void closeEverything(VehicleState &v, quint64 &changed) {
    if (any(v.doorOpen))
        changed |= bit(Doors);
    if (any(v.windowOpen))
        changed |= bit(Windows);
    if (v.rearTrunkOpen)
        changed |= bit(RearTrunk);
    if (v.frontTrunkOpen)
        changed |= bit(FrontTrunk);
    v.doorOpen.fill(false);
    v.windowOpen.fill(false);
    v.rearTrunkOpen = false;
    v.frontTrunkOpen = false;
}

void setOnline(VehicleState &v, quint64 &changed) {
    if (!v.online) {
        v.online = true;
        changed |= bit(IsOnline);
    }
}

void setLocked(VehicleState &v, bool locked, quint64 &changed) {
    if (v.locked != locked) {
        v.locked = locked;
        // Central locking also shows in every door's entry and in the rear trunk's body.
        changed |= bit(IsLocked) | bit(Doors) | bit(RearTrunk);
    }
}

void move(VehicleState &v, Rng &rng, double km) {
    constexpr double kKmPerDegree = 111.32;
    constexpr double kRadPerDegree = std::numbers::pi / 180.0;
    const double eastScale = std::cos(v.latitude * kRadPerDegree);
    const double fromHomeKm =
        std::hypot(v.latitude - v.homeLatitude, (v.longitude - v.homeLongitude) * eastScale) * kKmPerDegree;
    if (fromHomeKm > 40) {
        // Fleet cars work around their depot: far out, they turn back towards it.
        v.heading = std::atan2((v.homeLongitude - v.longitude) * eastScale, v.homeLatitude - v.latitude) /
                    kRadPerDegree;
    }
    v.heading = std::fmod(v.heading + 25.0 * normal(rng) + 720.0, 360.0);
    v.latitude += km * std::cos(v.heading * kRadPerDegree) / kKmPerDegree;
    v.longitude += km * std::sin(v.heading * kRadPerDegree) / (kKmPerDegree * eastScale);
}

void drive(VehicleState &v, Rng &rng, quint64 &changed) {
    const double kmPossible = v.soc / 100.0 * v.spec->capacityKWh / v.spec->kWhPerKm;
    const double km = std::min(uniform(rng, 0.5, 6.0), kmPossible);
    if (km > 0.05) {
        v.odometer += km;
        v.soc = std::max(0.0, v.soc - km * v.spec->kWhPerKm / v.spec->capacityKWh * 100.0);
        move(v, rng, km);
        changed |= bit(Odometer) | bit(Soc) | bit(Range) | bit(Location);
    }
    if (v.soc < 12 || chance(rng, 0.12))
        v.mode = Mode::Parked; // arrived; what the driver does next comes in later steps
}

void startCharging(VehicleState &v, Rng &rng, quint64 &changed) {
    v.plugged = true;
    v.charge = ChargeState::Charging;
    v.mode = Mode::Charging;
    static constexpr double kAcPowers[] = {3.7, 7.4, 11.0};
    v.chargeKw = chance(rng, 0.15) ? v.spec->dcKw * uniform(rng, 0.4, 0.8)
                                   : std::min(v.spec->acKw, kAcPowers[rng() % 3]);
    changed |= bit(CableConnected) | bit(IsCharging) | bit(ChargingStatus);
}

void stopCharging(VehicleState &v, ChargeState state, quint64 &changed) {
    v.charge = state;
    v.chargeKw = 0;
    v.mode = Mode::Parked;
    changed |= bit(IsCharging) | bit(ChargingStatus);
}

void chargeStep(VehicleState &v, Rng &rng, quint64 &changed) {
    if (chance(rng, 0.02)) {
        // The driver needed the car before the charge finished.
        stopCharging(v, ChargeState::NotCharging, changed);
        v.plugged = false;
        changed |= bit(CableConnected);
        return;
    }
    const double minutes = uniform(rng, 5, 20);
    // Fast chargers taper off above 80 %, and no session delivers exactly its nominal power.
    double kw = v.chargeKw * (1.0 + 0.03 * normal(rng));
    if (v.soc > 80 && v.chargeKw > 22)
        kw *= std::max(0.2, 1.0 - (v.soc - 80.0) / 25.0);
    v.soc =
        std::min({double(v.chargeLimit), 100.0, v.soc + kw * minutes / 60.0 / v.spec->capacityKWh * 100.0});
    changed |= bit(Soc) | bit(Range);
    if (v.soc >= v.chargeLimit - 0.01)
        stopCharging(v, ChargeState::FullyCharged, changed);
}

enum class ParkedEvent {
    Drive,
    PlugIn,
    Unplug,
    OpenDoor,
    OpenWindow,
    OpenRearTrunk,
    OpenFrontTrunk,
    CloseAll,
    Lock,
    Unlock,
    TireLeak,
    TireFix,
    AirbagDeployed,
    AirbagCleared,
    Offline,
    Count
};

void parkedStep(VehicleState &v, Rng &rng, quint64 &changed) {
    std::array<double, size_t(ParkedEvent::Count)> w{};
    auto weight = [&w](ParkedEvent e) -> double & { return w[size_t(e)]; };
    const bool anyOpen = any(v.doorOpen) || any(v.windowOpen) || v.rearTrunkOpen || v.frontTrunkOpen;
    const bool tireLow = std::any_of(v.tireKpa.begin(), v.tireKpa.end(), [](int p) { return p < 220; });
    const bool hasFrontTrunk = !(v.spec->notCapable & bit(FrontTrunk));
    weight(ParkedEvent::Drive) = v.plugged ? 0 : (v.soc < 10 ? 1 : 30);
    weight(ParkedEvent::PlugIn) = (!v.plugged && v.soc < v.chargeLimit - 5) ? (v.soc < 40   ? 45
                                                                               : v.soc < 70 ? 12
                                                                                            : 4)
                                                                            : 0;
    weight(ParkedEvent::Unplug) = v.plugged && v.charge != ChargeState::Charging ? 40 : 0;
    weight(ParkedEvent::OpenDoor) = 10;
    weight(ParkedEvent::OpenWindow) = 4;
    weight(ParkedEvent::OpenRearTrunk) = v.rearTrunkOpen ? 0 : 5;
    weight(ParkedEvent::OpenFrontTrunk) = hasFrontTrunk && !v.frontTrunkOpen ? 1 : 0;
    weight(ParkedEvent::CloseAll) = anyOpen ? 30 : 0;
    weight(ParkedEvent::Lock) = !v.locked && !anyOpen ? 20 : 0;
    weight(ParkedEvent::Unlock) = v.locked ? 3 : 0;
    weight(ParkedEvent::TireLeak) = 1.5;
    weight(ParkedEvent::TireFix) = tireLow ? 8 : 0;
    weight(ParkedEvent::AirbagDeployed) = v.airbagAlert ? 0 : 0.05;
    weight(ParkedEvent::AirbagCleared) = v.airbagAlert ? 3 : 0;
    weight(ParkedEvent::Offline) = v.online ? 1 : 10; // drops off now and then, back soon

    double total = 0;
    for (double x : w)
        total += x;
    double pick = uniform(rng, 0, total);
    size_t chosen = 0;
    while (chosen + 1 < w.size() && pick >= w[chosen]) {
        pick -= w[chosen];
        ++chosen;
    }

    switch (ParkedEvent(chosen)) {
    case ParkedEvent::Drive:
        // The driver shuts everything and pulls away; the car locks itself once moving.
        setOnline(v, changed);
        closeEverything(v, changed);
        setLocked(v, true, changed);
        v.mode = Mode::Driving;
        break;
    case ParkedEvent::PlugIn:
        setOnline(v, changed);
        startCharging(v, rng, changed);
        break;
    case ParkedEvent::Unplug:
        v.plugged = false;
        v.charge = ChargeState::NotCharging;
        changed |= bit(CableConnected) | bit(ChargingStatus);
        break;
    case ParkedEvent::OpenDoor:
        setOnline(v, changed);
        setLocked(v, false, changed);
        v.doorOpen[size_t(uniformInt(rng, 0, 3))] = true;
        changed |= bit(Doors);
        break;
    case ParkedEvent::OpenWindow:
        setOnline(v, changed);
        v.windowOpen[size_t(uniformInt(rng, 0, 3))] = true;
        changed |= bit(Windows);
        break;
    case ParkedEvent::OpenRearTrunk:
        setOnline(v, changed);
        setLocked(v, false, changed);
        v.rearTrunkOpen = true;
        changed |= bit(RearTrunk);
        break;
    case ParkedEvent::OpenFrontTrunk:
        setOnline(v, changed);
        setLocked(v, false, changed);
        v.frontTrunkOpen = true;
        changed |= bit(FrontTrunk);
        break;
    case ParkedEvent::CloseAll:
        closeEverything(v, changed);
        break;
    case ParkedEvent::Lock:
        setLocked(v, true, changed);
        break;
    case ParkedEvent::Unlock:
        setOnline(v, changed);
        setLocked(v, false, changed);
        break;
    case ParkedEvent::TireLeak:
        v.tireKpa[size_t(uniformInt(rng, 0, 3))] -= uniformInt(rng, 8, 25);
        changed |= bit(Tires);
        break;
    case ParkedEvent::TireFix:
        for (int &p : v.tireKpa)
            p = v.tireNominalKpa + uniformInt(rng, -3, 3);
        changed |= bit(Tires);
        break;
    case ParkedEvent::AirbagDeployed:
    case ParkedEvent::AirbagCleared:
        v.airbagAlert = !v.airbagAlert;
        changed |= bit(Airbag);
        break;
    case ParkedEvent::Offline:
        if (v.online) {
            v.online = false;
            changed |= bit(IsOnline);
        } else {
            setOnline(v, changed);
        }
        break;
    case ParkedEvent::Count:
        break;
    }
}

} // namespace

QByteArray makeUuid(Rng &rng) {
    std::array<unsigned char, 16> bytes;
    const quint64 high = rng();
    const quint64 low = rng();
    for (int i = 0; i < 8; ++i) {
        bytes[i] = static_cast<unsigned char>(high >> (56 - 8 * i));
        bytes[8 + i] = static_cast<unsigned char>(low >> (56 - 8 * i));
    }
    bytes[6] = static_cast<unsigned char>((bytes[6] & 0x0f) | 0x40); // version 4 (random)
    bytes[8] = static_cast<unsigned char>((bytes[8] & 0x3f) | 0x80); // RFC 4122 variant
    static constexpr char kHex[] = "0123456789abcdef";
    QByteArray out(36, Qt::Uninitialized);
    int o = 0;
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = kHex[bytes[i] >> 4];
        out[o++] = kHex[bytes[i] & 0xf];
    }
    return out;
}

VehicleState makeVehicle(Rng &rng, const QByteArray &previousUserId) {
    VehicleState v;
    v.spec = &kModels[rng() % kModels.size()];
    v.id = makeUuid(rng);
    v.userId = !previousUserId.isEmpty() && chance(rng, 0.25) ? previousUserId : makeUuid(rng);
    v.year = uniformInt(rng, v.spec->firstYear, v.spec->lastYear);
    v.vin = makeVin(rng, *v.spec, v.year);

    const City &city = kCities[rng() % kCities.size()];
    v.homeLatitude = city.latitude + uniform(rng, -0.05, 0.05);
    v.homeLongitude = city.longitude + uniform(rng, -0.08, 0.08);
    v.latitude = v.homeLatitude + uniform(rng, -0.1, 0.1);
    v.longitude = v.homeLongitude + uniform(rng, -0.15, 0.15);
    v.heading = uniform(rng, 0, 360);

    const int ageYears = std::max(0, 2025 - v.year);
    v.odometer = std::round((500 + ageYears * uniform(rng, 9000, 22000) + uniform(rng, 0, 8000)) * 10) / 10;
    static constexpr int kLimits[] = {80, 80, 90, 90, 100};
    v.chargeLimit = kLimits[rng() % 5];
    v.soc = uniform(rng, 18, v.chargeLimit);
    v.tireNominalKpa = uniformInt(rng, 240, 260);
    for (int &p : v.tireKpa)
        p = v.tireNominalKpa + uniformInt(rng, -4, 4);

    const double mode = unit(rng);
    quint64 ignored = 0; // the first delivery reports every signal anyway
    if (mode < 0.25) {
        v.mode = Mode::Driving;
        v.locked = true;
    } else if (mode < 0.4 && v.soc < v.chargeLimit - 5) {
        v.locked = true;
        startCharging(v, rng, ignored);
    } else {
        v.mode = Mode::Parked;
        v.locked = chance(rng, 0.85);
        v.online = chance(rng, 0.95);
    }
    return v;
}

quint64 lifeStep(VehicleState &v, Rng &rng) {
    quint64 changed = 0;
    switch (v.mode) {
    case Mode::Driving:
        drive(v, rng, changed);
        break;
    case Mode::Charging:
        chargeStep(v, rng, changed);
        break;
    case Mode::Parked:
        parkedStep(v, rng, changed);
        break;
    }
    return changed;
}

} // namespace smartcar::sim
