#pragma once

#include "smartcar/SimulatedFleet.h"
#include "store/PostgresLocation.h"
#include "store/SharedFleetFeed.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <memory>
#include <mutex>
#include <vector>

namespace net {
class HttpClientConnection;
}

// How long a delivery takes from an ingest node's 2xx answer to a desktop's view of the shared
// fleet: follows the database with a store::SharedFleetFeed from its current last id, and once the
// feed is live posts signed webhooks (smartcar::SimulatedFleet bodies, as fleetsim sends them) to
// the node at a fixed rate over a few keep-alive connections. Each eventId is timed when it was
// sent, when its 2xx answer arrived, and when the feed's deliveries listener received it, all on
// one monotonic clock (std::chrono::steady_clock) shared by the sending and the feed's threads.
class NotifyLatencyProbe final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NotifyLatencyProbe)
public:
    struct Settings {
        QUrl node; // http://HOST:PORT/webhooks/smartcar of the ingest node
        QByteArray amt;
        store::PostgresLocation database; // the one the node writes to
        double rate = 200;                // deliveries/s
        int durationS = 10;
        int connections = 8;
        int vehicles = 100;
        quint64 seed = 1;    // of the simulated fleet: a fresh one gives fresh eventIds
        int graceMs = 10000; // how long to wait for arrivals once every answer is in
        int liveTimeoutMs = 30000;
    };

    explicit NotifyLatencyProbe(Settings settings, QObject *parent = nullptr);
    ~NotifyLatencyProbe() override;

    // Starts the measurement; finished() tells how it ended.
    void start();

    // After finished(true): `key=value` figures separated by spaces (times in ms).
    QString resultLine() const;

Q_SIGNALS:
    void finished(bool ok, const QString &error);

private:
    struct Sample {
        qint64 sentNs = 0;
        qint64 answeredNs = -1; // -1: no 2xx (yet)
        qint64 arrivedNs = -1;  // -1: not seen by the feed
    };

    static qint64 nowNs();
    bool readCursor(store::SharedFleetFeed::Cursor *cursor, QString *error) const;
    void onFeedDeliveries(const QList<store::SharedFleetFeed::SharedDelivery> &deliveries);
    void onFeedStatus(const store::SharedFleetFeed::Status &status);
    void beginSending();
    void sendDue();
    void sendOne();
    void checkDone();
    void waitForArrivals();
    void finish(bool ok, const QString &error);

    Settings m_settings;
    QByteArray m_target; // request path
    smartcar::SimulatedFleet m_fleet;
    std::unique_ptr<store::SharedFleetFeed> m_feed;
    std::vector<net::HttpClientConnection *> m_connections;
    size_t m_next = 0;
    QTimer m_sendTimer;
    QTimer m_liveTimeout;
    QTimer m_arrivalPoll;
    QElapsedTimer m_clock;
    qint64 m_total = 0; // deliveries to send
    qint64 m_sent = 0;
    qint64 m_answered = 0; // 2xx
    qint64 m_failed = 0;   // anything else
    qint64 m_firstSentNs = 0;
    qint64 m_lastSentNs = 0;
    qint64 m_answersDoneNs = 0;
    bool m_sending = false;
    bool m_done = false;
    QString m_firstFailure;
    QHash<QString, Sample> m_samples; // by eventId; main thread only

    // Written by the feed's thread, read by the main thread.
    mutable std::mutex m_arrivalsLock;
    QHash<QString, qint64> m_arrivals; // eventId -> first arrival
    bool m_live = false;               // the feed reported Live once: sending has been started
};
