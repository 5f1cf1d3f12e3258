// The delivery inspector's reader on a real SQLite journal written by store::Journal: bodies made
// readable, signatures never shown whole, rejected deliveries explained, and only the newest of a
// burst of requests served.

#include "store/DeliveryDetailService.h"
#include "store/Journal.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using model::Delivery;
using model::DeliveryDetail;
using model::Verdict;

namespace {

const QString kSignature = QStringLiteral("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");

QByteArray headersJson(const QString &signature) {
    return QJsonDocument(QJsonObject{{QStringLiteral("Content-Type"), QStringLiteral("application/json")},
                                     {QStringLiteral("SC-Signature"), signature},
                                     {QStringLiteral("User-Agent"), QStringLiteral("Smartcar-Webhooks/1.0")}})
        .toJson(QJsonDocument::Compact);
}

Delivery delivery(const QString &eventId, Verdict verdict, int status, const QByteArray &body) {
    Delivery d;
    d.receivedAtMs = 1'769'937'942'652;
    d.eventId = eventId;
    d.eventType = QStringLiteral("VEHICLE_STATE");
    d.vehicleId = QStringLiteral("875d9333-bbbb-4444-aaaa-17be22ebe970");
    d.verdict = verdict;
    d.status = status;
    d.headers = headersJson(kSignature);
    d.body = body;
    return d;
}

// What the service emitted, received as the GUI would: queued onto this thread (a QSignalSpy would
// be written from the worker while the test reads it).
class Collector final : public QObject {
public:
    explicit Collector(model::DeliveryDetailSource *source) {
        connect(
            source, &model::DeliveryDetailSource::detailReady, this,
            [this](const DeliveryDetail &detail) { m_details.append(detail); }, Qt::QueuedConnection);
    }
    qsizetype size() const { return m_details.size(); }
    bool isEmpty() const { return m_details.isEmpty(); }
    const DeliveryDetail &at(qsizetype i) const { return m_details.at(i); }
    const DeliveryDetail &last() const { return m_details.last(); }

private:
    QList<DeliveryDetail> m_details;
};

} // namespace

class tst_DeliveryDetailService : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void prettyPrintsJsonBody();
    void shortensTheSignature();
    void rejectedDeliveryKeepsNoBody();
    void nonJsonBodyShownAsText();
    void unknownIdIsAnError();
    void newestRequestWins();
    void openFailsWithoutJournal();
    void requestBeforeOpenIsAnError();

private:
    QTemporaryDir m_dir;
    QString m_path;
    QByteArray m_fixture;
    qint64 m_acceptedId = 0;
    qint64 m_rejectedId = 0;
    qint64 m_textId = 0;
    QList<qint64> m_manyIds;
};

void tst_DeliveryDetailService::initTestCase() {
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath(QStringLiteral("journal.sqlite"));
    QFile fixture(QStringLiteral(FLEETMON_FIXTURES_DIR "/polestar_2_all.json"));
    QVERIFY(fixture.open(QIODevice::ReadOnly));
    // Compact, as Smartcar sends it, so the pretty-printing is the service's doing.
    m_fixture = QJsonDocument::fromJson(fixture.readAll()).toJson(QJsonDocument::Compact);
    QVERIFY(!m_fixture.isEmpty());

    store::Journal journal;
    QMutex mutex;
    QList<store::AppendResult> results;
    journal.setCommitListener([&](const QList<store::AppendResult> &batch) {
        QMutexLocker lock(&mutex);
        results += batch;
    });
    QString error;
    QVERIFY2(journal.open(m_path, &error), qPrintable(error));
    journal.append(delivery(QStringLiteral("e-accepted"), Verdict::Accepted, 200, m_fixture));
    Delivery rejected = delivery(QString(), Verdict::BadSignature, 401, QByteArray());
    rejected.eventType.clear();
    rejected.vehicleId.clear();
    journal.append(rejected);
    // Signed but not JSON, with a byte that is not UTF-8.
    journal.append(delivery(QString(), Verdict::Malformed, 400, QByteArray("not json at all \xff end")));
    for (int i = 0; i < 300; ++i)
        journal.append(delivery(QStringLiteral("e-many-%1").arg(i), Verdict::Accepted, 200,
                                QByteArray("{\"n\":") + QByteArray::number(i) + '}'));
    journal.close(); // drains: every append is committed and reported

    QCOMPARE(results.size(), 303);
    for (const store::AppendResult &result : std::as_const(results))
        QVERIFY2(result.committed, qPrintable(result.error));
    m_acceptedId = results.at(0).id;
    m_rejectedId = results.at(1).id;
    m_textId = results.at(2).id;
    for (qsizetype i = 3; i < results.size(); ++i)
        m_manyIds.append(results.at(i).id);
}

