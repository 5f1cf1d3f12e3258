#include "model/SetupValidation.h"

#include <QCoreApplication>
#include <QDir>
#include <QRegularExpression>

#include <algorithm>
#include <array>
#include <optional>

namespace model {

namespace {

QString tr(const char *text) {
    return QCoreApplication::translate("SetupValidation", text);
}

constexpr qsizetype kMinAmtLength = 16;
constexpr qsizetype kMinClientIdLength = 8;
const QString kUuidExample = QStringLiteral("3a5c8f72-e6d9-4b1a-9f2e-8c7d6a5b4e3f");

bool isAsciiDigit(QChar c) {
    return c >= u'0' && c <= u'9';
}

bool isHexDigit(QChar c) {
    return isAsciiDigit(c) || (c >= u'a' && c <= u'f') || (c >= u'A' && c <= u'F');
}

bool containsSpace(QStringView text) {
    return std::any_of(text.begin(), text.end(), [](QChar c) { return c.isSpace(); });
}

bool isUuid(QStringView text) {
    if (text.size() != 36)
        return false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? text[i] != u'-' : !isHexDigit(text[i]))
            return false;
    }
    return true;
}

// Names a character so that invisible ones (a zero-width space pasted with the token) show up too.
QString describeCharacter(QChar c) {
    const QString code = QStringLiteral("U+%1").arg(c.unicode(), 4, 16, QLatin1Char('0')).toUpper();
    return c.isPrint() ? QStringLiteral("\u201c%1\u201d (%2)").arg(c).arg(code) : code;
}

// Strict dotted quad: four decimal parts without leading zeros, which some parsers read as octal.
std::optional<std::array<quint8, 4>> parseIpv4(QStringView text) {
    const QList<QStringView> parts = text.split(u'.');
    if (parts.size() != 4)
        return std::nullopt;
    std::array<quint8, 4> bytes{};
    for (int i = 0; i < 4; ++i) {
        const QStringView part = parts[i];
        if (part.isEmpty() || part.size() > 3 || !std::all_of(part.begin(), part.end(), isAsciiDigit))
            return std::nullopt;
        if (part.size() > 1 && part[0] == u'0')
            return std::nullopt;
        const uint value = part.toUInt();
        if (value > 255)
            return std::nullopt;
        bytes[i] = quint8(value);
    }
    return bytes;
}

// One side of "::": hex groups separated by ':', the last of them possibly an embedded IPv4 address.
bool appendIpv6Groups(QStringView side, bool mayEndInIpv4, QList<quint16> *groups) {
    if (side.isEmpty())
        return true;
    const QList<QStringView> parts = side.split(u':');
    for (qsizetype i = 0; i < parts.size(); ++i) {
        const QStringView part = parts[i];
        if (mayEndInIpv4 && i == parts.size() - 1 && part.contains(u'.')) {
            const auto v4 = parseIpv4(part);
            if (!v4)
                return false;
            groups->append(quint16((*v4)[0] << 8 | (*v4)[1]));
            groups->append(quint16((*v4)[2] << 8 | (*v4)[3]));
            continue;
        }
        if (part.isEmpty() || part.size() > 4 || !std::all_of(part.begin(), part.end(), isHexDigit))
            return false;
        groups->append(quint16(part.toUInt(nullptr, 16)));
    }
    return true;
}

// RFC 4291 text form, without zone ids (an interface-scoped address cannot serve a tunnel anyway).
std::optional<std::array<quint16, 8>> parseIpv6(QStringView text) {
    QList<quint16> head;
    QList<quint16> tail;
    const qsizetype gap = text.indexOf(u"::");
    if (gap < 0) {
        if (!appendIpv6Groups(text, true, &head) || head.size() != 8)
            return std::nullopt;
    } else {
        const QStringView after = text.mid(gap + 2);
        if (after.contains(u"::") || !appendIpv6Groups(text.left(gap), false, &head) ||
            !appendIpv6Groups(after, true, &tail) || head.size() + tail.size() > 7)
            return std::nullopt;
    }
    std::array<quint16, 8> groups{};
    std::copy(head.cbegin(), head.cend(), groups.begin());
    std::copy(tail.cbegin(), tail.cend(), groups.end() - tail.size());
    return groups;
}

