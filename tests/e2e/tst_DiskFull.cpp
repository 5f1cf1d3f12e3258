// A data folder that fills up or turns read-only under a running `fleetmon --headless`: on a real
// small tmpfs the test fills with a filler file, deliveries must be answered 503 (Smartcar retries
// them), never 2xx unless stored; the problem is said once on stderr, and the endpoint answers 2xx
// again without a restart once there is room (or the folder is writable) again. Nothing
// acknowledged is lost.
//
// Mounting needs a mount namespace: the test runs itself again under `unshare` (as root, or as a
// user mapped to root in a user namespace), so its tmpfs is private and vanishes with it. Where
// neither works it is skipped, saying why.

#include "smartcar/SimulatedFleet.h"
#include "support/FleetmonProcess.h"
#include "support/WebhookRequest.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>

using testsupport::FleetmonProcess;

namespace {

const QByteArray kAmt = "disk-full-amt";
const char kInsideVariable[] = "FLEETMON_DISKFULL_NAMESPACE";
const char kSkipVariable[] = "FLEETMON_DISKFULL_SKIP";

struct Delivery {
    QString eventId;
    QByteArray body;
};

// A signed delivery on a connection of its own: the status, or 0 when no answer came.
int post(quint16 port, const QByteArray &body, QByteArray *answer = nullptr) {
    return testsupport::postOnNewConnection(port, testsupport::signedWebhookRequest(kAmt, body), answer);
}

bool run(const QString &program, const QStringList &arguments, QByteArray *output = nullptr) {
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(program, arguments);
    const bool ok = p.waitForFinished(10000) && p.exitStatus() == QProcess::NormalExit && p.exitCode() == 0;
    if (output)
        *output = p.readAll();
    return ok;
}

// Writes to the filler until the file system refuses; the bytes it took.
qint64 fill(const QString &path) {
    QFile filler(path);
    if (!filler.open(QIODevice::WriteOnly | QIODevice::Unbuffered))
        return -1;
    const QByteArray chunk(64 * 1024, 'f');
    const QByteArray page(4096, 'f');
    qint64 total = 0;
    for (const QByteArray *piece : {&chunk, &page}) {
        for (;;) {
            const qint64 written = filler.write(*piece);
            if (written <= 0)
                break;
            total += written;
            if (written < piece->size())
                break;
        }
    }
    return total;
}

// A tmpfs, and optionally a second mount of it (a bind mount) that can be made read-only on its
// own while the first stays writable.
class MountedTmpfs {
public:
    bool mount(const QString &path, const QString &size, QByteArray *why) {
        QDir().mkpath(path);
        if (!run(QStringLiteral("mount"), {"-t", "tmpfs", "-o", "size=" + size + kFlags, "tmpfs", path}, why))
            return false;
        m_mounts.prepend(path);
        return true;
    }
    bool bindView(const QString &from, const QString &view, QByteArray *why) {
        QDir().mkpath(view);
        if (!run(QStringLiteral("mount"), {"--bind", from, view}, why))
            return false;
        m_mounts.prepend(view);
        return true;
    }
    // The mount's own read-only flag (a remount of the whole file system is refused in a user
    // namespace). Linux refuses either while a file on the mount is open for writing.
    bool setReadOnly(const QString &view, bool readOnly, QByteArray *why) {
        return run(QStringLiteral("mount"),
                   {"-o", QStringLiteral("remount,bind,%1%2").arg(readOnly ? "ro" : "rw", kFlags), view},
                   why);
    }
    ~MountedTmpfs() {
        for (const QString &path : std::as_const(m_mounts))
            run(QStringLiteral("umount"), {"-l", path});
    }

private:
    // A user namespace locks these on its mounts: a remount must repeat them or it is refused.
    static constexpr const char *kFlags = ",nosuid,nodev";
    QStringList m_mounts; // the last mounted first
};

} // namespace

