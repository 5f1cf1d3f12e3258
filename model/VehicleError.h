#pragma once

#include <QString>
#include <QStringList>

namespace model {

// One entry of a VEHICLE_ERROR delivery. Smartcar keeps an error open (state ERROR) until it sends
// the same type and code with state RESOLVED.
struct VehicleError {
    QString type;  // e.g. "COMPATIBILITY"
    QString code;  // may be empty: Smartcar sends null for PERMISSION errors
    QString state; // "ERROR" or "RESOLVED"
    QString description;
    QString suggestedUserMessage;
    QString resolutionType; // may be empty (null on the wire)
    QString docUrl;
    QStringList signalCodes; // codes, or "Group.Name" when only that form was delivered

    QString key() const { return type + QLatin1Char('/') + code; }
    bool isResolved() const { return state.compare(QLatin1String("RESOLVED"), Qt::CaseInsensitive) == 0; }
};

} // namespace model
