// The verification diagnostics' verdicts for valid, invalid and unsigned deliveries.

#include "ui/VerificationPanel.h"

#include <QLabel>
#include <algorithm>

#include <QtTest>

using model::DeliveryLogEntry;
using model::Verdict;

namespace {
DeliveryLogEntry entry(Verdict verdict, const QString &type = QStringLiteral("VEHICLE_STATE")) {
    DeliveryLogEntry e;
    e.verdict = verdict;
    e.eventType = type;
    e.receivedAtMs = 1;
    return e;
}
} // namespace

class tst_VerificationPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void countsEachVerdict() {
        ui::VerificationPanel panel;
        // valid (accepted, and a retry of it), invalid signature, unsigned (also bad-signature), VERIFY
        panel.addDeliveries({entry(Verdict::Accepted), entry(Verdict::Duplicate),
                             entry(Verdict::BadSignature), entry(Verdict::BadSignature),
                             entry(Verdict::Verify, "VERIFY")});
        QCOMPARE(panel.signedCount(), 2);
        QCOMPARE(panel.badSignatureCount(), 2);
        QVERIFY(!panel.showsAccountHint());
    }

    void verifyPassingWithEverySignatureFailingShowsTheHint() {
        ui::VerificationPanel panel;
        panel.addVerifications({{1000, "abc", "9baf", 200}});
        QVERIFY(panel.lastVerifyText().contains("abc"));
        QVERIFY(panel.lastVerifyText().contains("9baf"));
        panel.addDeliveries({entry(Verdict::BadSignature), entry(Verdict::BadSignature)});
        QVERIFY(!panel.showsAccountHint()); // two could be noise
        panel.addDeliveries({entry(Verdict::BadSignature)});
        QVERIFY(panel.showsAccountHint());
        panel.addDeliveries({entry(Verdict::Accepted)});
        QVERIFY(!panel.showsAccountHint()); // one good signature: the token works
    }

    void failuresWithoutAPassingVerifyAreNotTheAccountProblem() {
        ui::VerificationPanel panel;
        panel.addDeliveries(
            {entry(Verdict::BadSignature), entry(Verdict::BadSignature), entry(Verdict::BadSignature)});
        QVERIFY(!panel.showsAccountHint());
        panel.addVerifications({{1000, "bad challenge", {}, 400}});
        QVERIFY(panel.lastVerifyText().contains("refused"));
        QVERIFY(!panel.showsAccountHint());
    }

    void labelsCatchUpWhenShown() {
        ui::VerificationPanel panel;
        const auto labelSays = [&panel](const QString &text) {
            const QList<QLabel *> labels = panel.findChildren<QLabel *>();
            return std::any_of(labels.cbegin(), labels.cend(),
                               [&text](const QLabel *l) { return l->text().contains(text); });
        };
        // Hidden (as in a background tab): counted, but the labels wait.
        panel.addDeliveries(
            {entry(Verdict::Accepted), entry(Verdict::Accepted), entry(Verdict::BadSignature)});
        QCOMPARE(panel.signedCount(), 2);
        QVERIFY(!labelSays(QStringLiteral("2 verified, 1 rejected")));
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        QVERIFY(labelSays(QStringLiteral("2 verified, 1 rejected")));
        // Shown: at once.
        panel.addDeliveries({entry(Verdict::Accepted)});
        QVERIFY(labelSays(QStringLiteral("3 verified, 1 rejected")));
    }

    void replaysDoNotCount() {
        ui::VerificationPanel panel;
        DeliveryLogEntry replay = entry(Verdict::Accepted);
        replay.replay = true;
        panel.addDeliveries({replay});
        QCOMPARE(panel.signedCount(), 0);
    }
};

QTEST_MAIN(tst_VerificationPanel)
#include "tst_VerificationPanel.moc"
