#include "model/DeliveryLogFilterProxy.h"
#include "model/DeliveryLogModel.h"

#include <QAbstractItemModelTester>
#include <QBrush>
#include <QElapsedTimer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

#include <deque>
#include <memory>

using model::DeliveryLogEntry;
using model::DeliveryLogFilterProxy;
using model::DeliveryLogModel;
using model::Verdict;

namespace {

constexpr qint64 kBaseMs = 1'717'243'200'123; // 2024-06-01T12:00:00.123Z
const QString kState = QStringLiteral("VEHICLE_STATE");
const QString kError = QStringLiteral("VEHICLE_ERROR");

DeliveryLogEntry makeEntry(qint64 id, Verdict verdict = Verdict::Accepted,
                           const QString &eventType = kState) {
    DeliveryLogEntry e;
    e.journalId = id;
    e.receivedAtMs = kBaseMs + id;
    e.eventId = QStringLiteral("evt-%1").arg(id);
    e.eventType = eventType;
    e.vehicleId = QStringLiteral("veh-%1").arg(id % 7);
    e.verdict = verdict;
    e.status = verdict == Verdict::BadSignature ? 401 : (verdict == Verdict::Malformed ? 400 : 200);
    e.bodyBytes = 1000 + id;
    e.processingUs = 500 + id;
    return e;
}

QList<DeliveryLogEntry> makeBatch(qint64 firstId, int count) {
    QList<DeliveryLogEntry> batch;
    for (int i = 0; i < count; ++i)
        batch.append(makeEntry(firstId + i));
    return batch;
}

QList<qint64> ids(const QAbstractItemModel &model) {
    QList<qint64> out;
    for (int r = 0; r < model.rowCount(); ++r)
        out.append(model.index(r, 0).data(DeliveryLogModel::JournalIdRole).toLongLong());
    return out;
}

} // namespace

class TestDeliveryLogModel final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanup();
    void capacityDefaultsAndClamps();
    void newestFirst();
    void oneRowsInsertedPerBatch();
    void evictsOldestWithOneRowsRemoved();
    void batchLargerThanCapacity();
    void wrapsAroundLikeAReferenceLog();
    void displayStrings();
    void formatting();
    void roles();
    void verdictColours();
    void headers();
    void entryAt();
    void proxyFiltersByVerdict();
    void proxyFiltersByEventType();
    void proxySortsNumerically();
    void clearResetsRowsButNotTheCounter();
    void appendsAMillionEntriesQuickly();

private:
    void makeModel(int capacity);

    std::unique_ptr<DeliveryLogModel> m_model;
    std::unique_ptr<DeliveryLogFilterProxy> m_proxy;
    std::unique_ptr<QAbstractItemModelTester> m_modelTester;
    std::unique_ptr<QAbstractItemModelTester> m_proxyTester;
};

void TestDeliveryLogModel::initTestCase() {
    // A fixed zone east of UTC proves the Time column is local and the tooltip carries the offset;
    // a POSIX TZ string needs no tzdata.
    qputenv("TZ", "XST-2");
    QLocale::setDefault(QLocale(QLocale::English, QLocale::UnitedStates));
}

