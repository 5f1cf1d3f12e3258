// The setup wizard as a fleet manager meets it on first start: fields checked as typed with the
// message beneath them and Next disabled meanwhile, Enter for Next, the custom tunnel fields only for
// "Custom", values that come back unchanged when nothing is edited and as typed when they are. Every
// page is also rendered to PNG (FLEETMON_SCREENSHOT_DIR, else the temp folder), light and dark, for a
// human look.

#include "model/SetupValidation.h"
#include "ui/SetupCredentialsPage.h"
#include "ui/SetupEndpointPage.h"
#include "ui/SetupMessageLabel.h"
#include "ui/SetupSummaryPage.h"
#include "ui/SetupTunnelPage.h"
#include "ui/SetupWelcomePage.h"
#include "ui/SetupWizard.h"

#include <QAbstractButton>
#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QPalette>
#include <QPushButton>
#include <QRadioButton>
#include <QTest>

#include <memory>

using model::SetupValues;
using ui::SetupMessageLabel;
using ui::SetupWizard;
using Kind = SetupMessageLabel::Kind;
using Tunnel = SetupValues::Tunnel;

namespace {

const QString kAmt = QStringLiteral("a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d");
const QString kWebhookId = QStringLiteral("3a5c8f72-e6d9-4b1a-9f2e-8c7d6a5b4e3f");
const QString kClientId = QStringLiteral("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
const QString kClientSecret = QStringLiteral("cs-7f3k2m9q1x8z");

QString screenshotDir() {
    const QString dir = qEnvironmentVariable("FLEETMON_SCREENSHOT_DIR");
    return dir.isEmpty() ? QDir::tempPath() : dir;
}

// A dark palette as a desktop theme would set it, derived roles included.
QPalette darkPalette() {
    QPalette dark(QColor(0x3a, 0x3a, 0x3e), QColor(0x2b, 0x2b, 0x2e));
    dark.setColor(QPalette::Base, QColor(0x1e, 0x1e, 0x21));
    dark.setColor(QPalette::AlternateBase, QColor(0x26, 0x26, 0x29));
    dark.setColor(QPalette::Text, QColor(0xe8, 0xe8, 0xea));
    dark.setColor(QPalette::WindowText, QColor(0xe8, 0xe8, 0xea));
    dark.setColor(QPalette::ButtonText, QColor(0xe8, 0xe8, 0xea));
    dark.setColor(QPalette::PlaceholderText, QColor(0x9a, 0x9a, 0xa0));
    dark.setColor(QPalette::Highlight, QColor(0x3d, 0x7a, 0xd6));
    dark.setColor(QPalette::HighlightedText, Qt::white);
    dark.setColor(QPalette::Disabled, QPalette::ButtonText, QColor(0x80, 0x80, 0x86));
    dark.setColor(QPalette::Disabled, QPalette::WindowText, QColor(0x80, 0x80, 0x86));
    dark.setColor(QPalette::Disabled, QPalette::Text, QColor(0x80, 0x80, 0x86));
    return dark;
}

QAbstractButton *nextButton(SetupWizard &w) {
    return w.button(QWizard::NextButton);
}

// Clicks Next the way a user would: only if it is enabled, and reports whether the page changed.
bool clickNext(SetupWizard &w) {
    const int before = w.currentId();
    QAbstractButton *next = nextButton(w);
    if (!next->isVisible() || !next->isEnabled())
        return false;
    QTest::mouseClick(next, Qt::LeftButton);
    return w.currentId() != before;
}

// Clicks a radio button on its label, where a user would; its middle may be empty space.
void choose(QRadioButton *button) {
    QTest::mouseClick(button, Qt::LeftButton, {}, QPoint(12, button->height() / 2));
}

void retype(QLineEdit *edit, const QString &text) {
    edit->setFocus();
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
}

SetupValues everythingSet() {
    SetupValues v;
    v.amt = kAmt;
    v.webhookId = kWebhookId.toUpper();
    v.clientId = kClientId;
    v.clientSecret = kClientSecret;
    v.tunnel = Tunnel::Ngrok;
    v.customTunnelCommand = QStringLiteral("left over {port}"); // kept although ngrok is chosen
    v.customTunnelUrlPattern = QStringLiteral("https://\\S+");
    v.listenAddress = QStringLiteral("[::1]:9000");
    v.dataDir = QStringLiteral("/srv/fleet monitor/data");
    return v;
}

} // namespace

class tst_SetupWizard final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void startsOnWelcomeAtSaneSize();
    void invalidAmtKeepsNextDisabled();
    void enterMeansNext();
    void credentialsTabOrder();
    void showToggleRevealsToken();
    void clientCredentialsBothOrNeither();
    void customTunnelFieldsOnlyForCustom();
    void invalidRegexRefused();
    void listenAddressWarningAndErrors();
    void dataDirMayBeEmptyButNotRelative();
    void valuesRoundTripUntouched_data();
    void valuesRoundTripUntouched();
    void walkThroughYieldsTypedValues();
    void summaryMasksSecrets();
    void screenshots();

private:
    std::unique_ptr<SetupWizard> m_wizard;
};

