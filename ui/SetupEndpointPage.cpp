#include "ui/SetupEndpointPage.h"

#include "model/SetupValidation.h"
#include "model/SetupValues.h"
#include "ui/SetupMessageLabel.h"

#include <QDir>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QVBoxLayout>

namespace ui {

namespace {

using Kind = SetupMessageLabel::Kind;

} // namespace

SetupEndpointPage::SetupEndpointPage(QWidget *parent)
    : QWizardPage(parent)
    , m_listen(new QLineEdit(this))
    , m_listenMessage(new SetupMessageLabel(this))
    , m_webhookUrl(new SetupMessageLabel(this))
    , m_dataDir(new QLineEdit(this))
    , m_browse(new QPushButton(tr("B&rowse\u2026"), this))
    , m_dataDirMessage(new SetupMessageLabel(this)) {
    setTitle(tr("Endpoint and data"));
    setSubTitle(tr("Where Fleet Monitor receives webhooks on this computer, and where it keeps every "
                   "delivery."));

    m_listen->setObjectName(QStringLiteral("listenEdit"));
    m_listen->setPlaceholderText(QStringLiteral("127.0.0.1:8787"));
    m_listen->setAccessibleName(tr("Listen address"));
    m_listen->setToolTip(tr("HOST:PORT. 127.0.0.1 keeps the endpoint private to this computer; the tunnel "
                            "connects to it locally. Port 0 picks a free port at each start."));
    m_listenMessage->setObjectName(QStringLiteral("listenMessage"));
    m_webhookUrl->setObjectName(QStringLiteral("webhookUrlLabel"));

    m_dataDir->setObjectName(QStringLiteral("dataDirEdit"));
    m_dataDir->setPlaceholderText(tr("Default: %1").arg(QDir::toNativeSeparators(defaultDataDir())));
    m_dataDir->setAccessibleName(tr("Data folder"));
    m_dataDir->setToolTip(tr("Holds the journal of every delivery and the fleet history. Leave empty for the "
                             "default folder."));
    m_browse->setObjectName(QStringLiteral("browseButton"));
    // Enter means Next on every page, even right after using this button.
    m_browse->setAutoDefault(false);
    m_dataDirMessage->setObjectName(QStringLiteral("dataDirMessage"));

    auto *listenLabel = new QLabel(tr("&Listen on:"), this);
    listenLabel->setBuddy(m_listen);
    auto *dataLabel = new QLabel(tr("&Data folder:"), this);
    dataLabel->setBuddy(m_dataDir);
    auto *dataRow = new QHBoxLayout;
    dataRow->setSpacing(8);
    dataRow->addWidget(m_dataDir, 1);
    dataRow->addWidget(m_browse);

    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setVerticalSpacing(4);
    form->addRow(listenLabel, m_listen);
    form->addRow(QString(), m_listenMessage);
    form->addRow(QString(), m_webhookUrl);
    form->addItem(new QSpacerItem(0, 12, QSizePolicy::Minimum, QSizePolicy::Fixed));
    form->addRow(dataLabel, dataRow);
    form->addRow(QString(), m_dataDirMessage);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addStretch(1); // spare height goes below the form, not between a field and its message

    connect(m_browse, &QPushButton::clicked, this, &SetupEndpointPage::browse);
    connect(m_listen, &QLineEdit::textChanged, this, &SetupEndpointPage::revalidate);
    connect(m_dataDir, &QLineEdit::textChanged, this, &SetupEndpointPage::revalidate);
    revalidate();
}

SetupEndpointPage::~SetupEndpointPage() = default;

QString SetupEndpointPage::defaultDataDir() {
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

void SetupEndpointPage::setValues(const model::SetupValues &values) {
    m_listen->setText(values.listenAddress);
    m_dataDir->setText(values.dataDir);
}

void SetupEndpointPage::applyTo(model::SetupValues *values) const {
    values->listenAddress = m_listen->text();
    values->dataDir = m_dataDir->text();
}

bool SetupEndpointPage::isComplete() const {
    return model::validateListenAddress(m_listen->text()).isEmpty() &&
           (m_dataDir->text().isEmpty() || model::validateDataDir(m_dataDir->text()).isEmpty());
}

void SetupEndpointPage::browse() {
    const QString current = m_dataDir->text().isEmpty() ? defaultDataDir() : m_dataDir->text();
    const QString chosen = QFileDialog::getExistingDirectory(this, tr("Choose the data folder"), current);
    if (!chosen.isEmpty())
        m_dataDir->setText(QDir::cleanPath(chosen));
    m_dataDir->setFocus();
}

void SetupEndpointPage::revalidate() {
    const QString listen = m_listen->text();
    const QString error = model::validateListenAddress(listen);
    if (!error.isEmpty())
        m_listenMessage->showMessage(Kind::Error, error);
    else
        m_listenMessage->showMessage(Kind::Warning, model::listenAddressWarning(listen));

    if (error.isEmpty()) {
        // Written as the tunnel would connect: to loopback when listening on every interface, and with
        // a placeholder for port 0, which is only known once the app runs.
        QString hostPort = listen;
        if (hostPort.startsWith(QLatin1String("0.0.0.0:")))
            hostPort.replace(0, 7, QStringLiteral("127.0.0.1"));
        else if (hostPort.startsWith(QLatin1String("[::]:")))
            hostPort.replace(0, 4, QStringLiteral("[::1]"));
        if (hostPort.endsWith(QLatin1String(":0")))
            hostPort = hostPort.chopped(1) + QLatin1String("PORT");
        const QString url = QStringLiteral("http://%1/webhooks/smartcar").arg(hostPort);
        m_webhookUrl->showMessage(Kind::Hint, tr("The tunnel or proxy forwards webhooks to %1").arg(url));
    } else {
        m_webhookUrl->clearMessage();
    }

    const QString dataDir = m_dataDir->text();
    if (dataDir.isEmpty())
        m_dataDirMessage->showMessage(Kind::Hint, tr("Leave empty to use the default folder."));
    else if (const QString problem = model::validateDataDir(dataDir); !problem.isEmpty())
        m_dataDirMessage->showMessage(Kind::Error, problem);
    else
        m_dataDirMessage->showMessage(Kind::Hint, tr("Created when Fleet Monitor first starts, if missing."));
    Q_EMIT completeChanged();
}

} // namespace ui
