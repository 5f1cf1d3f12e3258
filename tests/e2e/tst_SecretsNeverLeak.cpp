// No secret Fleet Monitor holds ever reaches something a person or another program reads: the
// Application Management Token (from --amt-file and from FLEETMON_AMT), the OAuth client secret,
// and every code, access, refresh and app token the local fake Smartcar issues. The real binary is
// driven through VERIFY, signed deliveries (also from fleetsim), bad signatures, /healthz, Connect
// (through a browser launcher that records what it inherited), vehicles, subscribe (v2 and v3), a
// token refresh, unsubscribe, Smartcar and network failures, and every export kind and format; the
// desktop app runs offscreen with a custom tunnel; the delivery inspector renders the resulting
// journal offscreen, and the setup wizard its pages. Everything printed, answered, written to disk
// (bar the two private secret stores), left in /proc/PID/environ, inherited by a child program or
// shown is then searched for each secret, raw and in the transformed forms a program might print
// (hex, base64 at every alignment, base64url, percent-encoding, the HTTP Basic credentials).

#include "model/DeliveryLogModel.h"
#include "model/FleetCommands.h"
#include "smartcar/Signature.h"
#include "store/DeliveryDetailService.h"
#include "store/JournalReader.h"
#include "support/FakeSmartcar.h"
#include "support/Fixtures.h"
#include "support/FleetmonProcess.h"
#include "support/RawHttpClient.h"
#include "support/SecretForms.h"
#include "ui/DeliveryInspector.h"
#include "ui/SetupWizard.h"

#include <QApplication>
#include <QDirIterator>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QSettings>
#include <QTableView>
#include <QTcpServer>
#include <QTextEdit>
#include <QUrlQuery>
#include <QWizardPage>
#include <QtTest>
#include <sys/stat.h>

using testsupport::FakeSmartcar;
using testsupport::fixture;
using testsupport::FleetmonProcess;
using testsupport::formsOf;
using testsupport::RawHttpClient;
using testsupport::RawResponse;
using testsupport::SecretForm;

namespace {

const QByteArray kAmtFromFile = "amtfile-7Qx9Lm3ZpR2vK8wTq4";
const QByteArray kAmtFromEnv = "amtenv-4Hn6Bd1YcF0sJ5uEg8";
const QByteArray kClientSecret = "clientsecret-9Vw2/Xe8Rt+Y3uI7oPz5"; // "/" and "+" change in forms
const QString kClientId = QStringLiteral("e2e-secrets-client");
const QString kWebhookId = QStringLiteral("wh-e2e-secrets");

QByteArray readAll(const QString &path) {
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

int fileMode(const QString &path) {
    struct stat st {};
    return ::stat(QFile::encodeName(path).constData(), &st) == 0 ? int(st.st_mode & 0777) : -1;
}

quint16 freePort() {
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
}

class NoCommands final : public model::FleetCommands {
public:
    void acknowledgeAlert(qint64, const QString &) override {}
    void acknowledgeAllAlerts(const QString &) override {}
    void replayDelivery(qint64) override {}
    void watchVehicles(const QStringList &) override {}
};

} // namespace

class tst_SecretsNeverLeak : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init();
    void nothingLeaks();

private:
    // Everything that was printed, answered, written or shown, by where it came from.
    void record(const QString &where, const QByteArray &bytes) { m_outputs.append({where, bytes}); }
    // The last run's stdout and stderr, for failure messages.
    const char *lastOutput() {
        m_lastOutput =
            m_outputs.value(m_outputs.size() - 2).second + m_outputs.value(m_outputs.size() - 1).second;
        return m_lastOutput.constData();
    }
    QProcessEnvironment environment() const;
    int run(const QStringList &args, const QProcessEnvironment &env, const QString &label);
    RawResponse post(quint16 port, const QByteArray &body, const QByteArray &signature, const QString &label);
    void headlessFromFile();
    void headlessFromEnvironment();
    void accountCommands();
    void exports();
    void files();
    void inspector();
    void setupWizard();
    void desktopWithTunnel();