void tst_SetupWizard::init() {
    m_wizard = std::make_unique<SetupWizard>(SetupValues{});
    m_wizard->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_wizard.get()));
}

void tst_SetupWizard::cleanup() {
    m_wizard.reset();
}

void tst_SetupWizard::startsOnWelcomeAtSaneSize() {
    SetupWizard &w = *m_wizard;
    QCOMPARE(w.currentId(), int(SetupWizard::WelcomePageId));
    QCOMPARE(w.size(), QSize(640, 480));
    QVERIFY(nextButton(w)->isEnabled());
    QVERIFY(w.welcomePage()
                ->findChild<QLabel *>(QStringLiteral("welcomeText"))
                ->text()
                .contains(QStringLiteral("HTTPS")));
    QVERIFY(!w.button(QWizard::BackButton)->isVisible());
}

void tst_SetupWizard::invalidAmtKeepsNextDisabled() {
    SetupWizard &w = *m_wizard;
    QVERIFY(clickNext(w));
    QCOMPARE(w.currentId(), int(SetupWizard::CredentialsPageId));
    ui::SetupCredentialsPage *page = w.credentialsPage();

    // Empty on first sight: Next is off and the message explains, but gently.
    QVERIFY(!nextButton(w)->isEnabled());
    QCOMPARE(page->amtMessage()->kind(), Kind::Hint);
    QVERIFY(!page->amtMessage()->message().isEmpty());

    QTest::keyClicks(page->amtEdit(), QStringLiteral("abc 123"));
    QVERIFY(!nextButton(w)->isEnabled());
    QCOMPARE(page->amtMessage()->kind(), Kind::Error);
    QCOMPARE(page->amtMessage()->message(), model::validateAmt(QStringLiteral("abc 123")));
    QVERIFY(page->amtMessage()->isVisible());
    QVERIFY(page->amtMessage()->text().contains(page->amtMessage()->message().toHtmlEscaped()));
    QVERIFY(!clickNext(w));

    retype(page->amtEdit(), QStringLiteral("abc123"));
    QVERIFY(!nextButton(w)->isEnabled()); // no spaces now, but too short
    QVERIFY(page->amtMessage()->message().contains(QStringLiteral("too short")));

    retype(page->amtEdit(), kAmt);
    QVERIFY(nextButton(w)->isEnabled());
    QCOMPARE(page->amtMessage()->kind(), Kind::None);
    QVERIFY(page->amtMessage()->text().isEmpty());

    // A bad webhook id blocks Next as well, and clearing it (it is optional) unblocks it.
    QTest::keyClicks(page->webhookIdEdit(), QStringLiteral("3a5c8f72"));
    QVERIFY(!nextButton(w)->isEnabled());
    QCOMPARE(page->webhookIdMessage()->kind(), Kind::Error);
    retype(page->webhookIdEdit(), QString());
    QVERIFY(nextButton(w)->isEnabled());
    QVERIFY(clickNext(w));
}

