// The alert panel over a real AlertModel: the airbag banner, acknowledging through FleetCommands in
// the manager's name, the "Show cleared" filter, one announcement per new critical alert, and a
// screenshot to judge by eye.

#include "model/AlertModel.h"
#include "model/FleetCommands.h"
#include "ui/AlertBanner.h"
#include "ui/AlertPanel.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QHeaderView>
#include <QImage>
#include <QLabel>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>

#include <memory>

using model::Alert;
using model::AlertKind;
using model::AlertModel;
using model::AlertSeverity;

namespace {

// Records what the panel asked of the pipeline; the pipeline's answer (changed alerts) is applied
// by the test, as the main window would from the update queue.
class FakeCommands final : public model::FleetCommands {
public:
    void acknowledgeAlert(qint64 alertId, const QString &by) override { acknowledged.append({alertId, by}); }
    void acknowledgeAllAlerts(const QString &by) override { acknowledgedAllBy.append(by); }
    void replayDelivery(qint64 journalId) override { replayed.append(journalId); }
    void watchVehicles(const QStringList &vehicleIds) override { watched = vehicleIds; }

    QList<std::pair<qint64, QString>> acknowledged;
    QStringList acknowledgedAllBy;
    QList<qint64> replayed;
    QStringList watched;
};

// "Now" for the model: 14:00 today, local time, so times show as "HH:mm".
qint64 now() {
    return QDateTime(QDate::currentDate(), QTime(14, 0)).toMSecsSinceEpoch();
}

Alert alert(qint64 id, const QString &vehicle, AlertKind kind, AlertSeverity severity, const QString &message,
            int minutesAgo) {
    Alert a;
    a.id = id;
    a.vehicleId = vehicle;
    a.kind = kind;
    a.severity = severity;
    a.message = message;
    a.firstSeenAt = now() - minutesAgo * 60'000LL;
    a.lastSeenAt = now() - std::max(0, minutesAgo - 3) * 60'000LL;
    return a;
}

Alert airbag(qint64 id, const QString &vehicle, int minutesAgo) {
    Alert a = alert(id, vehicle, AlertKind::Airbag, AlertSeverity::Critical,
                    QStringLiteral("Airbag deployed (driver)"), minutesAgo);
    a.subject = QStringLiteral("diagnostics-airbags");
    return a;
}

Alert acknowledged(Alert a, bool clears) {
    a.acknowledgedAt = now();
    a.acknowledgedBy = QStringLiteral("dispatcher");
    if (clears) {
        a.clearedAt = now();
        a.clearedBy = QStringLiteral("dispatcher");
    }
    return a;
}

const QString kPolestar = QStringLiteral("875d9333-bbbb-4444-aaaa-17be22ebe970");
const QString kIpace = QStringLiteral("3f2a9c10-6b1e-4c3a-9d2f-5e0c71a40000");
const QString kSeal = QStringLiteral("3f2aac10-6b1e-4c3a-9d2f-5e0c71a41f3d");
const QString kId4 = QStringLiteral("3f2abc10-6b1e-4c3a-9d2f-5e0c71a43e7a");

QList<Alert> fleetAlerts() {
    Alert cleared =
        alert(4, kSeal, AlertKind::OpenClosure, AlertSeverity::Warning, QStringLiteral("Trunk open"), 95);
    cleared.clearedAt = now() - 80 * 60'000LL;
    cleared.clearedBy = QStringLiteral("condition");
    Alert seenOften = alert(3, kId4, AlertKind::LowBattery, AlertSeverity::Warning,
                            QStringLiteral("Battery low: 12 %"), 40);
    seenOften.fireCount = 4;
    return {
        airbag(1, kPolestar, 5),
        alert(2, kIpace, AlertKind::OpenClosure, AlertSeverity::Warning, QStringLiteral("2 doors open"), 12),
        seenOften,
        cleared,
        alert(5, kSeal, AlertKind::Silent, AlertSeverity::Info, QStringLiteral("No data for 2 h"), 130),
    };
}

int proxyRowOf(const QSortFilterProxyModel *proxy, qint64 id) {
    for (int row = 0; row < proxy->rowCount(); ++row) {
        if (proxy->index(row, 0).data(AlertModel::AlertIdRole).toLongLong() == id)
            return row;
    }
    return -1;
}

} // namespace

class tst_AlertPanel final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void newestFirstAndClearedHidden();
    void bannerShowsUnacknowledgedAirbag();
    void acknowledgeSelected();
    void keyboardAcknowledges();
    void acknowledgeAll();
    void bannerHidesOnceAcknowledged();
    void criticalAlertRaisedOncePerNewAlert();
    void userFallsBackWhenUnset();
    void layoutPersists();
    void screenshot();

