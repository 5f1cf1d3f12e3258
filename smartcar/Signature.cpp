#include "smartcar/Signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace smartcar {

QByteArray Signature::hmacSha256Hex(const QByteArray &key, const QByteArray &message) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    // A null key pointer with length 0 is not accepted by every OpenSSL; an empty key is valid HMAC.
    static const unsigned char emptyKey = 0;
    const void *keyData = key.isEmpty() ? static_cast<const void *>(&emptyKey) : key.constData();
    HMAC(EVP_sha256(), keyData, int(key.size()), reinterpret_cast<const unsigned char *>(message.constData()),
         size_t(message.size()), digest, &length);
    return QByteArray(reinterpret_cast<const char *>(digest), int(length)).toHex();
}

bool Signature::verify(const QByteArray &key, const QByteArray &body, const QByteArray &signatureHeader) {
    const QByteArray received = signatureHeader.trimmed().toLower();
    const QByteArray expected = hmacSha256Hex(key, body);
    if (received.size() != expected.size())
        return false; // the length of a hex SHA-256 digest is public; only the content must not leak
    return CRYPTO_memcmp(received.constData(), expected.constData(), size_t(expected.size())) == 0;
}

} // namespace smartcar