void tst_SetupWizard::enterMeansNext() {
    SetupWizard &w = *m_wizard;
    QTest::keyClick(&w, Qt::Key_Return);
    QCOMPARE(w.currentId(), int(SetupWizard::CredentialsPageId));
    QLineEdit *amt = w.credentialsPage()->amtEdit();
    QTRY_VERIFY(amt->hasFocus()); // the first field of a page gets the focus
    QTest::keyClicks(amt, QStringLiteral("too-short"));
    QTest::keyClick(amt, Qt::Key_Return);
    QCOMPARE(w.currentId(), int(SetupWizard::CredentialsPageId)); // invalid: Enter does nothing
    retype(amt, kAmt);
    QTest::keyClick(amt, Qt::Key_Return);
    QCOMPARE(w.currentId(), int(SetupWizard::TunnelPageId));
    // On the radio buttons too, and on the endpoint page after using Browse… (not auto-default).
    QTest::keyClick(w.tunnelPage()->button(Tunnel::None), Qt::Key_Return);
    QCOMPARE(w.currentId(), int(SetupWizard::EndpointPageId));
    w.endpointPage()->browseButton()->setFocus();
    QTest::keyClick(w.endpointPage()->browseButton(), Qt::Key_Return);
    QCOMPARE(w.currentId(), int(SetupWizard::SummaryPageId));
}

void tst_SetupWizard::credentialsTabOrder() {
    SetupWizard &w = *m_wizard;
    QVERIFY(clickNext(w));
    ui::SetupCredentialsPage *page = w.credentialsPage();
    const QList<QWidget *> expected = {page->amtEdit(),      page->showAmtBox(),       page->webhookIdEdit(),
                                       page->clientIdEdit(), page->clientSecretEdit(), page->showSecretBox()};
    page->amtEdit()->setFocus();
    QTRY_VERIFY(page->amtEdit()->hasFocus());
    for (qsizetype i = 1; i < expected.size(); ++i) {
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        QVERIFY2(expected[i]->hasFocus(), qPrintable(QStringLiteral("step %1: focus on %2")
                                                         .arg(i)
                                                         .arg(QApplication::focusWidget()->objectName())));
    }
}

void tst_SetupWizard::showToggleRevealsToken() {
    SetupWizard &w = *m_wizard;
    QVERIFY(clickNext(w));
    ui::SetupCredentialsPage *page = w.credentialsPage();
    QCOMPARE(page->amtEdit()->echoMode(), QLineEdit::Password);
    QCOMPARE(page->clientSecretEdit()->echoMode(), QLineEdit::Password);
    page->showAmtBox()->setFocus();
    QTest::keyClick(page->showAmtBox(), Qt::Key_Space);
    QCOMPARE(page->amtEdit()->echoMode(), QLineEdit::Normal);
    QCOMPARE(page->clientSecretEdit()->echoMode(), QLineEdit::Password); // each toggle its own field
    QTest::keyClick(page->showAmtBox(), Qt::Key_Space);
    QCOMPARE(page->amtEdit()->echoMode(), QLineEdit::Password);
    page->showSecretBox()->setChecked(true);
    QCOMPARE(page->clientSecretEdit()->echoMode(), QLineEdit::Normal);
}

void tst_SetupWizard::clientCredentialsBothOrNeither() {
    SetupWizard &w = *m_wizard;
    QVERIFY(clickNext(w));
    ui::SetupCredentialsPage *page = w.credentialsPage();
    QTest::keyClicks(page->amtEdit(), kAmt);
    QVERIFY(nextButton(w)->isEnabled());
    QCOMPARE(page->clientMessage()->kind(), Kind::Hint);
    QTest::keyClicks(page->clientIdEdit(), kClientId);
    QVERIFY(!nextButton(w)->isEnabled());
    QCOMPARE(page->clientMessage()->kind(), Kind::Error);
    QVERIFY(page->clientMessage()->message().contains(QStringLiteral("secret")));
    QTest::keyClicks(page->clientSecretEdit(), kClientSecret);
    QVERIFY(nextButton(w)->isEnabled());
    QCOMPARE(page->clientMessage()->kind(), Kind::None);
}

