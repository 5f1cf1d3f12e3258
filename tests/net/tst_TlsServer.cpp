// HTTPS on the endpoint itself (--tls-cert/--tls-key): a throwaway key and self-signed certificate
// made here with OpenSSL; a signed delivery posted over TLS to the real `fleetmon --headless` is
// acknowledged and journaled; plain HTTP to the TLS port and a handshake that never completes are
// closed, not left hanging; certificate and key files that cannot serve are refused at start with
// the file named.

#include "net/HttpServer.h"
#include "smartcar/SimulatedFleet.h"
#include "support/FleetmonProcess.h"
#include "support/RawHttpClient.h"
#include "support/ServerThread.h"
#include "support/WebhookRequest.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QtTest>
#include <memory>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

using testsupport::FleetmonProcess;
using testsupport::RawHttpClient;

namespace {

const QByteArray kAmt = "tls-test-amt";

struct Pem {
    QByteArray certificate;
    QByteArray key;
};

// A P-256 key and a certificate for 127.0.0.1 signed by it, valid from notBeforeS to notAfterS
// seconds from now.
Pem makeSelfSigned(long notBeforeS = -60, long notAfterS = 3600) {
    Pem pem;
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    if (!key || !cert)
        return pem;
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), notBeforeS);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), notAfterS);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME *name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char *>("127.0.0.1"),
                               -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, cert.get(), cert.get(), nullptr, nullptr, 0);
    if (X509_EXTENSION *san =
            X509V3_EXT_conf_nid(nullptr, &context, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost")) {
        X509_add_ext(cert.get(), san, -1);
        X509_EXTENSION_free(san);
    }
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
        return pem;
    std::unique_ptr<BIO, decltype(&BIO_free)> certOut(BIO_new(BIO_s_mem()), BIO_free);
    std::unique_ptr<BIO, decltype(&BIO_free)> keyOut(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_X509(certOut.get(), cert.get());
    PEM_write_bio_PrivateKey(keyOut.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    char *data = nullptr;
    long size = BIO_get_mem_data(certOut.get(), &data);
    pem.certificate = QByteArray(data, qsizetype(size));
    size = BIO_get_mem_data(keyOut.get(), &data);
    pem.key = QByteArray(data, qsizetype(size));
    return pem;
}

bool writeFile(const QString &path, const QByteArray &bytes) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

QByteArray signedPost(const QByteArray &body) {
    return testsupport::signedWebhookRequest(kAmt, body);
}

// The one route the in-process servers serve.
void addHelloRoute(net::Router &router) {
    router.addRoute("GET", "/hello", [](const net::HttpRequest &, const net::Responder &w) {
        w.respond(net::HttpResponse::text(200, "hello"));
    });
}

// Reads one HTTP response's status line and headers (and Content-Length body) from a TLS socket.
int readStatus(QSslSocket &socket, QByteArray *body = nullptr, int timeoutMs = 10000) {
    QByteArray buffer;
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end >= 0) {
            qsizetype length = 0;
            for (const QByteArray &line : buffer.left(end).split('\n'))
                if (line.toLower().startsWith("content-length:"))
                    length = line.mid(15).trimmed().toLongLong();
            if (buffer.size() >= end + 4 + length) {
                if (body)
                    *body = buffer.mid(end + 4, length);
                return buffer.split(' ').value(1).toInt();
            }
        }
        if (socket.bytesAvailable() == 0)
            socket.waitForReadyRead(100);
        buffer += socket.readAll();
    }
    return 0;
}

} // namespace

