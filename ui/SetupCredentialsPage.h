#pragma once

#include <QWizardPage>

class QCheckBox;
class QLineEdit;

namespace model {
struct SetupValues;
}

namespace ui {

class SetupMessageLabel;

// The Smartcar credentials: Application Management Token (required), webhook id and the optional
// client id/secret for Connect. Every field is checked as it is typed, with the model::SetupValidation
// message beneath it; Next stays disabled while any is invalid. Secrets are hidden unless the user
// ticks "Show".
class SetupCredentialsPage final : public QWizardPage {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SetupCredentialsPage)
public:
    explicit SetupCredentialsPage(QWidget *parent = nullptr);
    ~SetupCredentialsPage() override;

    void setValues(const model::SetupValues &values);
    // Writes exactly what the fields hold (no trimming), so untouched values come back unchanged.
    void applyTo(model::SetupValues *values) const;

    bool isComplete() const override;

    QLineEdit *amtEdit() const { return m_amt; }
    QCheckBox *showAmtBox() const { return m_showAmt; }
    SetupMessageLabel *amtMessage() const { return m_amtMessage; }
    QLineEdit *webhookIdEdit() const { return m_webhookId; }
    SetupMessageLabel *webhookIdMessage() const { return m_webhookIdMessage; }
    QLineEdit *clientIdEdit() const { return m_clientId; }
    QLineEdit *clientSecretEdit() const { return m_clientSecret; }
    QCheckBox *showSecretBox() const { return m_showSecret; }
    SetupMessageLabel *clientMessage() const { return m_clientMessage; }

private:
    void revalidate();

    QLineEdit *m_amt;
    QCheckBox *m_showAmt;
    SetupMessageLabel *m_amtMessage;
    QLineEdit *m_webhookId;
    SetupMessageLabel *m_webhookIdMessage;
    QLineEdit *m_clientId;
    QLineEdit *m_clientSecret;
    QCheckBox *m_showSecret;
    SetupMessageLabel *m_clientMessage;
};

} // namespace ui
