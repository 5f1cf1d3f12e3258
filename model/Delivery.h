#pragma once

#include "model/HistorySample.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace model {

// What the endpoint decided about one HTTP delivery. The strings are the export contract.
enum class Verdict { Accepted, Duplicate, BadSignature, Malformed, Verify };

QString verdictName(Verdict verdict);
bool verdictFromName(const QString &name, Verdict *verdict);

// One delivery as the journal keeps it. Rejected deliveries keep no body.
struct Delivery {
    // Journal sequence number, assigned on commit. Appended with an id already set (a replica of a
    // shared fleet keeps the shared ids), the journal stores it under that id; ids must grow.
    qint64 id = 0;
    qint64 receivedAtMs = 0;
    QString eventId;
    QString eventType;
    QString vehicleId;
    Verdict verdict = Verdict::Accepted;
    int status = 0;      // HTTP status sent (or to be sent once committed)
    QByteArray headers;  // the headers that matter, as compact JSON
    QByteArray body;     // raw bytes as received; empty for rejected deliveries
    bool replay = false; // re-fed from the journal by the user, not sent by Smartcar
    // History points of an accepted delivery, written in the same transaction; dropped when the
    // delivery turns out to be a duplicate.
    QList<HistorySample> samples;
};

} // namespace model
