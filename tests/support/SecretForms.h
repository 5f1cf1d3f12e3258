#pragma once

// The forms in which a program might print a secret: raw, hex, percent-encoded, and base64 or
// base64url at every alignment inside a longer encoded text. A leak search looks for all of them.

#include <QByteArray>
#include <QList>
#include <QString>
#include <QUrl>
#include <algorithm>

namespace testsupport {

struct SecretForm {
    QString what; // the secret's name and the form, for the failure message
    QByteArray bytes;
};

// Base64 of `secret` as it would appear inside a longer base64 text: the characters that depend
// only on the secret's bytes, for each of the three alignments it can start at.
inline QList<QByteArray> base64Cores(const QByteArray &secret, QByteArray::Base64Options options) {
    QList<QByteArray> cores;
    for (int lead = 0; lead < 3; ++lead) {
        const QByteArray padded = QByteArray(lead, 'x') + secret;
        QByteArray encoded = padded.toBase64(options | QByteArray::OmitTrailingEquals);
        const int skipChars = lead == 0 ? 0 : 4; // the first quantum mixes in the leading bytes
        const int usable = int(padded.size() / 3) * 4 - skipChars; // whole quanta only
        cores << encoded.mid(skipChars, usable);
    }
    return cores;
}

// Every distinct form of `secret`, each named after `name`.
inline QList<SecretForm> formsOf(const QString &name, const QByteArray &secret) {
    QList<SecretForm> forms{
        {name, secret},
        {name + " (hex)", secret.toHex()},
        {name + " (HEX)", secret.toHex().toUpper()},
        {name + " (percent-encoded)", QUrl::toPercentEncoding(QString::fromUtf8(secret))}};
    for (const QByteArray &core : base64Cores(secret, QByteArray::Base64Encoding))
        forms.append({name + " (base64)", core});
    for (const QByteArray &core : base64Cores(secret, QByteArray::Base64UrlEncoding))
        forms.append({name + " (base64url)", core});
    QList<SecretForm> distinct;
    for (const SecretForm &form : forms)
        if (std::none_of(distinct.cbegin(), distinct.cend(),
                         [&](const SecretForm &d) { return d.bytes == form.bytes; }))
            distinct.append(form);
    return distinct;
}

} // namespace testsupport
