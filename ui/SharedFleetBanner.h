#pragma once

#include "model/SharedFleetStatus.h"

#include <QTimer>
#include <QWidget>

#include <functional>

class QHBoxLayout;
class QLabel;
class QProgressBar;

namespace ui {

// The bar at the top of a window that follows a shared fleet, shown while the database is not live:
// amber while the connection is lost or being restored ("Connection to the shared fleet (…) lost:
// <why>. Reconnecting in 4 s (attempt 3)…", counting down to the next try), calm blue with a progress
// bar while it takes what was stored meanwhile ("Catching up: 12,000 of 40,000 deliveries"), and
// hidden once live. Until then the table, alerts and charts show the fleet as it was, so the manager
// must see that it is not current. It holds no connection: whoever owns it hands it each status.
class SharedFleetBanner final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SharedFleetBanner)
public:
    // Milliseconds on a monotonic clock; replaceable so the countdown can be tested without waiting.
    using Clock = std::function<qint64()>;

    explicit SharedFleetBanner(QWidget *parent = nullptr);
    ~SharedFleetBanner() override;

    void setStatus(const model::SharedFleetStatus &status);
    const model::SharedFleetStatus &status() const { return m_status; }

    QString text() const;
    // Whole seconds left until the next try (rounded up: "0 s" would be shown while still waiting).
    int secondsToRetry() const;
    bool warning() const { return m_warning; } // amber (lost, reconnecting) rather than blue
    QProgressBar *progressBar() const { return m_progress; }

    void setClock(Clock clock);

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    void render();

    model::SharedFleetStatus m_status;
    Clock m_clock;
    qint64 m_retryAt = 0; // on m_clock
    bool m_warning = false;
    QHBoxLayout *m_layout = nullptr;
    QLabel *m_icon;
    QLabel *m_label;
    QProgressBar *m_progress;
    QTimer m_countdown;
};

} // namespace ui
