// A crash of the real fleetmon binary writes no core file that could carry its secrets: the process
// marks itself non-dumpable before reading any. The binary runs in a folder of its own with
// RLIMIT_CORE unlimited and is made to crash (SIGSEGV, SIGABRT). The control, the same run with
// FLEETMON_ALLOW_CORE_DUMPS=1, proves that this machine writes core files at all and that such a file
// would hold the Application Management Token; without one the test is skipped, saying why.

#include "support/FleetmonProcess.h"
#include "support/SanitizerBuild.h"

#include <QDirIterator>
#include <QtTest>
#include <csignal>
#include <sys/resource.h>
#include <unistd.h>

namespace {

const QByteArray kAmt = "coredump-amt-5Rq8Wz2Kx7Jv4Nb1";

QByteArray readSysctl(const char *path) {
    QFile f(QString::fromLatin1(path));
    return f.open(QIODevice::ReadOnly) ? f.readAll().trimmed() : QByteArray("(unreadable)");
}

struct CrashOutcome {
    bool started = false;
    bool crashed = false;
    QByteArray output;         // stdout and stderr
    QStringList coreFiles;     // files the crash left in the working folder
    bool coreHoldsAmt = false; // any of them contains the token
    bool environReadable = false;
};

// Starts `fleetmon --headless` in `folder` with unlimited core size, lets it read the token, then
// sends `signal` (whose default action dumps core).
CrashOutcome crash(const QString &folder, int signal, bool allowCoreDumps) {
    CrashOutcome outcome;
    QDir().mkpath(folder + "/cwd");
    {
        QFile amt(folder + "/amt");
        if (!amt.open(QIODevice::WriteOnly))
            return outcome;
        amt.write(kAmt + '\n');
    }
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove("FLEETMON_AMT");
    env.insert("FLEETMON_NO_KEYCHAIN", "1");
    env.insert("XDG_CONFIG_HOME", folder + "/config");
    if (allowCoreDumps)
        env.insert("FLEETMON_ALLOW_CORE_DUMPS", "1");
    else
        env.remove("FLEETMON_ALLOW_CORE_DUMPS");
    p.setProcessEnvironment(env);
    p.setWorkingDirectory(folder + "/cwd"); // core_pattern "core" writes there
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.setChildProcessModifier([] {
        const rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
        ::setrlimit(RLIMIT_CORE, &unlimited);
    });
    p.start(QStringLiteral(FLEETMON_BINARY), {"--headless", "--listen", "127.0.0.1:0", "--data-dir",
                                              folder + "/data", "--amt-file", folder + "/amt"});
    if (!p.waitForStarted(10000))
        return outcome;
    while (!outcome.output.contains("listening on")) {
        if (!p.waitForReadyRead(15000))
            return outcome;
        outcome.output += p.readAll();
    }
    outcome.started = true;
    // Readable by this (same-user) process only when the target is dumpable.
    QFile environFile(QStringLiteral("/proc/%1/environ").arg(p.processId()));
    outcome.environReadable = environFile.open(QIODevice::ReadOnly) && !environFile.readAll().isEmpty();
    ::kill(pid_t(p.processId()), signal);
    p.waitForFinished(30000); // a core of a few tens of MB takes a moment on a busy disk
    outcome.output += p.readAll();
    outcome.crashed = p.exitStatus() == QProcess::CrashExit && p.exitCode() == signal;
    QDirIterator it(folder + "/cwd", QDir::Files);
    while (it.hasNext()) {
        const QString path = it.next();
        outcome.coreFiles << QFileInfo(path).fileName();
        QFile core(path);
        if (core.open(QIODevice::ReadOnly)) {
            // Read in pieces: cores can be large; overlap so a token across a boundary is found.
            QByteArray carry;
            while (!core.atEnd() && !outcome.coreHoldsAmt) {
                const QByteArray chunk = carry + core.read(4 << 20);
                outcome.coreHoldsAmt = chunk.contains(kAmt);
                carry = chunk.right(kAmt.size());
            }
        }
    }
    return outcome;
}

} // namespace

class tst_CoreDumpPolicy : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void crashWritesNoCoreWithTheSecret_data() {
        QTest::addColumn<int>("signal");
        QTest::newRow("SIGSEGV") << int(SIGSEGV);
        QTest::newRow("SIGABRT") << int(SIGABRT);
    }

    void crashWritesNoCoreWithTheSecret() {
        QFETCH(int, signal);
        if (kAddressSanitizerBuild)
            QSKIP("AddressSanitizer handles the crash signals itself and never writes a core file "
                  "(disable_coredump); the plain build's run proves the policy");
        QTemporaryDir tmp;
        QVERIFY(tmp.isValid());

        // Control: the developer override keeps core dumps, so the machine's own behaviour shows.
        const CrashOutcome control = crash(tmp.filePath("control"), signal, true);
        QVERIFY2(control.started, control.output.constData());
        QVERIFY2(control.crashed, control.output.constData());
        QVERIFY2(control.output.contains("FLEETMON_ALLOW_CORE_DUMPS"), control.output.constData());
        QVERIFY(control.environReadable);
        if (control.coreFiles.isEmpty())
            QSKIP(qPrintable(QStringLiteral("this machine writes no core files (core_pattern \"%1\", "
                                            "suid_dumpable %2): nothing to prove")
                                 .arg(QString::fromLatin1(readSysctl("/proc/sys/kernel/core_pattern")),
                                      QString::fromLatin1(readSysctl("/proc/sys/fs/suid_dumpable")))));
        // The secret really is in a dump of this process: the check below could catch it.
        QVERIFY2(control.coreHoldsAmt, qPrintable(control.coreFiles.join(", ")));

        const CrashOutcome guarded = crash(tmp.filePath("guarded"), signal, false);
        QVERIFY2(guarded.started, guarded.output.constData());
        QVERIFY2(guarded.crashed, guarded.output.constData());
        QVERIFY2(!guarded.coreHoldsAmt, qPrintable(guarded.coreFiles.join(", ")));
        QVERIFY2(guarded.coreFiles.isEmpty(), qPrintable(guarded.coreFiles.join(", ")));
        // Non-dumpable also closes /proc/PID/environ (and mem) to other processes of the user; root
        // (CAP_SYS_PTRACE) still reads them.
        if (::geteuid() != 0)
            QVERIFY(!guarded.environReadable);
        QVERIFY(!guarded.output.contains(kAmt));
    }
};

QTEST_GUILESS_MAIN(tst_CoreDumpPolicy)
#include "tst_CoreDumpPolicy.moc"
