#pragma once

#include <QByteArray>

namespace smartcar {

// Smartcar's HMAC scheme: lowercase hex of HMAC-SHA256 keyed with the Application Management Token.
// The same function answers VERIFY challenges (message = challenge) and signs or checks deliveries
// (message = the raw body bytes, exactly as received).
class Signature final {
public:
    static QByteArray hmacSha256Hex(const QByteArray &key, const QByteArray &message);

    // Constant-time comparison (CRYPTO_memcmp) of the expected digest with a received SC-Signature.
    // Case-insensitive in the hex digits, surrounding whitespace ignored; any other form is false.
    static bool verify(const QByteArray &key, const QByteArray &body, const QByteArray &signatureHeader);
};

} // namespace smartcar