    std::unique_ptr<QTemporaryDir> m_home;
    std::unique_ptr<FakeSmartcar> m_fake;
    QString m_dataDir;
    QList<QPair<QString, QByteArray>> m_outputs;
    QByteArray m_lastOutput;
    QStringList m_vehicles;
    QList<QByteArray> m_signatures; // full SC-Signature values sent: the inspector may show 8 characters
};

void tst_SecretsNeverLeak::init() {
    m_home = std::make_unique<QTemporaryDir>();
    QVERIFY(m_home->isValid());
    m_dataDir = m_home->filePath("data");
    m_fake = std::make_unique<FakeSmartcar>(kClientId, kClientSecret, kWebhookId, kAmtFromEnv);
    m_vehicles = {QStringLiteral("0b3c5f5e-1111-4e1e-9b0a-5e5a1c0de001"),
                  QStringLiteral("0b3c5f5e-2222-4e1e-9b0a-5e5a1c0de002")};
    m_outputs.clear();
}

QProcessEnvironment tst_SecretsNeverLeak::environment() const {
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const char *name : {"FLEETMON_SMARTCAR_API", "FLEETMON_SMARTCAR_AUTH", "FLEETMON_SMARTCAR_CONNECT",
                             "FLEETMON_SMARTCAR_MANAGEMENT", "FLEETMON_SMARTCAR_IAM"})
        env.insert(QLatin1String(name), m_fake->baseUrl());
    env.insert("FLEETMON_CLIENT_ID", kClientId);
    env.insert("FLEETMON_CLIENT_SECRET", QString::fromUtf8(kClientSecret));
    env.insert("FLEETMON_WEBHOOK_ID", kWebhookId);
    env.insert("FLEETMON_NO_KEYCHAIN", "1");
    env.insert("HOME", m_home->path());
    env.insert("XDG_CONFIG_HOME", m_home->filePath("config"));
    env.insert("XDG_DATA_HOME", m_home->filePath("share"));
    env.remove("FLEETMON_AMT");
    env.remove("FLEETMON_SMARTCAR_V3");
    env.remove("FLEETMON_ALLOW_CORE_DUMPS");
    env.remove("DISPLAY");
    env.remove("WAYLAND_DISPLAY");
    return env;
}

int tst_SecretsNeverLeak::run(const QStringList &args, const QProcessEnvironment &env, const QString &label) {
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(FLEETMON_BINARY), args + QStringList{QStringLiteral("--data-dir"), m_dataDir});
    if (!p.waitForFinished(30000))
        return -1;
    record(label + " stdout", p.readAllStandardOutput());
    record(label + " stderr", p.readAllStandardError());
    return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
}

