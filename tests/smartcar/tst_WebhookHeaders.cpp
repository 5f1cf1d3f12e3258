// The headers journaled with a delivery: a hand-written JSON encoder replaced QJsonObject on the
// ingest path, and the stored bytes must stay what QJsonDocument wrote for any header value.

#include "net/HttpRequest.h"
#include "smartcar/WebhookEndpoint.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

namespace {
QByteArray viaQJson(const net::HttpRequest &request) {
    QJsonObject o;
    for (const char *name :
         {"Content-Type", "Content-Length", "User-Agent", "SC-Signature", "X-Forwarded-For"})
        if (request.hasHeader(name))
            o.insert(QString::fromLatin1(name), QString::fromLatin1(request.header(name)));
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}
} // namespace

class tst_WebhookHeaders : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void typicalDeliveryMatchesQJson() {
        net::HttpRequest r;
        r.headers = {{"Host", "127.0.0.1"},
                     {"content-type", "application/json"},
                     {"User-Agent", "Smartcar/1.0"},
                     {"SC-Signature", "0123abcd"},
                     {"Content-Length", "4711"}};
        const QByteArray json = smartcar::WebhookEndpoint::keptHeadersJson(r);
        QCOMPARE(json, viaQJson(r));
        QCOMPARE(json, QByteArray(R"({"Content-Length":"4711","Content-Type":"application/json",)"
                                  R"("SC-Signature":"0123abcd","User-Agent":"Smartcar/1.0"})"));
    }

    void everyByteValueIsEscapedLikeQJson() {
        for (int b = 0; b < 256; ++b) {
            net::HttpRequest r;
            const QByteArray value = QByteArray("a") + char(b) + "z\"\\";
            r.headers = {{"X-Forwarded-For", value}, {"User-Agent", "x"}};
            const QByteArray json = smartcar::WebhookEndpoint::keptHeadersJson(r);
            QVERIFY2(json == viaQJson(r), qPrintable(QStringLiteral("byte %1: %2 vs %3")
                                                         .arg(b)
                                                         .arg(QString::fromUtf8(json))
                                                         .arg(QString::fromUtf8(viaQJson(r)))));
            QVERIFY(QJsonDocument::fromJson(json).isObject());
        }
    }

    void noKeptHeadersIsAnEmptyObject() {
        net::HttpRequest r;
        r.headers = {{"Host", "x"}};
        QCOMPARE(smartcar::WebhookEndpoint::keptHeadersJson(r), QByteArray("{}"));
    }
};

QTEST_GUILESS_MAIN(tst_WebhookHeaders)
#include "tst_WebhookHeaders.moc"
