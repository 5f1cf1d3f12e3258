#pragma once

#include <QMetaType>
#include <QObject>
#include <QString>

namespace model {

// The stored form of one delivery for the inspector, made readable off the GUI thread.
struct DeliveryDetail {
    qint64 journalId = 0;
    QString headers; // one "Name: value" per line; SC-Signature shortened
    QString body;    // pretty-printed JSON, or the raw text when it is not JSON; empty when not kept
    qint64 bodyBytes = 0;
    QString error; // empty on success
};

// Where the delivery inspector gets stored bodies from. request() returns at once; detailReady
// arrives later on the receiver's thread (queued).
class DeliveryDetailSource : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;
    virtual void request(qint64 journalId) = 0;

Q_SIGNALS:
    void detailReady(const model::DeliveryDetail &detail);
};

} // namespace model

Q_DECLARE_METATYPE(model::DeliveryDetail)
