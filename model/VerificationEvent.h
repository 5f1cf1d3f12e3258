#pragma once

#include <QMetaType>
#include <QString>

namespace model {

// A VERIFY challenge as the endpoint answered it: what Smartcar sent and what went back, so the
// manager can compare it with the dashboard when verification fails.
struct VerificationEvent {
    qint64 atMs = 0;
    QString challenge;
    QString answer; // hex HMAC-SHA256(AMT, challenge); empty when the challenge was refused
    int status = 0; // HTTP status sent

    friend bool operator==(const VerificationEvent &, const VerificationEvent &) = default;
};

} // namespace model

Q_DECLARE_METATYPE(model::VerificationEvent)
