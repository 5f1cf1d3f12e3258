#pragma once

#include "model/DeliveryLogEntry.h"
#include "model/SharedFleetStatus.h"

#include <QObject>

#include <array>

class QLabel;
class QStatusBar;
class QToolButton;

namespace ui {

// The status bar's facts: vehicles, open alerts, deliveries per minute, the last VERIFY and where
// webhooks are received. Fed by the main window from each update batch; owns only labels.
class StatusIndicators final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StatusIndicators)
public:
    explicit StatusIndicators(QStatusBar *bar);

    void setVehicleCounts(int visible, int total);
    void setOpenAlerts(int count);
    // Where the endpoint listens; a warning (an address other machines reach) is shown beside it,
    // in amber, the full text in the tooltip.
    void setEndpoint(const QString &text, const QString &warning = {});
    // A window following a shared fleet: the endpoint's place says which fleet and how the link
    // stands ("Shared fleet: postgresql://fleet@db:5432/fleet — live", green; "— reconnecting…",
    // amber, the error in the tooltip; "— catching up"), and the VERIFY figure, which only the
    // ingest nodes see, goes.
    void setSharedFleet(const model::SharedFleetStatus &status);
    // Why deliveries cannot be stored (shown in red until cleared with an empty text).
    void setStoreProblem(const QString &problem);
    QString storeProblemText() const;
    // The public callback URL (with a copy button), or why there is none.
    void setPublicUrl(const QString &callbackUrl, const QString &problem = {});
    // Counts deliveries for the per-minute rate and notes the last VERIFY answered.
    void addDeliveries(const QList<model::DeliveryLogEntry> &entries);
    void refresh(qint64 nowMs); // the per-minute figure slides; called every second

    QString deliveriesText() const;
    QString verifyText() const;

private:
    QLabel *m_vehicles;
    QLabel *m_alerts;
    QLabel *m_rate;
    QLabel *m_verify;
    QLabel *m_endpoint;
    QLabel *m_store;
    QLabel *m_public;
    QToolButton *m_copy;
    // Deliveries per second of receive time, in a ring indexed by epoch second modulo 60: constant
    // memory and work however many deliveries a minute brings (a list of times held 120,000 at
    // 2,000 deliveries/s).
    static constexpr int kWindowSeconds = 60;
    std::array<qint64, kWindowSeconds> m_perSecond{};
    std::array<qint64, kWindowSeconds> m_bucketSecond{}; // the epoch second each slot counts
    qint64 m_nowSecond = 0;                              // the newest second seen or refreshed
    qint64 m_lastVerifyAt = 0;
    bool m_shared = false;
};

} // namespace ui