void TestDeliveryLogModel::makeModel(int capacity) {
    cleanup();
    m_model = std::make_unique<DeliveryLogModel>(capacity);
    m_proxy = std::make_unique<DeliveryLogFilterProxy>();
    m_proxy->setSourceModel(m_model.get());
    m_modelTester = std::make_unique<QAbstractItemModelTester>(
        m_model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    m_proxyTester = std::make_unique<QAbstractItemModelTester>(
        m_proxy.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
}

void TestDeliveryLogModel::cleanup() {
    m_proxyTester.reset();
    m_modelTester.reset();
    m_proxy.reset();
    m_model.reset();
}

void TestDeliveryLogModel::capacityDefaultsAndClamps() {
    QCOMPARE(DeliveryLogModel().capacity(), 10'000);
    QCOMPARE(DeliveryLogModel(0).capacity(), 1);
    makeModel(1);
    m_model->appendEntries(makeBatch(1, 3));
    QCOMPARE(ids(*m_model), (QList<qint64>{3}));
    m_model->appendEntries(makeBatch(4, 1));
    QCOMPARE(ids(*m_model), (QList<qint64>{4}));
}

void TestDeliveryLogModel::newestFirst() {
    makeModel(10);
    m_model->appendEntries(makeBatch(1, 3));
    QCOMPARE(ids(*m_model), (QList<qint64>{3, 2, 1}));
    m_model->appendEntries(makeBatch(4, 2));
    QCOMPARE(ids(*m_model), (QList<qint64>{5, 4, 3, 2, 1}));
    QCOMPARE(ids(*m_proxy), (QList<qint64>{5, 4, 3, 2, 1}));
}

void TestDeliveryLogModel::oneRowsInsertedPerBatch() {
    makeModel(10);
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
    m_model->appendEntries(makeBatch(1, 4));
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 3);

    m_model->appendEntries(makeBatch(5, 2));
    QCOMPARE(inserted.size(), 2);
    QCOMPARE(inserted.at(1).at(1).toInt(), 0);
    QCOMPARE(inserted.at(1).at(2).toInt(), 1);
    QCOMPARE(removed.size(), 0);

    m_model->appendEntries({});
    QCOMPARE(inserted.size(), 2);
    QCOMPARE(m_model->totalAppended(), 6);
}

void TestDeliveryLogModel::evictsOldestWithOneRowsRemoved() {
    makeModel(5);
    m_model->appendEntries(makeBatch(1, 3));

    // The row count must never exceed the capacity, so the removal is announced before the insertion.
    QStringList sequence;
    connect(m_model.get(), &QAbstractItemModel::rowsAboutToBeRemoved, this,
            [&](const QModelIndex &, int first, int last) {
                sequence.append(
                    QStringLiteral("remove %1-%2 of %3").arg(first).arg(last).arg(m_model->rowCount()));
            });
    connect(m_model.get(), &QAbstractItemModel::rowsAboutToBeInserted, this,
            [&](const QModelIndex &, int first, int last) {
                sequence.append(
                    QStringLiteral("insert %1-%2 of %3").arg(first).arg(last).arg(m_model->rowCount()));
            });
    QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);

    m_model->appendEntries(makeBatch(4, 3));
    QCOMPARE(m_model->rowCount(), 5);
    QCOMPARE(ids(*m_model), (QList<qint64>{6, 5, 4, 3, 2}));
    QCOMPARE(removed.size(), 1);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(sequence, (QStringList{QStringLiteral("remove 2-2 of 3"), QStringLiteral("insert 0-2 of 2")}));

    // Full and steady: each further batch evicts exactly its own size from the bottom.
    sequence.clear();
    m_model->appendEntries(makeBatch(7, 2));
    QCOMPARE(ids(*m_model), (QList<qint64>{8, 7, 6, 5, 4}));
    QCOMPARE(sequence, (QStringList{QStringLiteral("remove 3-4 of 5"), QStringLiteral("insert 0-1 of 3")}));
    QCOMPARE(m_model->totalAppended(), 8);
}

void TestDeliveryLogModel::batchLargerThanCapacity() {
    makeModel(5);
    QSignalSpy removed(m_model.get(), &QAbstractItemModel::rowsRemoved);
    QSignalSpy inserted(m_model.get(), &QAbstractItemModel::rowsInserted);

    // Empty log: nothing to evict, and only the newest five of the batch are ever announced.
    m_model->appendEntries(makeBatch(1, 8));
    QCOMPARE(removed.size(), 0);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), 0);
    QCOMPARE(inserted.at(0).at(2).toInt(), 4);
    QCOMPARE(ids(*m_model), (QList<qint64>{8, 7, 6, 5, 4}));

    // Full log: every old row goes in one removal, then the batch's newest five in one insertion.
    m_model->appendEntries(makeBatch(9, 12));
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed.at(0).at(1).toInt(), 0);
    QCOMPARE(removed.at(0).at(2).toInt(), 4);
    QCOMPARE(inserted.size(), 2);
    QCOMPARE(inserted.at(1).at(1).toInt(), 0);
    QCOMPARE(inserted.at(1).at(2).toInt(), 4);
    QCOMPARE(ids(*m_model), (QList<qint64>{20, 19, 18, 17, 16}));
    QCOMPARE(m_model->totalAppended(), 20);
}

