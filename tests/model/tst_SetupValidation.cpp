// The setup validators: for each field, values that must pass and values that must be refused with
// a message (never a silent empty string), and validate() reporting every problem at once.

#include "model/SetupValidation.h"

#include <QtTest>

using model::SetupValues;

namespace {

const QString kAmt = QStringLiteral("a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d");
const QString kUuid = QStringLiteral("3a5c8f72-e6d9-4b1a-9f2e-8c7d6a5b4e3f");
const QString kWarning =
    QStringLiteral("Other machines can reach the endpoint directly; a tunnel needs only 127.0.0.1");

SetupValues validValues() {
    SetupValues v;
    v.amt = kAmt;
    v.webhookId = kUuid;
    v.clientId = QStringLiteral("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
    v.clientSecret = QStringLiteral("s3cr3t-value");
    v.tunnel = SetupValues::Tunnel::Cloudflared;
    v.listenAddress = QStringLiteral("127.0.0.1:8787");
    v.dataDir = QStringLiteral("/var/lib/fleetmon");
    return v;
}

} // namespace

class tst_SetupValidation final : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void amt_data();
    void amt();
    void webhookId_data();
    void webhookId();
    void clientCredentials_data();
    void clientCredentials();
    void listenAddress_data();
    void listenAddress();
    void customTunnel_data();
    void customTunnel();
    void customTunnelParts();
    void dataDir_data();
    void dataDir();
    void validateAcceptsCompleteSetup();
    void validateCollectsEveryProblem();
    void validateChecksCustomTunnelOnlyWhenChosen();
    void validateAcceptsDefaultDataDir();
};

void tst_SetupValidation::amt_data() {
    QTest::addColumn<QString>("amt");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("mentions"); // a word the message must contain, to know it is the right one

    QTest::newRow("uuid-like") << kAmt << true << QString();
    QTest::newRow("exactly 16") << QStringLiteral("abcdefghijklmnop") << true << QString();
    QTest::newRow("punctuation") << QStringLiteral("A-b_c.d~e!f@g#h$i%j^k&l*") << true << QString();
    QTest::newRow("empty") << QString() << false << QStringLiteral("API Keys");
    QTest::newRow("15 chars") << QStringLiteral("abcdefghijklmno") << false << QStringLiteral("15");
    QTest::newRow("trailing newline") << kAmt + u'\n' << false << QStringLiteral("end");
    QTest::newRow("leading space") << u' ' + kAmt << false << QStringLiteral("start");
    QTest::newRow("inner space") << QStringLiteral("abcdefgh ijklmnopq") << false << QStringLiteral("spaces");
    QTest::newRow("tab") << QStringLiteral("abcdefgh\tijklmnopq") << false << QStringLiteral("spaces");
    QTest::newRow("bullet from a masked copy")
        << QStringLiteral("abcdefgh\u2022ijklmnop") << false << QStringLiteral("U+2022");
    QTest::newRow("umlaut") << QStringLiteral("abcdefgh\u00fcijklmnop") << false << QStringLiteral("ASCII");
    QTest::newRow("control char") << QStringLiteral("abcdefgh\x07ijklmnop") << false
                                  << QStringLiteral("U+0007");
    QTest::newRow("zero-width space")
        << QStringLiteral("abcdefgh\u200bijklmnop") << false << QStringLiteral("U+200B");
}

void tst_SetupValidation::amt() {
    QFETCH(QString, amt);
    QFETCH(bool, valid);
    QFETCH(QString, mentions);
    const QString message = model::validateAmt(amt);
    QCOMPARE(message.isEmpty(), valid);
    if (!valid)
        QVERIFY2(message.contains(mentions), qPrintable(message));
}

void tst_SetupValidation::webhookId_data() {
    QTest::addColumn<QString>("id");
    QTest::addColumn<bool>("valid");

    QTest::newRow("empty: not needed until subscribing") << QString() << true;
    QTest::newRow("lower case") << kUuid << true;
    QTest::newRow("upper case") << kUuid.toUpper() << true;
    QTest::newRow("mixed case") << QStringLiteral("3A5C8f72-E6d9-4b1a-9F2E-8c7d6a5b4e3f") << true;
    QTest::newRow("braces") << u'{' + kUuid + u'}' << false;
    QTest::newRow("no dashes") << QString(kUuid).remove(u'-') << false;
    QTest::newRow("one short") << kUuid.chopped(1) << false;
    QTest::newRow("one long") << kUuid + u'0' << false;
    QTest::newRow("non-hex") << QStringLiteral("3a5c8f72-e6d9-4b1a-9f2e-8c7d6a5b4e3g") << false;
    QTest::newRow("dash moved") << QStringLiteral("3a5c8f7-2e6d9-4b1a-9f2e-8c7d6a5b4e3f") << false;
    QTest::newRow("trailing space") << kUuid + u' ' << false;
    QTest::newRow("space only") << QStringLiteral(" ") << false;
}

