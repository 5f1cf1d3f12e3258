#include "ui/StatusIndicators.h"

#include <QClipboard>
#include <QDateTime>
#include <QFontMetrics>
#include <QGuiApplication>
#include <QLabel>
#include <QLocale>
#include <QStatusBar>
#include <QToolButton>

#include <utility>

namespace ui {

StatusIndicators::StatusIndicators(QStatusBar *bar)
    : QObject(bar)
    , m_vehicles(new QLabel(bar))
    , m_alerts(new QLabel(bar))
    , m_rate(new QLabel(bar))
    , m_verify(new QLabel(bar))
    , m_endpoint(new QLabel(bar))
    , m_store(new QLabel(bar))
    , m_public(new QLabel(bar))
    , m_copy(new QToolButton(bar)) {
    m_vehicles->setObjectName(QStringLiteral("vehicleCountLabel"));
    m_alerts->setObjectName(QStringLiteral("alertCountLabel"));
    m_rate->setObjectName(QStringLiteral("deliveryRateLabel"));
    m_verify->setObjectName(QStringLiteral("verifyLabel"));
    m_endpoint->setObjectName(QStringLiteral("endpointLabel"));
    // The manager pastes this URL into the tunnel or the Smartcar dashboard.
    m_endpoint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bar->addWidget(m_vehicles, 1);
    // First of the permanent facts: while it shows, Smartcar is being told to come back later.
    m_store->setObjectName(QStringLiteral("storeProblemLabel"));
    m_store->setStyleSheet(QStringLiteral("color: #c62828; font-weight: bold"));
    m_store->setWordWrap(false);
    bar->addPermanentWidget(m_store);
    m_store->hide();
    m_public->setObjectName(QStringLiteral("publicUrlLabel"));
    m_public->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_copy->setText(tr("Copy"));
    m_copy->setToolTip(tr("Copy the public callback URL for the Smartcar dashboard"));
    m_copy->setAutoRaise(true);
    connect(m_copy, &QToolButton::clicked, this,
            [this] { QGuiApplication::clipboard()->setText(m_public->property("url").toString()); });
    for (QLabel *permanent : {m_alerts, m_rate, m_verify, m_endpoint})
        bar->addPermanentWidget(permanent);
    bar->addPermanentWidget(m_public);
    bar->addPermanentWidget(m_copy);
    m_public->hide();
    m_copy->hide();
    setVehicleCounts(0, 0);
    setOpenAlerts(0);
    refresh(QDateTime::currentMSecsSinceEpoch());
}

void StatusIndicators::setVehicleCounts(int visible, int total) {
    if (total == 0)
        m_vehicles->setText(m_shared ? tr("No vehicle in the shared fleet yet")
                                     : tr("Waiting for the first vehicle webhook"));
    else if (visible == total)
        m_vehicles->setText(total == 1 ? tr("1 vehicle") : tr("%1 vehicles").arg(total));
    else
        m_vehicles->setText(tr("%1 of %2 vehicles shown").arg(visible).arg(total));
}

void StatusIndicators::setOpenAlerts(int count) {
    m_alerts->setText(count == 1 ? tr("1 open alert") : tr("%1 open alerts").arg(count));
    // A style sheet change re-polishes the label and relayouts the window: only when it flips, not
    // on every count an alert-heavy tick brings.
    const QString style = count > 0 ? QStringLiteral("color: #c62828; font-weight: bold") : QString();
    if (m_alerts->styleSheet() != style)
        m_alerts->setStyleSheet(style);
}

void StatusIndicators::setEndpoint(const QString &text, const QString &warning) {
    if (warning.isEmpty()) {
        m_endpoint->setText(text);
        m_endpoint->setToolTip(text);
        m_endpoint->setStyleSheet(QString());
        return;
    }
    m_endpoint->setText(tr("%1 — ⚠ reachable from other machines").arg(text));
    m_endpoint->setToolTip(warning);
    m_endpoint->setStyleSheet(QStringLiteral("QLabel { color: #a15c00; font-weight: bold; }"));
}

void StatusIndicators::setSharedFleet(const model::SharedFleetStatus &status) {
    using State = model::SharedFleetStatus::State;
    if (!std::exchange(m_shared, true)) {
        m_verify->hide();
        if (m_vehicles->text() == tr("Waiting for the first vehicle webhook"))
            m_vehicles->setText(tr("No vehicle in the shared fleet yet"));
    }
    QString state;
    QString color;
    QString tip = status.location;
    switch (status.state) {
    case State::Live:
        state = tr("live");
        color = QStringLiteral("#2e7d32");
        break;
    case State::CatchingUp:
        state = tr("catching up");
        color = QStringLiteral("#1565c0");
        break;
    case State::Connecting:
        state = status.attempt > 0 ? tr("reconnecting…") : tr("connecting…");
        color = QStringLiteral("#a15c00");
        break;
    case State::Lost:
        state = tr("reconnecting…");
        color = QStringLiteral("#a15c00");
        break;
    }
    if (!status.error.isEmpty() && status.state != State::Live && status.state != State::CatchingUp)
        tip = tr("%1\n\nLast error: %2").arg(status.location, status.error.trimmed());
    // A long URL loses its middle, never the state at the end: that is what the label is for.
    QFont bold = m_endpoint->font(); // as the style sheet below shows it
    bold.setBold(true);
    const QFontMetrics metrics(bold);
    const QString location = metrics.elidedText(status.location, Qt::ElideMiddle,
                                                metrics.horizontalAdvance(QLatin1Char('x')) * 48);
    m_endpoint->setText(tr("Shared fleet: %1 — %2").arg(location, state));
    m_endpoint->setToolTip(tip);
    const QString style = QStringLiteral("QLabel { color: %1; font-weight: bold; }").arg(color);
    if (m_endpoint->styleSheet() != style) // a re-polish per status would relayout the window each time
        m_endpoint->setStyleSheet(style);
}

void StatusIndicators::setStoreProblem(const QString &problem) {
    if (problem.isEmpty()) {
        m_store->clear();
        m_store->setToolTip(QString());
        m_store->hide();
        return;
    }
    m_store->setText(tr("Deliveries not stored: answering 503"));
    m_store->setToolTip(problem);
    m_store->show();
}

QString StatusIndicators::storeProblemText() const {
    return m_store->isHidden() ? QString() : m_store->toolTip();
}

void StatusIndicators::setPublicUrl(const QString &callbackUrl, const QString &problem) {
    m_public->setProperty("url", callbackUrl);
    if (!callbackUrl.isEmpty())
        m_public->setText(tr("Public: %1").arg(callbackUrl));
    else
        m_public->setText(problem.isEmpty() ? tr("Public: waiting for the tunnel") : tr("Public: none"));
    m_public->setToolTip(problem.isEmpty() ? callbackUrl : problem);
    m_public->show();
    m_copy->setVisible(!callbackUrl.isEmpty());
}

void StatusIndicators::addDeliveries(const QList<model::DeliveryLogEntry> &entries) {
    for (const model::DeliveryLogEntry &e : entries) {
        if (e.replay)
            continue; // the rate is what Smartcar sends
        const qint64 second = e.receivedAtMs / 1000;
        const auto slot = size_t(second % kWindowSeconds);
        if (m_bucketSecond[slot] != second) {
            m_bucketSecond[slot] = second;
            m_perSecond[slot] = 0;
        }
        ++m_perSecond[slot];
        m_nowSecond = std::max(m_nowSecond, second);
        if (e.verdict == model::Verdict::Verify && e.status == 200)
            m_lastVerifyAt = std::max(m_lastVerifyAt, e.receivedAtMs);
    }
}

void StatusIndicators::refresh(qint64 nowMs) {
    m_nowSecond = nowMs / 1000;
    m_rate->setText(deliveriesText());
    m_verify->setText(verifyText());
}

QString StatusIndicators::deliveriesText() const {
    qint64 lastMinute = 0;
    for (int slot = 0; slot < kWindowSeconds; ++slot)
        if (m_bucketSecond[size_t(slot)] > m_nowSecond - kWindowSeconds)
            lastMinute += m_perSecond[size_t(slot)];
    return tr("%1 deliveries/min").arg(lastMinute);
}

QString StatusIndicators::verifyText() const {
    if (m_lastVerifyAt == 0)
        return tr("VERIFY: none since start");
    return tr("VERIFY answered %1")
        .arg(QLocale().toString(QDateTime::fromMSecsSinceEpoch(m_lastVerifyAt).time(), QLocale::ShortFormat));
}

} // namespace ui