void TestDeliveryLogModel::wrapsAroundLikeAReferenceLog() {
    // Batches of every size against a plain deque: the ring buffer's index arithmetic must agree
    // at every fill level and head position.
    constexpr int kCapacity = 7;
    makeModel(kCapacity);
    QRandomGenerator random(42);
    std::deque<qint64> reference; // front = newest
    qint64 next = 1;
    for (int round = 0; round < 200; ++round) {
        const int count = random.bounded(0, 2 * kCapacity + 2);
        m_model->appendEntries(makeBatch(next, count));
        for (int i = 0; i < count; ++i)
            reference.push_front(next++);
        while (reference.size() > std::size_t(kCapacity))
            reference.pop_back();
        if (round % 50 == 17) {
            m_model->clear();
            reference.clear();
        }
        const QList<qint64> expected(reference.begin(), reference.end());
        QCOMPARE(ids(*m_model), expected);
        for (int r = 0; r < m_model->rowCount(); ++r)
            QCOMPARE(*m_model->entryAt(r), makeEntry(expected.at(r)));
    }
}

void TestDeliveryLogModel::displayStrings() {
    makeModel(10);
    DeliveryLogEntry e = makeEntry(0);
    e.vehicleId = QStringLiteral("9af13248-3b73-4c9d-9a4b-d937ce6bc8e2");
    e.bodyBytes = 4200;
    e.processingUs = 812;
    e.replay = true;
    DeliveryLogEntry rejected = makeEntry(1, Verdict::BadSignature, QString());
    rejected.vehicleId.clear();
    rejected.bodyBytes = 512;
    m_model->appendEntries({e, rejected});

    const auto display = [&](int row, int column) { return m_model->index(row, column).data().toString(); };
    const auto tip = [&](int row, int column) {
        return m_model->index(row, column).data(Qt::ToolTipRole).toString();
    };
    // Row 1 is `e` (the older one).
    QCOMPARE(display(1, DeliveryLogModel::TimeColumn), QStringLiteral("14:00:00.123"));
    QCOMPARE(tip(1, DeliveryLogModel::TimeColumn), QStringLiteral("2024-06-01T14:00:00.123+02:00"));
    QCOMPARE(display(1, DeliveryLogModel::EventColumn), kState);
    QCOMPARE(tip(1, DeliveryLogModel::EventColumn), QStringLiteral("Event id evt-0"));
    QCOMPARE(display(1, DeliveryLogModel::VehicleColumn), e.vehicleId);
    QCOMPARE(display(1, DeliveryLogModel::VerdictColumn), QStringLiteral("accepted"));
    QCOMPARE(display(1, DeliveryLogModel::StatusColumn), QStringLiteral("200"));
    QCOMPARE(display(1, DeliveryLogModel::SizeColumn), QStringLiteral("4.1 KB"));
    QCOMPARE(tip(1, DeliveryLogModel::SizeColumn), QStringLiteral("4,200 bytes"));
    QCOMPARE(display(1, DeliveryLogModel::ProcessingColumn), QStringLiteral("0.8 ms"));
    QCOMPARE(tip(1, DeliveryLogModel::ProcessingColumn), QStringLiteral("812 \u00b5s"));
    QCOMPARE(display(1, DeliveryLogModel::ReplayColumn), QStringLiteral("replay"));

    QCOMPARE(display(0, DeliveryLogModel::TimeColumn), QStringLiteral("14:00:00.124"));
    QCOMPARE(display(0, DeliveryLogModel::EventColumn), QStringLiteral("\u2014"));
    QCOMPARE(display(0, DeliveryLogModel::VehicleColumn), QStringLiteral("\u2014"));
    QCOMPARE(display(0, DeliveryLogModel::VerdictColumn), QStringLiteral("bad-signature"));
    QCOMPARE(display(0, DeliveryLogModel::StatusColumn), QStringLiteral("401"));
    QCOMPARE(display(0, DeliveryLogModel::SizeColumn), QStringLiteral("512 B"));
    QCOMPARE(display(0, DeliveryLogModel::ReplayColumn), QString());
}

