#pragma once

#include <QWidget>

class QLabel;
class QPushButton;

namespace ui {

// A red bar for the one thing a fleet manager must not miss: a deployed airbag. It shows one
// alert ("Airbag deployed: Polestar 2 — 12:03") and how many more are waiting, with a button that
// acknowledges the alert shown. It holds no model: whoever owns it says what to show, and hides it
// when nothing critical is left.
class AlertBanner final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AlertBanner)
public:
    explicit AlertBanner(QWidget *parent = nullptr);
    ~AlertBanner() override;

    // Shows the banner for `alertId`; `more` counts other unacknowledged critical alerts.
    void showAlert(qint64 alertId, const QString &vehicleName, const QString &time, int more);
    void clearAlert(); // hides the banner

    qint64 alertId() const { return m_alertId; } // 0 while hidden
    QString text() const;
    QPushButton *acknowledgeButton() const { return m_acknowledge; }

Q_SIGNALS:
    void acknowledgeRequested(qint64 alertId);

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    qint64 m_alertId = 0;
    QLabel *m_icon;
    QLabel *m_label;
    QPushButton *m_acknowledge;
};

} // namespace ui
