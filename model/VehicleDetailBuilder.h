#pragma once

#include "model/Vehicle.h"
#include "model/VehicleDetail.h"

namespace model {

// Digests a vehicle into what the detail panel shows, on the ingest thread, so the GUI thread
// gets strings and numbers rather than JSON.
class VehicleDetailBuilder final {
public:
    static VehicleDetail build(const Vehicle &vehicle, const VehicleRow &row);
    // A signal body as one readable line: "78", "52.2385, 0.1546 (heading 132)", "1 of 4 open", ...
    static QString readableValue(const QJsonObject &body);
};

} // namespace model