class tst_TlsServer final : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    Pem m_pem;
    QString m_certFile;
    QString m_keyFile;

    // Connects `socket` over TLS trusting exactly the throwaway certificate, which must name
    // 127.0.0.1; false (with the socket's error) when the handshake did not complete within 10 s.
    bool connectEncrypted(QSslSocket &socket, quint16 port) const {
        QSslConfiguration config = socket.sslConfiguration();
        config.setCaCertificates(QSslCertificate::fromData(m_pem.certificate));
        socket.setSslConfiguration(config);
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
        return socket.waitForEncrypted(10000);
    }

    // The in-process server's side: the throwaway certificate and key, no client certificates.
    QSslConfiguration serverTls() const {
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificate(QSslCertificate(m_pem.certificate));
        tls.setPrivateKey(QSslKey(m_pem.key, QSsl::Ec));
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        return tls;
    }

    // Runs `fleetmon --headless` with these arguments until it exits (it should refuse to start).
    static int refusedStart(const QStringList &arguments, QByteArray *stderrOut) {
        QProcess p;
        p.start(QStringLiteral(FLEETMON_BINARY),
                QStringList{QStringLiteral("--headless"), QStringLiteral("--listen"),
                            QStringLiteral("127.0.0.1:0")} +
                    arguments);
        if (!p.waitForFinished(20000)) {
            p.kill();
            p.waitForFinished();
            return -1;
        }
        *stderrOut = p.readAllStandardError();
        return p.exitCode();
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(QSslSocket::supportsSsl());
        QVERIFY(m_dir.isValid());
        m_pem = makeSelfSigned();
        QVERIFY(!m_pem.certificate.isEmpty() && !m_pem.key.isEmpty());
        m_certFile = m_dir.filePath(QStringLiteral("cert.pem"));
        m_keyFile = m_dir.filePath(QStringLiteral("key.pem"));
        QVERIFY(writeFile(m_certFile, m_pem.certificate));
        QVERIFY(writeFile(m_keyFile, m_pem.key));
        QVERIFY(writeFile(m_dir.filePath(QStringLiteral("amt.txt")), kAmt));
    }

    void signedDeliveryOverHttpsIsAcknowledged() {
        const QString dataDir = m_dir.filePath(QStringLiteral("https-data"));
        FleetmonProcess fleetmon(dataDir, kAmt);
        QVERIFY2(fleetmon.start(
                     {QStringLiteral("--tls-cert"), m_certFile, QStringLiteral("--tls-key"), m_keyFile}),
                 fleetmon.process().readAllStandardError().constData());
        QCOMPARE(fleetmon.url().scheme(), QStringLiteral("https"));
        QCOMPARE(fleetmon.url().path(), QStringLiteral("/webhooks/smartcar"));

        QSslSocket socket;
        QVERIFY2(connectEncrypted(socket, fleetmon.port()), qPrintable(socket.errorString()));

        smartcar::SimulatedFleet fleet(2, 3);
        const QByteArray first = fleet.nextDelivery(QDateTime::currentMSecsSinceEpoch());
        const QByteArray second = fleet.nextDelivery(QDateTime::currentMSecsSinceEpoch());
        socket.write(signedPost(first));
        QCOMPARE(readStatus(socket), 200);
        socket.write(signedPost(second)); // the same TLS connection, kept alive
        QCOMPARE(readStatus(socket), 200);
        socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QByteArray health;
        QCOMPARE(readStatus(socket, &health), 200);
        QCOMPARE(QJsonDocument::fromJson(health)["deliveries"]["accepted"].toInt(), 2);
        socket.disconnectFromHost();

        QCOMPARE(fleetmon.stop(), 0);
        const QJsonArray deliveries =
            FleetmonProcess::exportJson(dataDir, QStringLiteral("deliveries")).array();
        QCOMPARE(deliveries.size(), 2);
        for (const QJsonValue &d : deliveries)
            QCOMPARE(d[QStringLiteral("status")].toInt(), 200);
    }

    void plainHttpToTheTlsPortIsClosed() {
        FleetmonProcess fleetmon(m_dir.filePath(QStringLiteral("plain-data")), kAmt);
        QVERIFY(fleetmon.start(
            {QStringLiteral("--tls-cert"), m_certFile, QStringLiteral("--tls-key"), m_keyFile}));
        RawHttpClient client(fleetmon.port());
        QVERIFY(client.waitConnected());
        QElapsedTimer timer;
        timer.start();
        client.send(
            signedPost(smartcar::SimulatedFleet(1).nextDelivery(QDateTime::currentMSecsSinceEpoch())));
        // Not a TLS record: the handshake fails at once, far sooner than the 10 s request timeout.
        QVERIFY(client.waitClosed(8000));
        QVERIFY2(timer.elapsed() < 5000, qPrintable(QString::number(timer.elapsed())));
        QVERIFY2(!client.buffered().startsWith("HTTP/"), client.buffered().constData());
        // The server is none the worse for it.
        QSslSocket socket;
        QVERIFY2(connectEncrypted(socket, fleetmon.port()), qPrintable(socket.errorString()));
        socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QCOMPARE(readStatus(socket), 200);
    }

    void handshakeHasTheRequestTimeout() {
        // In-process, with a short timeout: a client that connects and never completes its handshake
        // holds a place only that long, and is counted while it does.
        net::Router router;
        addHelloRoute(router);
        net::HttpLimits limits;
        limits.requestTimeoutMs = 700;
        testsupport::ServerThread server(&router, limits, serverTls());
        const quint16 port = server.port();
        const auto count = [&] { return server.connectionCount(); };

        RawHttpClient silent(port);
        QVERIFY(silent.waitConnected());
        RawHttpClient halfHello(port);
        QVERIFY(halfHello.waitConnected());
        halfHello.send(QByteArray::fromHex("16030100c8010000c40303")); // a ClientHello's first bytes
        QTRY_COMPARE_WITH_TIMEOUT(count(), 2, 5000);
        // Until their ClientHello is in they wait in the lobby: no TLS socket on the serving thread.
        qsizetype tlsSockets = -1;
        server.onServerThread([&] { tlsSockets = server.server()->findChildren<QSslSocket *>().size(); });
        QCOMPARE(tlsSockets, 0);
        QElapsedTimer timer;
        timer.start();
        QVERIFY(silent.waitClosed(5000));
        QVERIFY(halfHello.waitClosed(5000));
        QVERIFY2(timer.elapsed() < 4000, qPrintable(QString::number(timer.elapsed())));
        QTRY_COMPARE_WITH_TIMEOUT(count(), 0, 5000);

        // A client that completes its handshake in time is served.
        QSslSocket socket;
        QVERIFY2(connectEncrypted(socket, port), qPrintable(socket.errorString()));
        socket.write("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QByteArray body;
        QCOMPARE(readStatus(socket, &body), 200);
        QCOMPARE(body, QByteArray("hello"));
        socket.abort();
    }

    void silentHandshakesMakeRoomForAClientThatCompletesOne() {
        // At the cap, a client still in (or not yet begun) its handshake is the stalest: it goes.
        net::Router router;
        addHelloRoute(router);
        net::HttpLimits limits;
        limits.maxConnections = 2;
        testsupport::ServerThread server(&router, limits, serverTls());
        RawHttpClient first(server.port());
        QVERIFY(first.waitConnected());
        QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), 1, 5000);
        QTest::qWait(5);
        RawHttpClient second(server.port());
        QVERIFY(second.waitConnected());
        QTRY_COMPARE_WITH_TIMEOUT(server.connectionCount(), 2, 5000);

        QSslSocket socket;
        QVERIFY2(connectEncrypted(socket, server.port()), qPrintable(socket.errorString()));
        socket.write("GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QCOMPARE(readStatus(socket), 200);
        QVERIFY(first.waitClosed(5000));
        QCOMPARE(second.socket().state(), QAbstractSocket::ConnectedState);
        QCOMPARE(server.connectionCount(), 2);
    }

    void unusableCertificateOrKeyIsRefusedAtStart_data() {
        QTest::addColumn<QString>("certificate");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("named");
        QTest::addColumn<QString>("says");

        const QString otherKey = m_dir.filePath(QStringLiteral("other-key.pem"));
        QVERIFY(writeFile(otherKey, makeSelfSigned().key));
        const Pem expired = makeSelfSigned(-7200, -3600);
        const QString expiredCert = m_dir.filePath(QStringLiteral("expired-cert.pem"));
        const QString expiredKey = m_dir.filePath(QStringLiteral("expired-key.pem"));
        QVERIFY(writeFile(expiredCert, expired.certificate));
        QVERIFY(writeFile(expiredKey, expired.key));
        const QString garbage = m_dir.filePath(QStringLiteral("garbage.pem"));
        QVERIFY(writeFile(garbage, "not a certificate\n"));
        const QString missing = m_dir.filePath(QStringLiteral("missing.pem"));

        QTest::newRow("mismatched key") << m_certFile << otherKey << otherKey << "does not belong";
        QTest::newRow("expired certificate") << expiredCert << expiredKey << expiredCert << "expired";
        QTest::newRow("missing certificate") << missing << m_keyFile << missing << "cannot read";
        QTest::newRow("missing key") << m_certFile << missing << missing << "cannot read";
        QTest::newRow("not a certificate") << garbage << m_keyFile << garbage << "no PEM certificate";
        QTest::newRow("not a key") << m_certFile << garbage << garbage << "no unencrypted PEM private key";
    }

    void unusableCertificateOrKeyIsRefusedAtStart() {
        QFETCH(QString, certificate);
        QFETCH(QString, key);
        QFETCH(QString, named);
        QFETCH(QString, says);
        QByteArray err;
        const int code =
            refusedStart({QStringLiteral("--data-dir"), m_dir.filePath(QStringLiteral("refused-data")),
                          QStringLiteral("--amt-file"), m_dir.filePath(QStringLiteral("amt.txt")),
                          QStringLiteral("--tls-cert"), certificate, QStringLiteral("--tls-key"), key},
                         &err);
        QVERIFY2(code != 0 && code != -1, err.constData());
        QVERIFY2(err.contains(named.toUtf8()), err.constData());
        QVERIFY2(err.contains(says.toUtf8()), err.constData());
    }

    void certificateWithoutKeyIsAUsageError() {
        QByteArray err;
        const int code =
            refusedStart({QStringLiteral("--amt-file"), m_dir.filePath(QStringLiteral("amt.txt")),
                          QStringLiteral("--tls-cert"), m_certFile},
                         &err);
        QCOMPARE(code, 2);
        QVERIFY2(err.contains("--tls-cert and --tls-key go together"), err.constData());
    }
};

QTEST_GUILESS_MAIN(tst_TlsServer)
#include "tst_TlsServer.moc"
