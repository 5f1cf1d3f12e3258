#pragma once

#include <QByteArray>
#include <optional>

namespace app {

// What the process does about the secrets it holds (AMT, client secret, Smartcar tokens) beyond
// never printing them: no core dump can carry them to disk, and no child process (tunnel, browser
// launcher) inherits them from the environment. Linux only; elsewhere these are no-ops.
class ProcessHardening final {
public:
    // Run first thing in main(), before any secret is read: marks the process non-dumpable
    // (PR_SET_DUMPABLE 0, as ssh-agent and gpg-agent do) and lowers the soft core-size limit to 0,
    // unless FLEETMON_ALLOW_CORE_DUMPS=1 asks to keep core dumps (developers; a warning goes to
    // stderr). Then takes the secret environment variables (see environmentSecret()).
    static void protectProcess();

    // The value of a secret environment variable (FLEETMON_AMT, FLEETMON_CLIENT_SECRET); nullopt when
    // it was never set. The first call takes it out of the environment: the variable is unset, so
    // children do not inherit it, and the original bytes are zeroed, so /proc/PID/environ does not
    // show it. Later calls answer from the copy kept here; a variable set again is taken again.
    static std::optional<QByteArray> environmentSecret(const char *name);

    // Whether protectProcess() left core dumps disabled.
    static bool coreDumpsDisabled();
};

} // namespace app
