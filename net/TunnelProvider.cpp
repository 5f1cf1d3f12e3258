#include "net/TunnelProvider.h"

#include <QFileInfo>
#include <QProcess>

namespace net {

namespace {

QRegularExpression pattern(const QString &source) {
    return QRegularExpression(source, QRegularExpression::CaseInsensitiveOption);
}

} // namespace

TunnelProvider TunnelProvider::cloudflared() {
    TunnelProvider p;
    p.kind = Kind::Cloudflared;
    p.program = QStringLiteral("cloudflared");
    p.arguments = {QStringLiteral("tunnel"), QStringLiteral("--url"),
                   QStringLiteral("http://127.0.0.1:{port}")};
    // When the quick-tunnel request fails, the ERR line names https://api.trycloudflare.com: that
    // is cloudflared's own API, never the tunnel.
    p.urlPattern = pattern(QStringLiteral(R"(https://(?!api\.)[a-z0-9-]+\.trycloudflare\.com\b)"));
    p.installHint = QStringLiteral(
        "cloudflared is not installed: download it from https://github.com/cloudflare/cloudflared/releases "
        "(Debian: the cloudflared .deb from that page)");
    return p;
}

TunnelProvider TunnelProvider::ngrok() {
    TunnelProvider p;
    p.kind = Kind::Ngrok;
    p.program = QStringLiteral("ngrok");
    p.arguments = {QStringLiteral("http"),   QStringLiteral("{port}"),       QStringLiteral("--log"),
                   QStringLiteral("stdout"), QStringLiteral("--log-format"), QStringLiteral("json")};
    // Other JSON lines carry URLs too (config, web inspector); only "started tunnel" announces ours.
    // The lookahead keeps the match independent of the key order in the line.
    p.urlPattern = pattern(
        QStringLiteral(R"re(^(?=.*"msg"\s*:\s*"started tunnel"))re"
                       R"re(.*"url"\s*:\s*"(https://[a-z0-9.-]+\.ngrok(?:-free)?\.(?:app|dev|io))")re"));
    p.installHint =
        QStringLiteral("ngrok is not installed: download it from https://ngrok.com/download, then run "
                       "`ngrok config add-authtoken <your token>`");
    return p;
}

TunnelProvider TunnelProvider::localhostRun() {
    TunnelProvider p;
    p.kind = Kind::LocalhostRun;
    p.program = QStringLiteral("ssh");
    // accept-new: the first connection must not stop at a host-key prompt nobody can answer.
    // ServerAliveInterval: a dead NAT mapping ends ssh (and so restarts the tunnel) instead of
    // leaving a silent one.
    p.arguments = {QStringLiteral("-o"),
                   QStringLiteral("StrictHostKeyChecking=accept-new"),
                   QStringLiteral("-o"),
                   QStringLiteral("ServerAliveInterval=30"),
                   QStringLiteral("-R"),
                   QStringLiteral("80:localhost:{port}"),
                   QStringLiteral("nokey@localhost.run")};
    // The banner is full of localhost.run's own URLs; only this sentence names the tunnel.
    p.urlPattern = pattern(QStringLiteral(R"(tunneled with tls termination,\s*(https://[a-z0-9.-]+))"));
    p.installHint =
        QStringLiteral("localhost.run needs the OpenSSH client: sudo apt-get install openssh-client");
    return p;
}

TunnelProvider TunnelProvider::custom(const QString &commandLine, const QString &urlPattern, QString *error) {
    const auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return TunnelProvider{};
    };
    QStringList words = QProcess::splitCommand(commandLine);
    if (words.isEmpty())
        return fail(QStringLiteral("the tunnel command line is empty"));
    if (urlPattern.isEmpty())
        return fail(QStringLiteral("a pattern for the public URL is needed"));
    TunnelProvider p;
    p.kind = Kind::Custom;
    p.urlPattern = pattern(urlPattern);
    if (!p.urlPattern.isValid())
        return fail(QStringLiteral("the URL pattern is not a valid regular expression: %1 (at offset %2)")
                        .arg(p.urlPattern.errorString())
                        .arg(p.urlPattern.patternErrorOffset()));
    p.program = words.takeFirst();
    p.arguments = words;
    p.installHint =
        QStringLiteral("\"%1\" was not found: check the tunnel command line in the settings").arg(p.program);
    if (error)
        error->clear();
    return p;
}

TunnelProvider TunnelProvider::withProgram(const QString &path) const {
    TunnelProvider p = *this;
    p.program = path;
    return p;
}

QString TunnelProvider::displayName() const {
    switch (kind) {
    case Kind::Cloudflared:
        return QStringLiteral("cloudflared");
    case Kind::Ngrok:
        return QStringLiteral("ngrok");
    case Kind::LocalhostRun:
        return QStringLiteral("localhost.run");
    case Kind::Custom:
        break;
    }
    return QFileInfo(program).fileName();
}

QStringList TunnelProvider::argumentsFor(quint16 port) const {
    const QString portText = QString::number(port);
    QStringList result;
    result.reserve(arguments.size());
    for (QString argument : arguments)
        result << argument.replace(QStringLiteral("{port}"), portText);
    return result;
}

QUrl TunnelProvider::findUrl(const QString &line) const {
    const QRegularExpressionMatch match = urlPattern.match(line);
    if (!match.hasMatch())
        return {};
    // A pattern may capture the URL or simply be it; an optional group that took no part counts
    // as absent.
    QString text = match.captured(1).trimmed();
    if (text.isEmpty())
        text = match.captured(0).trimmed();
    if (text.isEmpty())
        return {};
    if (!text.contains(QStringLiteral("://")))
        text.prepend(QStringLiteral("https://"));
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty())
        return {};
    // A base without the final slash, so that callers can append their route whatever the tool printed.
    QUrl base = url.adjusted(QUrl::StripTrailingSlash);
    if (base.path() == u'/')
        base.setPath(QString());
    return base;
}

} // namespace net
