#pragma once

#include <QCoreApplication>

namespace fuzz {

// Every target needs a QCoreApplication (event loop, timers, QNetworkAccessManager). Under libFuzzer
// nothing made one; under the replay test the QTest main did. It is never destroyed: libFuzzer ends
// the process with exit(), and Qt objects the targets keep in statics must not outlive it.
inline void ensureApplication() {
    if (QCoreApplication::instance())
        return;
    // The plain Unix event dispatcher: a libFuzzer run pumps it millions of times, glib's costs more.
    qputenv("QT_NO_GLIB", "1");
    static int argc = 1;
    static char name[] = "fleetmon-fuzz";
    static char *argv[] = {name, nullptr};
    static QCoreApplication *app = new QCoreApplication(argc, argv);
    Q_UNUSED(app);
}

} // namespace fuzz
