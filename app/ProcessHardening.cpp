#include "app/ProcessHardening.h"

#include <QHash>
#include <QMutex>
#include <cstdio>
#include <cstring>

#ifdef Q_OS_LINUX
#include <sys/prctl.h>
#include <sys/resource.h>
#endif

extern char **environ;

namespace app {

namespace {

constexpr const char *kSecretVariables[] = {"FLEETMON_AMT", "FLEETMON_CLIENT_SECRET"};

QMutex &takenMutex() {
    static QMutex mutex;
    return mutex;
}

QHash<QByteArray, QByteArray> &taken() {
    static QHash<QByteArray, QByteArray> values;
    return values;
}

bool &dumpsDisabled() {
    static bool disabled = false;
    return disabled;
}

// Zeroes the value of every NAME=value entry in place before unsetting it: unsetenv() only drops the
// pointer, and the kernel shows /proc/PID/environ from the original block, which would keep the
// secret readable (and in any core) for the whole run.
void scrub(const char *name) {
    const size_t length = std::strlen(name);
    for (char **entry = environ; entry && *entry; ++entry) {
        if (std::strncmp(*entry, name, length) == 0 && (*entry)[length] == '=') {
            char *value = *entry + length + 1;
            explicit_bzero(value, std::strlen(value));
        }
    }
    qunsetenv(name);
}

} // namespace

void ProcessHardening::protectProcess() {
#ifdef Q_OS_LINUX
    if (qEnvironmentVariable("FLEETMON_ALLOW_CORE_DUMPS") == QLatin1String("1")) {
        std::fprintf(stderr, "fleetmon: warning: FLEETMON_ALLOW_CORE_DUMPS=1: a crash may write the "
                             "Smartcar secrets into a core file\n");
    } else {
        // Non-dumpable: no core file, and other processes of this user cannot ptrace it or read its
        // /proc/PID/mem. The soft limit covers core handlers that are pipes (systemd-coredump,
        // apport), which honour RLIMIT_CORE 0 even for a process the kernel would hand them.
        const bool notDumpable = ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0;
        rlimit limit{};
        if (::getrlimit(RLIMIT_CORE, &limit) == 0) {
            limit.rlim_cur = 0;
            ::setrlimit(RLIMIT_CORE, &limit);
        }
        dumpsDisabled() = notDumpable;
    }
#endif
    for (const char *name : kSecretVariables)
        environmentSecret(name);
}

std::optional<QByteArray> ProcessHardening::environmentSecret(const char *name) {
    const QMutexLocker lock(&takenMutex());
    if (qEnvironmentVariableIsSet(name)) {
        taken().insert(QByteArray(name), qgetenv(name));
        scrub(name);
    }
    const auto it = taken().constFind(QByteArray(name));
    if (it == taken().cend())
        return std::nullopt;
    return it.value();
}

bool ProcessHardening::coreDumpsDisabled() {
    return dumpsDisabled();
}

} // namespace app
