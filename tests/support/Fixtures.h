#pragma once

// Real Smartcar webhook bodies, found through FLEETMON_FIXTURES_DIR (see tests/CMakeLists.txt).

#include <QByteArray>
#include <QFile>
#include <QString>

namespace testsupport {

// The bytes of one fixture file. A missing fixture stops the run: no test means anything without it.
inline QByteArray fixture(const QString &name) {
    QFile f(QStringLiteral(FLEETMON_FIXTURES_DIR "/") + name);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(f.fileName()));
    return f.readAll();
}

} // namespace testsupport