void tst_SetupValidation::webhookId() {
    QFETCH(QString, id);
    QFETCH(bool, valid);
    const QString message = model::validateWebhookId(id);
    QCOMPARE(message.isEmpty(), valid);
    if (!valid)
        QVERIFY2(message.contains(QStringLiteral("UUID")), qPrintable(message));
}

void tst_SetupValidation::clientCredentials_data() {
    QTest::addColumn<QString>("id");
    QTest::addColumn<QString>("secret");
    QTest::addColumn<bool>("valid");

    QTest::newRow("neither") << QString() << QString() << true;
    QTest::newRow("uuid id") << kUuid << QStringLiteral("secret") << true;
    QTest::newRow("upper-case uuid id") << kUuid.toUpper() << QStringLiteral("secret") << true;
    QTest::newRow("8-char id") << QStringLiteral("abcd1234") << QStringLiteral("secret") << true;
    QTest::newRow("id only") << kUuid << QString() << false;
    QTest::newRow("secret only") << QString() << QStringLiteral("secret") << false;
    QTest::newRow("7-char id") << QStringLiteral("abcd123") << QStringLiteral("secret") << false;
    QTest::newRow("id with space") << QStringLiteral("abcd 1234 efgh") << QStringLiteral("secret") << false;
}

void tst_SetupValidation::clientCredentials() {
    QFETCH(QString, id);
    QFETCH(QString, secret);
    QFETCH(bool, valid);
    const QString message = model::validateClientCredentials(id, secret);
    QVERIFY2(message.isEmpty() == valid, qPrintable(message));
}

void tst_SetupValidation::listenAddress_data() {
    QTest::addColumn<QString>("address");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<bool>("warns");

    QTest::newRow("default") << QStringLiteral("127.0.0.1:8787") << true << false;
    QTest::newRow("other loopback") << QStringLiteral("127.10.0.1:8787") << true << false;
    QTest::newRow("localhost") << QStringLiteral("localhost:8787") << true << false;
    QTest::newRow("port 0 picks a free one") << QStringLiteral("127.0.0.1:0") << true << false;
    QTest::newRow("port 65535") << QStringLiteral("127.0.0.1:65535") << true << false;
    QTest::newRow("ipv6 loopback") << QStringLiteral("[::1]:8787") << true << false;
    QTest::newRow("ipv6 loopback, long") << QStringLiteral("[0:0:0:0:0:0:0:1]:8787") << true << false;
    QTest::newRow("ipv4-mapped loopback") << QStringLiteral("[::ffff:127.0.0.1]:8787") << true << false;
    QTest::newRow("all interfaces") << QStringLiteral("0.0.0.0:8787") << true << true;
    QTest::newRow("lan address") << QStringLiteral("192.168.1.20:80") << true << true;
    QTest::newRow("ipv6 any") << QStringLiteral("[::]:8787") << true << true;
    QTest::newRow("ipv6 global") << QStringLiteral("[2001:db8::8a2e:370:7334]:443") << true << true;
    QTest::newRow("ipv6 upper case") << QStringLiteral("[FE80::1]:8787") << true << true;

    QTest::newRow("empty") << QString() << false << false;
    QTest::newRow("no port") << QStringLiteral("127.0.0.1") << false << false;
    QTest::newRow("empty port") << QStringLiteral("127.0.0.1:") << false << false;
    QTest::newRow("empty host") << QStringLiteral(":8787") << false << false;
    QTest::newRow("port too big") << QStringLiteral("127.0.0.1:65536") << false << false;
    QTest::newRow("port huge") << QStringLiteral("127.0.0.1:99999999999") << false << false;
    QTest::newRow("negative port") << QStringLiteral("127.0.0.1:-1") << false << false;
    QTest::newRow("plus port") << QStringLiteral("127.0.0.1:+80") << false << false;
    QTest::newRow("named port") << QStringLiteral("127.0.0.1:http") << false << false;
    QTest::newRow("host name") << QStringLiteral("fleet.example.com:8787") << false << false;
    QTest::newRow("Localhost") << QStringLiteral("Localhost:8787") << false << false;
    QTest::newRow("octet 256") << QStringLiteral("127.0.0.256:8787") << false << false;
    QTest::newRow("three octets") << QStringLiteral("127.0.1:8787") << false << false;
    QTest::newRow("leading zero octet") << QStringLiteral("127.0.0.01:8787") << false << false;
    QTest::newRow("space") << QStringLiteral("127.0.0.1: 8787") << false << false;
    QTest::newRow("unbracketed ipv6") << QStringLiteral("::1:8787") << false << false;
    QTest::newRow("unclosed bracket") << QStringLiteral("[::1:8787") << false << false;
    QTest::newRow("bracketed ipv4") << QStringLiteral("[127.0.0.1]:8787") << false << false;
    QTest::newRow("two gaps") << QStringLiteral("[1::2::3]:8787") << false << false;
    QTest::newRow("nine groups") << QStringLiteral("[1:2:3:4:5:6:7:8:9]:8787") << false << false;
    QTest::newRow("group too long") << QStringLiteral("[12345::1]:8787") << false << false;
    QTest::newRow("zone id") << QStringLiteral("[fe80::1%eth0]:8787") << false << false;
    QTest::newRow("url") << QStringLiteral("http://127.0.0.1:8787") << false << false;
}