void tst_SetupWizard::customTunnelFieldsOnlyForCustom() {
    SetupWizard &w = *m_wizard;
    QVERIFY(clickNext(w));
    QTest::keyClicks(w.credentialsPage()->amtEdit(), kAmt);
    QVERIFY(clickNext(w));
    ui::SetupTunnelPage *page = w.tunnelPage();
    QCOMPARE(w.currentId(), int(SetupWizard::TunnelPageId));

    for (const Tunnel tunnel : {Tunnel::None, Tunnel::Cloudflared, Tunnel::Ngrok, Tunnel::LocalhostRun}) {
        choose(page->button(tunnel));
        QCOMPARE(page->tunnel(), tunnel);
        QVERIFY(!page->customFields()->isVisible());
        QVERIFY(!page->detailLabel()->text().isEmpty());
        QVERIFY(nextButton(w)->isEnabled());
    }
    choose(page->button(Tunnel::Custom));
    QVERIFY(page->customFields()->isVisible());
    QVERIFY(page->commandEdit()->isVisible());
    QVERIFY(page->urlPatternEdit()->isVisible());
    QVERIFY(!nextButton(w)->isEnabled()); // both empty
    QCOMPARE(page->commandMessage()->kind(), Kind::Hint);

    QTest::keyClicks(page->commandEdit(), QStringLiteral("mytunnel --to localhost"));
    QCOMPARE(page->commandMessage()->kind(), Kind::Error);
    QVERIFY(page->commandMessage()->message().contains(QStringLiteral("{port}")));
    QTest::keyClicks(page->commandEdit(), QStringLiteral(":{port}"));
    QCOMPARE(page->commandMessage()->kind(), Kind::None);
    QVERIFY(!nextButton(w)->isEnabled()); // the pattern is still missing
    QTest::keyClicks(page->urlPatternEdit(), QStringLiteral("https://\\S+"));
    QVERIFY(nextButton(w)->isEnabled());

    // Back to a known tunnel: the fields go away and no longer block Next, their text is kept.
    choose(page->button(Tunnel::Cloudflared));
    QVERIFY(!page->customFields()->isVisible());
    page->urlPatternEdit()->setText(QStringLiteral("("));
    QVERIFY(nextButton(w)->isEnabled());
    QCOMPARE(w.values().customTunnelCommand, QStringLiteral("mytunnel --to localhost:{port}"));
    QCOMPARE(w.values().tunnel, Tunnel::Cloudflared);
}

void tst_SetupWizard::invalidRegexRefused() {
    SetupValues initial;
    initial.amt = kAmt;
    initial.tunnel = Tunnel::Custom;
    initial.customTunnelCommand = QStringLiteral("mytunnel {port}");
    initial.customTunnelUrlPattern = QStringLiteral("https://\\S+");
    SetupWizard w(initial);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(clickNext(w));
    QVERIFY(clickNext(w));
    ui::SetupTunnelPage *page = w.tunnelPage();
    QVERIFY(page->customFields()->isVisible());
    QVERIFY(nextButton(w)->isEnabled());

    retype(page->urlPatternEdit(), QStringLiteral("(https://[a-z"));
    QVERIFY(!nextButton(w)->isEnabled());
    QCOMPARE(page->urlPatternMessage()->kind(), Kind::Error);
    QVERIFY2(page->urlPatternMessage()->message().contains(QStringLiteral("not a valid regular expression")),
             qPrintable(page->urlPatternMessage()->message()));
    QVERIFY(!clickNext(w));
    QTest::keyClick(page->urlPatternEdit(), Qt::Key_Return);
    QCOMPARE(w.currentId(), int(SetupWizard::TunnelPageId));

    retype(page->urlPatternEdit(), QStringLiteral(".*"));
    QVERIFY(!nextButton(w)->isEnabled()); // valid, but would match anything
    retype(page->urlPatternEdit(), QStringLiteral("https://[a-z0-9-]+\\.example\\.net"));
    QVERIFY(nextButton(w)->isEnabled());
    QVERIFY(clickNext(w));
}

