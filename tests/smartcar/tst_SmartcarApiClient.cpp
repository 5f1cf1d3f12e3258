// Every Smartcar call carries a credential (a user token, the AMT, the client secret or an app
// token), so none goes out in clear text: a plain http:// base URL is refused unless it is this
// machine (tests, a local TLS-terminating proxy). A real listener on the machine's own
// non-loopback address shows whether any byte was sent.

#include "smartcar/SmartcarApiClient.h"

#include <QNetworkInterface>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

using smartcar::SmartcarApiClient;
using smartcar::SmartcarEndpoints;
using smartcar::SmartcarError;

namespace {

const QByteArray kAmt = "api-client-amt-Jf72Lq0Xs9";

// Accepts connections and keeps what they sent; answers 204 to whatever arrives.
class Listener final {
public:
    bool listen(const QHostAddress &address) {
        QObject::connect(&m_server, &QTcpServer::newConnection, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection()) {
                ++m_connections;
                QObject::connect(socket, &QTcpSocket::readyRead, socket, [this, socket] {
                    m_received += socket->readAll();
                    if (m_received.contains("\r\n\r\n"))
                        socket->write("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n");
                });
            }
        });
        return m_server.listen(address, 0);
    }
    QUrl url() const {
        QUrl u;
        u.setScheme(QStringLiteral("http"));
        u.setHost(m_server.serverAddress().toString());
        u.setPort(m_server.serverPort());
        return u;
    }
    int connections() const { return m_connections; }
    QByteArray received() const { return m_received; }

private:
    QTcpServer m_server;
    int m_connections = 0;
    QByteArray m_received;
};

QHostAddress nonLoopbackAddress() {
    for (const QHostAddress &a : QNetworkInterface::allAddresses())
        if (a.protocol() == QAbstractSocket::IPv4Protocol && !a.isLoopback() && !a.isLinkLocal())
            return a;
    return {};
}

// Unsubscribe: the AMT as a Bearer token.
std::optional<SmartcarError> unsubscribe(const QUrl &api) {
    SmartcarEndpoints endpoints;
    endpoints.api = api;
    SmartcarApiClient client(endpoints);
    client.setMaxRetries(0);
    client.setTimeoutMs(3000);
    std::optional<SmartcarError> result;
    client.unsubscribe(kAmt, QStringLiteral("vehicle-1"), QStringLiteral("webhook-1"),
                       [&result](const SmartcarError &error) { result = error; });
    QElapsedTimer timer;
    timer.start();
    while (!result && timer.elapsed() < 10000)
        QTest::qWait(10);
    return result;
}

} // namespace

class tst_SmartcarApiClient : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void plainHttpToAnotherHostIsRefused() {
        const QHostAddress address = nonLoopbackAddress();
        if (address.isNull())
            QSKIP("this machine has no non-loopback IPv4 address to listen on");
        Listener listener;
        QVERIFY(listener.listen(address));
        const std::optional<SmartcarError> error = unsubscribe(listener.url());
        QVERIFY(error && error->isError());
        QVERIFY2(error->userMessage().contains(QStringLiteral("plain HTTP")),
                 qPrintable(error->userMessage()));
        QVERIFY(!error->userMessage().contains(QString::fromLatin1(kAmt)));
        QTest::qWait(200); // a connection would have arrived by now
        QCOMPARE(listener.connections(), 0);
        QVERIFY2(!listener.received().contains(kAmt), listener.received().constData());
    }

    void plainHttpToThisMachineIsAllowed() {
        Listener listener;
        QVERIFY(listener.listen(QHostAddress::LocalHost));
        const std::optional<SmartcarError> error = unsubscribe(listener.url());
        QVERIFY2(error && !error->isError(), qPrintable(error ? error->detailedMessage() : QString()));
        QVERIFY(listener.received().contains("Authorization: Bearer " + kAmt));
    }
};

QTEST_GUILESS_MAIN(tst_SmartcarApiClient)
#include "tst_SmartcarApiClient.moc"