void tst_SetupValidation::listenAddress() {
    QFETCH(QString, address);
    QFETCH(bool, valid);
    QFETCH(bool, warns);
    const QString message = model::validateListenAddress(address);
    QVERIFY2(message.isEmpty() == valid, qPrintable(address + QLatin1String(" -> ") + message));
    if (!valid)
        QVERIFY2(message.contains(QStringLiteral("e.g.")) || message.contains(QStringLiteral("0 to 65535")),
                 qPrintable(message)); // says what is expected, not only that it is wrong
    QCOMPARE(model::listenAddressWarning(address), warns ? kWarning : QString());
}

void tst_SetupValidation::customTunnel_data() {
    QTest::addColumn<QString>("command");
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<bool>("valid");

    QTest::newRow("bore") << QStringLiteral("bore local {port} --to bore.pub")
                          << QStringLiteral("listening at (bore\\.pub:\\d+)") << true;
    QTest::newRow("https url") << QStringLiteral("mytunnel --to localhost:{port}")
                               << QStringLiteral("https://[a-z0-9-]+\\.example\\.net") << true;
    QTest::newRow("empty command") << QString() << QStringLiteral("https://\\S+") << false;
    QTest::newRow("blank command") << QStringLiteral("   ") << QStringLiteral("https://\\S+") << false;
    QTest::newRow("no {port}") << QStringLiteral("mytunnel --to localhost:8787")
                               << QStringLiteral("https://\\S+") << false;
    QTest::newRow("{PORT}") << QStringLiteral("mytunnel {PORT}") << QStringLiteral("https://\\S+") << false;
    QTest::newRow("empty pattern") << QStringLiteral("mytunnel {port}") << QString() << false;
    QTest::newRow("unclosed group") << QStringLiteral("mytunnel {port}") << QStringLiteral("(https://\\S+")
                                    << false;
    QTest::newRow("bad class") << QStringLiteral("mytunnel {port}") << QStringLiteral("https://[a-z")
                               << false;
    QTest::newRow("matches anything") << QStringLiteral("mytunnel {port}") << QStringLiteral(".*") << false;
}

void tst_SetupValidation::customTunnel() {
    QFETCH(QString, command);
    QFETCH(QString, pattern);
    QFETCH(bool, valid);
    const QString message = model::validateCustomTunnel(command, pattern);
    QVERIFY2(message.isEmpty() == valid, qPrintable(message));
}

