// File → Connect to a shared fleet…, the app's side: URLs are judged by the rules --database uses,
// the choice lands in the settings where the next start reads it (and going back to the own endpoint
// removes it), the restart is asked for ("Restart now"/"Later") only when the choice changed, and
// the restart drops whatever on the command line would override the choice.

#include "app/AppOptions.h"
#include "app/SharedFleetSwitch.h"
#include "ui/SharedFleetDialog.h"

#include <QApplication>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRadioButton>

#include <QSettings>
#include <QStandardPaths>
#include <QtTest>

using app::SharedFleetSwitch;

namespace {

// Plays the manager in the modal dialogs run() opens: fills the shared fleet dialog with `url`
// (empty: the own endpoint) and presses Save, or Cancel when `cancel`; answers the restart question
// with `answer`. Records what the question said.
class Manager final : public QObject {
public:
    Manager(QString url, QString answer, bool cancel = false)
        : m_url(std::move(url))
        , m_answer(std::move(answer))
        , m_cancel(cancel) {
        m_timer.setInterval(20);
        connect(&m_timer, &QTimer::timeout, this, &Manager::act);
        m_timer.start();
    }
    QString question;
    int dialogs = 0;

private:
    void act() {
        QWidget *modal = QApplication::activeModalWidget();
        if (auto *dialog = qobject_cast<ui::SharedFleetDialog *>(modal)) {
            if (dialog->property("played").toBool())
                return;
            dialog->setProperty("played", true);
            ++dialogs;
            if (m_cancel) {
                dialog->reject();
                return;
            }
            if (m_url.isEmpty()) {
                dialog->ownEndpointButton()->click();
            } else {
                dialog->urlEdit()->setText(m_url);
            }
            dialog->saveButton()->click();
        } else if (auto *box = qobject_cast<QMessageBox *>(modal)) {
            question = box->text() + QLatin1Char('\n') + box->informativeText();
            for (QAbstractButton *button : box->buttons())
                if (button->text() == m_answer)
                    button->click();
        }
    }

    QString m_url;
    QString m_answer;
    bool m_cancel;
    QTimer m_timer;
};

} // namespace

