#include "ui/SetupWizard.h"

#include "ui/SetupCredentialsPage.h"
#include "ui/SetupEndpointPage.h"
#include "ui/SetupSummaryPage.h"
#include "ui/SetupTunnelPage.h"
#include "ui/SetupWelcomePage.h"

namespace ui {

SetupWizard::SetupWizard(const model::SetupValues &initial, QWidget *parent)
    : QWizard(parent)
    , m_initial(initial)
    , m_welcome(new SetupWelcomePage(this))
    , m_credentials(new SetupCredentialsPage(this))
    , m_tunnel(new SetupTunnelPage(this))
    , m_endpoint(new SetupEndpointPage(this))
    , m_summary(new SetupSummaryPage(this)) {
    setObjectName(QStringLiteral("setupWizard"));
    setWindowTitle(tr("Set up Fleet Monitor"));
    // The modern style gives each page its title and subtitle in a header, which the pages rely on
    // to explain themselves; the platform default on Linux would drop the subtitles.
    setWizardStyle(QWizard::ModernStyle);
    setOption(QWizard::NoBackButtonOnStartPage);
    setOption(QWizard::NoCancelButtonOnLastPage, false);

    setPage(WelcomePageId, m_welcome);
    setPage(CredentialsPageId, m_credentials);
    setPage(TunnelPageId, m_tunnel);
    setPage(EndpointPageId, m_endpoint);
    setPage(SummaryPageId, m_summary);
    setStartId(WelcomePageId);

    m_credentials->setValues(initial);
    m_tunnel->setValues(initial);
    m_endpoint->setValues(initial);

    setMinimumSize(560, 440);
    resize(640, 480);
}

SetupWizard::~SetupWizard() = default;

model::SetupValues SetupWizard::values() const {
    model::SetupValues values = m_initial;
    m_credentials->applyTo(&values);
    m_tunnel->applyTo(&values);
    m_endpoint->applyTo(&values);
    return values;
}

void SetupWizard::initializePage(int id) {
    if (id == SummaryPageId)
        m_summary->showValues(values());
    QWizard::initializePage(id);
}

} // namespace ui
