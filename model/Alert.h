#pragma once

#include <QMetaType>
#include <QString>

namespace model {

enum class AlertKind { Airbag, OpenClosure, LowBattery, Silent, VehicleError };
enum class AlertSeverity { Info, Warning, Critical };

// One alert: a condition of one vehicle, from the moment it was first seen until it is cleared.
// A condition that keeps firing updates lastSeenAt and fireCount of the same alert, never a new one.
// At most one uncleared alert exists per (vehicleId, kind, subject).
struct Alert {
    qint64 id = 0; // assigned by the engine; stable across restarts (persisted)
    QString vehicleId;
    AlertKind kind = AlertKind::OpenClosure;
    QString subject; // what within the vehicle: a signal code ("closure-doors"), an error key
                     // ("VEHICLE_STATE/UNREACHABLE"), or empty when the kind says it all
    AlertSeverity severity = AlertSeverity::Warning;
    QString message;        // for people: "2 doors open", Smartcar's suggested user message, ...
    qint64 firstSeenAt = 0; // epoch ms
    qint64 lastSeenAt = 0;
    int fireCount = 1;
    qint64 clearedAt = 0; // 0 while the alert is active
    QString clearedBy;    // "condition" when it went away by itself, else who acknowledged it
    qint64 acknowledgedAt = 0;
    QString acknowledgedBy;

    bool isCleared() const { return clearedAt != 0; }
    bool isAcknowledged() const { return acknowledgedAt != 0; }
    // Critical alerts (airbag) never clear by themselves: only an acknowledgement ends them.
    bool clearsOnlyByAcknowledgement() const { return kind == AlertKind::Airbag; }

    friend bool operator==(const Alert &, const Alert &) = default;
};

// An acknowledgement as the desktops of a shared fleet exchange it: by the alert's slot and the
// time it was made, since alert ids are each desktop's own (see AlertEngine::acknowledgeMatching).
struct AlertAcknowledgement {
    qint64 id = 0; // its place in the shared order; 0 for one not stored yet
    QString vehicleId;
    AlertKind kind = AlertKind::OpenClosure;
    QString subject;
    qint64 acknowledgedAt = 0; // epoch ms
    QString acknowledgedBy;

    friend bool operator==(const AlertAcknowledgement &, const AlertAcknowledgement &) = default;
};

QString alertKindName(AlertKind kind); // "airbag", "open-closure", "low-battery", "silent", "vehicle-error"
bool alertKindFromName(const QString &name, AlertKind *kind);
QString alertSeverityName(AlertSeverity severity); // "info", "warning", "critical"
bool alertSeverityFromName(const QString &name, AlertSeverity *severity);

} // namespace model

Q_DECLARE_METATYPE(model::Alert)
