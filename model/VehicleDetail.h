#pragma once

#include "model/VehicleError.h"
#include "model/VehicleRow.h"

#include <QList>
#include <QMetaType>

namespace model {

// One signal as the detail panel shows it, digested off the GUI thread.
struct SignalDetail {
    QString code;
    QString group;
    QString name;
    QString value; // readable: "78", "true", "52.2385, 0.1546", "2 of 4 open", ...
    QString unit;  // as delivered ("percent", "km"); empty when none
    qint64 oemUpdatedAt = 0;
    QString error; // "SERVER / INTERNAL" when the last read failed

    friend bool operator==(const SignalDetail &, const SignalDetail &) = default;
};

// Everything the detail panel shows for one vehicle.
struct VehicleDetail {
    VehicleRow row;
    QList<SignalDetail> signalDetails; // ordered by group, then name
    QList<VehicleError> openErrors;

    friend bool operator==(const VehicleDetail &a, const VehicleDetail &b) {
        return a.row == b.row && a.signalDetails == b.signalDetails; // errors follow the row's count
    }
};

} // namespace model

Q_DECLARE_METATYPE(model::VehicleDetail)