class tst_DiskFull : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_tmp;
    smartcar::SimulatedFleet m_fleet{5, 7};

    Delivery next() {
        const QByteArray body = m_fleet.nextDelivery(QDateTime::currentMSecsSinceEpoch());
        return {QJsonDocument::fromJson(body).object().value("eventId").toString(), body};
    }

    // Posts `count` fresh deliveries, each of which must be acknowledged (200); they join `acked`.
    bool postAccepted(quint16 port, int count, QSet<QString> *acked) {
        for (int i = 0; i < count; ++i) {
            const Delivery d = next();
            const int status = post(port, d.body);
            if (status != 200) {
                qWarning("delivery %s answered %d, not 200", qPrintable(d.eventId), status);
                return false;
            }
            acked->insert(d.eventId);
        }
        return true;
    }

    // Posts fresh deliveries until one is refused; the acknowledged ones join `acked`.
    int postUntilRefused(quint16 port, QSet<QString> *acked, Delivery *refused, QByteArray *answer) {
        for (int i = 0; i < 3000; ++i) {
            const Delivery d = next();
            const int status = post(port, d.body, answer);
            if (status / 100 == 2) {
                acked->insert(d.eventId);
                continue;
            }
            *refused = d;
            return status;
        }
        return 200;
    }

    // Posts the delivery again every 100 ms, as a retrying sender would, until it is acknowledged.
    qint64 msUntilAcknowledged(quint16 port, const Delivery &d, int timeoutMs) {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < timeoutMs) {
            if (post(port, d.body) / 100 == 2)
                return clock.elapsed();
            QTest::qWait(100);
        }
        return -1;
    }

    // Adds fleetmon's stderr to `err` until it holds `needle` (false after 10 s).
    static bool readStderrUntil(FleetmonProcess &app, const QByteArray &needle, QByteArray *err) {
        QElapsedTimer clock;
        clock.start();
        while (!err->contains(needle) && clock.elapsed() < 10000) {
            app.process().waitForReadyRead(100);
            *err += app.process().readAllStandardError();
        }
        QTest::qWait(100); // anything said right after it
        *err += app.process().readAllStandardError();
        return err->contains(needle);
    }

    static void verifyStored(const QString &data, const QSet<QString> &acked, const QSet<QString> &absent) {
        QByteArray err;
        const QJsonDocument doc = FleetmonProcess::exportJson(data, "deliveries", &err);
        QVERIFY2(doc.isArray(), err.constData());
        QHash<QString, int> accepted;
        for (const QJsonValue &v : doc.array())
            if (v["verdict"].toString() == "accepted")
                ++accepted[v["eventId"].toString()];
        for (const QString &id : acked)
            QVERIFY2(accepted.value(id) == 1, qPrintable(id));
        for (const QString &id : absent)
            QVERIFY2(!accepted.contains(id), qPrintable("answered 503 but stored: " + id));
    }