bool isIpv6Loopback(const std::array<quint16, 8> &g) {
    const bool zeroPrefix = std::all_of(g.begin(), g.begin() + 5, [](quint16 v) { return v == 0; });
    if (zeroPrefix && g[5] == 0 && g[6] == 0 && g[7] == 1)
        return true;                                           // ::1
    return zeroPrefix && g[5] == 0xffff && (g[6] >> 8) == 127; // ::ffff:127.x.y.z
}

struct ListenAddress {
    QString error;
    bool loopback = false;
};

ListenAddress parseListenAddress(const QString &address) {
    const QString example = QStringLiteral("127.0.0.1:8787");
    if (address.isEmpty())
        return {tr("Enter the listen address as HOST:PORT, e.g. %1.").arg(example), false};
    if (containsSpace(address))
        return {tr("The listen address must not contain spaces; use HOST:PORT, e.g. %1.").arg(example),
                false};

    QStringView host;
    QStringView port;
    const QStringView text(address);
    if (text.startsWith(u'[')) {
        const qsizetype close = text.indexOf(u"]:");
        if (close < 0)
            return {tr("Close the IPv6 address with \u201c]\u201d and add the port, e.g. [::1]:8787."),
                    false};
        host = text.mid(1, close - 1);
        port = text.mid(close + 2);
    } else {
        const qsizetype colon = text.lastIndexOf(u':');
        if (colon < 0)
            return {tr("The listen address needs a port: HOST:PORT, e.g. %1.").arg(example), false};
        host = text.left(colon);
        port = text.mid(colon + 1);
        if (host.contains(u':'))
            return {tr("Put an IPv6 address in brackets before the port, e.g. [::1]:8787."), false};
    }

    if (host.isEmpty())
        return {tr("Enter the host before the port, e.g. %1.").arg(example), false};
    bool loopback = false;
    if (text.startsWith(u'[')) {
        const auto v6 = parseIpv6(host);
        if (!v6) {
            return {
                tr("The address in brackets must be an IPv6 address, e.g. [::1]:8787 (not \u201c%1\u201d).")
                    .arg(host),
                false};
        }
        loopback = isIpv6Loopback(*v6);
    } else if (host == u"localhost") {
        loopback = true;
    } else if (const auto v4 = parseIpv4(host)) {
        loopback = (*v4)[0] == 127;
    } else {
        return {tr("The listen host must be a numeric IP address or localhost, e.g. 127.0.0.1 (not "
                   "\u201c%1\u201d).")
                    .arg(host),
                false};
    }

    const bool digits =
        !port.isEmpty() && port.size() <= 5 && std::all_of(port.begin(), port.end(), isAsciiDigit);
    if (!digits || port.toUInt() > 65535) {
        return {
            tr("The listen port must be a number from 0 to 65535 (0 picks a free one), not \u201c%1\u201d.")
                .arg(port),
            false};
    }
    return {QString(), loopback};
}

} // namespace

QString validateAmt(const QString &amt) {
    if (amt.isEmpty()) {
        return tr(
            "Enter the Application Management Token (Smartcar Dashboard \u2192 Configuration \u2192 API "
            "Keys).");
    }
    if (amt.front().isSpace() || amt.back().isSpace())
        return tr("Remove the space or line break at the start or end of the Application Management Token.");
    if (containsSpace(amt))
        return tr("The Application Management Token has no spaces or line breaks; copy it again from the "
                  "Smartcar Dashboard.");
    for (const QChar c : amt) {
        if (c.unicode() < 0x21 || c.unicode() > 0x7e) {
            return tr("The Application Management Token contains %1; it holds only letters, digits and ASCII "
                      "punctuation. Copy it again from the Smartcar Dashboard.")
                .arg(describeCharacter(c));
        }
    }
    if (amt.size() < kMinAmtLength) {
        return tr("The Application Management Token is too short (%1 characters); it has at least %2.")
            .arg(amt.size())
            .arg(kMinAmtLength);
    }
    return {};
}

