#include "DeliveryPoster.h"

#include "smartcar/WebhookSender.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>
#include <algorithm>

DeliveryPoster::DeliveryPoster(const QUrl &url, const QByteArray &amt, int connections, QObject *parent)
    : QObject(parent) {
    const int count = std::max(1, connections);
    m_senders.reserve(size_t(count));
    m_queues.resize(size_t(count));
    for (int i = 0; i < count; ++i) {
        auto *sender = new smartcar::WebhookSender(url, amt, 1, this);
        const auto index = size_t(i);
        connect(sender, &smartcar::WebhookSender::delivered, this,
                [this, index](int status, qint64 latencyNs) { onDelivered(index, status, latencyNs); });
        connect(sender, &smartcar::WebhookSender::failed, this,
                [this, index](const QString &error) { onFailed(index, error); });
        m_senders.push_back(sender);
    }
}

DeliveryPoster::~DeliveryPoster() = default;

bool DeliveryPoster::openAckLog(const QString &path, QString *error) {
    m_ackLog.setFileName(path);
    // Unbuffered: each line reaches the file with its write, not when a buffer fills.
    if (!m_ackLog.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, m_ackLog.errorString());
        return false;
    }
    return true;
}

void DeliveryPoster::post(const QByteArray &body) {
    ++m_sent;
    ++m_inFlight;
    send(Item{body, 0});
}

size_t DeliveryPoster::pickSender() {
    // Round robin, but an idle connection beats queueing behind a busy one.
    const size_t count = m_senders.size();
    for (size_t i = 0; i < count; ++i) {
        const size_t candidate = (m_next + i) % count;
        if (m_queues[candidate].empty()) {
            m_next = (candidate + 1) % count;
            return candidate;
        }
    }
    const size_t chosen = m_next;
    m_next = (m_next + 1) % count;
    return chosen;
}

void DeliveryPoster::send(Item item) {
    const size_t index = pickSender();
    ++item.attempts;
    ++m_attempts;
    const QByteArray body = item.body;
    m_queues[index].push_back(std::move(item));
    m_senders[index]->post(body);
}

void DeliveryPoster::onDelivered(size_t sender, int status, qint64 latencyNs) {
    Item item = std::move(m_queues[sender].front());
    m_queues[sender].pop_front();
    --m_inFlight;
    ++m_acknowledged;
    if (m_ackLog.isOpen()) {
        const QByteArray eventId =
            QJsonDocument::fromJson(item.body).object().value(QLatin1String("eventId")).toString().toUtf8();
        m_ackLog.write(eventId + '\n');
    }
    Q_EMIT delivered(status, latencyNs);
}

void DeliveryPoster::onFailed(size_t sender, const QString &error) {
    Item item = std::move(m_queues[sender].front());
    m_queues[sender].pop_front();
    if (!m_retry) {
        --m_inFlight;
        ++m_failed;
        Q_EMIT failed(error, false);
        return;
    }
    ++m_retried;
    // Exponential backoff: a receiver that is down is not hammered, one that is back is soon found.
    const int shift = std::min(item.attempts - 1, 16);
    const int delayMs = std::min(kMaxRetryMs, kFirstRetryMs << shift);
    QTimer::singleShot(delayMs, this, [this, item = std::move(item)]() mutable { send(std::move(item)); });
    Q_EMIT failed(error, true);
}