void TestDeliveryLogModel::formatting() {
    const QLocale c = QLocale::c();
    QCOMPARE(DeliveryLogModel::formatBytes(0, c), QStringLiteral("0 B"));
    QCOMPARE(DeliveryLogModel::formatBytes(1023, c), QStringLiteral("1023 B"));
    QCOMPARE(DeliveryLogModel::formatBytes(1024, c), QStringLiteral("1.0 KB"));
    QCOMPARE(DeliveryLogModel::formatBytes(50 * 1024, c), QStringLiteral("50.0 KB"));
    QCOMPARE(DeliveryLogModel::formatBytes(3 * 1024 * 1024 + 300 * 1024, c), QStringLiteral("3.3 MB"));
    QCOMPARE(DeliveryLogModel::formatProcessing(0, c), QStringLiteral("0.0 ms"));
    QCOMPARE(DeliveryLogModel::formatProcessing(40, c), QStringLiteral("0.0 ms"));
    QCOMPARE(DeliveryLogModel::formatProcessing(12'345, c), QStringLiteral("12.3 ms"));
    QCOMPARE(DeliveryLogModel::formatProcessing(999'949, c), QStringLiteral("999.9 ms"));
    QCOMPARE(DeliveryLogModel::formatProcessing(999'950, c), QStringLiteral("1.00 s"));
    QCOMPARE(DeliveryLogModel::formatProcessing(2'500'000, c), QStringLiteral("2.50 s"));
}

void TestDeliveryLogModel::roles() {
    makeModel(10);
    DeliveryLogEntry e = makeEntry(77, Verdict::Duplicate, kError);
    e.bodyBytes = 4200;
    e.processingUs = 812;
    m_model->appendEntries({e});

    const auto raw = [&](int column) {
        return m_model->index(0, column).data(DeliveryLogModel::RawValueRole);
    };
    QCOMPARE(raw(DeliveryLogModel::TimeColumn), QVariant(kBaseMs + 77));
    QCOMPARE(raw(DeliveryLogModel::EventColumn), QVariant(kError));
    QCOMPARE(raw(DeliveryLogModel::VehicleColumn), QVariant(e.vehicleId));
    QCOMPARE(raw(DeliveryLogModel::VerdictColumn), QVariant(int(Verdict::Duplicate)));
    QCOMPARE(raw(DeliveryLogModel::StatusColumn), QVariant(200));
    QCOMPARE(raw(DeliveryLogModel::SizeColumn), QVariant(qint64(4200)));
    QCOMPARE(raw(DeliveryLogModel::ProcessingColumn), QVariant(qint64(812)));
    QCOMPARE(raw(DeliveryLogModel::ReplayColumn), QVariant(false));

    // Row-wide roles answer the same on every column, so a proxy may read any of them.
    for (int column = 0; column < DeliveryLogModel::ColumnCount; ++column) {
        const QModelIndex index = m_model->index(0, column);
        QCOMPARE(index.data(DeliveryLogModel::JournalIdRole), QVariant(qint64(77)));
        QCOMPARE(index.data(DeliveryLogModel::VerdictRole), QVariant(int(Verdict::Duplicate)));
        QCOMPARE(index.data(DeliveryLogModel::EventTypeRole), QVariant(kError));
    }

    const QHash<int, QByteArray> names = m_model->roleNames();
    QCOMPARE(names.value(DeliveryLogModel::JournalIdRole), QByteArray("journalId"));
    QCOMPARE(names.value(DeliveryLogModel::RawValueRole), QByteArray("rawValue"));
    QCOMPARE(names.value(DeliveryLogModel::VerdictRole), QByteArray("verdict"));
    QCOMPARE(names.value(DeliveryLogModel::EventTypeRole), QByteArray("eventType"));
    QCOMPARE(names.value(Qt::DisplayRole), QByteArray("display"));
}

void TestDeliveryLogModel::verdictColours() {
    makeModel(10);
    m_model->appendEntries({makeEntry(1, Verdict::Accepted), makeEntry(2, Verdict::Duplicate),
                            makeEntry(3, Verdict::BadSignature), makeEntry(4, Verdict::Malformed),
                            makeEntry(5, Verdict::Verify)});
    const auto colour = [&](int row, int column = DeliveryLogModel::VerdictColumn) {
        return m_model->index(row, column).data(Qt::ForegroundRole);
    };
    QVERIFY(!colour(4).isValid()); // accepted keeps the palette colour
    const QColor grey = colour(3).value<QBrush>().color();
    const QColor red = colour(2).value<QBrush>().color();
    QCOMPARE(colour(1).value<QBrush>().color(), red);
    const QColor blue = colour(0).value<QBrush>().color();
    QVERIFY(grey.isValid() && red.isValid() && blue.isValid());
    QCOMPARE(grey.saturation(), 0);
    QVERIFY(red.red() > 2 * red.green() && red.red() > 2 * red.blue());
    QVERIFY(blue.blue() > 2 * blue.red() && blue.blue() > blue.green());
    QVERIFY(!colour(2, DeliveryLogModel::EventColumn).isValid());
}

void TestDeliveryLogModel::headers() {
    makeModel(10);
    QStringList titles;
    for (int c = 0; c < m_model->columnCount(); ++c)
        titles.append(m_model->headerData(c, Qt::Horizontal).toString());
    QCOMPARE(titles, (QStringList{QStringLiteral("Time"), QStringLiteral("Event"), QStringLiteral("Vehicle"),
                                  QStringLiteral("Verdict"), QStringLiteral("Status"), QStringLiteral("Size"),
                                  QStringLiteral("Processing"), QStringLiteral("Replay")}));
    QVERIFY(!m_model->headerData(0, Qt::Vertical).isValid());
}

void TestDeliveryLogModel::entryAt() {
    makeModel(3);
    QCOMPARE(m_model->entryAt(0), nullptr);
    m_model->appendEntries(makeBatch(1, 5));
    QVERIFY(m_model->entryAt(0));
    QCOMPARE(*m_model->entryAt(0), makeEntry(5));
    QCOMPARE(*m_model->entryAt(2), makeEntry(3));
    QCOMPARE(m_model->entryAt(3), nullptr);
    QCOMPARE(m_model->entryAt(-1), nullptr);
}

void TestDeliveryLogModel::proxyFiltersByVerdict() {
    makeModel(10);
    m_model->appendEntries({makeEntry(1, Verdict::Accepted), makeEntry(2, Verdict::BadSignature),
                            makeEntry(3, Verdict::Duplicate), makeEntry(4, Verdict::Malformed),
                            makeEntry(5, Verdict::Accepted)});
    QCOMPARE(m_proxy->rowCount(), 5);

    m_proxy->setVerdicts({Verdict::BadSignature, Verdict::Malformed});
    QCOMPARE(ids(*m_proxy), (QList<qint64>{4, 2}));

    // Live batches go through the same filter.
    m_model->appendEntries({makeEntry(6, Verdict::Malformed), makeEntry(7, Verdict::Verify)});
    QCOMPARE(ids(*m_proxy), (QList<qint64>{6, 4, 2}));

    m_proxy->setVerdicts({Verdict::Verify});
    QCOMPARE(ids(*m_proxy), (QList<qint64>{7}));

    m_proxy->setVerdicts({});
    QCOMPARE(m_proxy->rowCount(), 7);
}

void TestDeliveryLogModel::proxyFiltersByEventType() {
    makeModel(10);
    m_model->appendEntries({makeEntry(1, Verdict::Accepted, kState), makeEntry(2, Verdict::Accepted, kError),
                            makeEntry(3, Verdict::Duplicate, kError),
                            makeEntry(4, Verdict::Malformed, QString()),
                            makeEntry(5, Verdict::Verify, QStringLiteral("VERIFY"))});
    m_proxy->setEventType(kError);
    QCOMPARE(ids(*m_proxy), (QList<qint64>{3, 2}));

    // Both filters apply together.
    m_proxy->setVerdicts({Verdict::Accepted});
    QCOMPARE(ids(*m_proxy), (QList<qint64>{2}));

    m_proxy->setEventType(QString());
    QCOMPARE(ids(*m_proxy), (QList<qint64>{2, 1}));
    m_proxy->setVerdicts({});
    QCOMPARE(m_proxy->rowCount(), 5);
}

void TestDeliveryLogModel::proxySortsNumerically() {
    makeModel(10);
    QList<DeliveryLogEntry> batch;
    // As display strings "10.0 KB" < "4.1 KB" < "900 B" and "12.0 ms" < "2.0 ms"; as numbers they
    // sort the other way round.
    const qint64 sizes[] = {4200, 900, 10'240};
    const qint64 micros[] = {2000, 12'000, 300};
    for (int i = 0; i < 3; ++i) {
        DeliveryLogEntry e = makeEntry(i + 1);
        e.bodyBytes = sizes[i];
        e.processingUs = micros[i];
        batch.append(e);
    }
    m_model->appendEntries(batch);

    const auto column = [&](int c) {
        QStringList out;
        for (int r = 0; r < m_proxy->rowCount(); ++r)
            out.append(m_proxy->index(r, c).data().toString());
        return out;
    };
    m_proxy->sort(DeliveryLogModel::SizeColumn, Qt::AscendingOrder);
    QCOMPARE(column(DeliveryLogModel::SizeColumn),
             (QStringList{QStringLiteral("900 B"), QStringLiteral("4.1 KB"), QStringLiteral("10.0 KB")}));
    m_proxy->sort(DeliveryLogModel::ProcessingColumn, Qt::DescendingOrder);
    QCOMPARE(column(DeliveryLogModel::ProcessingColumn),
             (QStringList{QStringLiteral("12.0 ms"), QStringLiteral("2.0 ms"), QStringLiteral("0.3 ms")}));

    // Time ascending is oldest first, the reverse of the source's order; new rows land sorted.
    m_proxy->sort(DeliveryLogModel::TimeColumn, Qt::AscendingOrder);
    QCOMPARE(ids(*m_proxy), (QList<qint64>{1, 2, 3}));
    m_model->appendEntries(makeBatch(4, 2));
    QCOMPARE(ids(*m_proxy), (QList<qint64>{1, 2, 3, 4, 5}));
}

void TestDeliveryLogModel::clearResetsRowsButNotTheCounter() {
    makeModel(5);
    m_model->appendEntries(makeBatch(1, 7));
    QSignalSpy reset(m_model.get(), &QAbstractItemModel::modelReset);
    m_model->clear();
    QCOMPARE(reset.size(), 1);
    QCOMPARE(m_model->rowCount(), 0);
    QCOMPARE(m_proxy->rowCount(), 0);
    QCOMPARE(m_model->entryAt(0), nullptr);
    QCOMPARE(m_model->totalAppended(), 7);

    m_model->clear(); // already empty: views have nothing to redo
    QCOMPARE(reset.size(), 1);

    m_model->appendEntries(makeBatch(8, 6));
    QCOMPARE(ids(*m_model), (QList<qint64>{13, 12, 11, 10, 9}));
    QCOMPARE(m_model->totalAppended(), 13);
}

void TestDeliveryLogModel::appendsAMillionEntriesQuickly() {
    // A sanity check that appending never degrades to shifting the whole buffer, not a benchmark:
    // the time is printed, not asserted.
    constexpr int kTotal = 1'000'000;
    constexpr int kBatch = 100;
    cleanup();
    DeliveryLogModel log(10'000);
    QList<QList<DeliveryLogEntry>> batches;
    batches.reserve(kTotal / kBatch);
    for (int first = 1; first <= kTotal; first += kBatch)
        batches.append(makeBatch(first, kBatch));

    QElapsedTimer timer;
    timer.start();
    for (const QList<DeliveryLogEntry> &batch : std::as_const(batches))
        log.appendEntries(batch);
    const qint64 elapsedMs = timer.elapsed();
    qInfo("appended %d entries in batches of %d into capacity %d: %lld ms", kTotal, kBatch, log.capacity(),
          elapsedMs);

    QCOMPARE(log.rowCount(), 10'000);
    QCOMPARE(log.totalAppended(), qint64(kTotal));
    QCOMPARE(log.entryAt(0)->journalId, qint64(kTotal));
    QCOMPARE(log.entryAt(9'999)->journalId, qint64(kTotal - 9'999));
}

QTEST_GUILESS_MAIN(TestDeliveryLogModel)
#include "tst_DeliveryLogModel.moc"
