#include "ui/SetupCredentialsPage.h"

#include "model/SetupValidation.h"
#include "model/SetupValues.h"
#include "ui/SetupMessageLabel.h"

#include <QCheckBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QVBoxLayout>

namespace ui {

namespace {

using Kind = SetupMessageLabel::Kind;

QLineEdit *secretEdit(const QString &objectName, QWidget *parent) {
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(objectName);
    edit->setEchoMode(QLineEdit::Password);
    // Tokens are pasted, not spelled: no completion or input method should touch them.
    edit->setInputMethodHints(Qt::ImhHiddenText | Qt::ImhSensitiveData | Qt::ImhNoAutoUppercase |
                              Qt::ImhNoPredictiveText);
    return edit;
}

QCheckBox *showBox(const QString &text, QLineEdit *edit, QWidget *parent) {
    auto *box = new QCheckBox(text, parent);
    QObject::connect(box, &QCheckBox::toggled, edit, [edit](bool show) {
        edit->setEchoMode(show ? QLineEdit::Normal : QLineEdit::Password);
    });
    return box;
}

QHBoxLayout *withBox(QLineEdit *edit, QCheckBox *box) {
    auto *row = new QHBoxLayout;
    row->setSpacing(8);
    row->addWidget(edit, 1);
    row->addWidget(box);
    return row;
}

QLabel *buddyLabel(const QString &text, QWidget *buddy, QWidget *parent) {
    auto *label = new QLabel(text, parent);
    label->setBuddy(buddy);
    return label;
}

} // namespace

SetupCredentialsPage::SetupCredentialsPage(QWidget *parent)
    : QWizardPage(parent)
    , m_amt(secretEdit(QStringLiteral("amtEdit"), this))
    , m_showAmt(showBox(tr("S&how"), m_amt, this))
    , m_amtMessage(new SetupMessageLabel(this))
    , m_webhookId(new QLineEdit(this))
    , m_webhookIdMessage(new SetupMessageLabel(this))
    , m_clientId(new QLineEdit(this))
    , m_clientSecret(secretEdit(QStringLiteral("clientSecretEdit"), this))
    , m_showSecret(showBox(tr("Sh&ow"), m_clientSecret, this))
    , m_clientMessage(new SetupMessageLabel(this)) {
    setTitle(tr("Smartcar credentials"));
    setSubTitle(tr("Copy them from the Smartcar Dashboard. They are kept in a file only you can read."));

    m_amt->setPlaceholderText(tr("Dashboard \u2192 Configuration \u2192 API Keys"));
    m_amt->setAccessibleName(tr("Application Management Token"));
    m_amt->setToolTip(tr("Checks that each webhook really comes from Smartcar, and lets Fleet Monitor "
                         "unsubscribe vehicles"));
    m_showAmt->setObjectName(QStringLiteral("showAmtBox"));
    m_showAmt->setToolTip(tr("Show the token instead of dots, to compare it with the Dashboard"));
    m_amtMessage->setObjectName(QStringLiteral("amtMessage"));

    m_webhookId->setObjectName(QStringLiteral("webhookIdEdit"));
    m_webhookId->setPlaceholderText(tr("e.g. 3a5c8f72-e6d9-4b1a-9f2e-8c7d6a5b4e3f"));
    m_webhookId->setAccessibleName(tr("Webhook id"));
    m_webhookId->setToolTip(
        tr("Dashboard \u2192 Webhooks: the id of the webhook that points at this computer"));
    m_webhookIdMessage->setObjectName(QStringLiteral("webhookIdMessage"));

    m_clientId->setObjectName(QStringLiteral("clientIdEdit"));
    m_clientId->setPlaceholderText(tr("Dashboard \u2192 Configuration \u2192 Credentials"));
    m_clientId->setAccessibleName(tr("Client id"));
    m_clientSecret->setAccessibleName(tr("Client secret"));
    m_showSecret->setObjectName(QStringLiteral("showSecretBox"));
    m_showSecret->setToolTip(tr("Show the secret instead of dots, to compare it with the Dashboard"));
    m_clientMessage->setObjectName(QStringLiteral("clientMessage"));

    auto *connectHeading = new QLabel(tr("<b>Smartcar Connect</b> (optional)"), this);
    connectHeading->setContentsMargins(0, 6, 0, 0);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setRowWrapPolicy(QFormLayout::DontWrapRows);
    form->setVerticalSpacing(4);
    form->addRow(buddyLabel(tr("Management &token:"), m_amt, this), withBox(m_amt, m_showAmt));
    form->addRow(QString(), m_amtMessage);
    form->addRow(buddyLabel(tr("&Webhook id:"), m_webhookId, this), m_webhookId);
    form->addRow(QString(), m_webhookIdMessage);
    form->addRow(connectHeading);
    form->addRow(buddyLabel(tr("Client &id:"), m_clientId, this), m_clientId);
    form->addRow(buddyLabel(tr("Client &secret:"), m_clientSecret, this),
                 withBox(m_clientSecret, m_showSecret));
    form->addRow(QString(), m_clientMessage);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addStretch(1); // spare height goes below the form, not between a field and its message

    // Creation order is almost the visual order; only the boxes sit after their fields.
    setTabOrder(m_amt, m_showAmt);
    setTabOrder(m_showAmt, m_webhookId);
    setTabOrder(m_webhookId, m_clientId);
    setTabOrder(m_clientId, m_clientSecret);
    setTabOrder(m_clientSecret, m_showSecret);

    for (QLineEdit *edit : {m_amt, m_webhookId, m_clientId, m_clientSecret})
        connect(edit, &QLineEdit::textChanged, this, &SetupCredentialsPage::revalidate);
    revalidate();
}

SetupCredentialsPage::~SetupCredentialsPage() = default;

void SetupCredentialsPage::setValues(const model::SetupValues &values) {
    m_amt->setText(values.amt);
    m_webhookId->setText(values.webhookId);
    m_clientId->setText(values.clientId);
    m_clientSecret->setText(values.clientSecret);
    revalidate();
}

void SetupCredentialsPage::applyTo(model::SetupValues *values) const {
    values->amt = m_amt->text();
    values->webhookId = m_webhookId->text();
    values->clientId = m_clientId->text();
    values->clientSecret = m_clientSecret->text();
}

bool SetupCredentialsPage::isComplete() const {
    return model::validateAmt(m_amt->text()).isEmpty() &&
           model::validateWebhookId(m_webhookId->text()).isEmpty() &&
           model::validateClientCredentials(m_clientId->text(), m_clientSecret->text()).isEmpty();
}

void SetupCredentialsPage::revalidate() {
    // An empty field is not filled in yet rather than wrong: its message is a hint, not an alarm.
    m_amtMessage->showMessage(m_amt->text().isEmpty() ? Kind::Hint : Kind::Error,
                              model::validateAmt(m_amt->text()));

    if (m_webhookId->text().isEmpty())
        m_webhookIdMessage->showMessage(Kind::Hint, tr("Optional for now; needed to subscribe vehicles."));
    else
        m_webhookIdMessage->showMessage(Kind::Error, model::validateWebhookId(m_webhookId->text()));

    if (m_clientId->text().isEmpty() && m_clientSecret->text().isEmpty()) {
        m_clientMessage->showMessage(Kind::Hint, tr("Only needed to add vehicles through Smartcar Connect."));
    } else {
        m_clientMessage->showMessage(
            Kind::Error, model::validateClientCredentials(m_clientId->text(), m_clientSecret->text()));
    }
    Q_EMIT completeChanged();
}

} // namespace ui
