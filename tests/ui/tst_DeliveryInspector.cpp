// The delivery inspector over a real DeliveryLogModel, with a detail source that answers from memory
// (when the test says so) and FleetCommands that only record: selection asks for the detail, stale
// answers are dropped, filters narrow the log, Replay is offered only where a body was kept.

#include "model/DeliveryDetailSource.h"
#include "model/DeliveryLogFilterProxy.h"
#include "model/DeliveryLogModel.h"
#include "model/FleetCommands.h"
#include "ui/DeliveryInspector.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHeaderView>
#include <QImage>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>
#include <QTimer>

#include <memory>

using model::DeliveryDetail;
using model::DeliveryLogEntry;
using model::DeliveryLogModel;
using model::Verdict;

namespace {

class FakeCommands final : public model::FleetCommands {
public:
    void acknowledgeAlert(qint64, const QString &) override {}
    void acknowledgeAllAlerts(const QString &) override {}
    void replayDelivery(qint64 journalId) override { replayed.append(journalId); }
    void watchVehicles(const QStringList &) override {}

    QList<qint64> replayed;
};

// Answers from memory, queued like the real service. With autoAnswer off, answers wait until the
// test releases them, so their order can be made to differ from the order of the requests.
class FakeDetails final : public model::DeliveryDetailSource {
public:
    void request(qint64 journalId) override {
        requests.append(journalId);
        if (autoAnswer)
            QTimer::singleShot(0, this, [this, journalId] { answer(journalId); });
    }
    void answer(qint64 journalId) {
        DeliveryDetail detail = details.value(journalId);
        detail.journalId = journalId;
        if (!details.contains(journalId))
            detail.error = QStringLiteral("Delivery #%1 is not in the journal.").arg(journalId);
        Q_EMIT detailReady(detail);
    }

    bool autoAnswer = true;
    QList<qint64> requests;
    QHash<qint64, DeliveryDetail> details;
};

const QStringList kVehicles = {QStringLiteral("875d9333-bbbb-4444-aaaa-17be22ebe970"),
                               QStringLiteral("3f2a9c10-6b1e-4c3a-9d2f-5e0c71a40000"),
                               QStringLiteral("3f2aac10-6b1e-4c3a-9d2f-5e0c71a41f3d"),
                               QStringLiteral("3f2abc10-6b1e-4c3a-9d2f-5e0c71a43e7a")};

const QString kHeaders = QStringLiteral("Content-Type: application/json\nSC-Signature: 9f86d081\u2026\n"
                                        "User-Agent: Smartcar-Webhooks/1.0");

QString prettyFixture() {
    QFile file(QStringLiteral(FLEETMON_FIXTURES_DIR "/polestar_2_all.json"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(QJsonDocument::fromJson(file.readAll()).toJson(QJsonDocument::Indented))
        .trimmed();
}

DeliveryLogEntry entry(qint64 id, Verdict verdict, const QString &eventType, int vehicle) {
    DeliveryLogEntry e;
    e.journalId = id;
    e.receivedAtMs = QDateTime(QDate::currentDate(), QTime(14, 0)).toMSecsSinceEpoch() + id * 1733;
    e.eventId = QStringLiteral("evt-%1").arg(id);
    e.eventType = eventType;
    e.vehicleId = vehicle >= 0 ? kVehicles.at(vehicle % kVehicles.size()) : QString();
    e.verdict = verdict;
    e.status = verdict == Verdict::BadSignature ? 401 : verdict == Verdict::Malformed ? 400 : 200;
    e.bodyBytes = eventType == QLatin1String("VERIFY") ? 61 : 1800 + id * 37 % 4000;
    e.processingUs = 300 + id * 97 % 2500;
    return e;
}

// Mostly accepted vehicle states, as a real day looks, with every other verdict present.
QList<DeliveryLogEntry> log() {
    QList<DeliveryLogEntry> entries;
    entries.append(entry(1, Verdict::Verify, QStringLiteral("VERIFY"), -1));
    for (qint64 id = 2; id <= 40; ++id) {
        Verdict verdict = Verdict::Accepted;
        QString type = QStringLiteral("VEHICLE_STATE");
        if (id % 11 == 0)
            verdict = Verdict::Duplicate;
        if (id % 13 == 0) {
            verdict = Verdict::BadSignature;
            type.clear();
        }
        if (id == 17)
            verdict = Verdict::Malformed;
        if (id % 9 == 0)
            type = QStringLiteral("VEHICLE_ERROR");
        entries.append(entry(id, verdict, type, verdict == Verdict::BadSignature ? -1 : int(id)));
    }
    return entries;
}

} // namespace

class tst_DeliveryInspector final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void selectingShowsTheDetail();
    void staleAnswersAreIgnored();
    void newRowsKeepTheSelection();
    void evictedSelectionStaysShown();
    void verdictFilterNarrows();
    void eventTypeFilterNarrows();
    void replayOnlyWhereABodyWasKept();
    void errorIsShown();
    void layoutPersists();
    void screenshot();

private:
    int proxyRowOf(qint64 journalId) const;
    void select(qint64 journalId);

    std::unique_ptr<DeliveryLogModel> m_log;
    std::unique_ptr<FakeDetails> m_details;
    std::unique_ptr<FakeCommands> m_commands;
    std::unique_ptr<ui::DeliveryInspector> m_inspector;
};

void tst_DeliveryInspector::initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
}