private:
    void createPanel(const QList<Alert> &alerts);
    void select(qint64 id);

    std::unique_ptr<AlertModel> m_model;
    std::unique_ptr<FakeCommands> m_commands;
    std::unique_ptr<ui::AlertPanel> m_panel;
};

void tst_AlertPanel::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("FleetMonitorTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_AlertPanel"));
    qputenv("USER", "dispatcher");
}

void tst_AlertPanel::init() {
    m_model = std::make_unique<AlertModel>();
    m_model->setClock([] { return now(); });
    m_model->setVehicleNames({{kPolestar, QStringLiteral("Polestar 2 \u00b7 Depot North")},
                              {kIpace, QStringLiteral("Jaguar I-PACE")},
                              {kSeal, QStringLiteral("BYD SEAL")},
                              {kId4, QStringLiteral("Volkswagen ID.4")}});
    m_commands = std::make_unique<FakeCommands>();
}

void tst_AlertPanel::cleanup() {
    m_panel.reset();
    m_commands.reset();
    m_model.reset();
}

void tst_AlertPanel::createPanel(const QList<Alert> &alerts) {
    m_model->applyAlerts(alerts);
    m_panel = std::make_unique<ui::AlertPanel>(m_model.get(), m_commands.get());
    m_panel->resize(1000, 400);
}

void tst_AlertPanel::select(qint64 id) {
    const int row = proxyRowOf(m_panel->proxyModel(), id);
    QVERIFY(row >= 0);
    m_panel->view()->selectRow(row);
}

