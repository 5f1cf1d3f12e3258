#pragma once

#include <QByteArray>
#include <QFile>
#include <QObject>
#include <QString>
#include <QUrl>
#include <deque>
#include <vector>

namespace smartcar {
class WebhookSender;
}

// fleetsim's delivery side: posts bodies over a pool of keep-alive connections and, when asked,
// behaves like Smartcar after a failed attempt: the same body (so the same eventId and signature)
// is posted again after a backoff until it is answered 2xx. Each connection has one request in
// flight at a time and answers in order, so every answer is matched to its body. Acknowledged
// eventIds can be appended to a log, one per line, written through at each 2xx so a test may read
// it while the run goes on (a killed fleetsim loses no line it reported).
class DeliveryPoster final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeliveryPoster)
public:
    DeliveryPoster(const QUrl &url, const QByteArray &amt, int connections, QObject *parent = nullptr);
    ~DeliveryPoster() override;

    // After a failed attempt (no answer, or an answer outside 2xx), post the body again after
    // kFirstRetryMs, doubling up to kMaxRetryMs, until it is acknowledged. Off: failures are final.
    void setRetry(bool retry) { m_retry = retry; }
    // Appends the eventId of every acknowledged delivery to the file at path.
    bool openAckLog(const QString &path, QString *error);

    void post(const QByteArray &body);

    // Deliveries posted and not yet acknowledged or given up, waiting retries included.
    int inFlight() const { return m_inFlight; }
    qint64 sentCount() const { return m_sent; }                 // distinct deliveries
    qint64 attemptCount() const { return m_attempts; }          // requests sent, retries included
    qint64 acknowledgedCount() const { return m_acknowledged; } // deliveries answered 2xx
    qint64 failedCount() const { return m_failed; }             // deliveries given up
    qint64 retriedCount() const { return m_retried; }           // attempts that were retried

    static constexpr int kFirstRetryMs = 100;
    static constexpr int kMaxRetryMs = 1000;

Q_SIGNALS:
    // A delivery was answered 2xx (latency of that last attempt).
    void delivered(int status, qint64 latencyNs);
    // An attempt failed: "HTTP <status>" or the transport error; willRetry says whether it is posted again.
    void failed(const QString &error, bool willRetry);

private:
    struct Item {
        QByteArray body;
        int attempts = 0;
    };
    void send(Item item);
    void onDelivered(size_t sender, int status, qint64 latencyNs);
    void onFailed(size_t sender, const QString &error);
    size_t pickSender();

    std::vector<smartcar::WebhookSender *> m_senders; // one connection each: answers come in order
    std::vector<std::deque<Item>> m_queues;           // per sender, in send order
    size_t m_next = 0;
    bool m_retry = false;
    QFile m_ackLog;
    int m_inFlight = 0;
    qint64 m_sent = 0;
    qint64 m_attempts = 0;
    qint64 m_acknowledged = 0;
    qint64 m_failed = 0;
    qint64 m_retried = 0;
};