private Q_SLOTS:
    void initTestCase() {
        if (qEnvironmentVariableIsSet(kSkipVariable))
            QSKIP(qPrintable(qEnvironmentVariable(kSkipVariable)));
        QVERIFY(m_tmp.isValid());
    }

    void fullDiskAnswers503AndRecoversWithoutRestart() {
        const QString mount = m_tmp.filePath("full");
        MountedTmpfs fs;
        QByteArray why;
        QVERIFY2(fs.mount(mount, "4m", &why), why.constData());
        const QString data = mount + "/data";
        FleetmonProcess app(data, kAmt);
        QVERIFY(app.start());

        QSet<QString> acked;
        QVERIFY(postAccepted(app.port(), 10, &acked));
        const qint64 filled = fill(mount + "/filler");
        QVERIFY(filled > 0);

        // The WAL may still have room it had before: deliveries are stored until it has none.
        Delivery refused;
        QByteArray answer;
        const qsizetype ackedBefore = acked.size();
        QCOMPARE(postUntilRefused(app.port(), &acked, &refused, &answer), 503);
        QVERIFY2(answer.contains("not stored"), answer.constData());
        const qsizetype storedWhileFull = acked.size() - ackedBefore;
        // Refused at once while the journal cannot write, however many arrive.
        QSet<QString> neverRetried;
        QElapsedTimer refusing;
        refusing.start();
        for (int i = 0; i < 20; ++i) {
            const Delivery d = next();
            QCOMPARE(post(app.port(), d.body), 503);
            neverRetried.insert(d.eventId);
        }
        const double msPerRefusal = double(refusing.elapsed()) / 20.0;
        QTest::qWait(300);
        QByteArray err = app.process().readAllStandardError();
        QCOMPARE(err.count("cannot write the journal"), 1);
        QVERIFY2(err.contains(QFile::encodeName(data)), err.constData());

        // Room again: the next attempt of the refused delivery is stored, without a restart.
        QVERIFY(QFile::remove(mount + "/filler"));
        const qint64 recoveryMs = msUntilAcknowledged(app.port(), refused, 10000);
        QVERIFY2(recoveryMs >= 0, "still refused 10 s after the space came back");
        acked.insert(refused.eventId);
        QVERIFY(postAccepted(app.port(), 10, &acked));
        // Recovery is said once writes have gone on working for a while.
        QVERIFY2(readStderrUntil(app, "is writable again", &err), err.constData());
        QCOMPARE(err.count("cannot write the journal"), 1);
        QCOMPARE(err.count("is writable again"), 1);
        QCOMPARE(app.stop(), 0);
        verifyStored(data, acked, neverRetried);
        qInfo("disk full (%lld KiB filler): %lld deliveries still stored in the WAL's room, then 503 "
              "(%.1f ms per refused delivery); 2xx again %lld ms after the filler went; %lld "
              "acknowledged deliveries all stored once",
              filled / 1024, qint64(storedWhileFull), msPerRefusal, recoveryMs, qint64(acked.size()));
    }

    void aDiskAtTheEdgeOfFullIsOneEpisode() {
        // Nearly full: a reopened journal's one-page probe fits, a batch of deliveries does not.
        // However often that flips, stderr tells of one episode, and fleetsim (retrying like
        // Smartcar) gets every delivery stored once room is made.
        const QString mount = m_tmp.filePath("edge");
        MountedTmpfs fs;
        QByteArray why;
        QVERIFY2(fs.mount(mount, "16m", &why), why.constData()); // room for the 400 once freed
        const QString data = mount + "/data";
        FleetmonProcess app(data, kAmt);
        QVERIFY(app.start());
        QVERIFY(fill(mount + "/filler") > 0);
        QVERIFY(QFile::resize(mount + "/filler", QFileInfo(mount + "/filler").size() - 512 * 1024));
        const QString amtFile = m_tmp.filePath("edge-amt");
        {
            QFile f(amtFile);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(kAmt);
        }
        const QString ackLog = m_tmp.filePath("edge-acks");
        QProcess sim;
        sim.setProcessChannelMode(QProcess::MergedChannels);
        sim.start(QStringLiteral(FLEETSIM_BINARY),
                  {"--url", QStringLiteral("http://127.0.0.1:%1/webhooks/smartcar").arg(app.port()),
                   "--amt-file", amtFile, "--vehicles", "10", "--count", "400", "--rate", "0", "--seed", "11",
                   "--retry", "--ack-log", ackLog});
        QByteArray err;
        QVERIFY2(readStderrUntil(app, "cannot write the journal", &err), err.constData());
        QTest::qWait(3000); // at the edge for a while: batches fail, probes pass
        QVERIFY(QFile::remove(mount + "/filler"));
        const bool simDone = sim.waitForFinished(60000);
        const QByteArray simOutput = sim.readAll();
        QVERIFY2(simDone && sim.exitCode() == 0, simOutput.constData());
        QVERIFY2(readStderrUntil(app, "is writable again", &err), err.constData());
        QCOMPARE(err.count("cannot write the journal"), 1);
        QCOMPARE(err.count("is writable again"), 1);
        QCOMPARE(app.stop(), 0);
        QFile acks(ackLog);
        QVERIFY(acks.open(QIODevice::ReadOnly));
        QSet<QString> acked;
        for (const QByteArray &line : acks.readAll().split('\n'))
            if (!line.isEmpty())
                acked.insert(QString::fromUtf8(line));
        QCOMPARE(acked.size(), 400);
        verifyStored(data, acked, {});
        const qsizetype at = simOutput.indexOf("retried:");
        qInfo("disk at the edge of full: one episode on stderr; fleetsim %s",
              simOutput.mid(at, simOutput.indexOf('\n', at) - at).constData());
    }

    void theWalKeepsWithinWhatASmallDiskHasLeft() {
        // 6 MB left: 300 deliveries, each in a commit of its own, write about 12 MB of WAL frames
        // (a 4-5 KB body dirties several pages per commit) though the database itself grows by
        // under 2 MB. A WAL left to grow to its usual limits before being copied would fill the
        // disk, and then could never be copied into a database file with no room to grow.
        const QString mount = m_tmp.filePath("small");
        MountedTmpfs fs;
        QByteArray why;
        QVERIFY2(fs.mount(mount, "16m", &why), why.constData());
        QVERIFY(fill(mount + "/filler") > 0);
        QVERIFY(QFile::resize(mount + "/filler", QFileInfo(mount + "/filler").size() - 6 * 1024 * 1024));
        const QString data = mount + "/data";
        FleetmonProcess app(data, kAmt);
        QVERIFY(app.start());
        QSet<QString> acked;
        QVERIFY(postAccepted(app.port(), 300, &acked));
        const qint64 walBytes = QFileInfo(data + "/journal.sqlite-wal").size();
        QVERIFY2(walBytes <= 3 * 1024 * 1024, qPrintable(QString::number(walBytes)));
        QCOMPARE(app.stop(), 0);
        verifyStored(data, acked, {});
    }

    void readOnlyFolderAnswers503AndRecoversWithoutRestart() {
        // fleetmon keeps its data in `view`, a second mount of the tmpfs that can turn read-only
        // while the filler is still removed through the first.
        const QString mount = m_tmp.filePath("ro");
        const QString view = m_tmp.filePath("ro-view");
        MountedTmpfs fs;
        QByteArray why;
        QVERIFY2(fs.mount(mount, "4m", &why), why.constData());
        QVERIFY2(fs.bindView(mount, view, &why), why.constData());
        const QString data = view + "/data";
        FleetmonProcess app(data, kAmt);
        QVERIFY(app.start());
        QSet<QString> acked;
        QVERIFY(postAccepted(app.port(), 10, &acked));
        // A mount cannot be made read-only while a file on it is open for writing: the journal
        // meets the flag when it opens the file again, as it does after a failed write.
        QVERIFY(fill(mount + "/filler") > 0);
        Delivery refused;
        QCOMPARE(postUntilRefused(app.port(), &acked, &refused, nullptr), 503);
        // Refused ("busy") while a file of the mount is open for writing: it succeeds between two
        // attempts of the journal to open the file again.
        QElapsedTimer clock;
        clock.start();
        bool readOnly = false;
        while (!readOnly && clock.elapsed() < 10000) {
            readOnly = fs.setReadOnly(view, true, &why);
            if (!readOnly)
                QTest::qWait(20);
        }
        QVERIFY2(readOnly, why.constData());
        QVERIFY(QFile::remove(mount + "/filler")); // room again, but the folder is read-only
        QTest::qWait(2500);                        // longer than the longest wait between two attempts
        QCOMPARE(post(app.port(), refused.body), 503);
        const Delivery whileReadOnly = next();
        QCOMPARE(post(app.port(), whileReadOnly.body), 503);

        QVERIFY2(fs.setReadOnly(view, false, &why), why.constData());
        const qint64 recoveryMs = msUntilAcknowledged(app.port(), refused, 10000);
        QVERIFY2(recoveryMs >= 0, "still refused 10 s after the folder became writable");
        acked.insert(refused.eventId);
        QVERIFY(msUntilAcknowledged(app.port(), whileReadOnly, 1000) >= 0);
        acked.insert(whileReadOnly.eventId);
        QByteArray err;
        QVERIFY2(readStderrUntil(app, "is writable again", &err), err.constData());
        QCOMPARE(err.count("cannot write the journal"), 1); // one episode, full then read-only
        QCOMPARE(err.count("is writable again"), 1);
        QCOMPARE(app.stop(), 0);
        verifyStored(data, acked, {});
        qInfo("read-only data folder: 503 while read-only; 2xx again %lld ms after remounting rw; %lld "
              "acknowledged deliveries all stored once",
              recoveryMs, qint64(acked.size()));
    }
};