RawResponse tst_SecretsNeverLeak::post(quint16 port, const QByteArray &body, const QByteArray &signature,
                                       const QString &label) {
    RawHttpClient client(port);
    RawResponse r;
    if (!client.waitConnected())
        return r;
    QByteArray request = "POST /webhooks/smartcar HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                         "application/json\r\nUser-Agent: Smartcar/e2e\r\n";
    if (!signature.isEmpty()) {
        request += "SC-Signature: " + signature + "\r\n";
        m_signatures << signature;
    }
    client.send(request + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    if (client.read(&r, 10000)) {
        QByteArray answer;
        for (const auto &h : r.headers)
            answer += h.first + ": " + h.second + "\n";
        record(label + " answer", answer + r.body);
    }
    return r;
}

// The AMT from --amt-file: VERIFY, signed deliveries, bad and missing signatures, /healthz.
void tst_SecretsNeverLeak::headlessFromFile() {
    FleetmonProcess app(m_dataDir, kAmtFromFile);
    app.process().setProcessEnvironment(environment());
    QVERIFY(app.start());
    const quint16 port = app.port();

    const QByteArray verify = fixture("vw_id_4_verify.json");
    RawResponse r = post(port, verify, {}, "VERIFY");
    QCOMPARE(r.status, 200);
    const QByteArray challenge = QJsonDocument::fromJson(verify)
                                     .object()
                                     .value("data")
                                     .toObject()
                                     .value("challenge")
                                     .toString()
                                     .toUtf8();
    QVERIFY(!challenge.isEmpty());
    QVERIFY(r.body.contains(smartcar::Signature::hmacSha256Hex(kAmtFromFile, challenge))); // the right key

    for (const char *name : {"polestar_2_all.json", "vw_id_4_all.json", "vw_id_4_error.json"}) {
        const QByteArray body = fixture(QString::fromLatin1(name));
        r = post(port, body, smartcar::Signature::hmacSha256Hex(kAmtFromFile, body), name);
        QCOMPARE(r.status, 200);
    }
    const QByteArray body = fixture("byd_seal_all.json");
    r = post(port, body, smartcar::Signature::hmacSha256Hex(kAmtFromEnv, body), "bad signature");
    QCOMPARE(r.status, 401);
    r = post(port, body, {}, "missing signature");
    QCOMPARE(r.status, 401);

    // The load generator signs with the same token file: its report is an output too.
    QProcess fleetsim;
    fleetsim.start(QStringLiteral(FLEETSIM_BINARY),
                   {"--url", QStringLiteral("http://127.0.0.1:%1/webhooks/smartcar").arg(port), "--amt-file",
                    QFileInfo(m_dataDir).absolutePath() + "/amt-data.txt", "--vehicles", "3", "--rate", "10",
                    "--duration", "1"});
    QVERIFY(fleetsim.waitForFinished(30000));
    const QByteArray report = fleetsim.readAllStandardOutput();
    QVERIFY2(fleetsim.exitCode() == 0 && report.contains("acknowledged"), report.constData());
    record("fleetsim stdout", report);
    record("fleetsim stderr", fleetsim.readAllStandardError());

    RawHttpClient health(port);
    QVERIFY(health.waitConnected());
    health.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QVERIFY(health.read(&r));
    QCOMPARE(r.status, 200);
    record("/healthz", r.body);

    QCOMPARE(app.stop(), 0);
    record("headless --amt-file stdout", app.process().readAllStandardOutput());
    record("headless --amt-file stderr", app.process().readAllStandardError());
}

// The AMT from FLEETMON_AMT. Developer mode keeps /proc/PID/environ readable to this test, which
// shows what the running process still carries in its environment (and what children inherit).
void tst_SecretsNeverLeak::headlessFromEnvironment() {
    QProcess p;
    QProcessEnvironment env = environment();
    env.insert("FLEETMON_AMT", QString::fromUtf8(kAmtFromEnv));
    env.insert("FLEETMON_ALLOW_CORE_DUMPS", "1");
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(FLEETMON_BINARY),
            {"--headless", "--listen", "127.0.0.1:0", "--data-dir", m_dataDir});
    QVERIFY(p.waitForStarted(10000));
    QByteArray out;
    while (!out.contains('\n')) {
        QVERIFY2(p.waitForReadyRead(15000), p.readAllStandardError().constData());
        out += p.readAllStandardOutput();
    }
    const QByteArray prefix = "listening on http://127.0.0.1:";
    QVERIFY2(out.startsWith(prefix), out.constData());
    const quint16 port = quint16(out.mid(prefix.size()).split('/').first().toUInt());

    const QByteArray initialEnvironment = readAll(QStringLiteral("/proc/%1/environ").arg(p.processId()));
    QVERIFY(initialEnvironment.contains("FLEETMON_WEBHOOK_ID")); // it was readable
    record("/proc/PID/environ of fleetmon --headless", initialEnvironment);

    const QByteArray body = fixture("jaguar_ipace_all.json");
    const RawResponse r =
        post(port, body, smartcar::Signature::hmacSha256Hex(kAmtFromEnv, body), "FLEETMON_AMT");
    QCOMPARE(r.status, 200);
    ::kill(pid_t(p.processId()), SIGTERM);
    QVERIFY(p.waitForFinished(15000));
    QCOMPARE(p.exitCode(), 0);
    record("headless FLEETMON_AMT stdout", out + p.readAllStandardOutput());
    record("headless FLEETMON_AMT stderr", p.readAllStandardError());
}