void tst_DeliveryDetailService::prettyPrintsJsonBody() {
    store::DeliveryDetailService service;
    QString error;
    QVERIFY2(service.open(m_path, &error), qPrintable(error));
    Collector answers(&service);
    service.request(m_acceptedId);
    QTRY_COMPARE(answers.size(), 1);
    const DeliveryDetail detail = answers.at(0);
    QCOMPARE(detail.journalId, m_acceptedId);
    QVERIFY2(detail.error.isEmpty(), qPrintable(detail.error));
    QCOMPARE(detail.bodyBytes, qint64(m_fixture.size()));
    QVERIFY(detail.body.startsWith(QStringLiteral("{\n    \"data\": {\n")));
    QVERIFY(detail.body.contains(
        QStringLiteral("\n    \"eventId\": \"2b65f4e6-0356-440e-a87f-eed19cffda9a\",\n")));
    QVERIFY(!detail.body.endsWith(QLatin1Char('\n')));
    // Same document, only laid out for people.
    QCOMPARE(QJsonDocument::fromJson(detail.body.toUtf8()), QJsonDocument::fromJson(m_fixture));
}

void tst_DeliveryDetailService::shortensTheSignature() {
    store::DeliveryDetailService service;
    QString error;
    QVERIFY2(service.open(m_path, &error), qPrintable(error));
    Collector answers(&service);
    service.request(m_acceptedId);
    QTRY_COMPARE(answers.size(), 1);
    const DeliveryDetail detail = answers.at(0);
    QCOMPARE(detail.headers, QStringLiteral("Content-Type: application/json\n"
                                            "SC-Signature: 9f86d081\u2026\n"
                                            "User-Agent: Smartcar-Webhooks/1.0"));
    for (const QString &text : {detail.headers, detail.body, detail.error})
        QVERIFY(!text.contains(kSignature, Qt::CaseInsensitive));
    // Not even a longer prefix survives.
    QVERIFY(!detail.headers.contains(kSignature.left(9)));

    // Any spelling of the name, and a value too short to be real still never shows whole.
    QCOMPARE(store::DeliveryDetailService::formatHeaders(R"({"sc-signature":"abcd"})"),
             QStringLiteral("sc-signature: ab\u2026"));
    QCOMPARE(store::DeliveryDetailService::formatHeaders(QByteArray()), QString());
    const QString damaged =
        store::DeliveryDetailService::formatHeaders("{\"SC-Signature\":\"" + kSignature.toLatin1() + "\"");
    QVERIFY(damaged.startsWith(QStringLiteral("(stored headers are not readable")));
    QVERIFY(!damaged.contains(kSignature));
}

void tst_DeliveryDetailService::rejectedDeliveryKeepsNoBody() {
    store::DeliveryDetailService service;
    QString error;
    QVERIFY2(service.open(m_path, &error), qPrintable(error));
    Collector answers(&service);
    service.request(m_rejectedId);
    QTRY_COMPARE(answers.size(), 1);
    const DeliveryDetail detail = answers.at(0);
    QCOMPARE(detail.journalId, m_rejectedId);
    QVERIFY2(detail.error.isEmpty(), qPrintable(detail.error));
    QCOMPARE(detail.body, QStringLiteral("(body not kept: rejected deliveries keep no body)"));
    QCOMPARE(detail.body, store::DeliveryDetailService::bodyNotKeptText());
    QCOMPARE(detail.bodyBytes, qint64(0));
    QVERIFY(detail.headers.contains(QStringLiteral("SC-Signature: 9f86d081\u2026")));
    QVERIFY(!detail.headers.contains(kSignature));
}

