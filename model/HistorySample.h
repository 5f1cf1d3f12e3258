#pragma once

#include <QString>

namespace model {

// One point of a signal's history: a numeric or boolean field of a delivered signal body at the
// OEM's timestamp, in normalised units (percent 0-100, kilometres). Identified by
// (vehicleId, code, field, oemUpdatedAt), so the same reading delivered twice, or out of order,
// is one point.
struct HistorySample {
    QString vehicleId;
    QString code;  // signal code, e.g. "tractionbattery-stateofcharge"
    QString field; // body field: "value", "latitude", "isOpen", "openCount", ...
    qint64 oemUpdatedAt = 0;
    double value = 0;

    friend bool operator==(const HistorySample &, const HistorySample &) = default;
};

} // namespace model