void tst_SecretsNeverLeak::accountCommands() {
    // `connect` opens the browser through xdg-open when there is a display: a stand-in records the
    // environment it inherited, which is what any program the app starts (a tunnel too) would get.
    const QString bin = m_home->filePath("bin");
    QVERIFY(QDir().mkpath(bin));
    const QString launcherEnv = m_home->filePath("xdg-open.env");
    {
        QFile script(bin + "/xdg-open");
        QVERIFY(script.open(QIODevice::WriteOnly));
        script.write("#!/bin/sh\nenv > '" + launcherEnv.toUtf8() + "'\n");
        script.close();
        QVERIFY(script.setPermissions(script.permissions() | QFileDevice::ExeOwner));
    }
    QProcessEnvironment env = environment();
    env.insert("FLEETMON_AMT", QString::fromUtf8(kAmtFromEnv));
    env.insert("DISPLAY", ":97");
    env.insert("PATH", bin + ":" + env.value("PATH"));

    m_fake->setVehiclesForNextGrant(m_vehicles);
    const quint16 port = freePort();
    QProcess connect;
    connect.setProcessEnvironment(env);
    connect.start(QStringLiteral(FLEETMON_BINARY),
                  {"connect", "--listen", QStringLiteral("127.0.0.1:%1").arg(port), "--data-dir", m_dataDir});
    QVERIFY(connect.waitForStarted(10000));
    QByteArray out;
    QUrl authorize;
    while (!authorize.isValid()) {
        QVERIFY2(connect.waitForReadyRead(15000), connect.readAllStandardError().constData());
        out += connect.readAllStandardOutput();
        for (const QByteArray &line : out.split('\n'))
            if (line.startsWith(m_fake->baseUrl().toUtf8()) && out.contains("Waiting"))
                authorize = QUrl::fromEncoded(line.trimmed());
    }
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(launcherEnv), 10000);
    // The browser's part: Smartcar's consent page redirects back to the app with a code.
    RawHttpClient browser(m_fake->port());
    QVERIFY(browser.waitConnected());
    browser.send("GET " + authorize.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority) +
                 " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    RawResponse r;
    QVERIFY(browser.read(&r));
    QCOMPARE(r.status, 302);
    const QUrl back = QUrl::fromEncoded(r.header("Location"));
    QCOMPARE(back.port(), int(port));
    RawHttpClient callback(port);
    QVERIFY(callback.waitConnected());
    callback.send("GET " + back.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority) +
                  " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QVERIFY(callback.read(&r, 15000));
    QCOMPARE(r.status, 200);
    record("OAuth callback page", r.body);
    QVERIFY(connect.waitForFinished(15000));
    out += connect.readAllStandardOutput();
    QVERIFY2(connect.exitCode() == 0 && out.contains("connected"), out.constData());
    record("connect stdout", out);
    record("connect stderr", connect.readAllStandardError());
    record("environment inherited by xdg-open", readAll(launcherEnv));

    // The headless path: a code obtained elsewhere.
    m_fake->setVehiclesForNextGrant({QStringLiteral("0b3c5f5e-3333-4e1e-9b0a-5e5a1c0de003")});
    const QString redirect = QStringLiteral("http://127.0.0.1:8787/oauth/callback");
    QCOMPARE(run({"connect", "--code", m_fake->issueCode(redirect), "--redirect-uri", redirect}, env,
                 "connect --code"),
             0);
    QVERIFY2(run({"vehicles"}, env, "vehicles") == 0, lastOutput());
    QVERIFY2(run({"subscribe", "--all"}, env, "subscribe --all") == 0, lastOutput());
    QCOMPARE(m_fake->subscribedVehicles().size(), 3);

    // Expired access tokens: the next call refreshes them (a new pair, the old refresh token dies).
    const int refreshesBefore = m_fake->count("refresh");
    m_fake->expireAccessTokens();
    QVERIFY2(run({"subscribe", "--all"}, env, "subscribe after expiry") == 0, lastOutput());
    QVERIFY(m_fake->count("refresh") > refreshesBefore);

    QVERIFY2(run({"unsubscribe", m_vehicles.first()}, env, "unsubscribe (AMT)") == 0, lastOutput());
    QVERIFY(!m_fake->isSubscribed(m_vehicles.first()));

    // v3: the client secret buys an app token from iam.
    QProcessEnvironment v3 = env;
    v3.insert("FLEETMON_SMARTCAR_V3", "1");
    QVERIFY2(run({"subscribe", m_vehicles.first()}, v3, "subscribe (v3)") == 0, lastOutput());
    QVERIFY(m_fake->count("apptoken") >= 1);

    // Failures print Smartcar's words or the network's, never a credential.
    FakeSmartcar::Fault fault;
    fault.pathContains = "/webhooks/";
    fault.status = 401;
    fault.type = QStringLiteral("AUTHENTICATION");
    fault.code = QStringLiteral("INVALID_TOKEN");
    fault.description = QStringLiteral("The access token is not valid.");
    m_fake->addFault(fault);
    QVERIFY2(run({"unsubscribe", m_vehicles.last()}, env, "unsubscribe refused") == 1, lastOutput());
    QProcessEnvironment unreachable = env;
    unreachable.insert("FLEETMON_SMARTCAR_API", QStringLiteral("http://127.0.0.1:%1").arg(freePort()));
    QVERIFY2(run({"vehicles"}, unreachable, "vehicles unreachable") != 0, lastOutput());
    m_fake->expireAccessTokens();
    m_fake->revokeRefreshTokens();
    QVERIFY2(run({"subscribe", m_vehicles.last()}, env, "subscribe revoked") == 1, lastOutput());
    QCOMPARE(m_fake->violations().filter(QStringLiteral("token:")), QStringList());
}