namespace {

// True when `unshare` with these flags can mount a tmpfs in a private mount namespace here.
bool namespaceWorks(const std::vector<const char *> &flags) {
    char dir[] = "/tmp/fleetmon-unshare-XXXXXX";
    if (!::mkdtemp(dir))
        return false;
    const std::string script = std::string("mount -t tmpfs -o size=64k tmpfs ") + dir;
    const pid_t child = ::fork();
    if (child == 0) {
        std::vector<const char *> argv{"unshare"};
        argv.insert(argv.end(), flags.begin(), flags.end());
        for (const char *a : {"--propagation", "private", "sh", "-c", script.c_str()})
            argv.push_back(a);
        argv.push_back(nullptr);
        ::freopen("/dev/null", "w", stderr);
        ::execvp("unshare", const_cast<char *const *>(argv.data()));
        ::_exit(127);
    }
    int status = 0;
    const bool ok =
        child > 0 && ::waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    ::rmdir(dir);
    return ok;
}

} // namespace

int main(int argc, char **argv) {
    if (!std::getenv(kInsideVariable)) {
        // Root needs only a mount namespace; anyone else a user namespace mapped to root as well.
        const std::vector<const char *> flags = ::geteuid() == 0
                                                    ? std::vector<const char *>{"--mount"}
                                                    : std::vector<const char *>{"--map-root-user", "--mount"};
        if (namespaceWorks(flags)) {
            ::setenv(kInsideVariable, "1", 1);
            std::vector<char *> args{const_cast<char *>("unshare")};
            for (const char *f : flags)
                args.push_back(const_cast<char *>(f));
            args.push_back(const_cast<char *>("--propagation"));
            args.push_back(const_cast<char *>("private"));
            for (int i = 0; i < argc; ++i)
                args.push_back(argv[i]);
            args.push_back(nullptr);
            ::execvp("unshare", args.data());
        }
        ::setenv(kSkipVariable,
                 "cannot mount a tmpfs here: `unshare --mount` (and `--map-root-user --mount` for a "
                 "non-root user) failed; user namespaces may be disabled",
                 1);
    }
    QCoreApplication app(argc, argv);
    tst_DiskFull test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_DiskFull.moc"
