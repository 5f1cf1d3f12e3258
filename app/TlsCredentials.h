#pragma once

#include <QSslConfiguration>
#include <QString>

namespace app {

// The endpoint's own certificate and private key (--tls-cert, --tls-key), checked before anything
// listens: a file that cannot be read or parsed, a certificate outside its validity period, or a
// key that is not the certificate's is refused with a message naming the file, rather than showing
// up later as handshakes that fail for every client.
class TlsCredentials final {
public:
    // Reads both PEM files (the certificate file may carry the chain after the leaf). Does file I/O:
    // never on the GUI thread.
    static bool load(const QString &certificateFile, const QString &keyFile, QSslConfiguration *configuration,
                     QString *error);
};

} // namespace app
