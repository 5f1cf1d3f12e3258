#include "app/StoreHealthRelay.h"

#include "store/Journal.h"
#include "ui/StatusIndicators.h"

namespace app {

StoreHealthRelay::StoreHealthRelay(QString journalPath, QObject *parent)
    : QObject(parent)
    , m_journalPath(std::move(journalPath)) {}

QString StoreHealthRelay::problemText(const QString &journalPath, const store::JournalHealth &health) {
    if (health.writable)
        return {};
    if (health.damaged)
        return health.error;
    return tr("The journal %1 cannot be written: %2. Deliveries are answered 503, so Smartcar retries "
              "them; Fleet Monitor keeps trying and resumes by itself when it can write again.")
        .arg(journalPath, health.error);
}

void StoreHealthRelay::report(const store::JournalHealth &health) {
    QMetaObject::invokeMethod(
        this, [this, problem = problemText(m_journalPath, health)] { show(problem); }, Qt::QueuedConnection);
}

void StoreHealthRelay::attach(ui::StatusIndicators *indicators) {
    m_indicators = indicators;
    if (m_indicators)
        m_indicators->setStoreProblem(m_problem);
}

void StoreHealthRelay::show(const QString &problem) {
    m_problem = problem;
    if (m_indicators)
        m_indicators->setStoreProblem(problem);
}

} // namespace app