void tst_SetupValidation::customTunnelParts() {
    QVERIFY(model::validateTunnelCommand(QStringLiteral("t {port}")).isEmpty());
    QVERIFY(!model::validateTunnelCommand(QStringLiteral("t")).isEmpty());
    QVERIFY(model::validateTunnelUrlPattern(QStringLiteral("https://\\S+")).isEmpty());
    const QString bad = model::validateTunnelUrlPattern(QStringLiteral("(https://\\S+"));
    QVERIFY2(bad.contains(QStringLiteral("not a valid regular expression")), qPrintable(bad));
    QVERIFY2(bad.contains(QStringLiteral("13")), qPrintable(bad)); // where the parser gave up, 1-based
    // The command's problem comes first: it is the field above.
    QCOMPARE(model::validateCustomTunnel(QStringLiteral("t"), QStringLiteral("(")),
             model::validateTunnelCommand(QStringLiteral("t")));
}

void tst_SetupValidation::dataDir_data() {
    QTest::addColumn<QString>("dir");
    QTest::addColumn<bool>("valid");

    QTest::newRow("absolute") << QStringLiteral("/var/lib/fleetmon") << true;
    QTest::newRow("need not exist") << QStringLiteral("/nonexistent/fleetmon/data") << true;
    QTest::newRow("root") << QStringLiteral("/") << true;
    QTest::newRow("empty") << QString() << false;
    QTest::newRow("relative") << QStringLiteral("fleet-data") << false;
    QTest::newRow("dot relative") << QStringLiteral("./fleet-data") << false;
    QTest::newRow("tilde") << QStringLiteral("~/fleet-data") << false;
    QTest::newRow("qt resource") << QStringLiteral(":/fleet-data") << false;
}

void tst_SetupValidation::dataDir() {
    QFETCH(QString, dir);
    QFETCH(bool, valid);
    const QString message = model::validateDataDir(dir);
    QVERIFY2(message.isEmpty() == valid, qPrintable(message));
    QVERIFY(!QFileInfo::exists(QStringLiteral("/nonexistent/fleetmon"))); // validating created nothing
}

void tst_SetupValidation::validateAcceptsCompleteSetup() {
    QCOMPARE(model::validate(validValues()), QStringList());

    SetupValues minimal; // only the AMT: no webhook id, no Connect, default listen address and folder
    minimal.amt = kAmt;
    QCOMPARE(model::validate(minimal), QStringList());
}

void tst_SetupValidation::validateCollectsEveryProblem() {
    SetupValues v = validValues();
    v.amt = QStringLiteral("short");
    v.webhookId = QStringLiteral("not-a-uuid");
    v.clientSecret.clear();
    v.tunnel = SetupValues::Tunnel::Custom;
    v.customTunnelCommand = QStringLiteral("mytunnel");
    v.listenAddress = QStringLiteral("127.0.0.1:70000");
    v.dataDir = QStringLiteral("relative/dir");

    const QStringList problems = model::validate(v);
    const QStringList expected = {
        model::validateAmt(v.amt),
        model::validateWebhookId(v.webhookId),
        model::validateClientCredentials(v.clientId, v.clientSecret),
        model::validateCustomTunnel(v.customTunnelCommand, v.customTunnelUrlPattern),
        model::validateListenAddress(v.listenAddress),
        model::validateDataDir(v.dataDir),
    };
    QCOMPARE(problems, expected);
    for (const QString &problem : problems)
        QVERIFY(!problem.isEmpty());

    // A warning is not a problem.
    SetupValues exposed = validValues();
    exposed.listenAddress = QStringLiteral("0.0.0.0:8787");
    QCOMPARE(model::validate(exposed), QStringList());
}

void tst_SetupValidation::validateChecksCustomTunnelOnlyWhenChosen() {
    SetupValues v = validValues();
    v.customTunnelCommand = QStringLiteral("left over, no port");
    v.customTunnelUrlPattern = QStringLiteral("(");
    for (const auto tunnel : {SetupValues::Tunnel::None, SetupValues::Tunnel::Cloudflared,
                              SetupValues::Tunnel::Ngrok, SetupValues::Tunnel::LocalhostRun}) {
        v.tunnel = tunnel;
        QCOMPARE(model::validate(v), QStringList());
    }
    v.tunnel = SetupValues::Tunnel::Custom;
    QCOMPARE(model::validate(v).size(), 1);
}

void tst_SetupValidation::validateAcceptsDefaultDataDir() {
    // SetupValues documents an empty data folder as "the platform default".
    SetupValues v = validValues();
    v.dataDir.clear();
    QCOMPARE(model::validate(v), QStringList());
    QVERIFY(!model::validateDataDir(v.dataDir).isEmpty());
}

QTEST_GUILESS_MAIN(tst_SetupValidation)
#include "tst_SetupValidation.moc"
