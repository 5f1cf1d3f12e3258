#include "NotifyLatencyProbe.h"

#include "net/HttpClientConnection.h"
#include "smartcar/Signature.h"
#include "store/PostgresSchema.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace {

// Nearest-rank percentile of sorted values, in ms.
QString percentileMs(const std::vector<qint64> &sortedNs, double p) {
    if (sortedNs.empty())
        return QStringLiteral("-");
    const auto rank = size_t(std::ceil(p / 100.0 * double(sortedNs.size())));
    const qint64 ns = sortedNs[std::clamp<size_t>(rank, 1, sortedNs.size()) - 1];
    return QString::number(double(ns) / 1e6, 'f', 3);
}

} // namespace

NotifyLatencyProbe::NotifyLatencyProbe(Settings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_fleet(m_settings.vehicles, m_settings.seed) {
    m_target = m_settings.node.path(QUrl::FullyEncoded).toUtf8();
    if (m_target.isEmpty())
        m_target = "/";
    m_total = qint64(std::llround(m_settings.rate * m_settings.durationS));
    // The sending clock is checked every millisecond; a coarse timer would send in bursts.
    m_sendTimer.setTimerType(Qt::PreciseTimer);
    m_sendTimer.setInterval(1);
    connect(&m_sendTimer, &QTimer::timeout, this, &NotifyLatencyProbe::sendDue);
    m_liveTimeout.setSingleShot(true);
    connect(&m_liveTimeout, &QTimer::timeout, this, [this] {
        finish(false, QStringLiteral("the feed did not go live within %1 ms").arg(m_settings.liveTimeoutMs));
    });
    m_arrivalPoll.setInterval(5);
    connect(&m_arrivalPoll, &QTimer::timeout, this, &NotifyLatencyProbe::waitForArrivals);
}

NotifyLatencyProbe::~NotifyLatencyProbe() {
    if (m_feed)
        m_feed->stop();
}

qint64 NotifyLatencyProbe::nowNs() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

bool NotifyLatencyProbe::readCursor(store::SharedFleetFeed::Cursor *cursor, QString *error) const {
    const QString name = QStringLiteral("notify-probe-cursor");
    bool ok = false;
    {
        QSqlDatabase db = m_settings.database.addConnection(name);
        const bool opened = db.open();
        QSqlQuery q(db);
        if (!opened) {
            *error = QStringLiteral("cannot connect to %1: %2")
                         .arg(m_settings.database.displayName(), db.lastError().text());
        } else if (QString schemaError; !store::PostgresSchema::ensure(db, &schemaError)) {
            *error = schemaError;
        } else if (!q.exec(QStringLiteral("SELECT (SELECT coalesce(max(id), 0) FROM deliveries),"
                                          " (SELECT coalesce(max(id), 0) FROM alert_acks)")) ||
                   !q.next()) {
            *error = q.lastError().text();
        } else {
            cursor->deliveries = q.value(0).toLongLong();
            cursor->acknowledgements = q.value(1).toLongLong();
            ok = true;
        }
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

void NotifyLatencyProbe::start() {
    store::SharedFleetFeed::Cursor cursor;
    QString error;
    if (!readCursor(&cursor, &error)) {
        finish(false, error);
        return;
    }
    std::fprintf(stderr, "notify: following %s from delivery id %lld\n",
                 qPrintable(m_settings.database.displayName()), cursor.deliveries);
    m_feed = std::make_unique<store::SharedFleetFeed>(m_settings.database);
    m_feed->setDeliveriesListener(
        [this](const QList<store::SharedFleetFeed::SharedDelivery> &d) { onFeedDeliveries(d); });
    m_feed->setStatusListener([this](const store::SharedFleetFeed::Status &s) { onFeedStatus(s); });
    m_liveTimeout.start(m_settings.liveTimeoutMs);
    m_feed->start(cursor);
}

// The feed's thread: the time of arrival is taken first, before any bookkeeping.
void NotifyLatencyProbe::onFeedDeliveries(const QList<store::SharedFleetFeed::SharedDelivery> &deliveries) {
    const qint64 now = nowNs();
    const std::lock_guard lock(m_arrivalsLock);
    for (const auto &shared : deliveries) {
        if (!m_arrivals.contains(shared.delivery.eventId))
            m_arrivals.insert(shared.delivery.eventId, now);
    }
}

// The feed's thread.
void NotifyLatencyProbe::onFeedStatus(const store::SharedFleetFeed::Status &status) {
    static const char *const names[] = {"connecting", "catching up", "live", "lost"};
    std::fprintf(stderr, "notify: feed %s%s%s\n", names[int(status.state)],
                 status.error.isEmpty() ? "" : ": ", qPrintable(status.error));
    if (status.state != store::SharedFleetFeed::State::Live)
        return;
    const std::lock_guard lock(m_arrivalsLock);
    if (m_live)
        return;
    m_live = true;
    QMetaObject::invokeMethod(this, &NotifyLatencyProbe::beginSending, Qt::QueuedConnection);
}

void NotifyLatencyProbe::beginSending() {
    if (m_done)
        return;
    m_liveTimeout.stop();
    const QString host = m_settings.node.host();
    const auto port = quint16(m_settings.node.port(80));
    for (int i = 0; i < std::max(1, m_settings.connections); ++i)
        m_connections.push_back(new net::HttpClientConnection(host, port, this));
    std::fprintf(stderr, "notify: sending %lld deliveries at %.0f/s to %s\n", m_total, m_settings.rate,
                 qPrintable(m_settings.node.toString()));
    m_sending = true;
    m_clock.start();
    m_sendTimer.start();
    sendDue();
}

void NotifyLatencyProbe::sendDue() {
    // As many as the fixed rate says are due by now: a late tick catches up instead of drifting.
    const auto due = std::min(m_total, qint64(double(m_clock.nsecsElapsed()) * m_settings.rate / 1e9) + 1);
    while (m_sent < due)
        sendOne();
    if (m_sent == m_total) {
        m_sendTimer.stop();
        m_sending = false;
        checkDone();
    }
}

void NotifyLatencyProbe::sendOne() {
    const QByteArray body = m_fleet.nextDelivery(QDateTime::currentMSecsSinceEpoch());
    const QString eventId = QJsonDocument::fromJson(body).object().value(QLatin1String("eventId")).toString();
    const net::HttpHeaders headers = {
        {QByteArrayLiteral("Content-Type"), QByteArrayLiteral("application/json")},
        {QByteArrayLiteral("SC-Signature"), smartcar::Signature::hmacSha256Hex(m_settings.amt, body)},
        {QByteArrayLiteral("User-Agent"), QByteArrayLiteral("Smartcar/sim")},
    };
    // An idle connection first, so no delivery waits behind another one's answer when one is free.
    net::HttpClientConnection *connection = m_connections[m_next];
    for (size_t i = 0; i < m_connections.size(); ++i) {
        auto *candidate = m_connections[(m_next + i) % m_connections.size()];
        if (candidate->pendingCount() == 0) {
            connection = candidate;
            m_next = (m_next + i) % m_connections.size();
            break;
        }
    }
    m_next = (m_next + 1) % m_connections.size();
    const qint64 sent = nowNs();
    if (m_sent == 0)
        m_firstSentNs = sent;
    m_lastSentNs = sent;
    ++m_sent;
    m_samples.insert(eventId, Sample{sent, -1, -1});
    connection->send(QByteArrayLiteral("POST"), m_target, headers, body,
                     [this, eventId](const net::HttpClientReply &reply) {
                         const qint64 now = nowNs();
                         if (reply.ok()) {
                             ++m_answered;
                             m_samples[eventId].answeredNs = now;
                         } else {
                             ++m_failed;
                             if (m_firstFailure.isEmpty())
                                 m_firstFailure = reply.error.isEmpty()
                                                      ? QStringLiteral("HTTP %1").arg(reply.status)
                                                      : reply.error;
                         }
                         checkDone();
                     });
}

void NotifyLatencyProbe::checkDone() {
    if (m_sending || m_done || m_answered + m_failed < m_total || m_arrivalPoll.isActive())
        return;
    m_answersDoneNs = nowNs();
    if (!m_firstFailure.isEmpty())
        std::fprintf(stderr, "notify: %lld deliveries failed, the first: %s\n", m_failed,
                     qPrintable(m_firstFailure));
    m_arrivalPoll.start();
    waitForArrivals();
}

void NotifyLatencyProbe::waitForArrivals() {
    qint64 arrived = 0;
    {
        const std::lock_guard lock(m_arrivalsLock);
        for (auto it = m_samples.cbegin(); it != m_samples.cend(); ++it)
            arrived += (it->answeredNs >= 0 && m_arrivals.contains(it.key())) ? 1 : 0;
    }
    if (arrived < m_answered && nowNs() - m_answersDoneNs < qint64(m_settings.graceMs) * 1000000)
        return;
    m_arrivalPoll.stop();
    finish(true, {});
}

void NotifyLatencyProbe::finish(bool ok, const QString &error) {
    if (m_done)
        return;
    m_done = true;
    m_sendTimer.stop();
    m_liveTimeout.stop();
    m_arrivalPoll.stop();
    if (m_feed)
        m_feed->stop(); // no listener runs after this: m_arrivals is the main thread's now
    for (auto it = m_arrivals.cbegin(); it != m_arrivals.cend(); ++it) {
        auto sample = m_samples.find(it.key());
        if (sample != m_samples.end())
            sample->arrivedNs = it.value();
    }
    Q_EMIT finished(ok, error);
}

QString NotifyLatencyProbe::resultLine() const {
    std::vector<qint64> sendAnswer, answerArrival, sendArrival;
    qint64 arrived = 0, beforeAnswer = 0;
    for (const Sample &s : m_samples) {
        if (s.answeredNs < 0)
            continue;
        sendAnswer.push_back(s.answeredNs - s.sentNs);
        if (s.arrivedNs < 0)
            continue;
        ++arrived;
        answerArrival.push_back(s.arrivedNs - s.answeredNs);
        sendArrival.push_back(s.arrivedNs - s.sentNs);
        beforeAnswer += s.arrivedNs < s.answeredNs ? 1 : 0;
    }
    qint64 foreign = 0;
    for (auto it = m_arrivals.cbegin(); it != m_arrivals.cend(); ++it)
        foreign += m_samples.contains(it.key()) ? 0 : 1;
    const double spanS = double(m_lastSentNs - m_firstSentNs) / 1e9;
    // The rate over the sending span: n deliveries are n - 1 intervals.
    const double rate = m_sent > 1 && spanS > 0 ? double(m_sent - 1) / spanS : 0;
    QStringList fields{
        QStringLiteral("sent=%1").arg(m_sent),
        QStringLiteral("answered=%1").arg(m_answered),
        QStringLiteral("failed=%1").arg(m_failed),
        QStringLiteral("arrived=%1").arg(arrived),
        QStringLiteral("before_answer=%1").arg(beforeAnswer),
        QStringLiteral("foreign=%1").arg(foreign),
        QStringLiteral("rate=%1").arg(rate, 0, 'f', 1),
    };
    const auto add = [&fields](const char *name, std::vector<qint64> &values) {
        std::sort(values.begin(), values.end());
        fields << QStringLiteral("%1_p50_ms=%2").arg(QLatin1String(name), percentileMs(values, 50))
               << QStringLiteral("%1_p99_ms=%2").arg(QLatin1String(name), percentileMs(values, 99))
               << QStringLiteral("%1_max_ms=%2").arg(QLatin1String(name), percentileMs(values, 100));
    };
    add("send_answer", sendAnswer);
    add("answer_arrival", answerArrival);
    add("send_arrival", sendArrival);
    return fields.join(QLatin1Char(' '));
}