void tst_SetupWizard::listenAddressWarningAndErrors() {
    SetupValues initial;
    initial.amt = kAmt;
    SetupWizard w(initial);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.setCurrentId(SetupWizard::EndpointPageId);
    ui::SetupEndpointPage *page = w.endpointPage();
    QCOMPARE(page->listenEdit()->text(), QStringLiteral("127.0.0.1:8787"));
    QCOMPARE(page->listenMessage()->kind(), Kind::None);
    QVERIFY(page->webhookUrlLabel()->message().contains(
        QStringLiteral("http://127.0.0.1:8787/webhooks/smartcar")));

    retype(page->listenEdit(), QStringLiteral("0.0.0.0:8787"));
    QCOMPARE(page->listenMessage()->kind(), Kind::Warning);
    QCOMPARE(page->listenMessage()->message(),
             QStringLiteral("Other machines can reach the endpoint directly; a tunnel needs only 127.0.0.1"));
    QVERIFY(nextButton(w)->isEnabled()); // a warning, not an error
    // Where a tunnel on this computer connects to, not the wildcard address.
    QVERIFY(page->webhookUrlLabel()->message().contains(
        QStringLiteral("http://127.0.0.1:8787/webhooks/smartcar")));

    retype(page->listenEdit(), QStringLiteral("127.0.0.1:99999"));
    QCOMPARE(page->listenMessage()->kind(), Kind::Error);
    QVERIFY(!nextButton(w)->isEnabled());
    QVERIFY(page->webhookUrlLabel()->message().isEmpty());

    retype(page->listenEdit(), QStringLiteral("localhost:0"));
    QCOMPARE(page->listenMessage()->kind(), Kind::None);
    QVERIFY(nextButton(w)->isEnabled());
    QVERIFY(page->webhookUrlLabel()->message().contains(QStringLiteral("localhost:PORT")));
}

void tst_SetupWizard::dataDirMayBeEmptyButNotRelative() {
    SetupValues initial;
    initial.amt = kAmt;
    SetupWizard w(initial);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.setCurrentId(SetupWizard::EndpointPageId);
    ui::SetupEndpointPage *page = w.endpointPage();
    QVERIFY(page->dataDirEdit()->text().isEmpty());
    QVERIFY(page->dataDirEdit()->placeholderText().contains(ui::SetupEndpointPage::defaultDataDir()));
    QVERIFY(nextButton(w)->isEnabled());
    QCOMPARE(page->dataDirMessage()->kind(), Kind::Hint);

    QTest::keyClicks(page->dataDirEdit(), QStringLiteral("fleet-data"));
    QCOMPARE(page->dataDirMessage()->kind(), Kind::Error);
    QVERIFY(!nextButton(w)->isEnabled());
    retype(page->dataDirEdit(), QStringLiteral("/nonexistent/fleet-data"));
    QVERIFY(nextButton(w)->isEnabled());
    QVERIFY(!QFileInfo::exists(QStringLiteral("/nonexistent"))); // nothing created while checking
}

void tst_SetupWizard::valuesRoundTripUntouched_data() {
    QTest::addColumn<SetupValues>("initial");
    QTest::newRow("defaults") << SetupValues{};
    QTest::newRow("everything set") << everythingSet();
    SetupValues custom = everythingSet();
    custom.tunnel = Tunnel::Custom;
    QTest::newRow("custom tunnel") << custom;
    // Even values the wizard would refuse come back as they were if the user only looks.
    SetupValues odd;
    odd.amt = QStringLiteral("short");
    odd.listenAddress = QStringLiteral("nonsense");
    odd.dataDir = QStringLiteral("relative");
    QTest::newRow("invalid, untouched") << odd;
}

