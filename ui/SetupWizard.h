#pragma once

#include "model/SetupValues.h"

#include <QWizard>

namespace ui {

class SetupCredentialsPage;
class SetupEndpointPage;
class SetupSummaryPage;
class SetupTunnelPage;
class SetupWelcomePage;

// First-run (and "Settings → Setup…") assistant: Welcome, Smartcar credentials, tunnel, endpoint and
// data folder, summary. Each page checks its fields as they are typed with model::SetupValidation
// and keeps Next disabled while one is invalid; Enter means Next. The wizard only edits values: it
// saves nothing and starts nothing, the caller reads values() after exec() returns Accepted.
class SetupWizard final : public QWizard {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SetupWizard)
public:
    enum PageId { WelcomePageId, CredentialsPageId, TunnelPageId, EndpointPageId, SummaryPageId };

    explicit SetupWizard(const model::SetupValues &initial, QWidget *parent = nullptr);
    ~SetupWizard() override;

    // The initial values with the fields of every page applied: unchanged when nothing was edited.
    model::SetupValues values() const;

    SetupWelcomePage *welcomePage() const { return m_welcome; }
    SetupCredentialsPage *credentialsPage() const { return m_credentials; }
    SetupTunnelPage *tunnelPage() const { return m_tunnel; }
    SetupEndpointPage *endpointPage() const { return m_endpoint; }
    SetupSummaryPage *summaryPage() const { return m_summary; }

protected:
    void initializePage(int id) override;

private:
    model::SetupValues m_initial; // keeps whatever no page edits
    SetupWelcomePage *m_welcome;
    SetupCredentialsPage *m_credentials;
    SetupTunnelPage *m_tunnel;
    SetupEndpointPage *m_endpoint;
    SetupSummaryPage *m_summary;
};

} // namespace ui
