#pragma once

#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace net {

// How to run one tunnel program and how to read its public URL from its output. A plain value:
// copy it, change a field, hand it to TunnelProcess. The factories hold what each real tool needs;
// nothing here starts a process.
struct TunnelProvider {
    enum class Kind { Cloudflared, Ngrok, LocalhostRun, Custom };

    Kind kind = Kind::Custom;
    QString program;               // a name looked up in PATH, or a path
    QStringList arguments;         // "{port}" anywhere in an argument becomes the local port
    QRegularExpression urlPattern; // matched per output line; capture group 1, else the whole match
    QString installHint;           // what to tell the user when the program cannot be started

    // `cloudflared tunnel --url http://127.0.0.1:{port}`: an account-less quick tunnel whose
    // https://<words>.trycloudflare.com URL is printed in a box among the INF lines on stderr.
    static TunnelProvider cloudflared();
    // `ngrok http {port} --log stdout --log-format json`: the URL is the "url" of the JSON line
    // whose "msg" is "started tunnel". Needs an authtoken in ngrok's own configuration.
    static TunnelProvider ngrok();
    // `ssh -R 80:localhost:{port} nokey@localhost.run`: no account and nothing to install beyond
    // OpenSSH; the URL follows "tunneled with tls termination,".
    static TunnelProvider localhostRun();
    // Any other program. The command line is split by QProcess::splitCommand: words are separated
    // by spaces, double quotes group them (""" is a literal quote), single quotes are ordinary
    // characters, and nothing is expanded.
    // On an empty command line or an invalid pattern, returns a provider that is not isValid()
    // and says why in *error (when error is not null).
    static TunnelProvider custom(const QString &commandLine, const QString &urlPattern,
                                 QString *error = nullptr);

    // The same provider running another binary with the same arguments (a stand-in, or a tool
    // installed outside PATH).
    TunnelProvider withProgram(const QString &path) const;

    bool isValid() const { return !program.isEmpty() && urlPattern.isValid(); }
    // "cloudflared", "ngrok", "localhost.run", or the custom program's file name: for messages.
    QString displayName() const;
    QStringList argumentsFor(quint16 port) const;
    // The public base URL announced on this output line, or an empty QUrl. A capture without a
    // scheme is taken as https, which is all Smartcar delivers to.
    QUrl findUrl(const QString &line) const;
};

} // namespace net
