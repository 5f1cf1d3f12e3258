#include "ui/SetupTunnelPage.h"

#include "model/SetupValidation.h"
#include "ui/SetupMessageLabel.h"

#include <QButtonGroup>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRadioButton>
#include <QVBoxLayout>

namespace ui {

namespace {

using Kind = SetupMessageLabel::Kind;

struct Option {
    SetupTunnelPage::Tunnel tunnel;
    const char *objectName;
    const char *text;
    const char *detail; // what choosing it means for the manager: what to install, what to expect
};

// In the order of the enum; the mnemonics avoid those of the wizard's Back, Next and Finish buttons.
const Option kOptions[] = {
    {SetupTunnelPage::Tunnel::None, "tunnelNone",
     QT_TRANSLATE_NOOP("ui::SetupTunnelPage", "N&one \u2013 I have my own reverse proxy"),
     QT_TRANSLATE_NOOP("ui::SetupTunnelPage",
                       "Your proxy must serve a public HTTPS address with a trusted certificate and forward "
                       "/webhooks/smartcar to the listen address on the next page.")},
    {SetupTunnelPage::Tunnel::Cloudflared, "tunnelCloudflared",
     QT_TRANSLATE_NOOP("ui::SetupTunnelPage", "&cloudflared quick tunnel (recommended, no account)"),
     QT_TRANSLATE_NOOP(
         "ui::SetupTunnelPage",
         "Needs the cloudflared program; no sign-up. The public address changes each time the "
         "tunnel starts, so update the webhook's callback URI in the Smartcar Dashboard then.")},
    {SetupTunnelPage::Tunnel::Ngrok, "tunnelNgrok",
     QT_TRANSLATE_NOOP("ui::SetupTunnelPage", "n&grok (account and authtoken)"),
     QT_TRANSLATE_NOOP("ui::SetupTunnelPage",
                       "Needs the ngrok program and an ngrok account. Run \u201cngrok config add-authtoken "
                       "YOUR_TOKEN\u201d once in a terminal before starting Fleet Monitor.")},
    {SetupTunnelPage::Tunnel::LocalhostRun, "tunnelLocalhostRun",
     QT_TRANSLATE_NOOP("ui::SetupTunnelPage", "&localhost.run (over ssh)"),
     QT_TRANSLATE_NOOP("ui::SetupTunnelPage",
                       "Uses the ssh program most systems already have; no sign-up. The free address changes "
                       "from time to time.")},
    {SetupTunnelPage::Tunnel::Custom, "tunnelCustom",
     QT_TRANSLATE_NOOP("ui::SetupTunnelPage", "C&ustom command"),
     QT_TRANSLATE_NOOP("ui::SetupTunnelPage",
                       "Any program that gives this computer a public HTTPS address. {port} in the command "
                       "becomes the local port; the pattern picks the public URL out of what it prints.")},
};

} // namespace

SetupTunnelPage::SetupTunnelPage(QWidget *parent)
    : QWizardPage(parent)
    , m_group(new QButtonGroup(this))
    , m_detail(new QLabel(this))
    , m_custom(new QWidget(this))
    , m_command(new QLineEdit(m_custom))
    , m_commandMessage(new SetupMessageLabel(m_custom))
    , m_urlPattern(new QLineEdit(m_custom))
    , m_urlPatternMessage(new SetupMessageLabel(m_custom)) {
    setTitle(tr("Tunnel"));
    setSubTitle(tr("Smartcar only delivers to a public HTTPS address; a tunnel lends this computer one."));

    auto *layout = new QVBoxLayout(this);
    layout->setSpacing(4);
    for (const Option &option : kOptions) {
        auto *button = new QRadioButton(tr(option.text), this);
        button->setObjectName(QLatin1String(option.objectName));
        button->setToolTip(tr(option.detail));
        m_group->addButton(button, int(option.tunnel));
        layout->addWidget(button);
    }
    m_group->setExclusive(true);

    m_detail->setObjectName(QStringLiteral("tunnelDetail"));
    m_detail->setWordWrap(true);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_detail->setContentsMargins(0, 8, 0, 4);
    layout->addWidget(m_detail);

    m_custom->setObjectName(QStringLiteral("customTunnelFields"));
    m_command->setObjectName(QStringLiteral("customCommandEdit"));
    m_command->setPlaceholderText(tr("e.g. ssh -R 80:localhost:{port} serveo.net"));
    m_command->setAccessibleName(tr("Tunnel command"));
    m_commandMessage->setObjectName(QStringLiteral("customCommandMessage"));
    m_urlPattern->setObjectName(QStringLiteral("customUrlPatternEdit"));
    m_urlPattern->setPlaceholderText(tr("e.g. https://\\S+\\.serveo\\.net"));
    m_urlPattern->setAccessibleName(tr("Public URL pattern"));
    m_urlPatternMessage->setObjectName(QStringLiteral("customUrlPatternMessage"));

    auto *commandLabel = new QLabel(tr("Co&mmand:"), m_custom);
    commandLabel->setBuddy(m_command);
    auto *patternLabel = new QLabel(tr("&URL pattern:"), m_custom);
    patternLabel->setBuddy(m_urlPattern);
    auto *form = new QFormLayout(m_custom);
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setVerticalSpacing(4);
    form->addRow(commandLabel, m_command);
    form->addRow(QString(), m_commandMessage);
    form->addRow(patternLabel, m_urlPattern);
    form->addRow(QString(), m_urlPatternMessage);
    layout->addWidget(m_custom);
    layout->addStretch(1);
    // The custom fields were created first (members) but come after the choices, for Tab and for the
    // wizard, which focuses the first widget of the chain when the page opens.
    setTabOrder(button(Tunnel::Custom), m_command);
    setTabOrder(m_command, m_urlPattern);

    connect(m_group, &QButtonGroup::idToggled, this, [this](int, bool checked) {
        if (checked)
            onTunnelChanged();
    });
    connect(m_command, &QLineEdit::textChanged, this, &SetupTunnelPage::revalidate);
    connect(m_urlPattern, &QLineEdit::textChanged, this, &SetupTunnelPage::revalidate);
    setTunnel(Tunnel::None);
    onTunnelChanged();
}

SetupTunnelPage::~SetupTunnelPage() = default;

void SetupTunnelPage::setValues(const model::SetupValues &values) {
    m_command->setText(values.customTunnelCommand);
    m_urlPattern->setText(values.customTunnelUrlPattern);
    setTunnel(values.tunnel);
}

void SetupTunnelPage::applyTo(model::SetupValues *values) const {
    values->tunnel = tunnel();
    values->customTunnelCommand = m_command->text();
    values->customTunnelUrlPattern = m_urlPattern->text();
}

SetupTunnelPage::Tunnel SetupTunnelPage::tunnel() const {
    return Tunnel(m_group->checkedId());
}

void SetupTunnelPage::setTunnel(Tunnel tunnel) {
    if (QRadioButton *b = button(tunnel))
        b->setChecked(true);
}

QRadioButton *SetupTunnelPage::button(Tunnel tunnel) const {
    return static_cast<QRadioButton *>(m_group->button(int(tunnel)));
}

bool SetupTunnelPage::isComplete() const {
    return tunnel() != Tunnel::Custom ||
           model::validateCustomTunnel(m_command->text(), m_urlPattern->text()).isEmpty();
}

void SetupTunnelPage::onTunnelChanged() {
    const Tunnel chosen = tunnel();
    for (const Option &option : kOptions) {
        if (option.tunnel == chosen)
            m_detail->setText(tr(option.detail));
    }
    // Hidden rather than disabled: fields that do not apply would only invite questions.
    m_custom->setVisible(chosen == Tunnel::Custom);
    revalidate();
}

void SetupTunnelPage::revalidate() {
    // An empty field is not filled in yet rather than wrong: its message is a hint, not an alarm.
    m_commandMessage->showMessage(m_command->text().isEmpty() ? Kind::Hint : Kind::Error,
                                  model::validateTunnelCommand(m_command->text()));
    m_urlPatternMessage->showMessage(m_urlPattern->text().isEmpty() ? Kind::Hint : Kind::Error,
                                     model::validateTunnelUrlPattern(m_urlPattern->text()));
    Q_EMIT completeChanged();
}

} // namespace ui