void tst_DeliveryInspector::init() {
    m_log = std::make_unique<DeliveryLogModel>(1000);
    m_details = std::make_unique<FakeDetails>();
    m_commands = std::make_unique<FakeCommands>();
    const QString body = prettyFixture();
    QVERIFY(!body.isEmpty());
    for (const DeliveryLogEntry &e : log()) {
        DeliveryDetail detail;
        detail.headers = kHeaders;
        if (e.verdict == Verdict::BadSignature) {
            detail.body = QStringLiteral("(body not kept: rejected deliveries keep no body)");
        } else {
            detail.body = e.journalId == 1 ? QStringLiteral("{\n    \"challenge\": \"3c5e6f\",\n"
                                                            "    \"eventType\": \"VERIFY\"\n}")
                                           : body;
            detail.bodyBytes = e.bodyBytes;
        }
        m_details->details.insert(e.journalId, detail);
    }
    m_inspector = std::make_unique<ui::DeliveryInspector>(m_log.get(), m_details.get(), m_commands.get());
    m_inspector->resize(1280, 720);
    m_log->appendEntries(log());
}

void tst_DeliveryInspector::cleanup() {
    m_inspector.reset();
    m_commands.reset();
    m_details.reset();
    m_log.reset();
}

int tst_DeliveryInspector::proxyRowOf(qint64 journalId) const {
    const QAbstractItemModel *proxy = m_inspector->proxyModel();
    for (int row = 0; row < proxy->rowCount(); ++row) {
        if (proxy->index(row, 0).data(DeliveryLogModel::JournalIdRole).toLongLong() == journalId)
            return row;
    }
    return -1;
}

void tst_DeliveryInspector::select(qint64 journalId) {
    const int row = proxyRowOf(journalId);
    QVERIFY2(row >= 0, qPrintable(QString::number(journalId)));
    m_inspector->view()->selectRow(row);
}

