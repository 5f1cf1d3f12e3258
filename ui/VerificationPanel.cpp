#include "ui/VerificationPanel.h"

#include <QDateTime>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>
#include <QVBoxLayout>

namespace ui {

namespace {
// After this many rejected signatures in a row with nothing accepted, the pattern is clear.
constexpr qint64 kHintAfterFailures = 3;

QLabel *selectable(QWidget *parent) {
    auto *label = new QLabel(parent);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setWordWrap(true);
    return label;
}
} // namespace

VerificationPanel::VerificationPanel(QWidget *parent)
    : QWidget(parent)
    , m_verify(selectable(this))
    , m_counts(selectable(this))
    , m_selfTest(selectable(this))
    , m_hint(new QLabel(this)) {
    setObjectName(QStringLiteral("VerificationPanel"));
    m_hint->setWordWrap(true);
    m_hint->setTextFormat(Qt::RichText);
    m_hint->setStyleSheet(
        QStringLiteral("QLabel { background: #fff3e0; color: #5d4037; border: 1px solid #ffb74d;"
                       " border-radius: 4px; padding: 8px; }"));
    m_hint->hide();
    auto *form = new QFormLayout;
    form->addRow(tr("Last VERIFY:"), m_verify);
    form->addRow(tr("Signatures:"), m_counts);
    form->addRow(tr("AMT self-test:"), m_selfTest);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_hint);
    layout->addStretch(1);
    m_selfTest->setText(tr("not available"));
    refresh();
}

void VerificationPanel::setSelfTest(const QString &challenge, const QString &answer) {
    m_selfTest->setText(
        tr("HMAC-SHA256(AMT, \"%1\") = %2\nCompare it with the same computation on the token shown in "
           "the Smartcar dashboard (Configuration → API Keys).")
            .arg(challenge, answer));
}

void VerificationPanel::addVerifications(const QList<model::VerificationEvent> &verifications) {
    if (verifications.isEmpty())
        return;
    m_lastVerify = verifications.last();
    refresh();
}

void VerificationPanel::addDeliveries(const QList<model::DeliveryLogEntry> &deliveries) {
    for (const model::DeliveryLogEntry &d : deliveries) {
        if (d.replay)
            continue;
        switch (d.verdict) {
        case model::Verdict::Accepted:
        case model::Verdict::Duplicate:
            ++m_signed;
            break;
        case model::Verdict::Malformed:
            if (d.eventType != QLatin1String("VERIFY")) // a signed body that is not JSON still passed
                ++m_signed;
            break;
        case model::Verdict::BadSignature:
            ++m_badSignature;
            break;
        case model::Verdict::Verify:
            break;
        }
    }
    refresh();
}

bool VerificationPanel::showsAccountHint() const {
    return m_lastVerify.status == 200 && m_signed == 0 && m_badSignature >= kHintAfterFailures;
}

QString VerificationPanel::lastVerifyText() const {
    if (m_lastVerify.atMs == 0)
        return tr("none received since start. Smartcar sends one when the webhook is created, when its "
                  "callback URL changes, or on \"Verify this webhook\" in the dashboard.");
    const QString when =
        QLocale().toString(QDateTime::fromMSecsSinceEpoch(m_lastVerify.atMs), QLocale::ShortFormat);
    if (m_lastVerify.status != 200)
        return tr("%1: challenge \"%2\" refused (HTTP %3)")
            .arg(when, m_lastVerify.challenge)
            .arg(m_lastVerify.status);
    return tr("%1: challenge \"%2\" answered %3").arg(when, m_lastVerify.challenge, m_lastVerify.answer);
}

void VerificationPanel::showEvent(QShowEvent *event) {
    QWidget::showEvent(event);
    if (m_labelsStale)
        refresh();
}

void VerificationPanel::refresh() {
    if (!isVisible()) {
        m_labelsStale = true;
        return;
    }
    m_labelsStale = false;
    m_verify->setText(lastVerifyText());
    m_counts->setText(tr("%1 verified, %2 rejected").arg(m_signed).arg(m_badSignature));
    if (showsAccountHint()) {
        m_hint->setText(tr(
            "<b>VERIFY passes but every signature fails.</b> The token answers Smartcar's challenge, so it "
            "is "
            "probably right; this is a known Smartcar account problem seen after an application was migrated "
            "to the newer payloads. Regenerating the token did not help those who reported it; recreating "
            "the "
            "Smartcar application did. Rejected deliveries are answered 401 and kept in the log (without "
            "their "
            "bodies), so Smartcar retries them for a few minutes."));
        m_hint->show();
    } else {
        m_hint->hide();
    }
}

} // namespace ui
