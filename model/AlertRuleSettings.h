#pragma once

#include "model/Alert.h"

class QSettings;

namespace model {

// The thresholds of the alert rules, as the manager set them. A plain value: the engine takes a copy.
struct AlertRuleSettings {
    double lowBatteryPercent = 20.0;   // fires below this (percent, 0-100)
    double lowBatteryHysteresis = 5.0; // clears at lowBatteryPercent + this, so 19/21/19 does not flap
    int closureOpenDelayMinutes = 0;   // 0 alerts at once; N alerts once a closure stayed open N minutes
    int silentAfterHours = 24;         // no delivery for more than this raises a "silent" alert

    bool airbagEnabled = true;
    bool openClosureEnabled = true;
    bool lowBatteryEnabled = true;
    bool silentEnabled = true;
    bool vehicleErrorEnabled = true;

    bool isEnabled(AlertKind kind) const;
    void setEnabled(AlertKind kind, bool enabled);

    // Keys live under "alerts/": lowBatteryPercent, lowBatteryHysteresis, closureOpenDelayMinutes,
    // silentAfterHours and enabled/<kind name> (alertKindName()). A missing, unreadable or out of
    // range value reads as its default, so a hand-edited file can never disable a rule by accident.
    static AlertRuleSettings load(const QSettings &settings);
    void save(QSettings &settings) const;

    friend bool operator==(const AlertRuleSettings &, const AlertRuleSettings &) = default;
};

} // namespace model
