#include "app/TlsCredentials.h"

#include <QDateTime>
#include <QFile>
#include <QSslCertificate>
#include <QSslKey>
#include <memory>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace app {

namespace {

bool readFile(const QString &path, const char *what, QByteArray *bytes, QString *error) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the TLS %1 %2: %3")
                     .arg(QLatin1String(what), path, file.errorString());
        return false;
    }
    *bytes = file.readAll();
    return true;
}

// Qt cannot tell whether a private key belongs to a certificate; OpenSSL, which does the
// handshakes, can.
bool keyMatches(const QByteArray &certificatePem, const QByteArray &keyPem) {
    const std::unique_ptr<BIO, decltype(&BIO_free)> certBio(
        BIO_new_mem_buf(certificatePem.constData(), int(certificatePem.size())), BIO_free);
    const std::unique_ptr<BIO, decltype(&BIO_free)> keyBio(
        BIO_new_mem_buf(keyPem.constData(), int(keyPem.size())), BIO_free);
    const std::unique_ptr<X509, decltype(&X509_free)> certificate(
        PEM_read_bio_X509(certBio.get(), nullptr, nullptr, nullptr), X509_free);
    const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
        PEM_read_bio_PrivateKey(keyBio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
    return certificate && key && X509_check_private_key(certificate.get(), key.get()) == 1;
}

} // namespace

bool TlsCredentials::load(const QString &certificateFile, const QString &keyFile,
                          QSslConfiguration *configuration, QString *error) {
    QByteArray certificatePem, keyPem;
    if (!readFile(certificateFile, "certificate", &certificatePem, error) ||
        !readFile(keyFile, "private key", &keyPem, error))
        return false;
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certificatePem, QSsl::Pem);
    if (chain.isEmpty() || chain.first().isNull()) {
        *error = QStringLiteral("the TLS certificate %1 holds no PEM certificate").arg(certificateFile);
        return false;
    }
    const QSslCertificate &leaf = chain.first();
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (leaf.expiryDate() < now) {
        *error = QStringLiteral("the TLS certificate %1 expired on %2")
                     .arg(certificateFile, leaf.expiryDate().toString(Qt::ISODate));
        return false;
    }
    if (leaf.effectiveDate() > now) {
        *error = QStringLiteral("the TLS certificate %1 is not valid before %2")
                     .arg(certificateFile, leaf.effectiveDate().toString(Qt::ISODate));
        return false;
    }
    QSslKey key;
    for (const QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa, QSsl::Dh}) {
        key = QSslKey(keyPem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull())
            break;
    }
    if (key.isNull()) {
        *error = QStringLiteral("the TLS private key %1 holds no unencrypted PEM private key").arg(keyFile);
        return false;
    }
    if (!keyMatches(certificatePem, keyPem)) {
        *error = QStringLiteral("the TLS private key %1 does not belong to the certificate %2")
                     .arg(keyFile, certificateFile);
        return false;
    }
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificateChain(chain);
    tls.setPrivateKey(key);
    tls.setPeerVerifyMode(QSslSocket::VerifyNone); // clients are not asked for certificates
    tls.setProtocol(QSsl::TlsV1_2OrLater);
    *configuration = tls;
    return true;
}

} // namespace app
