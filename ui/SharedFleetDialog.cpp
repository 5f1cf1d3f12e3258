#include "ui/SharedFleetDialog.h"

#include "ui/SetupMessageLabel.h"

#include <QButtonGroup>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QUrl>
#include <QVBoxLayout>

namespace ui {

SharedFleetDialog::SharedFleetDialog(const QString &currentUrl, Validator validator, QWidget *parent)
    : QDialog(parent)
    , m_validator(std::move(validator))
    , m_shared(new QRadioButton(tr("&Follow a shared fleet on PostgreSQL"), this))
    , m_own(new QRadioButton(tr("Use this &workstation's own endpoint"), this))
    , m_urlLabel(new QLabel(tr("Database &URL:"), this))
    , m_url(new QLineEdit(this))
    , m_message(new SetupMessageLabel(this))
    , m_passwordNote(new SetupMessageLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Save | QDialogButtonBox::Cancel, this)) {
    setObjectName(QStringLiteral("sharedFleetDialog"));
    setWindowTitle(tr("Connect to a shared fleet"));

    auto *intro =
        new QLabel(tr("Ingest nodes (fleetmon --headless) keep a shared fleet in one PostgreSQL database. "
                      "Following it, this desktop shows that fleet, alerts acknowledged here show on every "
                      "desktop, and no webhooks are received here."),
                   this);
    intro->setWordWrap(true);

    m_shared->setObjectName(QStringLiteral("sharedFleetChoice"));
    m_own->setObjectName(QStringLiteral("ownEndpointChoice"));
    auto *choice = new QButtonGroup(this);
    choice->addButton(m_shared);
    choice->addButton(m_own);

    m_url->setObjectName(QStringLiteral("sharedFleetUrl"));
    m_url->setPlaceholderText(QStringLiteral("postgresql://user@host:5432/fleet"));
    m_url->setClearButtonEnabled(true);
    m_url->setText(currentUrl);
    m_url->setMinimumWidth(m_url->fontMetrics().horizontalAdvance(QLatin1Char('x')) * 48);
    m_urlLabel->setBuddy(m_url);
    m_message->setObjectName(QStringLiteral("sharedFleetUrlMessage"));
    m_passwordNote->setObjectName(QStringLiteral("sharedFleetPasswordNote"));

    // In the hint colour, which is readable (a disabled label's grey is not).
    auto *ownNote = new SetupMessageLabel(this);
    ownNote->showMessage(SetupMessageLabel::Kind::Hint,
                         tr("Webhooks are received here and kept in this workstation's own journal."));

    // The URL's row is indented under its choice, so it reads as part of it.
    auto *urlForm = new QFormLayout;
    urlForm->setContentsMargins(24, 0, 0, 0);
    urlForm->addRow(m_urlLabel, m_url);
    urlForm->addRow(QString(), m_message);
    urlForm->addRow(QString(), m_passwordNote);
    auto *ownRow = new QVBoxLayout;
    ownRow->setContentsMargins(24, 0, 0, 0);
    ownRow->addWidget(ownNote);

    auto *restartNote = new SetupMessageLabel(this);
    restartNote->showMessage(SetupMessageLabel::Kind::Hint,
                             tr("Fleet Monitor restarts to switch, once you agree."));

    m_buttons->button(QDialogButtonBox::Save)->setObjectName(QStringLiteral("sharedFleetSave"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &SharedFleetDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &SharedFleetDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addSpacing(6);
    layout->addWidget(m_shared);
    layout->addLayout(urlForm);
    layout->addWidget(m_own);
    layout->addLayout(ownRow);
    layout->addSpacing(6);
    layout->addWidget(restartNote);
    layout->addStretch(1);
    layout->addWidget(m_buttons);
    // Wide enough for a whole URL and for the longest message on one or two lines.
    setMinimumWidth(fontMetrics().horizontalAdvance(QLatin1Char('x')) * 90);
    // The height for that width: left to itself the dialog sizes its wrapped labels for a narrower one.
    // Wrapped labels know their height once laid out at a real width: lay out, then fit.
    resize(minimumWidth(), sizeHint().height());
    layout->activate();
    resize(minimumWidth(), layout->totalHeightForWidth(minimumWidth()));

    // Opened to connect, so the shared choice comes selected, with the cursor in the URL.
    m_shared->setChecked(true);
    m_url->setFocus();
    auto onChoice = [this] {
        const bool shared = m_shared->isChecked();
        m_urlLabel->setEnabled(shared);
        m_url->setEnabled(shared);
        m_message->clearMessage();
        updatePasswordNote();
    };
    connect(m_shared, &QRadioButton::toggled, this, onChoice);
    // Judged when the field is left or Enter pressed, not at every key (a half-typed URL is not
    // wrong yet); after that it follows the typing, so a message goes as soon as the URL is right.
    connect(m_url, &QLineEdit::editingFinished, this, [this] {
        if (m_shared->isChecked() && !m_url->text().trimmed().isEmpty())
            validate();
    });
    connect(m_url, &QLineEdit::textEdited, this, [this] {
        if (m_judged)
            validate();
        updatePasswordNote();
    });
    onChoice();
}

SharedFleetDialog::~SharedFleetDialog() {
    // ~QDialog hides the window, which takes the focus from the URL field and emits its
    // editingFinished: by then this is only a QDialog, and the handler would judge the URL on a
    // half-destroyed dialog (UndefinedBehaviorSanitizer's report in tst_SharedFleetDialog).
    disconnect(m_url, nullptr, this, nullptr);
}

QPushButton *SharedFleetDialog::saveButton() const {
    return m_buttons->button(QDialogButtonBox::Save);
}

QString SharedFleetDialog::chosenUrl() const {
    return m_shared->isChecked() ? m_url->text().trimmed() : QString();
}

bool SharedFleetDialog::validate() {
    if (!m_shared->isChecked()) {
        m_message->clearMessage();
        return true;
    }
    m_judged = true;
    const QString url = m_url->text().trimmed();
    const QString problem = url.isEmpty() ? tr("Enter the shared fleet's URL, e.g. "
                                               "postgresql://fleet@db.example.com:5432/fleet")
                            : m_validator ? m_validator(url)
                                          : QString();
    m_message->showMessage(SetupMessageLabel::Kind::Error, problem);
    return problem.isEmpty();
}

void SharedFleetDialog::updatePasswordNote() {
    // The URL is saved in the settings as typed: a password in it would sit there in plain text.
    const bool password = m_shared->isChecked() && !QUrl(m_url->text().trimmed()).password().isEmpty();
    if (password)
        m_passwordNote->showMessage(
            SetupMessageLabel::Kind::Warning,
            tr("This URL holds a password, which would be saved in plain text in the settings. "
               "Better: leave it out and keep it in ~/.pgpass or the PGPASSWORD environment variable."));
    else
        m_passwordNote->showMessage(SetupMessageLabel::Kind::Hint,
                                    tr("Keep the password out of the URL: ~/.pgpass or the PGPASSWORD "
                                       "environment variable supply it."));
}

void SharedFleetDialog::accept() {
    if (!validate()) {
        m_url->setFocus();
        m_url->selectAll();
        return;
    }
    QDialog::accept();
}

} // namespace ui