void tst_SetupWizard::valuesRoundTripUntouched() {
    QFETCH(SetupValues, initial);
    SetupWizard w(initial);
    QVERIFY(w.values() == initial);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    for (int id : {SetupWizard::CredentialsPageId, SetupWizard::TunnelPageId, SetupWizard::EndpointPageId,
                   SetupWizard::SummaryPageId}) {
        w.setCurrentId(id); // visiting (initializePage) must not change anything
        QVERIFY(w.values() == initial);
    }
}

void tst_SetupWizard::walkThroughYieldsTypedValues() {
    SetupWizard &w = *m_wizard;
    QVERIFY(clickNext(w));

    ui::SetupCredentialsPage *credentials = w.credentialsPage();
    QTest::keyClicks(credentials->amtEdit(), kAmt);
    QTest::keyClicks(credentials->webhookIdEdit(), kWebhookId);
    QTest::keyClicks(credentials->clientIdEdit(), kClientId);
    QTest::keyClicks(credentials->clientSecretEdit(), kClientSecret);
    QVERIFY(clickNext(w));

    ui::SetupTunnelPage *tunnel = w.tunnelPage();
    // Keyboard only: Tab lands on the checked radio button, arrows move the choice.
    QTRY_VERIFY(tunnel->button(Tunnel::None)->hasFocus());
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Down);
    QCOMPARE(tunnel->tunnel(), Tunnel::Cloudflared);
    QVERIFY(clickNext(w));

    ui::SetupEndpointPage *endpoint = w.endpointPage();
    QTRY_VERIFY(endpoint->listenEdit()->hasFocus());
    retype(endpoint->listenEdit(), QStringLiteral("127.0.0.1:9090"));
    QTest::keyClicks(endpoint->dataDirEdit(), QStringLiteral("/home/fleet/data"));
    QVERIFY(clickNext(w));
    QCOMPARE(w.currentId(), int(SetupWizard::SummaryPageId));

    SetupValues expected;
    expected.amt = kAmt;
    expected.webhookId = kWebhookId;
    expected.clientId = kClientId;
    expected.clientSecret = kClientSecret;
    expected.tunnel = Tunnel::Cloudflared;
    expected.listenAddress = QStringLiteral("127.0.0.1:9090");
    expected.dataDir = QStringLiteral("/home/fleet/data");
    QVERIFY(w.values() == expected);
    QVERIFY(w.summaryPage()->problems().isEmpty());

    QAbstractButton *finish = w.button(QWizard::FinishButton);
    QVERIFY(finish->isVisible() && finish->isEnabled());
    QTest::mouseClick(finish, Qt::LeftButton);
    QCOMPARE(w.result(), int(QDialog::Accepted));
    QVERIFY(w.values() == expected);
}

void tst_SetupWizard::summaryMasksSecrets() {
    SetupValues initial = everythingSet();
    initial.listenAddress = QStringLiteral("0.0.0.0:8787");
    SetupWizard w(initial);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    w.setCurrentId(SetupWizard::SummaryPageId);
    const QString text = w.summaryPage()->summaryLabel()->text();
    QVERIFY(!text.contains(kAmt));
    QVERIFY(!text.contains(kClientSecret));
    QVERIFY(text.contains(ui::SetupSummaryPage::maskSecret(kAmt)));
    QVERIFY(text.contains(QStringLiteral("4c5d"))); // last four, to tell tokens apart
    QVERIFY(text.contains(kClientId));
    QVERIFY(text.contains(initial.webhookId));
    QVERIFY(text.contains(QStringLiteral("ngrok")));
    QVERIFY(text.contains(QStringLiteral("Other machines can reach")));
    QVERIFY(text.contains(QStringLiteral("/webhooks/smartcar")));
    QCOMPARE(ui::SetupSummaryPage::maskSecret(QStringLiteral("short")), QString(8, QChar(0x2022)));
    QVERIFY(w.button(QWizard::FinishButton)->isEnabled());
}

