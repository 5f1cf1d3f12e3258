#include "app/SecretVault.h"

#include "smartcar/TokenStore.h"

#include <QCoreApplication>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>
#include <qt6keychain/keychain.h>

namespace app {

namespace {

const QString kService = QStringLiteral("fleetmon");
const QString kTokensKey = QStringLiteral("smartcar-tokens");
const QString kProbeKey = QStringLiteral("probe");
constexpr int kJobTimeoutMs = 5000; // a wedged Secret Service must not hang start-up

struct JobResult {
    bool finished = false;
    QKeychain::Error error = QKeychain::OtherError;
    QString errorString;
    QString text;
};

// Runs one job to completion. On a timeout the job is abandoned, not deleted: it deletes itself when
// it finishes (autoDelete), and the connection dies with the loop, so nothing touches `result`.
JobResult runJob(QKeychain::Job *job) {
    JobResult result;
    QEventLoop loop;
    job->setAutoDelete(true);
    QObject::connect(job, &QKeychain::Job::finished, &loop, [&result, &loop](QKeychain::Job *done) {
        result.finished = true;
        result.error = done->error();
        result.errorString = done->errorString();
        if (auto *read = qobject_cast<QKeychain::ReadPasswordJob *>(done))
            result.text = read->textData();
        loop.quit();
    });
    QTimer::singleShot(kJobTimeoutMs, &loop, &QEventLoop::quit);
    job->start();
    if (!result.finished) // some backends finish inside start()
        loop.exec(QEventLoop::ExcludeUserInputEvents);
    if (!result.finished)
        result.errorString =
            QStringLiteral("the keychain did not answer within %1 s").arg(kJobTimeoutMs / 1000);
    return result;
}

// The errors that mean "there is no usable keychain here", as opposed to "this entry is missing" or
// "the user said no".
bool meansNoKeychain(const JobResult &r) {
    return !r.finished || r.error == QKeychain::NoBackendAvailable || r.error == QKeychain::AccessDenied ||
           r.error == QKeychain::NotImplemented || r.error == QKeychain::OtherError;
}

bool privateFile(const QString &path, QString *error) {
    // Created private before anything secret is written into it.
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    if (!file.exists() && !file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot create %1: %2").arg(path, file.errorString());
        return false;
    }
    file.close();
    if (!QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        *error = QStringLiteral("cannot make %1 private").arg(path);
        return false;
    }
    return true;
}

} // namespace

SecretVault &SecretVault::instance() {
    static SecretVault vault;
    return vault;
}

QString SecretVault::filePath() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation))
        .filePath(QStringLiteral("secrets.conf"));
}

void SecretVault::probe() {
    if (m_probed)
        return;
    m_probed = true;
    if (qEnvironmentVariable("FLEETMON_NO_KEYCHAIN") == QLatin1String("1")) {
        fallBack(QStringLiteral("FLEETMON_NO_KEYCHAIN=1"));
        return;
    }
    auto *job = new QKeychain::ReadPasswordJob(kService);
    job->setKey(kProbeKey);
    const JobResult r = runJob(job);
    if (meansNoKeychain(r)) {
        fallBack(r.errorString);
        return;
    }
    m_backend = Backend::Keychain;
    m_warning.clear();
}

void SecretVault::fallBack(const QString &why) {
    Q_UNUSED(why) // may quote the service's words; the user needs the consequence, not the cause
    m_backend = Backend::File;
    m_cache.clear();
    m_warning =
        QCoreApplication::translate("SecretVault", "No system keychain (Secret Service) is available: "
                                                   "secrets are kept in %1, readable only by you.")
            .arg(QDir::toNativeSeparators(filePath()));
}

void SecretVault::reprobe() {
    m_probed = false;
    m_backend = Backend::File;
    m_warning.clear();
    m_cache.clear();
}

SecretVault::Backend SecretVault::backend() {
    probe();
    return m_backend;
}

QString SecretVault::warning() {
    probe();
    return m_warning;
}