void tst_DeliveryInspector::selectingShowsTheDetail() {
    QAbstractItemModelTester tester(m_inspector->proxyModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(m_inspector->selectedJournalId(), qint64(0));
    QVERIFY(!m_inspector->replayButton()->isEnabled());
    QVERIFY(m_details->requests.isEmpty());
    // Newest first, unsorted, until the manager clicks a header.
    QCOMPARE(m_inspector->proxyModel()->index(0, 0).data(DeliveryLogModel::JournalIdRole).toLongLong(),
             qint64(40));
    QCOMPARE(m_inspector->findChild<QLabel *>(QStringLiteral("deliveryCountLabel"))->text(),
             QStringLiteral("40 deliveries"));

    select(5);
    QCOMPARE(m_details->requests, QList<qint64>{5});
    QCOMPARE(m_inspector->selectedJournalId(), qint64(5));
    QVERIFY(m_inspector->titleLabel()->text().startsWith(
        QStringLiteral("Delivery #5 \u00b7 VEHICLE_STATE \u00b7 accepted (200)")));
    QTRY_COMPARE(m_inspector->bodyView()->toPlainText(), prettyFixture());
    QCOMPARE(m_inspector->headersView()->toPlainText(), kHeaders);
    QVERIFY(m_inspector->bodyView()->isReadOnly());
    QVERIFY(m_inspector->headersView()->isReadOnly());
    // Monospace, so JSON indentation lines up (fontconfig's monospace may not flag itself fixed-pitch).
    const QFontMetrics metrics(m_inspector->bodyView()->font());
    QCOMPARE(metrics.horizontalAdvance(QLatin1Char('i')), metrics.horizontalAdvance(QLatin1Char('M')));

    // Deselecting empties the detail and asks for nothing.
    m_inspector->view()->clearSelection();
    QCOMPARE(m_inspector->selectedJournalId(), qint64(0));
    QVERIFY(m_inspector->bodyView()->toPlainText().isEmpty());
    QCOMPARE(m_details->requests.size(), 1);
}

void tst_DeliveryInspector::staleAnswersAreIgnored() {
    m_details->autoAnswer = false;
    select(5);
    select(6);
    select(7);
    QCOMPARE(m_details->requests, (QList<qint64>{5, 6, 7}));
    m_details->answer(5);
    m_details->answer(6);
    QTest::qWait(20); // the inspector receives answers queued
    QVERIFY(m_inspector->bodyView()->toPlainText().isEmpty());
    QVERIFY(m_inspector->headersView()->toPlainText().isEmpty());
    QCOMPARE(m_inspector->bodyView()->placeholderText(), QStringLiteral("Loading delivery #7\u2026"));

    m_details->answer(7);
    QTRY_COMPARE(m_inspector->bodyView()->toPlainText(), prettyFixture());
    // A late answer for an earlier row does not replace the shown one.
    m_details->details[6].body = QStringLiteral("{\"stale\": true}");
    m_details->answer(6);
    QTest::qWait(20);
    QCOMPARE(m_inspector->bodyView()->toPlainText(), prettyFixture());
}

void tst_DeliveryInspector::newRowsKeepTheSelection() {
    select(8);
    QTRY_VERIFY(!m_inspector->bodyView()->toPlainText().isEmpty());
    m_log->appendEntries({entry(41, Verdict::Accepted, QStringLiteral("VEHICLE_STATE"), 1),
                          entry(42, Verdict::Accepted, QStringLiteral("VEHICLE_STATE"), 2)});
    QCOMPARE(m_inspector->selectedJournalId(), qint64(8));
    QCOMPARE(m_details->requests, QList<qint64>{8}); // the same delivery is not fetched again
    QCOMPARE(m_inspector->view()->selectionModel()->selectedRows().value(0).row(), proxyRowOf(8));
}

void tst_DeliveryInspector::evictedSelectionStaysShown() {
    // The oldest deliveries leave a full log on every batch; a selected one must not hand the
    // selection to its neighbour (which would fetch and render another body on every tick).
    select(3);
    QTRY_COMPARE(m_inspector->bodyView()->toPlainText(), prettyFixture());
    QList<DeliveryLogEntry> more;
    for (qint64 id = 41; id <= 41 + m_log->capacity() - 40 + 4; ++id) // evicts #1 to #5
        more.append(entry(id, Verdict::Accepted, QStringLiteral("VEHICLE_STATE"), int(id % 4)));
    m_log->appendEntries(more);
    QCOMPARE(proxyRowOf(3), -1);
    QVERIFY(m_inspector->view()->selectionModel()->selectedRows().isEmpty());
    QCOMPARE(m_details->requests, QList<qint64>{3});
    QTest::qWait(20);
    QCOMPARE(m_inspector->selectedJournalId(), qint64(3));
    QCOMPARE(m_inspector->bodyView()->toPlainText(), prettyFixture());
    QVERIFY(m_inspector->replayButton()->isEnabled());
    // Another batch evicts more rows; nothing is selected, nothing is fetched.
    m_log->appendEntries({entry(2000, Verdict::Accepted, QStringLiteral("VEHICLE_STATE"), 1)});
    QCOMPARE(m_details->requests, QList<qint64>{3});
}

void tst_DeliveryInspector::verdictFilterNarrows() {
    QComboBox *verdicts = m_inspector->verdictFilter();
    QStringList items;
    for (int i = 0; i < verdicts->count(); ++i)
        items.append(verdicts->itemText(i));
    QCOMPARE(items, (QStringList{QStringLiteral("All verdicts"), QStringLiteral("accepted"),
                                 QStringLiteral("duplicate"), QStringLiteral("bad-signature"),
                                 QStringLiteral("malformed"), QStringLiteral("verify")}));

    select(13); // a bad signature
    verdicts->setCurrentIndex(verdicts->findText(QStringLiteral("bad-signature")));
    QAbstractItemModel *proxy = m_inspector->proxyModel();
    QCOMPARE(proxy->rowCount(), 3); // 13, 26, 39
    for (int row = 0; row < proxy->rowCount(); ++row)
        QCOMPARE(proxy->index(row, DeliveryLogModel::VerdictColumn).data().toString(),
                 QStringLiteral("bad-signature"));
    QCOMPARE(m_inspector->selectedJournalId(), qint64(13)); // still shown
    QCOMPARE(m_inspector->findChild<QLabel *>(QStringLiteral("deliveryCountLabel"))->text(),
             QStringLiteral("3 of 40 deliveries"));

    // Filtered out: the detail goes with it.
    verdicts->setCurrentIndex(verdicts->findText(QStringLiteral("verify")));
    QCOMPARE(proxy->rowCount(), 1);
    QCOMPARE(m_inspector->selectedJournalId(), qint64(0));

    verdicts->setCurrentIndex(0);
    QCOMPARE(proxy->rowCount(), 40);
}

void tst_DeliveryInspector::eventTypeFilterNarrows() {
    QComboBox *types = m_inspector->eventTypeFilter();
    QVERIFY(types->isEditable());
    QCOMPARE(types->lineEdit()->placeholderText(), QStringLiteral("All event types"));
    // Learned from the log, sorted, after the empty "all" item.
    QStringList items;
    for (int i = 0; i < types->count(); ++i)
        items.append(types->itemText(i));
    QCOMPARE(items, (QStringList{QString(), QStringLiteral("VEHICLE_ERROR"), QStringLiteral("VEHICLE_STATE"),
                                 QStringLiteral("VERIFY")}));

    types->setCurrentIndex(types->findText(QStringLiteral("VEHICLE_ERROR")));
    QAbstractItemModel *proxy = m_inspector->proxyModel();
    QCOMPARE(proxy->rowCount(), 4); // 9, 18, 27, 36
    // Typed by hand, in any case.
    types->setEditText(QStringLiteral("verify"));
    QCOMPARE(proxy->rowCount(), 1);
    QCOMPARE(proxy->index(0, 0).data(DeliveryLogModel::JournalIdRole).toLongLong(), qint64(1));
    types->setEditText(QString());
    QCOMPARE(proxy->rowCount(), 40);

    // A new event type shows up in the list without disturbing what is being typed.
    types->setEditText(QStringLiteral("VEHICLE_ERR"));
    m_log->appendEntries({entry(41, Verdict::Accepted, QStringLiteral("ALERT"), 1)});
    QCOMPARE(types->currentText(), QStringLiteral("VEHICLE_ERR"));
    QVERIFY(types->findText(QStringLiteral("ALERT")) == 1);
}

void tst_DeliveryInspector::replayOnlyWhereABodyWasKept() {
    QPushButton *replay = m_inspector->replayButton();
    select(10);
    QVERIFY(replay->isEnabled());
    QTest::mouseClick(replay, Qt::LeftButton);
    QCOMPARE(m_commands->replayed, QList<qint64>{10});

    for (qint64 id : {qint64(11), qint64(17), qint64(1)}) { // duplicate, malformed, verify
        select(id);
        QVERIFY2(replay->isEnabled(), qPrintable(QString::number(id)));
    }

    select(26); // bad signature
    QVERIFY(!replay->isEnabled());
    QTRY_COMPARE(m_inspector->bodyView()->toPlainText(),
                 QStringLiteral("(body not kept: rejected deliveries keep no body)"));
    m_inspector->replaySelected();
    QCOMPARE(m_commands->replayed, QList<qint64>{10});

    // A malformed VERIFY keeps no body either: once the detail says so, there is nothing to replay.
    m_details->details[17].bodyBytes = 0;
    m_details->details[17].body = QStringLiteral("(body not kept: rejected deliveries keep no body)");
    select(17);
    QVERIFY(replay->isEnabled());
    QTRY_VERIFY(!replay->isEnabled());
}

void tst_DeliveryInspector::errorIsShown() {
    m_details->details.remove(20);
    select(20);
    QTRY_COMPARE(m_inspector->bodyView()->placeholderText(),
                 QStringLiteral("Delivery #20 is not in the journal."));
    QVERIFY(m_inspector->bodyView()->toPlainText().isEmpty());
}

void tst_DeliveryInspector::layoutPersists() {
    m_inspector->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_inspector.get()));
    m_inspector->splitter()->setSizes({700, 500});
    const QList<int> sizes = m_inspector->splitter()->sizes();
    QHeaderView *header = m_inspector->view()->horizontalHeader();
    header->resizeSection(DeliveryLogModel::EventColumn, 151);
    header->setSortIndicator(DeliveryLogModel::SizeColumn, Qt::DescendingOrder);
    QSettings settings(QDir(QStandardPaths::writableLocation(QStandardPaths::TempLocation))
                           .filePath(QStringLiteral("tst_DeliveryInspector.ini")),
                       QSettings::IniFormat);
    settings.clear();
    m_inspector->saveSettings(settings);

    ui::DeliveryInspector second(m_log.get(), m_details.get(), m_commands.get());
    second.resize(m_inspector->size());
    second.restoreSettings(settings);
    second.show();
    QVERIFY(QTest::qWaitForWindowExposed(&second));
    QCOMPARE(second.splitter()->sizes(), sizes);
    QCOMPARE(second.view()->horizontalHeader()->sectionSize(DeliveryLogModel::EventColumn), 151);
    QCOMPARE(second.proxyModel()->sortColumn(), int(DeliveryLogModel::SizeColumn));
    settings.clear();
}

