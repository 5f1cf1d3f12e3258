#pragma once

#include <QObject>
#include <QPointer>
#include <QString>

namespace store {
struct JournalHealth;
}
namespace ui {
class StatusIndicators;
}

namespace app {

// Carries the journal's health from the store thread to the window's status bar: each report is
// queued onto the thread this object lives on (the GUI thread), and the latest problem is kept
// until a status bar is attached, so one reported before the window exists is not lost.
class StoreHealthRelay final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StoreHealthRelay)
public:
    explicit StoreHealthRelay(QString journalPath, QObject *parent = nullptr);

    void report(const store::JournalHealth &health); // any thread
    void attach(ui::StatusIndicators *indicators);   // this object's thread
    QString problem() const { return m_problem; }    // this object's thread; empty when writable

    // What the manager reads: why deliveries are refused, and what happens next.
    static QString problemText(const QString &journalPath, const store::JournalHealth &health);

private:
    void show(const QString &problem);

    QString m_journalPath;
    QString m_problem;
    QPointer<ui::StatusIndicators> m_indicators;
};

} // namespace app