class tst_SharedFleetSwitch final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        QStandardPaths::setTestModeEnabled(true); // ~/.qttest: never the user's real settings
        qputenv("FLEETMON_NO_KEYCHAIN", QByteArray("1"));
        qputenv("FLEETMON_AMT", QByteArray("switch-test-amt"));
        QCoreApplication::setOrganizationName(QStringLiteral("FleetMonitorTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_SharedFleetSwitch"));
        QSettings().clear();
    }
    void cleanup() { QSettings().clear(); }

    void validate_data() {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("problem"); // the message under the field, empty when usable
        QTest::newRow("full") << "postgresql://fleet@db:5432/fleet"
                              << "";
        QTest::newRow("short scheme") << "postgres://fleet@db/fleet"
                                      << "";
        QTest::newRow("with parameters") << "postgresql://fleet@db/fleet?sslmode=require"
                                         << "";
        QTest::newRow("another scheme") << "mysql://fleet@db/fleet"
                                        << "Not a PostgreSQL URL (postgresql://user@host:port/database)";
        QTest::newRow("no scheme") << "db.example.com:5432/fleet"
                                   << "Not a PostgreSQL URL (postgresql://user@host:port/database)";
        QTest::newRow("port 0") << "postgresql://fleet@db:0/fleet"
                                << "Port 0 in the PostgreSQL URL";
        QTest::newRow("a path") << "postgresql://fleet@db/fleet/more"
                                << "The PostgreSQL URL names more than a database: /fleet/more";
        QTest::newRow("bad port") << "postgresql://fleet@db:54x/fleet"
                                  << "Not a valid PostgreSQL URL: Invalid port or port number out of range";
    }
    void validate() {
        QFETCH(QString, url);
        QFETCH(QString, problem);
        const QString said = SharedFleetSwitch::validate(url);
        if (problem.isEmpty())
            QCOMPARE(said, QString());
        else
            QCOMPARE(said, problem);
    }

    void savedChoiceIsWhatTheNextStartFollows() {
        SharedFleetSwitch::save(QStringLiteral("postgresql://fleet@db:5432/fleet"));
        QCOMPARE(QSettings().value(QStringLiteral("database/url")).toString(),
                 QStringLiteral("postgresql://fleet@db:5432/fleet"));
        app::AppOptions options;
        QString error;
        QVERIFY2(app::parseCommandLine({QStringLiteral("fleetmon")}, &options, &error), qPrintable(error));
        QCOMPARE(options.databaseUrl, QStringLiteral("postgresql://fleet@db:5432/fleet"));
        QVERIFY(options.sharedDatabase());

        // Back to the own endpoint: no setting left behind.
        SharedFleetSwitch::save(QString());
        QVERIFY(!QSettings().contains(QStringLiteral("database/url")));
        app::AppOptions local;
        QVERIFY2(app::parseCommandLine({QStringLiteral("fleetmon")}, &local, &error), qPrintable(error));
        QVERIFY(!local.sharedDatabase());
    }

    void newFleetIsSavedAndRestartAsked() {
        Manager manager(QStringLiteral("postgresql://fleet:s3cret@db:5432/fleet"),
                        QStringLiteral("&Restart now"));
        QVERIFY(SharedFleetSwitch::run(nullptr, QString()));
        QCOMPARE(manager.dialogs, 1);
        QCOMPARE(QSettings().value(QStringLiteral("database/url")).toString(),
                 QStringLiteral("postgresql://fleet:s3cret@db:5432/fleet"));
        // The question names the fleet, never its password.
        QVERIFY2(manager.question.contains(QStringLiteral("postgresql://fleet@db:5432/fleet")),
                 qPrintable(manager.question));
        QVERIFY2(!manager.question.contains(QStringLiteral("s3cret")), qPrintable(manager.question));
    }

    void laterSavesWithoutRestart() {
        Manager manager(QStringLiteral("postgresql://fleet@db/fleet"), QStringLiteral("&Later"));
        QVERIFY(!SharedFleetSwitch::run(nullptr, QString()));
        QVERIFY(!manager.question.isEmpty());
        QCOMPARE(QSettings().value(QStringLiteral("database/url")).toString(),
                 QStringLiteral("postgresql://fleet@db/fleet"));
    }

    void ownEndpointRemovesTheSetting() {
        SharedFleetSwitch::save(QStringLiteral("postgresql://fleet@db/fleet"));
        Manager manager(QString(), QStringLiteral("&Restart now"));
        QVERIFY(SharedFleetSwitch::run(nullptr, QStringLiteral("postgresql://fleet@db/fleet")));
        QVERIFY2(manager.question.contains(QStringLiteral("own endpoint")), qPrintable(manager.question));
        QVERIFY(!QSettings().contains(QStringLiteral("database/url")));
    }

    void sameFleetAsksNothing() {
        // Given with --database and confirmed here: kept for later starts, nothing to restart for.
        Manager manager(QStringLiteral("postgresql://fleet@db/fleet"), QStringLiteral("&Restart now"));
        QVERIFY(!SharedFleetSwitch::run(nullptr, QStringLiteral("postgresql://fleet@db/fleet")));
        QVERIFY(manager.question.isEmpty());
        QCOMPARE(QSettings().value(QStringLiteral("database/url")).toString(),
                 QStringLiteral("postgresql://fleet@db/fleet"));
    }

    void cancelChangesNothing() {
        SharedFleetSwitch::save(QStringLiteral("postgresql://fleet@db/fleet"));
        Manager manager(QStringLiteral("postgresql://other@db/fleet"), QString(), true);
        QVERIFY(!SharedFleetSwitch::run(nullptr, QStringLiteral("postgresql://fleet@db/fleet")));
        QCOMPARE(manager.dialogs, 1);
        QVERIFY(manager.question.isEmpty());
        QCOMPARE(QSettings().value(QStringLiteral("database/url")).toString(),
                 QStringLiteral("postgresql://fleet@db/fleet"));
    }

    void restartArguments_data() {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QStringList>("restart");
        QTest::newRow("none") << QStringList{"fleetmon"} << QStringList{};
        QTest::newRow("database and value")
            << QStringList{"fleetmon", "--database", "postgresql://a@b/c", "--data-dir", "/srv/fm"}
            << QStringList{"--data-dir", "/srv/fm"};
        QTest::newRow("database=value")
            << QStringList{"fleetmon", "--data-dir=/srv/fm", "--database=postgresql://a@b/c"}
            << QStringList{"--data-dir=/srv/fm"};
        QTest::newRow("demo") << QStringList{"fleetmon", "--demo", "--listen", "127.0.0.1:0"}
                              << QStringList{"--listen", "127.0.0.1:0"};
        QTest::newRow("after --") << QStringList{"fleetmon", "--database", "x", "--", "--database", "y"}
                                  << QStringList{"--", "--database", "y"};
        QTest::newRow("database last, no value") << QStringList{"fleetmon", "--database"} << QStringList{};
    }
    void restartArguments() {
        QFETCH(QStringList, arguments);
        QFETCH(QStringList, restart);
        QCOMPARE(SharedFleetSwitch::restartArguments(arguments), restart);
    }
};

QTEST_MAIN(tst_SharedFleetSwitch)
#include "tst_SharedFleetSwitch.moc"
