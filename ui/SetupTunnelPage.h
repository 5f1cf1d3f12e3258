#pragma once

#include "model/SetupValues.h"

#include <QWizardPage>

class QButtonGroup;
class QLabel;
class QLineEdit;
class QRadioButton;

namespace ui {

class SetupMessageLabel;

// How Smartcar reaches this computer: no tunnel (own reverse proxy), one of the known tunnel
// programs, or a custom command whose output holds the public URL. The command and URL pattern
// fields exist only for "Custom" and are checked as typed; a pattern that is not a valid regular
// expression keeps Next disabled.
class SetupTunnelPage final : public QWizardPage {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SetupTunnelPage)
public:
    using Tunnel = model::SetupValues::Tunnel;

    explicit SetupTunnelPage(QWidget *parent = nullptr);
    ~SetupTunnelPage() override;

    void setValues(const model::SetupValues &values);
    // The custom fields are written whatever the choice: switching away from Custom loses nothing.
    void applyTo(model::SetupValues *values) const;

    bool isComplete() const override;

    Tunnel tunnel() const;
    void setTunnel(Tunnel tunnel);

    QRadioButton *button(Tunnel tunnel) const;
    QLabel *detailLabel() const { return m_detail; }
    QWidget *customFields() const { return m_custom; }
    QLineEdit *commandEdit() const { return m_command; }
    SetupMessageLabel *commandMessage() const { return m_commandMessage; }
    QLineEdit *urlPatternEdit() const { return m_urlPattern; }
    SetupMessageLabel *urlPatternMessage() const { return m_urlPatternMessage; }

private:
    void onTunnelChanged();
    void revalidate();

    QButtonGroup *m_group;
    QLabel *m_detail;
    QWidget *m_custom;
    QLineEdit *m_command;
    SetupMessageLabel *m_commandMessage;
    QLineEdit *m_urlPattern;
    SetupMessageLabel *m_urlPatternMessage;
};

} // namespace ui
