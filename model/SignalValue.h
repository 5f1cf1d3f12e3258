#pragma once

#include <QJsonObject>
#include <QString>

namespace model {

// The latest known state of one Smartcar signal for one vehicle. The body is kept exactly as
// delivered (parsed, never normalised here) so exports and the inspector show what Smartcar sent.
struct SignalValue {
    QString code;            // stable key, e.g. "tractionbattery-stateofcharge"
    QString name;            // PascalCase, informative only
    QString group;           // PascalCase, informative only
    QJsonObject body;        // empty when the signal has never been delivered successfully
    qint64 oemUpdatedAt = 0; // epoch ms; 0 means static or unknown
    qint64 retrievedAt = 0;  // epoch ms (`fetchedAt` or `retrievedAt` on the wire)
    QJsonObject error;       // `status.error` when the signal was delivered in error, else empty

    bool hasBody() const { return !body.isEmpty(); }
    bool isInError() const { return !error.isEmpty(); }
};

} // namespace model
