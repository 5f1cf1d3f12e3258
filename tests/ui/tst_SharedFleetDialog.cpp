// File → Connect to a shared fleet…: the URL field and its placeholder, the validator's verdict shown
// under it (and the dialog refusing to close on it), the password note, going back to the
// workstation's own endpoint, and all of it done from the keyboard.

#include "ui/SetupMessageLabel.h"
#include "ui/SharedFleetDialog.h"

#include <QApplication>
#include <QDir>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QTest>

using ui::SetupMessageLabel;

namespace {

// Stands in for app/'s check (store::PostgresLocation): the dialog must show what it says, verbatim.
QString validator(const QString &url) {
    if (!url.startsWith(QLatin1String("postgresql://")))
        return QStringLiteral("Not a PostgreSQL URL (postgresql://user@host:port/database)");
    if (url.contains(QLatin1String(":0/")))
        return QStringLiteral("Port 0 in the PostgreSQL URL");
    return {};
}

void saveShot(QWidget *w, const QString &name) {
    const QByteArray dirFromEnv = qgetenv("FLEETMON_SCREENSHOT_DIR");
    const QDir dir(dirFromEnv.isEmpty() ? QDir::tempPath() : QString::fromLocal8Bit(dirFromEnv));
    QVERIFY(dir.mkpath(QStringLiteral(".")));
    const QString path = dir.filePath(name);
    QVERIFY2(w->grab().save(path, "PNG"), qPrintable(path));
    qInfo("screenshot: %s", qPrintable(path));
}

} // namespace