void tst_AlertPanel::newestFirstAndClearedHidden() {
    createPanel(fleetAlerts());
    QAbstractItemModelTester tester(m_panel->proxyModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSortFilterProxyModel *proxy = m_panel->proxyModel();
    QVERIFY(!m_panel->showsCleared());
    QVERIFY(!m_panel->showClearedBox()->isChecked());
    QCOMPARE(proxy->rowCount(), 4);
    QCOMPARE(proxyRowOf(proxy, 4), -1);
    const QList<qint64> expected = {1, 2, 3, 5};
    for (int row = 0; row < proxy->rowCount(); ++row)
        QCOMPARE(proxy->index(row, 0).data(AlertModel::AlertIdRole).toLongLong(), expected.at(row));

    // Severity reads at a glance: an icon as well as the word and its colour.
    const QModelIndex severity = proxy->index(0, AlertModel::SeverityColumn);
    QCOMPARE(severity.data().toString(), QStringLiteral("Critical"));
    QVERIFY(!severity.data(Qt::DecorationRole).value<QIcon>().isNull());
    QCOMPARE(severity.data(Qt::ForegroundRole).value<QBrush>().color(), QColor(0xc6, 0x28, 0x28));

    QTest::mouseClick(m_panel->showClearedBox(), Qt::LeftButton);
    QVERIFY(m_panel->showsCleared());
    QCOMPARE(proxy->rowCount(), 5);
    QCOMPARE(proxyRowOf(proxy, 4), 3); // between 40 and 130 minutes ago
    QVERIFY(!proxy->index(3, AlertModel::SeverityColumn).data(Qt::DecorationRole).isNull());

    m_panel->showClearedBox()->setChecked(false);
    QCOMPARE(proxy->rowCount(), 4);
    QCOMPARE(m_panel->findChild<QLabel *>(QStringLiteral("alertSummaryLabel"))->text(),
             QStringLiteral("4 active alerts \u00b7 4 not acknowledged"));
}

void tst_AlertPanel::bannerShowsUnacknowledgedAirbag() {
    QList<Alert> alerts = fleetAlerts();
    alerts.removeFirst();
    createPanel(alerts);
    ui::AlertBanner *banner = m_panel->banner();
    QVERIFY(!banner->isVisibleTo(m_panel.get()));
    QCOMPARE(banner->alertId(), qint64(0));

    m_model->applyAlerts({airbag(1, kPolestar, 5)});
    QVERIFY(banner->isVisibleTo(m_panel.get()));
    QCOMPARE(banner->alertId(), qint64(1));
    const QString time =
        QDateTime::fromMSecsSinceEpoch(now() - 5 * 60'000LL).toString(QStringLiteral("HH:mm"));
    QCOMPARE(banner->text(),
             QStringLiteral("Airbag deployed: Polestar 2 \u00b7 Depot North \u2014 %1").arg(time));

    // A second one: the newest shows, the other is counted.
    m_model->applyAlerts({airbag(7, kIpace, 1)});
    QCOMPARE(banner->alertId(), qint64(7));
    QVERIFY(banner->text().startsWith(QStringLiteral("Airbag deployed: Jaguar I-PACE")));
    QVERIFY(banner->text().endsWith(QStringLiteral("(+1 more)")));

    // The banner's own button acknowledges the alert it shows.
    QTest::mouseClick(banner->acknowledgeButton(), Qt::LeftButton);
    QCOMPARE(m_commands->acknowledged.size(), 1);
    QCOMPARE(m_commands->acknowledged.at(0), std::make_pair(qint64(7), QStringLiteral("dispatcher")));
}

void tst_AlertPanel::acknowledgeSelected() {
    createPanel(fleetAlerts());
    QVERIFY(!m_panel->acknowledgeButton()->isEnabled()); // nothing selected
    select(2);
    QVERIFY(m_panel->acknowledgeButton()->isEnabled());
    QTest::mouseClick(m_panel->acknowledgeButton(), Qt::LeftButton);
    QCOMPARE(m_commands->acknowledged.size(), 1);
    QCOMPARE(m_commands->acknowledged.at(0), std::make_pair(qint64(2), QStringLiteral("dispatcher")));
    QVERIFY(m_commands->acknowledgedAllBy.isEmpty());

    // Once the pipeline sends it back acknowledged, there is nothing left to acknowledge on that row.
    m_model->applyAlerts({acknowledged(fleetAlerts().at(1), false)});
    QVERIFY(!m_panel->acknowledgeButton()->isEnabled());
    m_panel->acknowledgeSelected();
    QCOMPARE(m_commands->acknowledged.size(), 1);

    // Several rows at once: one command per unacknowledged alert.
    m_panel->view()->selectAll();
    m_panel->acknowledgeSelected();
    QCOMPARE(m_commands->acknowledged.size(), 4);
    QCOMPARE(m_commands->acknowledged.at(1).first, qint64(1));
    QCOMPARE(m_commands->acknowledged.at(2).first, qint64(3));
    QCOMPARE(m_commands->acknowledged.at(3).first, qint64(5));
}

void tst_AlertPanel::keyboardAcknowledges() {
    createPanel(fleetAlerts());
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowActive(m_panel.get()));
    m_panel->view()->setFocus();
    select(3);
    QTest::keyClick(m_panel->view(), Qt::Key_Space);
    QCOMPARE(m_commands->acknowledged.size(), 1);
    QCOMPARE(m_commands->acknowledged.at(0).first, qint64(3));

    select(5);
    QTest::keyClick(m_panel->view(), Qt::Key_K, Qt::ControlModifier);
    QCOMPARE(m_commands->acknowledged.size(), 2);
    QCOMPARE(m_commands->acknowledged.at(1).first, qint64(5));

    QTest::keyClick(m_panel->view(), Qt::Key_K, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(m_commands->acknowledgedAllBy, QStringList{QStringLiteral("dispatcher")});
    QCOMPARE(m_commands->acknowledged.size(), 2);
}

void tst_AlertPanel::acknowledgeAll() {
    createPanel(fleetAlerts());
    QVERIFY(m_panel->acknowledgeAllButton()->isEnabled());
    QTest::mouseClick(m_panel->acknowledgeAllButton(), Qt::LeftButton);
    QCOMPARE(m_commands->acknowledgedAllBy, QStringList{QStringLiteral("dispatcher")});
    QVERIFY(m_commands->acknowledged.isEmpty());

    // The pipeline's answer: every active alert acknowledged (the airbag one also cleared).
    const QList<Alert> alerts = fleetAlerts();
    m_model->applyAlerts({acknowledged(alerts.at(0), true), acknowledged(alerts.at(1), false),
                          acknowledged(alerts.at(2), false), acknowledged(alerts.at(4), false)});
    QVERIFY(!m_panel->acknowledgeAllButton()->isEnabled());
    QVERIFY(!m_panel->banner()->isVisibleTo(m_panel.get()));
    QCOMPARE(m_panel->findChild<QLabel *>(QStringLiteral("alertSummaryLabel"))->text(),
             QStringLiteral("3 active alerts, all acknowledged"));
}

void tst_AlertPanel::bannerHidesOnceAcknowledged() {
    createPanel(fleetAlerts());
    QVERIFY(m_panel->banner()->isVisibleTo(m_panel.get()));
    QCOMPARE(m_panel->banner()->alertId(), qint64(1));
    select(1);
    QTest::mouseClick(m_panel->acknowledgeButton(), Qt::LeftButton);
    QCOMPARE(m_commands->acknowledged.value(0).first, qint64(1));
    // Asking is not enough: the banner stays until the acknowledged alert comes back.
    QVERIFY(m_panel->banner()->isVisibleTo(m_panel.get()));

    m_model->applyAlerts({acknowledged(airbag(1, kPolestar, 5), true)});
    QVERIFY(!m_panel->banner()->isVisibleTo(m_panel.get()));
    QCOMPARE(m_panel->banner()->alertId(), qint64(0));
    QCOMPARE(proxyRowOf(m_panel->proxyModel(), 1), -1); // cleared: hidden by default
}

void tst_AlertPanel::criticalAlertRaisedOncePerNewAlert() {
    // One critical alert is already there when the panel starts: not news.
    createPanel({airbag(9, kSeal, 60)});
    QSignalSpy raised(m_panel.get(), &ui::AlertPanel::criticalAlertRaised);

    m_model->applyAlerts({airbag(1, kPolestar, 5)});
    QCOMPARE(raised.size(), 1);
    const auto first = raised.at(0).at(0).value<Alert>();
    QCOMPARE(first.id, qint64(1));
    QCOMPARE(first.vehicleId, kPolestar);

    // The same alert firing again, other alerts, and the acknowledgement raise nothing new.
    Alert again = airbag(1, kPolestar, 5);
    again.lastSeenAt = now();
    again.fireCount = 2;
    m_model->applyAlerts({again});
    m_model->applyAlerts({fleetAlerts().at(1), fleetAlerts().at(4)});
    m_model->applyAlerts({acknowledged(again, true)});
    QCOMPARE(raised.size(), 1);

    // Two new ones in one batch: both, oldest first.
    m_model->applyAlerts({airbag(12, kId4, 1), airbag(11, kIpace, 2)});
    QCOMPARE(raised.size(), 3);
    QCOMPARE(raised.at(1).at(0).value<Alert>().id, qint64(11));
    QCOMPARE(raised.at(2).at(0).value<Alert>().id, qint64(12));
}

void tst_AlertPanel::userFallsBackWhenUnset() {
    const QByteArray saved = qgetenv("USER");
    qunsetenv("USER");
    createPanel(fleetAlerts());
    qputenv("USER", saved);
    QCOMPARE(m_panel->userName(), QStringLiteral("user"));
    m_panel->acknowledgeAll();
    QCOMPARE(m_commands->acknowledgedAllBy, QStringList{QStringLiteral("user")});
}

void tst_AlertPanel::layoutPersists() {
    createPanel(fleetAlerts());
    QHeaderView *header = m_panel->view()->horizontalHeader();
    header->setSortIndicator(AlertModel::VehicleColumn, Qt::AscendingOrder);
    header->resizeSection(AlertModel::StateColumn, 171);
    m_panel->setShowCleared(true);
    QSettings settings(QDir(QStandardPaths::writableLocation(QStandardPaths::TempLocation))
                           .filePath(QStringLiteral("tst_AlertPanel.ini")),
                       QSettings::IniFormat);
    settings.clear();
    m_panel->saveSettings(settings);

    ui::AlertPanel second(m_model.get(), m_commands.get());
    second.restoreSettings(settings);
    QCOMPARE(second.view()->horizontalHeader()->sortIndicatorSection(), int(AlertModel::VehicleColumn));
    QCOMPARE(second.view()->horizontalHeader()->sectionSize(AlertModel::StateColumn), 171);
    QCOMPARE(second.proxyModel()->sortColumn(), int(AlertModel::VehicleColumn));
    QVERIFY(second.showsCleared());
    QVERIFY(second.showClearedBox()->isChecked());
    QCOMPARE(second.proxyModel()->rowCount(), 5);
    settings.clear();
}

void tst_AlertPanel::screenshot() {
    QList<Alert> alerts = fleetAlerts();
    Alert doors = alert(6, kPolestar, AlertKind::OpenClosure, AlertSeverity::Warning,
                        QStringLiteral("Driver door open"), 7);
    alerts.append(acknowledged(doors, false));
    Alert error = alert(8, kIpace, AlertKind::VehicleError, AlertSeverity::Warning,
                        QStringLiteral("Vehicle unreachable: make sure it has cellular coverage"), 300);
    error.clearedAt = now() - 200 * 60'000LL;
    error.clearedBy = QStringLiteral("dispatcher");
    error.acknowledgedAt = error.clearedAt;
    error.acknowledgedBy = QStringLiteral("dispatcher");
    alerts.append(error);
    createPanel(alerts);
    m_panel->setShowCleared(true);
    m_panel->resize(1100, 420);
    m_panel->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_panel.get()));
    select(2);
    QTest::qWait(50);

    const QImage image = m_panel->grab().toImage();
    QVERIFY(!image.isNull());
    const QByteArray dirFromEnv = qgetenv("FLEETMON_SCREENSHOT_DIR");
    const QDir dir(dirFromEnv.isEmpty() ? QDir::tempPath() : QString::fromLocal8Bit(dirFromEnv));
    QVERIFY(dir.mkpath(QStringLiteral(".")));
    const QString path = dir.filePath(QStringLiteral("fleetmon-alertpanel.png"));
    QVERIFY2(image.save(path, "PNG"), qPrintable(path));
    QVERIFY(QFileInfo(path).size() > 0);
    qInfo("screenshot: %s", qPrintable(path));
}

QTEST_MAIN(tst_AlertPanel)
#include "tst_AlertPanel.moc"