bool SecretVault::read(const QString &key, QString *value, QString *error) {
    probe();
    if (m_backend == Backend::Keychain) {
        if (auto it = m_cache.constFind(key); it != m_cache.cend()) {
            *value = it.value();
            return true;
        }
        auto *job = new QKeychain::ReadPasswordJob(kService);
        job->setKey(key);
        const JobResult r = runJob(job);
        if (r.finished && r.error == QKeychain::NoError) {
            m_cache.insert(key, r.text);
            *value = r.text;
            return true;
        }
        if (r.finished && r.error == QKeychain::EntryNotFound) {
            // Secrets saved before the keychain was used are still in the file: read them from there
            // until the next write moves them.
            return readFile(key, value, error);
        }
        if (!meansNoKeychain(r)) {
            *error = QStringLiteral("cannot read %1 from the keychain: %2").arg(key, r.errorString);
            return false;
        }
        fallBack(r.errorString);
    }
    return readFile(key, value, error);
}

bool SecretVault::write(const QString &key, const QString &value, QString *error) {
    probe();
    if (m_backend == Backend::Keychain) {
        auto *job = new QKeychain::WritePasswordJob(kService);
        job->setKey(key);
        job->setTextData(value);
        const JobResult r = runJob(job);
        if (r.finished && r.error == QKeychain::NoError) {
            m_cache.insert(key, value);
            // A copy left in the file would defeat the keychain.
            QString ignored;
            removeFile(key, &ignored);
            return true;
        }
        if (!meansNoKeychain(r)) {
            *error = QStringLiteral("cannot write %1 to the keychain: %2").arg(key, r.errorString);
            return false;
        }
        fallBack(r.errorString);
    }
    return writeFile(key, value, error);
}

bool SecretVault::remove(const QString &key, QString *error) {
    QString local;
    QString *err = error ? error : &local;
    probe();
    if (m_backend == Backend::Keychain) {
        m_cache.remove(key);
        auto *job = new QKeychain::DeletePasswordJob(kService);
        job->setKey(key);
        const JobResult r = runJob(job);
        if (!r.finished || (r.error != QKeychain::NoError && r.error != QKeychain::EntryNotFound)) {
            *err = QStringLiteral("cannot remove %1 from the keychain: %2").arg(key, r.errorString);
            return false;
        }
    }
    return removeFile(key, err);
}

bool SecretVault::readFile(const QString &key, QString *value, QString *error) const {
    if (!QFile::exists(filePath())) {
        value->clear();
        return true;
    }
    // A copy restored from a backup or made by hand may be open to everyone: closed before use.
    constexpr QFileDevice::Permissions kOthers = QFileDevice::ReadGroup | QFileDevice::WriteGroup |
                                                 QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                                 QFileDevice::WriteOther | QFileDevice::ExeOther;
    if ((QFile::permissions(filePath()) & kOthers) && !privateFile(filePath(), error))
        return false;
    const QSettings file(filePath(), QSettings::IniFormat);
    *value = file.value(key).toString();
    return true;
}

bool SecretVault::writeFile(const QString &key, const QString &value, QString *error) const {
    const QString path = filePath();
    if (!privateFile(path, error))
        return false;
    QSettings file(path, QSettings::IniFormat);
    file.setValue(key, value);
    file.sync();
    if (file.status() != QSettings::NoError) {
        *error = QStringLiteral("cannot write %1").arg(path);
        return false;
    }
    return true;
}

bool SecretVault::removeFile(const QString &key, QString *error) const {
    const QString path = filePath();
    if (!QFile::exists(path))
        return true;
    QSettings file(path, QSettings::IniFormat);
    if (!file.contains(key))
        return true;
    file.remove(key);
    file.sync();
    if (file.status() != QSettings::NoError) {
        *error = QStringLiteral("cannot write %1").arg(path);
        return false;
    }
    return true;
}

void SecretVault::attachTokenStore(smartcar::TokenStore &store) {
    if (backend() != Backend::Keychain)
        return;
    smartcar::TokenStore *tokens = &store;
    store.setPersistence(
        [this, tokens](QByteArray *json, QString *error) {
            QString text;
            if (!read(kTokensKey, &text, error))
                return false;
            if (text.isEmpty()) // tokens saved before the keychain was used: the next save moves them
                return tokens->readFile(json, error);
            *json = text.toUtf8();
            return true;
        },
        [this, tokens](const QByteArray &json, QString *error) {
            if (backend() != Backend::Keychain) // the keychain went away during this run
                return tokens->writeFile(json, error);
            if (!write(kTokensKey, QString::fromUtf8(json), error))
                return false;
            if (backend() != Backend::Keychain) // write() fell back to secrets.conf: keep the usual file
                return remove(kTokensKey, error) && tokens->writeFile(json, error);
            QFile::remove(tokens->path()); // a copy left in the file would defeat the keychain
            return true;
        });
}

} // namespace app
