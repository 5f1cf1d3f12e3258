#pragma once

#include <QMetaType>
#include <QString>
#include <optional>

namespace model {

// What the vehicle table shows for one vehicle, digested on the ingest thread so the GUI thread
// never touches JSON. Optional fields are empty when the vehicle never reported the signal.
struct VehicleRow {
    QString id;
    QString make;
    QString model;
    int year = 0;
    QString vin;
    QString nickname;
    std::optional<double> batteryPercent; // 0-100
    std::optional<bool> pluggedIn;
    std::optional<bool> charging;
    std::optional<double> odometerKm;
    std::optional<int> openDoors; // doors, trunk and frunk reported open
    int openErrorCount = 0;
    int worstAlertSeverity = -1; // model::AlertSeverity of the worst active alert, -1 for none
    qint64 lastUpdateAt = 0;     // epoch ms of the newest accepted delivery
    // Not known to the ingest pipeline: FleetTableModel fills these in from the account's answers.
    int subscription = 0;       // model::AccountCommands::Subscription; 0 is Unknown
    QString subscriptionReason; // why it Failed, as Smartcar put it; else empty

    friend bool operator==(const VehicleRow &, const VehicleRow &) = default;
};

} // namespace model

Q_DECLARE_METATYPE(model::VehicleRow)
