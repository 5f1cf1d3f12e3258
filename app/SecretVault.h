#pragma once

#include <QHash>
#include <QString>

namespace smartcar {
class TokenStore;
}

namespace app {

// Where the secrets live (AMT, client secret, Smartcar tokens): the system keychain through QtKeychain
// when a Secret Service answers, else a file only the user may read (0600). Headless machines and CI
// have no Secret Service, so the file is a real, supported place, but the user is told (warning()).
// The first call probes the keychain; a failing keychain switches to the file for the rest of the
// process, so one run never spreads its secrets over both. Values are never logged. Main thread only:
// the keychain calls run in a local event loop.
class SecretVault final {
public:
    enum class Backend { Keychain, File };

    static SecretVault &instance();

    // A missing key is not an error: *value is empty and the call succeeds.
    bool read(const QString &key, QString *value, QString *error);
    bool write(const QString &key, const QString &value, QString *error);
    bool remove(const QString &key, QString *error = nullptr);

    Backend backend();
    // Empty with the keychain; else a sentence for the user that names the file.
    QString warning();
    static QString filePath(); // the 0600 fallback file (`secrets.conf` in the app's config folder)
    // Forgets the probe (and cached values): the next call asks the keychain again. For tests, which
    // try both the forced and the probed fallback in one process.
    void reprobe();

    // Sends the tokens' JSON to the keychain key "smartcar-tokens" when the keychain is in use;
    // with the file backend the store keeps its own 0600 file, as before.
    void attachTokenStore(smartcar::TokenStore &store);

private:
    SecretVault() = default;
    void probe();
    void fallBack(const QString &why);
    bool readFile(const QString &key, QString *value, QString *error) const;
    bool writeFile(const QString &key, const QString &value, QString *error) const;
    bool removeFile(const QString &key, QString *error) const;

    bool m_probed = false;
    Backend m_backend = Backend::File;
    QString m_warning;
    QHash<QString, QString> m_cache; // keychain reads: each would be a D-Bus round trip (or a prompt)
};

} // namespace app
