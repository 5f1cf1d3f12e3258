#pragma once

#include <QObject>
#include <QString>
#include <QStringList>

namespace model {

// What the GUI may ask of the Smartcar account (Connect, subscriptions), without knowing it is
// REST on the network. Every call returns at once; outcomes arrive as signals on the receiver's
// thread. Implemented by the Smartcar account client; a fake in GUI tests.
class AccountCommands : public QObject {
    Q_OBJECT
public:
    // Mirrors model::Vehicle::Subscription.
    enum class Subscription { Unknown, Subscribed, NotSubscribed, Pending, Failed };
    Q_ENUM(Subscription)

    using QObject::QObject;

    virtual bool isConfigured() const = 0;                     // client id/secret and webhook id are known
    virtual void connectVehicles() = 0;                        // opens Smartcar Connect in the browser
    virtual void subscribe(const QStringList &vehicleIds) = 0; // several: a bulk operation
    virtual void unsubscribe(const QStringList &vehicleIds) = 0;
    virtual void cancelBulk() = 0; // stops after the request in flight

Q_SIGNALS:
    // reason: Smartcar's suggested user message or description when Failed, else empty.
    void subscriptionChanged(const QString &vehicleId, model::AccountCommands::Subscription state,
                             const QString &reason);
    void bulkProgress(int done, int total, int failed);
    void bulkFinished(int succeeded, int failed, bool cancelled);
    // Vehicles the account can see (after Connect or a refresh), even before their first webhook.
    void vehicleListed(const QString &vehicleId, const QString &make, const QString &model, int year,
                       const QString &vin);
    // Something the manager must read, e.g. Smartcar's error message or "reconnect this vehicle".
    void notice(const QString &message);
};

} // namespace model