class tst_SharedFleetDialog : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void startsOnTheSharedChoice() {
        ui::SharedFleetDialog dialog(QString(), validator);
        QCOMPARE(dialog.urlEdit()->placeholderText(), QStringLiteral("postgresql://user@host:5432/fleet"));
        QVERIFY(dialog.sharedButton()->isChecked());
        QVERIFY(dialog.urlEdit()->isEnabled());
        QCOMPARE(dialog.messageLabel()->kind(), SetupMessageLabel::Kind::None);
        // The advice on passwords is there before anything is typed.
        QCOMPARE(dialog.passwordLabel()->kind(), SetupMessageLabel::Kind::Hint);
        QVERIFY(dialog.passwordLabel()->message().contains(QStringLiteral("~/.pgpass")));
        QVERIFY(dialog.passwordLabel()->message().contains(QStringLiteral("PGPASSWORD")));
    }

    void currentUrlIsPrefilled() {
        ui::SharedFleetDialog dialog(QStringLiteral("postgresql://fleet@db:5432/fleet"), validator);
        QCOMPARE(dialog.urlEdit()->text(), QStringLiteral("postgresql://fleet@db:5432/fleet"));
        dialog.saveButton()->click();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.chosenUrl(), QStringLiteral("postgresql://fleet@db:5432/fleet"));
    }

    void wrongFormIsRefusedWithTheReason() {
        ui::SharedFleetDialog dialog(QString(), validator);
        dialog.urlEdit()->setText(QStringLiteral("mysql://fleet@db/fleet"));
        dialog.saveButton()->click();
        QCOMPARE(dialog.result(), int(QDialog::Rejected)); // still open: nothing chosen
        QCOMPARE(dialog.messageLabel()->kind(), SetupMessageLabel::Kind::Error);
        QCOMPARE(dialog.messageLabel()->message(),
                 QStringLiteral("Not a PostgreSQL URL (postgresql://user@host:port/database)"));
        // The message follows the typing once shown: another mistake, then gone when right.
        dialog.urlEdit()->selectAll();
        QTest::keyClicks(dialog.urlEdit(), QStringLiteral("postgresql://fleet@db:0/"));
        QCOMPARE(dialog.messageLabel()->message(), QStringLiteral("Port 0 in the PostgreSQL URL"));
        QTest::keyClick(dialog.urlEdit(), Qt::Key_Backspace);
        QTest::keyClick(dialog.urlEdit(), Qt::Key_Backspace);
        QTest::keyClicks(dialog.urlEdit(), QStringLiteral("5432/fleet"));
        QCOMPARE(dialog.messageLabel()->kind(), SetupMessageLabel::Kind::None);
        dialog.saveButton()->click();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.chosenUrl(), QStringLiteral("postgresql://fleet@db:5432/fleet"));
    }

    void halfTypedUrlIsNotScoldedAtEveryKey() {
        ui::SharedFleetDialog dialog(QString(), validator);
        QTest::keyClicks(dialog.urlEdit(), QStringLiteral("postg"));
        QCOMPARE(dialog.messageLabel()->kind(), SetupMessageLabel::Kind::None);
    }

    void emptyUrlIsRefused() {
        ui::SharedFleetDialog dialog(QString(), validator);
        dialog.saveButton()->click();
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        QCOMPARE(dialog.messageLabel()->kind(), SetupMessageLabel::Kind::Error);
        QVERIFY2(dialog.messageLabel()->message().contains(QStringLiteral("postgresql://")),
                 qPrintable(dialog.messageLabel()->message()));
    }

    void urlIsTrimmed() {
        ui::SharedFleetDialog dialog(QString(), validator);
        dialog.urlEdit()->setText(QStringLiteral("  postgresql://fleet@db/fleet \t"));
        dialog.saveButton()->click();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.chosenUrl(), QStringLiteral("postgresql://fleet@db/fleet"));
    }

    void passwordInTheUrlIsWarnedOf() {
        ui::SharedFleetDialog dialog(QString(), validator);
        QTest::keyClicks(dialog.urlEdit(), QStringLiteral("postgresql://fleet:s3cret@db/fleet"));
        QCOMPARE(dialog.passwordLabel()->kind(), SetupMessageLabel::Kind::Warning);
        QVERIFY(dialog.passwordLabel()->message().contains(QStringLiteral("plain text")));
        // Still allowed: a throwaway test database may well have its password in the URL.
        dialog.saveButton()->click();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        dialog.urlEdit()->setText(QString());
        QTest::keyClicks(dialog.urlEdit(), QStringLiteral("postgresql://fleet@db/fleet"));
        QCOMPARE(dialog.passwordLabel()->kind(), SetupMessageLabel::Kind::Hint);
    }

    void ownEndpointNeedsNoUrl() {
        ui::SharedFleetDialog dialog(QStringLiteral("not even a url"), validator);
        dialog.ownEndpointButton()->click();
        QVERIFY(!dialog.urlEdit()->isEnabled());
        dialog.saveButton()->click();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.chosenUrl(), QString()); // empty: the workstation's own endpoint
        QCOMPARE(dialog.messageLabel()->kind(), SetupMessageLabel::Kind::None);
    }

    void keyboardOnly() {
        ui::SharedFleetDialog dialog(QString(), validator);
        dialog.show();
        QApplication::setActiveWindow(&dialog);
        QVERIFY(QTest::qWaitForWindowActive(&dialog));
        // The cursor starts in the URL: type and press Enter.
        QCOMPARE(QApplication::focusWidget(), dialog.urlEdit());
        QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("postgres://fleet@db:5432/fleet"));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
        // A wrong form keeps the dialog open with the cursor back in the field, the text selected.
        QVERIFY(dialog.isVisible());
        QCOMPARE(dialog.messageLabel()->kind(), SetupMessageLabel::Kind::Error);
        QCOMPARE(QApplication::focusWidget(), dialog.urlEdit());
        QVERIFY(dialog.urlEdit()->hasSelectedText());
        QTest::keyClicks(dialog.urlEdit(), QStringLiteral("postgresql://fleet@db:5432/fleet"));
        QCOMPARE(dialog.messageLabel()->kind(), SetupMessageLabel::Kind::None);
        // Alt+W picks the own endpoint, Alt+F the shared fleet again, Alt+U goes to the URL.
        // (A mnemonic "animates" the click: the button is pressed for a moment first.)
        QTest::keyClick(&dialog, Qt::Key_W, Qt::AltModifier);
        QTRY_VERIFY(dialog.ownEndpointButton()->isChecked());
        QVERIFY(!dialog.urlEdit()->isEnabled());
        QTest::keyClick(&dialog, Qt::Key_F, Qt::AltModifier);
        QTRY_VERIFY(dialog.sharedButton()->isChecked());
        QTest::keyClick(&dialog, Qt::Key_U, Qt::AltModifier);
        QCOMPARE(QApplication::focusWidget(), dialog.urlEdit());
        QTest::keyClick(dialog.urlEdit(), Qt::Key_Return);
        QVERIFY(!dialog.isVisible());
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QCOMPARE(dialog.chosenUrl(), QStringLiteral("postgresql://fleet@db:5432/fleet"));
    }

    void escapeCancels() {
        ui::SharedFleetDialog dialog(QStringLiteral("postgresql://fleet@db/fleet"), validator);
        dialog.show();
        QApplication::setActiveWindow(&dialog);
        QVERIFY(QTest::qWaitForWindowActive(&dialog));
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Escape);
        QVERIFY(!dialog.isVisible());
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
    }

    void screenshots() {
        ui::SharedFleetDialog dialog(QString(), validator);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        QTest::keyClicks(dialog.urlEdit(), QStringLiteral("postgresql://fleet@db.example.com:5432/fleet"));
        saveShot(&dialog, QStringLiteral("shared-fleet-dialog.png"));
        dialog.urlEdit()->setText(QStringLiteral("db.example.com:5432/fleet"));
        dialog.saveButton()->click();
        QVERIFY(dialog.isVisible());
        saveShot(&dialog, QStringLiteral("shared-fleet-dialog-error.png"));
    }
};

QTEST_MAIN(tst_SharedFleetDialog)
#include "tst_SharedFleetDialog.moc"