void tst_DeliveryInspector::screenshot() {
    m_inspector->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_inspector.get()));
    select(38);
    QTRY_COMPARE(m_inspector->bodyView()->toPlainText(), prettyFixture());
    QTest::qWait(50);

    const QImage image = m_inspector->grab().toImage();
    QVERIFY(!image.isNull());
    const QByteArray dirFromEnv = qgetenv("FLEETMON_SCREENSHOT_DIR");
    const QDir dir(dirFromEnv.isEmpty() ? QDir::tempPath() : QString::fromLocal8Bit(dirFromEnv));
    QVERIFY(dir.mkpath(QStringLiteral(".")));
    const QString path = dir.filePath(QStringLiteral("fleetmon-deliveryinspector.png"));
    QVERIFY2(image.save(path, "PNG"), qPrintable(path));
    QVERIFY(QFileInfo(path).size() > 0);
    qInfo("screenshot: %s", qPrintable(path));

    // A rejected delivery, filtered to its kind: no body, nothing to replay.
    m_inspector->verdictFilter()->setCurrentIndex(
        m_inspector->verdictFilter()->findText(QStringLiteral("bad-signature")));
    select(26);
    QTRY_COMPARE(m_inspector->bodyView()->toPlainText(),
                 QStringLiteral("(body not kept: rejected deliveries keep no body)"));
    QTest::qWait(50);
    const QString rejectedPath = dir.filePath(QStringLiteral("fleetmon-deliveryinspector-rejected.png"));
    QVERIFY2(m_inspector->grab().toImage().save(rejectedPath, "PNG"), qPrintable(rejectedPath));
    qInfo("screenshot: %s", qPrintable(rejectedPath));
}

QTEST_MAIN(tst_DeliveryInspector)
#include "tst_DeliveryInspector.moc"
