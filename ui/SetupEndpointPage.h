#pragma once

#include <QWizardPage>

class QLineEdit;
class QPushButton;

namespace model {
struct SetupValues;
}

namespace ui {

class SetupMessageLabel;

// Where webhooks are received on this computer (HOST:PORT) and where deliveries are kept. A listen
// address other machines can reach is allowed but shown with a warning; an empty data folder means
// the platform default, which the field shows as its placeholder.
class SetupEndpointPage final : public QWizardPage {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SetupEndpointPage)
public:
    explicit SetupEndpointPage(QWidget *parent = nullptr);
    ~SetupEndpointPage() override;

    void setValues(const model::SetupValues &values);
    void applyTo(model::SetupValues *values) const;

    bool isComplete() const override;

    // What an empty data folder stands for; shown, never created here.
    static QString defaultDataDir();

    QLineEdit *listenEdit() const { return m_listen; }
    SetupMessageLabel *listenMessage() const { return m_listenMessage; }
    SetupMessageLabel *webhookUrlLabel() const { return m_webhookUrl; }
    QLineEdit *dataDirEdit() const { return m_dataDir; }
    QPushButton *browseButton() const { return m_browse; }
    SetupMessageLabel *dataDirMessage() const { return m_dataDirMessage; }

private:
    void browse();
    void revalidate();

    QLineEdit *m_listen;
    SetupMessageLabel *m_listenMessage;
    SetupMessageLabel *m_webhookUrl;
    QLineEdit *m_dataDir;
    QPushButton *m_browse;
    SetupMessageLabel *m_dataDirMessage;
};

} // namespace ui
