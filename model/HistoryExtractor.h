#pragma once

#include "model/HistorySample.h"
#include "model/SignalValue.h"

#include <QList>

namespace model {

// Turns delivered signals into history points: every numeric or boolean top-level field of the
// body (booleans as 0/1), the open count of door and window arrays, percent and distance signals
// normalised. Signals without an OEM timestamp (static attributes) and signals in error give none.
class HistoryExtractor final {
public:
    static QList<HistorySample> samples(const QString &vehicleId, const SignalValue &signal);
    static QList<HistorySample> samples(const QString &vehicleId, const QList<SignalValue> &signalValues);

private:
    // Appends to out: a delivery's signals fill one list, not a list each.
    static void append(QList<HistorySample> &out, const QString &vehicleId, const SignalValue &signal);
};

} // namespace model