QString validateWebhookId(const QString &webhookId) {
    if (webhookId.isEmpty() || isUuid(webhookId))
        return {};
    return tr("The webhook id is a UUID such as %1 (Smartcar Dashboard \u2192 Webhooks), or leave it empty.")
        .arg(kUuidExample);
}

QString validateClientCredentials(const QString &clientId, const QString &clientSecret) {
    if (clientId.isEmpty() && clientSecret.isEmpty())
        return {};
    if (clientSecret.isEmpty())
        return tr("Enter the client secret too, or clear the client id: Connect needs both.");
    if (clientId.isEmpty())
        return tr("Enter the client id too, or clear the client secret: Connect needs both.");
    if (!isUuid(clientId) && (clientId.size() < kMinClientIdLength || containsSpace(clientId))) {
        return tr("The client id is a UUID or at least %1 characters without spaces (Smartcar Dashboard "
                  "\u2192 Credentials).")
            .arg(kMinClientIdLength);
    }
    return {};
}

QString validateListenAddress(const QString &address) {
    return parseListenAddress(address).error;
}

QString listenAddressWarning(const QString &address) {
    const ListenAddress parsed = parseListenAddress(address);
    if (!parsed.error.isEmpty() || parsed.loopback)
        return {};
    return tr("Other machines can reach the endpoint directly; a tunnel needs only 127.0.0.1");
}

QString validateTunnelCommand(const QString &command) {
    if (command.trimmed().isEmpty()) {
        return tr("Enter the tunnel command, with {port} where the local port goes, e.g. "
                  "mytunnel --to localhost:{port}");
    }
    if (!command.contains(QLatin1String("{port}")))
        return tr("The tunnel command must contain {port}; it is replaced by the local port.");
    return {};
}

QString validateTunnelUrlPattern(const QString &urlPattern) {
    if (urlPattern.isEmpty()) {
        return tr("Enter a regular expression that finds the public URL in the command's output, e.g. "
                  "https://\\S+");
    }
    const QRegularExpression pattern(urlPattern);
    if (!pattern.isValid()) {
        return tr("The URL pattern is not a valid regular expression: %1 (at character %2).")
            .arg(pattern.errorString())
            .arg(pattern.patternErrorOffset() + 1);
    }
    // Such a pattern would "find" an empty URL in the first line of output.
    if (pattern.match(QString()).hasMatch())
        return tr("The URL pattern also matches empty text; make it match the URL itself, e.g. https://\\S+");
    return {};
}

QString validateCustomTunnel(const QString &command, const QString &urlPattern) {
    const QString problem = validateTunnelCommand(command);
    return problem.isEmpty() ? validateTunnelUrlPattern(urlPattern) : problem;
}

QString validateDataDir(const QString &dir) {
    const QString example = QDir::homePath() + QLatin1String("/fleet-data");
    if (dir.isEmpty())
        return tr("Enter the data folder as a full path, e.g. %1.").arg(example);
    if (dir.startsWith(u'~'))
        return tr("Write the data folder out in full (%1 instead of \u201c~\u201d).").arg(QDir::homePath());
    // Qt counts ":/..." resource paths as absolute, but nothing can be written there.
    if (!QDir::isAbsolutePath(dir) || dir.startsWith(u':'))
        return tr("The data folder must be a full path starting with \u201c/\u201d, e.g. %1.").arg(example);
    return {};
}

QStringList validate(const SetupValues &values) {
    QStringList problems;
    const auto add = [&problems](const QString &problem) {
        if (!problem.isEmpty())
            problems.append(problem);
    };
    add(validateAmt(values.amt));
    add(validateWebhookId(values.webhookId));
    add(validateClientCredentials(values.clientId, values.clientSecret));
    if (values.tunnel == SetupValues::Tunnel::Custom)
        add(validateCustomTunnel(values.customTunnelCommand, values.customTunnelUrlPattern));
    add(validateListenAddress(values.listenAddress));
    if (!values.dataDir.isEmpty())
        add(validateDataDir(values.dataDir));
    return problems;
}

} // namespace model