void tst_SecretsNeverLeak::exports() {
    for (const char *what : {"vehicles", "deliveries", "history", "alerts"}) {
        for (const char *format : {"json", "csv"}) {
            const QString label =
                QStringLiteral("export %1 --format %2").arg(QLatin1String(what), QLatin1String(format));
            QVERIFY2(run({"export", what, "--format", format}, environment(), label) == 0, lastOutput());
            QVERIFY2(!m_outputs.at(m_outputs.size() - 2).second.isEmpty(), qPrintable(label));
        }
    }
}

// Every file the runs left behind, except the two private stores whose job is to hold secrets.
void tst_SecretsNeverLeak::files() {
    const QString tokens = QDir(m_dataDir).filePath("tokens.json");
    QCOMPARE(fileMode(tokens), 0600);
    const QString secrets = m_home->filePath("config/FleetMonitor/secrets.conf");
    if (QFile::exists(secrets))
        QCOMPARE(fileMode(secrets), 0600);
    // The store that is meant to hold tokens does: the search below looks for the right bytes.
    const QByteArray stored = readAll(tokens);
    bool found = false;
    for (const QByteArray &secret : m_fake->issuedSecrets())
        found = found || stored.contains(secret);
    QVERIFY(found);

    QDirIterator it(m_home->path(), QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    int searched = 0;
    while (it.hasNext()) {
        const QString path = it.next();
        if (path == tokens || path == secrets || path.endsWith(".env") || path.endsWith("/amt-data.txt"))
            continue; // written by this test: inherited environments (recorded apart) and the AMT input
        record(QStringLiteral("file %1").arg(QDir(m_home->path()).relativeFilePath(path)), readAll(path));
        ++searched;
    }
    QVERIFY(searched >= 2); // at least the journal and the settings
}

// The inspector over the journal the runs wrote, rendered offscreen: each delivery selected, every
// text it shows collected.
void tst_SecretsNeverLeak::inspector() {
    store::JournalReader reader;
    QString error;
    QVERIFY2(reader.open(QDir(m_dataDir).filePath("journal.sqlite"), &error), qPrintable(error));
    QList<model::DeliveryLogEntry> entries;
    store::JournalReader::Filter filter;
    filter.withBodies = false;
    QVERIFY(reader.forEach(
        filter,
        [&](const model::Delivery &d) {
            model::DeliveryLogEntry e;
            e.journalId = d.id;
            e.receivedAtMs = d.receivedAtMs;
            e.eventId = d.eventId;
            e.eventType = d.eventType;
            e.vehicleId = d.vehicleId;
            e.verdict = d.verdict;
            e.status = d.status;
            e.replay = d.replay;
            entries.append(e);
            return true;
        },
        &error));
    QVERIFY(entries.size() >= 7);

    model::DeliveryLogModel log;
    log.appendEntries(entries);
    store::DeliveryDetailService details;
    QVERIFY2(details.open(QDir(m_dataDir).filePath("journal.sqlite"), &error), qPrintable(error));
    NoCommands commands;
    ui::DeliveryInspector inspector(&log, &details, &commands);
    inspector.resize(1200, 800);
    inspector.show();
    QVERIFY(QTest::qWaitForWindowExposed(&inspector));

    QString shown;
    int signaturesShown = 0;
    QTableView *view = inspector.view();
    for (int row = 0; row < view->model()->rowCount(); ++row) {
        view->selectRow(row);
        // Selecting clears the placeholder; the stored form's arrival sets it.
        QVERIFY(inspector.selectedJournalId() != 0);
        QTRY_VERIFY_WITH_TIMEOUT(!inspector.headersView()->placeholderText().isEmpty(), 10000);
        const QString headers = inspector.headersView()->toPlainText();
        for (const QString &line : headers.split('\n')) {
            if (!line.startsWith("SC-Signature: "))
                continue;
            // The first 8 hexadecimal characters and an ellipsis, nothing more.
            QVERIFY2(QRegularExpression("^SC-Signature: [0-9a-f]{8}\u2026$").match(line).hasMatch(),
                     qPrintable(line));
            ++signaturesShown;
        }
        shown += headers + '\n' + inspector.bodyView()->toPlainText() + '\n';
        for (const QLabel *label : inspector.findChildren<QLabel *>())
            shown += label->text() + '\n' + label->toolTip() + '\n';
        for (int column = 0; column < view->model()->columnCount(); ++column) {
            const QModelIndex index = view->model()->index(row, column);
            for (int role : {int(Qt::DisplayRole), int(Qt::ToolTipRole), int(Qt::StatusTipRole)})
                shown += index.data(role).toString() + '\n';
        }
    }
    QVERIFY(signaturesShown >= 4);
    for (const QByteArray &signature : std::as_const(m_signatures))
        QVERIFY2(!shown.contains(QString::fromLatin1(signature.left(9))), signature.constData());
    record("delivery inspector (rendered text)", shown.toUtf8());
}

// The desktop app (offscreen) with both secrets in its environment and a custom tunnel program: the
// tunnel records the environment it inherited, as any tunnel program could print it into the output
// the app shows.
void tst_SecretsNeverLeak::desktopWithTunnel() {
    const QString tunnelEnv = m_home->filePath("tunnel.env");
    const QString tunnelPid = m_home->filePath("tunnel.pid");
    {
        QSettings settings(m_home->filePath("config/FleetMonitor/fleetmon.conf"), QSettings::IniFormat);
        settings.setValue("tunnel/kind", int(model::SetupValues::Tunnel::Custom));
        settings.setValue("tunnel/customCommand",
                          QStringLiteral("/bin/sh -c \"env > '%1'; echo $$ > '%2'; echo "
                                         "https://tunnel.example.test; exec sleep 30\"")
                              .arg(tunnelEnv, tunnelPid));
        settings.setValue("tunnel/customUrlPattern", QStringLiteral("https://\\S+"));
        settings.setValue("secrets/fileWarningShown", true); // no modal box waiting for a click
    }
    QProcess app;
    QProcessEnvironment env = environment();
    env.insert("FLEETMON_AMT", QString::fromUtf8(kAmtFromEnv));
    env.insert("QT_QPA_PLATFORM", "offscreen");
    app.setProcessEnvironment(env);
    app.start(QStringLiteral(FLEETMON_BINARY), {"--listen", "127.0.0.1:0", "--data-dir", m_dataDir});
    QVERIFY(app.waitForStarted(10000));
    QTRY_VERIFY_WITH_TIMEOUT(QFile::exists(tunnelPid) && !readAll(tunnelPid).trimmed().isEmpty(), 20000);
    ::kill(pid_t(app.processId()), SIGTERM);
    app.waitForFinished(15000);
    const pid_t tunnel = pid_t(readAll(tunnelPid).trimmed().toInt());
    if (tunnel > 0)
        ::kill(tunnel, SIGTERM); // the app did not get to stop it
    const QByteArray inherited = readAll(tunnelEnv);
    QVERIFY(inherited.contains("FLEETMON_WEBHOOK_ID")); // the rest of the environment is passed on
    record("environment inherited by the tunnel program", inherited);
    record("desktop app stdout", app.readAllStandardOutput());
    record("desktop app stderr", app.readAllStandardError());
}

// The setup wizard holding the secrets, rendered offscreen: every page's visible text (labels, the
// fields as displayed, tooltips) and the summary, which masks them.
void tst_SecretsNeverLeak::setupWizard() {
    model::SetupValues values;
    values.amt = QString::fromUtf8(kAmtFromFile);
    values.clientSecret = QString::fromUtf8(kClientSecret);
    values.clientId = QStringLiteral("6f1c2a9e-8d3b-4c5e-9a7f-0b1d2c3e4f50");
    values.webhookId = QStringLiteral("1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d");
    values.dataDir = m_dataDir;
    ui::SetupWizard wizard(values);
    wizard.show();
    QVERIFY(QTest::qWaitForWindowExposed(&wizard));
    QString shown;
    QList<int> visited;
    while (!visited.contains(wizard.currentId())) {
        visited << wizard.currentId();
        QWizardPage *page = wizard.currentPage();
        for (const QLabel *label : page->findChildren<QLabel *>())
            shown += label->text() + '\n' + label->toolTip() + '\n';
        for (const QLineEdit *edit : page->findChildren<QLineEdit *>())
            shown += edit->displayText() + '\n' + edit->toolTip() + '\n';
        for (const QTextEdit *text : page->findChildren<QTextEdit *>())
            shown += text->toPlainText() + '\n';
        shown += page->title() + '\n' + page->subTitle() + '\n';
        wizard.next();
    }
    QVERIFY2(visited.size() >= 4, qPrintable(QString::number(visited.size()))); // reached the summary
    QCOMPARE(wizard.values(), values); // the secrets were there to leak
    record("setup wizard (rendered text)", shown.toUtf8());
}

void tst_SecretsNeverLeak::nothingLeaks() {
    headlessFromFile();
    if (QTest::currentTestFailed())
        return;
    headlessFromEnvironment();
    if (QTest::currentTestFailed())
        return;
    accountCommands();
    if (QTest::currentTestFailed())
        return;
    desktopWithTunnel();
    if (QTest::currentTestFailed())
        return;
    exports();
    if (QTest::currentTestFailed())
        return;
    files();
    if (QTest::currentTestFailed())
        return;
    inspector();
    if (QTest::currentTestFailed())
        return;
    setupWizard();
    if (QTest::currentTestFailed())
        return;

    QList<SecretForm> needles = formsOf("AMT from --amt-file", kAmtFromFile) +
                                formsOf("AMT from FLEETMON_AMT", kAmtFromEnv) +
                                formsOf("client secret", kClientSecret);
    // The HTTP Basic credentials the token endpoint gets, whole.
    needles.append({"client credentials (Basic)", (kClientId.toUtf8() + ':' + kClientSecret).toBase64()});
    const QList<QByteArray> issued = m_fake->issuedSecrets();
    QVERIFY(issued.size() >= 8); // two codes, three access/refresh pairs at least, an app token
    for (const QByteArray &secret : issued)
        needles += formsOf(QStringLiteral("issued %1").arg(QString::fromLatin1(secret)), secret);

    qint64 searchedBytes = 0;
    QStringList leaks;
    for (const auto &[where, bytes] : std::as_const(m_outputs)) {
        searchedBytes += bytes.size();
        for (const SecretForm &needle : std::as_const(needles))
            if (bytes.contains(needle.bytes))
                leaks << QStringLiteral("%1 shows the %2").arg(where, needle.what);
    }
    QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join('\n')));
    QVERIFY(searchedBytes > 10000); // the searched outputs are real
}

QTEST_MAIN(tst_SecretsNeverLeak)
#include "tst_SecretsNeverLeak.moc"
