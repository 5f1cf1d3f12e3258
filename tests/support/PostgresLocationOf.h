#pragma once

// The store::PostgresLocation of a URL a test made (PostgresCluster::url()); a URL the parser
// refuses is a bug in the test, so it stops the test at once.

#include "store/PostgresLocation.h"

#include <QtGlobal>

namespace testsupport {

inline store::PostgresLocation postgresLocationOf(const QString &url) {
    store::PostgresLocation location;
    QString error;
    if (!store::PostgresLocation::parse(url, &location, &error))
        qFatal("%s: %s", qPrintable(url), qPrintable(error));
    return location;
}

} // namespace testsupport