void tst_SetupWizard::screenshots() {
    // A first run with some typing mistakes along the way, as a manager would see it.
    SetupValues initial;
    initial.webhookId = QStringLiteral("3a5c8f72-e6d9-4b1a-9f2e");
    initial.clientId = kClientId;
    SetupWizard w(initial);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    ui::SetupCredentialsPage *credentials = w.credentialsPage();
    ui::SetupTunnelPage *tunnel = w.tunnelPage();
    ui::SetupEndpointPage *endpoint = w.endpointPage();

    const auto shoot = [&w](const QString &name) {
        for (const bool dark : {false, true}) {
            w.setPalette(dark ? darkPalette() : QApplication::palette());
            QApplication::processEvents();
            const QString path =
                QDir(screenshotDir())
                    .filePath(QStringLiteral("setupwizard-%1-%2.png")
                                  .arg(name, dark ? QStringLiteral("dark") : QStringLiteral("light")));
            QVERIFY2(w.grab().save(path), qPrintable(path));
        }
        w.setPalette(QApplication::palette());
    };

    shoot(QStringLiteral("1-welcome"));
    QVERIFY(clickNext(w));
    QTest::keyClicks(credentials->amtEdit(), QStringLiteral("a1b2c3d4 e5f6"));
    shoot(QStringLiteral("2-credentials-invalid"));
    retype(credentials->amtEdit(), kAmt);
    retype(credentials->webhookIdEdit(), kWebhookId);
    QTest::keyClicks(credentials->clientSecretEdit(), kClientSecret);
    shoot(QStringLiteral("2-credentials-valid"));
    QVERIFY(clickNext(w));
    choose(tunnel->button(Tunnel::Cloudflared));
    shoot(QStringLiteral("3-tunnel"));
    choose(tunnel->button(Tunnel::Custom));
    QTest::keyClicks(tunnel->commandEdit(), QStringLiteral("ssh -R 80:localhost:{port} serveo.net"));
    QTest::keyClicks(tunnel->urlPatternEdit(), QStringLiteral("(https://\\S+\\.serveo\\.net"));
    shoot(QStringLiteral("3-tunnel-custom-invalid"));
    choose(tunnel->button(Tunnel::Cloudflared));
    QVERIFY(clickNext(w));
    retype(endpoint->listenEdit(), QStringLiteral("0.0.0.0:8787"));
    shoot(QStringLiteral("4-endpoint-warning"));
    retype(endpoint->listenEdit(), QStringLiteral("127.0.0.1:8787"));
    QTest::keyClicks(endpoint->dataDirEdit(), QStringLiteral("fleet-data"));
    shoot(QStringLiteral("4-endpoint-invalid"));
    retype(endpoint->dataDirEdit(), QString());
    shoot(QStringLiteral("4-endpoint"));
    QVERIFY(clickNext(w));
    shoot(QStringLiteral("5-summary"));

    // The other summary: only the token, a custom tunnel, an endpoint open to the network.
    SetupValues bare;
    bare.amt = kAmt;
    bare.tunnel = Tunnel::Custom;
    bare.customTunnelCommand = QStringLiteral("ssh -R 80:localhost:{port} serveo.net");
    bare.customTunnelUrlPattern = QStringLiteral("https://\\S+\\.serveo\\.net");
    bare.listenAddress = QStringLiteral("0.0.0.0:8787");
    bare.dataDir = QStringLiteral("/srv/fleet-monitor");
    SetupWizard other(bare);
    other.show();
    QVERIFY(QTest::qWaitForWindowExposed(&other));
    other.setCurrentId(SetupWizard::SummaryPageId);
    for (const bool dark : {false, true}) {
        other.setPalette(dark ? darkPalette() : QApplication::palette());
        QApplication::processEvents();
        const QString path = QDir(screenshotDir())
                                 .filePath(QStringLiteral("setupwizard-5-summary-bare-%1.png")
                                               .arg(dark ? QStringLiteral("dark") : QStringLiteral("light")));
        QVERIFY2(other.grab().save(path), qPrintable(path));
    }
    qInfo("screenshots in %s", qPrintable(screenshotDir()));
}

QTEST_MAIN(tst_SetupWizard)
#include "tst_SetupWizard.moc"
