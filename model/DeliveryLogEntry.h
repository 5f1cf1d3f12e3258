#pragma once

#include "model/Delivery.h"

#include <QMetaType>

namespace model {

// What the delivery log shows for one delivery: no body, so the GUI's ring buffer stays small.
// The body stays in the journal, found again by `journalId`.
struct DeliveryLogEntry {
    qint64 journalId = 0;
    qint64 receivedAtMs = 0;
    QString eventId;
    QString eventType;
    QString vehicleId;
    Verdict verdict = Verdict::Accepted;
    int status = 0;
    qint64 bodyBytes = 0;
    qint64 processingUs = 0; // from the last byte received to the answer being queued
    bool replay = false;

    friend bool operator==(const DeliveryLogEntry &, const DeliveryLogEntry &) = default;
};

} // namespace model

Q_DECLARE_METATYPE(model::DeliveryLogEntry)
