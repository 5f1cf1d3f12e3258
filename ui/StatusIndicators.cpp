#include "ui/StatusIndicators.h"

#include <QDateTime>
#include <QLabel>
#include <QLocale>
#include <QStatusBar>

namespace ui {

StatusIndicators::StatusIndicators(QStatusBar *bar)
    : QObject(bar)
    , m_vehicles(new QLabel(bar))
    , m_alerts(new QLabel(bar))
    , m_rate(new QLabel(bar))
    , m_verify(new QLabel(bar))
    , m_endpoint(new QLabel(bar)) {
    m_vehicles->setObjectName(QStringLiteral("vehicleCountLabel"));
    m_alerts->setObjectName(QStringLiteral("alertCountLabel"));
    m_rate->setObjectName(QStringLiteral("deliveryRateLabel"));
    m_verify->setObjectName(QStringLiteral("verifyLabel"));
    m_endpoint->setObjectName(QStringLiteral("endpointLabel"));
    // The manager pastes this URL into the tunnel or the Smartcar dashboard.
    m_endpoint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bar->addWidget(m_vehicles, 1);
    for (QLabel *permanent : {m_alerts, m_rate, m_verify, m_endpoint})
        bar->addPermanentWidget(permanent);
    setVehicleCounts(0, 0);
    setOpenAlerts(0);
    refresh(QDateTime::currentMSecsSinceEpoch());
}

void StatusIndicators::setVehicleCounts(int visible, int total) {
    if (total == 0)
        m_vehicles->setText(tr("Waiting for the first vehicle webhook"));
    else if (visible == total)
        m_vehicles->setText(total == 1 ? tr("1 vehicle") : tr("%1 vehicles").arg(total));
    else
        m_vehicles->setText(tr("%1 of %2 vehicles shown").arg(visible).arg(total));
}

void StatusIndicators::setOpenAlerts(int count) {
    m_alerts->setText(count == 1 ? tr("1 open alert") : tr("%1 open alerts").arg(count));
    m_alerts->setStyleSheet(count > 0 ? QStringLiteral("color: #c62828; font-weight: bold") : QString());
}

void StatusIndicators::setEndpoint(const QString &text) {
    m_endpoint->setText(text);
    m_endpoint->setToolTip(text);
}

void StatusIndicators::addDeliveries(const QList<model::DeliveryLogEntry> &entries) {
    for (const model::DeliveryLogEntry &e : entries) {
        if (e.replay)
            continue; // the rate is what Smartcar sends
        m_recent.push_back(e.receivedAtMs);
        if (e.verdict == model::Verdict::Verify && e.status == 200)
            m_lastVerifyAt = std::max(m_lastVerifyAt, e.receivedAtMs);
    }
}

void StatusIndicators::refresh(qint64 nowMs) {
    while (!m_recent.empty() && m_recent.front() < nowMs - 60'000)
        m_recent.pop_front();
    m_rate->setText(deliveriesText());
    m_verify->setText(verifyText());
}

QString StatusIndicators::deliveriesText() const {
    return tr("%1 deliveries/min").arg(m_recent.size());
}

QString StatusIndicators::verifyText() const {
    if (m_lastVerifyAt == 0)
        return tr("VERIFY: none since start");
    return tr("VERIFY answered %1")
        .arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(m_lastVerifyAt).time(), QLocale::ShortFormat));
}

} // namespace ui
