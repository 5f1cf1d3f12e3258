#include "model/AlertRuleSettings.h"

#include <QSettings>

namespace model {

namespace {

const QString kLowBatteryPercent = QStringLiteral("alerts/lowBatteryPercent");
const QString kLowBatteryHysteresis = QStringLiteral("alerts/lowBatteryHysteresis");
const QString kClosureOpenDelayMinutes = QStringLiteral("alerts/closureOpenDelayMinutes");
const QString kSilentAfterHours = QStringLiteral("alerts/silentAfterHours");

constexpr AlertKind kKinds[] = {AlertKind::Airbag, AlertKind::OpenClosure, AlertKind::LowBattery,
                                AlertKind::Silent, AlertKind::VehicleError};

QString enabledKey(AlertKind kind) {
    return QStringLiteral("alerts/enabled/") + alertKindName(kind);
}

double readDouble(const QSettings &settings, const QString &key, double fallback, double min, double max) {
    bool ok = false;
    const double value = settings.value(key).toDouble(&ok);
    return ok && value >= min && value <= max ? value : fallback;
}

int readInt(const QSettings &settings, const QString &key, int fallback, int min, int max) {
    bool ok = false;
    const int value = settings.value(key).toInt(&ok);
    return ok && value >= min && value <= max ? value : fallback;
}

bool readBool(const QSettings &settings, const QString &key, bool fallback) {
    const QVariant value = settings.value(key);
    // An ini file stores "true"/"false" as text; anything else keeps the default rather than
    // silently turning a rule off.
    if (value.typeId() == QMetaType::Bool)
        return value.toBool();
    const QString text = value.toString().trimmed().toLower();
    if (text == QLatin1String("true") || text == QLatin1String("1"))
        return true;
    if (text == QLatin1String("false") || text == QLatin1String("0"))
        return false;
    return fallback;
}

} // namespace

bool AlertRuleSettings::isEnabled(AlertKind kind) const {
    switch (kind) {
    case AlertKind::Airbag:
        return airbagEnabled;
    case AlertKind::OpenClosure:
        return openClosureEnabled;
    case AlertKind::LowBattery:
        return lowBatteryEnabled;
    case AlertKind::Silent:
        return silentEnabled;
    case AlertKind::VehicleError:
        return vehicleErrorEnabled;
    }
    return false;
}

void AlertRuleSettings::setEnabled(AlertKind kind, bool enabled) {
    switch (kind) {
    case AlertKind::Airbag:
        airbagEnabled = enabled;
        break;
    case AlertKind::OpenClosure:
        openClosureEnabled = enabled;
        break;
    case AlertKind::LowBattery:
        lowBatteryEnabled = enabled;
        break;
    case AlertKind::Silent:
        silentEnabled = enabled;
        break;
    case AlertKind::VehicleError:
        vehicleErrorEnabled = enabled;
        break;
    }
}

AlertRuleSettings AlertRuleSettings::load(const QSettings &settings) {
    const AlertRuleSettings defaults;
    AlertRuleSettings loaded;
    loaded.lowBatteryPercent =
        readDouble(settings, kLowBatteryPercent, defaults.lowBatteryPercent, 0.0, 100.0);
    loaded.lowBatteryHysteresis =
        readDouble(settings, kLowBatteryHysteresis, defaults.lowBatteryHysteresis, 0.0, 100.0);
    // Upper bounds keep the millisecond arithmetic far from overflow: a week and a year.
    loaded.closureOpenDelayMinutes =
        readInt(settings, kClosureOpenDelayMinutes, defaults.closureOpenDelayMinutes, 0, 7 * 24 * 60);
    loaded.silentAfterHours = readInt(settings, kSilentAfterHours, defaults.silentAfterHours, 1, 365 * 24);
    for (AlertKind kind : kKinds)
        loaded.setEnabled(kind, readBool(settings, enabledKey(kind), defaults.isEnabled(kind)));
    return loaded;
}

void AlertRuleSettings::save(QSettings &settings) const {
    settings.setValue(kLowBatteryPercent, lowBatteryPercent);
    settings.setValue(kLowBatteryHysteresis, lowBatteryHysteresis);
    settings.setValue(kClosureOpenDelayMinutes, closureOpenDelayMinutes);
    settings.setValue(kSilentAfterHours, silentAfterHours);
    for (AlertKind kind : kKinds)
        settings.setValue(enabledKey(kind), isEnabled(kind));
}

} // namespace model
