#include "ui/SetupSummaryPage.h"

#include "model/SetupValidation.h"
#include "ui/SetupEndpointPage.h"
#include "ui/SetupMessageLabel.h"

#include <QDir>
#include <QEvent>
#include <QLabel>
#include <QVBoxLayout>

namespace ui {

namespace {

using Kind = SetupMessageLabel::Kind;
using Tunnel = model::SetupValues::Tunnel;

QString escaped(const QString &text) {
    return text.toHtmlEscaped();
}

} // namespace

SetupSummaryPage::SetupSummaryPage(QWidget *parent)
    : QWizardPage(parent)
    , m_summary(new QLabel(this)) {
    setTitle(tr("Summary"));
    setSubTitle(tr("This is what will be saved when you click Finish. Go Back to change anything."));
    m_summary->setObjectName(QStringLiteral("summaryLabel"));
    m_summary->setWordWrap(true);
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addStretch(1);
}

SetupSummaryPage::~SetupSummaryPage() = default;

QString SetupSummaryPage::maskSecret(const QString &secret) {
    // Short secrets keep all their characters hidden: four of eight would give too much away.
    const QString bullets(8, QChar(0x2022));
    return secret.size() >= 12 ? bullets + secret.right(4) : bullets;
}

void SetupSummaryPage::showValues(const model::SetupValues &values) {
    m_values = values;
    m_problems = model::validate(values);
    render();
    Q_EMIT completeChanged();
}

bool SetupSummaryPage::isComplete() const {
    return m_problems.isEmpty();
}

void SetupSummaryPage::changeEvent(QEvent *event) {
    QWizardPage::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        render(); // the warning colours depend on it
}

void SetupSummaryPage::render() {
    const QString muted = SetupMessageLabel::colorFor(Kind::Hint, palette()).name();
    const QString warning = SetupMessageLabel::colorFor(Kind::Warning, palette()).name();
    const QString error = SetupMessageLabel::colorFor(Kind::Error, palette()).name();
    const auto note = [&muted](const QString &text) {
        return QStringLiteral("<span style=\"color:%1\">%2</span>").arg(muted, escaped(text));
    };
    const auto code = [](const QString &text) {
        return QStringLiteral("<code>%1</code>").arg(escaped(text));
    };

    QString rows;
    const auto row = [&rows](const QString &name, const QString &html) {
        rows += QStringLiteral("<tr><td style=\"padding-right:16px\">%1</td><td>%2</td></tr>")
                    .arg(escaped(name), html);
    };
    const model::SetupValues &v = m_values;
    // Monospace only where exact characters matter (command, pattern): mixed fonts in one row sit
    // on different baselines in Qt's rich text.
    row(tr("Management token"), escaped(maskSecret(v.amt)));
    row(tr("Webhook id"), v.webhookId.isEmpty()
                              ? note(tr("Not set \u2013 needed before vehicles can be subscribed"))
                              : escaped(v.webhookId));
    if (v.clientId.isEmpty() && v.clientSecret.isEmpty()) {
        row(tr("Smartcar Connect"), note(tr("Not set up")));
    } else {
        row(tr("Client id"), escaped(v.clientId));
        row(tr("Client secret"), escaped(maskSecret(v.clientSecret)));
    }

    QString tunnel;
    switch (v.tunnel) {
    case Tunnel::None:
        tunnel = tr("None \u2013 your own reverse proxy");
        break;
    case Tunnel::Cloudflared:
        tunnel = tr("cloudflared quick tunnel");
        break;
    case Tunnel::Ngrok:
        tunnel = tr("ngrok");
        break;
    case Tunnel::LocalhostRun:
        tunnel = tr("localhost.run (ssh)");
        break;
    case Tunnel::Custom:
        tunnel = tr("Custom command");
        break;
    }
    row(tr("Tunnel"), escaped(tunnel));
    if (v.tunnel == Tunnel::Custom) {
        row(tr("Command"), code(v.customTunnelCommand));
        row(tr("URL pattern"), code(v.customTunnelUrlPattern));
    }

    QString listen = escaped(v.listenAddress);
    if (const QString caution = model::listenAddressWarning(v.listenAddress); !caution.isEmpty())
        listen +=
            QStringLiteral("<br><span style=\"color:%1\">\u26a0 %2</span>").arg(warning, escaped(caution));
    row(tr("Listen on"), listen);
    row(tr("Data folder"), v.dataDir.isEmpty()
                               ? escaped(QDir::toNativeSeparators(SetupEndpointPage::defaultDataDir())) +
                                     QLatin1Char(' ') + note(tr("(default)"))
                               : escaped(QDir::toNativeSeparators(v.dataDir)));

    QString html = QStringLiteral("<table cellspacing=\"0\" cellpadding=\"3\">%1</table>").arg(rows);
    for (const QString &problem : std::as_const(m_problems))
        html += QStringLiteral("<p style=\"color:%1\">%2</p>").arg(error, escaped(problem));

    const QString publicAddress = v.tunnel == Tunnel::None ? tr("your proxy's public address")
                                                           : tr("the public address the tunnel shows");
    html +=
        QStringLiteral("<p>%1</p>")
            .arg(tr("<b>Then, in the Smartcar Dashboard:</b> set the webhook's callback URI to %1 followed "
                    "by <code>/webhooks/smartcar</code>, and click <i>Verify this webhook</i>. Secrets "
                    "are kept in a file only you can read.")
                     .arg(escaped(publicAddress)));
    m_summary->setText(html);
}

} // namespace ui
