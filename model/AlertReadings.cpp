#include "model/AlertReadings.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>

namespace model {

// The closure codes as strings, made once: alerts and messages take them by value.
const std::array<QString, 5> &AlertReadings::closureCodes() {
    static const std::array<QString, 5> codes = [] {
        std::array<QString, 5> made;
        for (size_t i = 0; i < kClosureRules.size(); ++i)
            made[i] = kClosureRules[i].code;
        return made;
    }();
    return codes;
}

namespace {
bool isStatus(const QJsonValue &value, QLatin1String wanted) {
    return value.isString() && value.toString().compare(wanted, Qt::CaseInsensitive) == 0;
}
} // namespace

bool AlertReadings::isAirbagCode(QStringView code) {
    // Every delivery asks this of every code the vehicle has. Codes are ASCII in practice, where
    // folding case is setting one bit, and Qt's Unicode case folding (about 1,000 instructions per
    // code) answers the same; any other code gets Qt's.
    static constexpr char kWord[] = "airbag";
    constexpr qsizetype kLength = sizeof kWord - 1;
    bool found = false;
    for (qsizetype i = 0; i < code.size(); ++i) {
        if (code[i].unicode() >= 0x80)
            return code.contains(QLatin1String(kWord), Qt::CaseInsensitive);
        if (found || i + kLength > code.size())
            continue;
        qsizetype k = 0;
        while (k < kLength && (code[i + k].unicode() | 0x20) == kWord[k]) // only letters in kWord
            ++k;
        found = k == kLength;
    }
    return found;
}

std::optional<bool> AlertReadings::airbagDeployed(const SignalValue &signal) {
    const QJsonObject &body = signal.body;
    // The catalogue shape: {status: "ALERT"|"OK", description}.
    const QJsonValue status = body.value(QLatin1String("status"));
    if (isStatus(status, QLatin1String("ALERT")))
        return true;
    if (isStatus(status, QLatin1String("OK")))
        return false;
    // Shapes other OEM integrations use for airbag signals.
    for (const char *key : {"isDeployed", "deployed"}) {
        const QJsonValue v = body.value(QLatin1String(key));
        if (v.isBool())
            return v.toBool();
    }
    const QJsonValue value = body.value(QLatin1String("value"));
    if (isStatus(value, QLatin1String("ALERT")) || isStatus(value, QLatin1String("DEPLOYED")))
        return true;
    if (isStatus(value, QLatin1String("OK")) || isStatus(value, QLatin1String("NOT_DEPLOYED")))
        return false;
    // A bare boolean only means "deployed" when the code says so ("...-airbagdeployed").
    if (value.isBool() && signal.code.contains(QLatin1String("deploy"), Qt::CaseInsensitive))
        return value.toBool();
    return std::nullopt;
}

std::optional<int> AlertReadings::openCount(const QJsonObject &body, ClosureShape shape) {
    if (shape == ClosureShape::Single) {
        const QJsonValue isOpen = body.value(QLatin1String("isOpen"));
        return isOpen.isBool() ? std::optional<int>(isOpen.toBool() ? 1 : 0) : std::nullopt;
    }
    const QJsonValue values = body.value(QLatin1String("values"));
    if (!values.isArray())
        return std::nullopt;
    bool known = false;
    int open = 0;
    const QJsonArray list = values.toArray();
    for (const auto &entry : list) {
        const QJsonValue isOpen = entry.toObject().value(QLatin1String("isOpen"));
        if (!isOpen.isBool())
            continue;
        known = true;
        open += isOpen.toBool() ? 1 : 0;
    }
    return known ? std::optional<int>(open) : std::nullopt;
}

// A failed read keeps the previous body in FleetState: it says nothing new, so it counts as unknown.
std::optional<int> AlertReadings::openCount(const Vehicle &vehicle, const ClosureRule &rule) {
    const SignalValue *signal = vehicle.signal(rule.code);
    return signal && !signal->isInError() ? openCount(signal->body, rule.shape) : std::nullopt;
}

QByteArray AlertReadings::signalEvidence(const SignalValue *signal) {
    if (!signal)
        return QByteArrayLiteral("-");
    return QByteArray::number(signal->retrievedAt) + '|' + QByteArray::number(signal->oemUpdatedAt) + '|' +
           QJsonDocument(signal->body).toJson(QJsonDocument::Compact);
}

QByteArray AlertReadings::errorEvidence(const VehicleError &e) {
    const QChar sep(0x1f);
    return (e.key() + sep + e.state + sep + e.description + sep + e.suggestedUserMessage + sep +
            e.resolutionType + sep + e.docUrl + sep + e.signalCodes.join(QLatin1Char(',')))
        .toUtf8();
}

} // namespace model
