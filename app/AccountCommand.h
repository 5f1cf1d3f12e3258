#pragma once

#include "app/AppOptions.h"
#include "smartcar/SmartcarAccount.h"

#include <QIODevice>

namespace app {

// `fleetmon connect [--code CODE] | vehicles | subscribe ID…|--all | unsubscribe ID…`: the
// Smartcar account from a terminal, without a window. Runs the caller's QCoreApplication event
// loop until the command is done and returns the process exit code: 0 on success, 1 when Smartcar
// (or the network) refused something, whose message goes to `err`, 2 for a configuration or usage
// problem. Prints what it did per vehicle to `out`. Never prints tokens, the AMT or the secret.
class AccountCommand final {
public:
    static int run(const AppOptions &options, QIODevice &out, QIODevice &err);
    // The account's configuration from the options, the environment and the saved setup; shared
    // with the desktop app so both talk to Smartcar the same way.
    static smartcar::SmartcarAccount::Config configFor(const AppOptions &options,
                                                       std::function<void(const QUrl &)> openUrl);
};

} // namespace app
