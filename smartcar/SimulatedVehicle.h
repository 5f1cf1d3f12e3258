#pragma once

#include <QByteArray>
#include <QtGlobal>
#include <array>
#include <cmath>
#include <random>

// One simulated electric vehicle: its identity, its state and the steps of its life, for SimulatedFleet.
//
// Promises: everything random is drawn from the caller's Rng in a fixed order with the distributions
// below, so the same seed tells the same story on every platform and standard library. Battery stays
// between 0 % and the car's charge limit (at most 100 %), and the odometer never goes back. A step is
// independent of the wall clock, so the story is the same however fast the caller asks; stamping
// oemUpdatedAt and retrievedAt is left to the caller, which knows when a delivery happens.
namespace smartcar::sim {

using Rng = std::mt19937_64;

// Own distributions instead of std::uniform_real_distribution and friends: those are allowed to
// differ between standard libraries, and the same seed must give the same fleet everywhere.
double unit(Rng &rng); // [0, 1)
double uniform(Rng &rng, double low, double high);
int uniformInt(Rng &rng, int low, int high); // both ends included
bool chance(Rng &rng, double p);
double normal(Rng &rng); // mean 0, deviation 1, within +-6

// Declaration order is the order of data.signals in every body and the bit of each signal in a
// change mask: reordering changes every body the simulator has ever produced for a seed.
enum Sig : int {
    Soc,
    Range,
    Odometer,
    IsCharging,
    CableConnected,
    ChargingStatus,
    IsLocked,
    Doors,
    Windows,
    RearTrunk,
    FrontTrunk,
    Location,
    Tires,
    Airbag,
    IsOnline,
    Vin,
    SigCount
};

constexpr quint64 bit(Sig s) {
    return quint64(1) << s;
}

struct SignalInfo {
    const char *code;
    const char *name;
    const char *group;
    bool attribute; // static vehicle data: Smartcar stamps it with oemUpdatedAt 0 and retrievedAt 0
};

inline constexpr std::array<SignalInfo, SigCount> kSignals = {{
    {"tractionbattery-stateofcharge", "StateOfCharge", "TractionBattery", false},
    {"tractionbattery-range", "Range", "TractionBattery", false},
    {"odometer-traveleddistance", "TraveledDistance", "Odometer", false},
    {"charge-ischarging", "IsCharging", "Charge", false},
    {"charge-ischargingcableconnected", "IsChargingCableConnected", "Charge", false},
    {"charge-detailedchargingstatus", "DetailedChargingStatus", "Charge", false},
    {"closure-islocked", "IsLocked", "Closure", false},
    {"closure-doors", "Doors", "Closure", false},
    {"closure-windows", "Windows", "Closure", false},
    {"closure-reartrunk", "RearTrunk", "Closure", false},
    {"closure-fronttrunk", "FrontTrunk", "Closure", false},
    {"location-preciselocation", "PreciseLocation", "Location", false},
    {"wheel-tires", "Tires", "Wheel", false},
    {"diagnostics-airbag", "Airbag", "Diagnostics", false},
    {"connectivitystatus-isonline", "IsOnline", "ConnectivityStatus", false},
    {"vehicleidentification-vin", "VIN", "VehicleIdentification", true},
}};

struct ModelSpec {
    const char *make;
    const char *model;
    int firstYear;
    int lastYear;
    const char *wmi; // VIN world manufacturer identifier
    double capacityKWh;
    double kWhPerKm;
    double acKw;
    double dcKw;
    // Signals the OEM does not report, delivered as errors the way the real captures show them.
    quint64 notCapable;
    quint64 notPermitted;
};

enum class Mode { Parked, Driving, Charging };
enum class ChargeState { NotCharging, Charging, FullyCharged };

struct VehicleState {
    const ModelSpec *spec = nullptr; // points into a catalogue that lives as long as the program
    QByteArray id;
    QByteArray userId;
    QByteArray vin;
    int year = 0;

    Mode mode = Mode::Parked;
    double soc = 50;     // percent
    double odometer = 0; // km
    double homeLatitude = 0;
    double homeLongitude = 0;
    double latitude = 0;
    double longitude = 0;
    double heading = 0; // degrees
    bool plugged = false;
    ChargeState charge = ChargeState::NotCharging;
    double chargeKw = 0;
    int chargeLimit = 90;
    bool locked = true;
    std::array<bool, 4> doorOpen{};
    std::array<bool, 4> windowOpen{};
    bool rearTrunkOpen = false;
    bool frontTrunkOpen = false;
    std::array<int, 4> tireKpa{};
    int tireNominalKpa = 250;
    bool airbagAlert = false;
    bool online = true;

    // Indexed by Sig; left to the caller, which knows when the car reported and when it was asked.
    std::array<qint64, SigCount> oemUpdatedAt{};
    std::array<qint64, SigCount> retrievedAt{};

    quint64 unavailable() const { return spec->notCapable | spec->notPermitted; }
    int rangeKm() const { return int(std::lround(soc / 100.0 * spec->capacityKWh / spec->kWhPerKm)); }
};

// A random version 4 UUID, lower case, as Smartcar writes its ids.
QByteArray makeUuid(Rng &rng);

// A new vehicle of a catalogue model near one of a few cities, driving, charging or parked.
// `previousUserId` is the owner of the vehicle made just before (empty for the first): now and then
// the new one shares it, as drivers connect more than one car through Smartcar Connect.
VehicleState makeVehicle(Rng &rng, const QByteArray &previousUserId);

// Advances the vehicle by one stretch of its life (a few km of driving, 5-20 minutes of charging,
// one thing happening while parked) and returns the signals that changed as a mask of bit(Sig).
// May return 0, and may change signals the vehicle's model does not report (see unavailable()).
quint64 lifeStep(VehicleState &vehicle, Rng &rng);

} // namespace smartcar::sim
