#include "model/Alert.h"

namespace model {

namespace {

// The names are persisted (database, exports, settings keys): never change an existing one.
struct KindName {
    AlertKind kind;
    QLatin1String name;
};
constexpr KindName kKindNames[] = {
    {AlertKind::Airbag, QLatin1String("airbag")},
    {AlertKind::OpenClosure, QLatin1String("open-closure")},
    {AlertKind::LowBattery, QLatin1String("low-battery")},
    {AlertKind::Silent, QLatin1String("silent")},
    {AlertKind::VehicleError, QLatin1String("vehicle-error")},
};

struct SeverityName {
    AlertSeverity severity;
    QLatin1String name;
};
constexpr SeverityName kSeverityNames[] = {
    {AlertSeverity::Info, QLatin1String("info")},
    {AlertSeverity::Warning, QLatin1String("warning")},
    {AlertSeverity::Critical, QLatin1String("critical")},
};

} // namespace

QString alertKindName(AlertKind kind) {
    for (const KindName &entry : kKindNames) {
        if (entry.kind == kind)
            return entry.name;
    }
    return {};
}

bool alertKindFromName(const QString &name, AlertKind *kind) {
    // Hand-edited exports and older databases may differ in case or stray spaces.
    const QString wanted = name.trimmed();
    for (const KindName &entry : kKindNames) {
        if (wanted.compare(entry.name, Qt::CaseInsensitive) == 0) {
            if (kind)
                *kind = entry.kind;
            return true;
        }
    }
    return false;
}

QString alertSeverityName(AlertSeverity severity) {
    for (const SeverityName &entry : kSeverityNames) {
        if (entry.severity == severity)
            return entry.name;
    }
    return {};
}

bool alertSeverityFromName(const QString &name, AlertSeverity *severity) {
    const QString wanted = name.trimmed();
    for (const SeverityName &entry : kSeverityNames) {
        if (wanted.compare(entry.name, Qt::CaseInsensitive) == 0) {
            if (severity)
                *severity = entry.severity;
            return true;
        }
    }
    return false;
}

} // namespace model