void tst_DeliveryDetailService::nonJsonBodyShownAsText() {
    store::DeliveryDetailService service;
    QString error;
    QVERIFY2(service.open(m_path, &error), qPrintable(error));
    Collector answers(&service);
    service.request(m_textId);
    QTRY_COMPARE(answers.size(), 1);
    const DeliveryDetail detail = answers.at(0);
    QVERIFY2(detail.error.isEmpty(), qPrintable(detail.error));
    QCOMPARE(detail.body, QStringLiteral("not json at all \ufffd end"));
    QCOMPARE(detail.bodyBytes, qint64(21));
    QCOMPARE(store::DeliveryDetailService::formatBody(QByteArray("")), QStringLiteral("(empty body)"));
}

void tst_DeliveryDetailService::unknownIdIsAnError() {
    store::DeliveryDetailService service;
    QString error;
    QVERIFY2(service.open(m_path, &error), qPrintable(error));
    Collector answers(&service);
    service.request(987654);
    QTRY_COMPARE(answers.size(), 1);
    const DeliveryDetail detail = answers.at(0);
    QCOMPARE(detail.journalId, qint64(987654));
    QCOMPARE(detail.error, QStringLiteral("Delivery #987654 is not in the journal."));
    QVERIFY(detail.body.isEmpty());
    QVERIFY(detail.headers.isEmpty());
}

void tst_DeliveryDetailService::newestRequestWins() {
    store::DeliveryDetailService service;
    QString error;
    QVERIFY2(service.open(m_path, &error), qPrintable(error));
    Collector answers(&service);
    // A manager holding the arrow key down: hundreds of requests faster than rows can be read.
    for (qint64 id : std::as_const(m_manyIds))
        service.request(id);
    const qint64 newest = m_manyIds.last();
    QTRY_VERIFY(!answers.isEmpty() && answers.last().journalId == newest);
    QTest::qWait(100); // nothing stale may follow the newest answer
    QCOMPARE(answers.last().journalId, newest);
    QVERIFY2(answers.size() < m_manyIds.size() / 4, qPrintable(QString::number(answers.size())));
    // Answers come in request order: a skipped request never answers late.
    for (qsizetype i = 1; i < answers.size(); ++i)
        QVERIFY(answers.at(i - 1).journalId < answers.at(i).journalId);
    QCOMPARE(answers.last().body, QStringLiteral("{\n    \"n\": 299\n}"));
}

void tst_DeliveryDetailService::openFailsWithoutJournal() {
    store::DeliveryDetailService service;
    QString error;
    QVERIFY(!service.open(m_dir.filePath(QStringLiteral("missing.sqlite")), &error));
    QVERIFY2(error.contains(QStringLiteral("no journal")), qPrintable(error));
    QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("missing.sqlite")))); // read-only: never created
}

void tst_DeliveryDetailService::requestBeforeOpenIsAnError() {
    store::DeliveryDetailService service;
    Collector answers(&service);
    service.request(m_acceptedId);
    QTRY_COMPARE(answers.size(), 1);
    QVERIFY(!answers.at(0).error.isEmpty());

    QString error;
    QVERIFY2(service.open(m_path, &error), qPrintable(error));
    service.close();
    service.request(m_acceptedId);
    QTRY_COMPARE(answers.size(), 2);
    QVERIFY(!answers.at(1).error.isEmpty());
}

QTEST_GUILESS_MAIN(tst_DeliveryDetailService)
#include "tst_DeliveryDetailService.moc"
