// shared_notify_bench: how long a delivery stored by an ingest node on a shared PostgreSQL database
// takes to reach a desktop following that database (see NotifyLatencyProbe). Prints one line
// `RESULT key=value ...` on stdout for bench/shared/run; progress goes to stderr.
//   shared_notify_bench --node URL --database postgresql://… --amt-file FILE [--rate N]
//                       [--duration S] [--connections N] [--seed N]

#include "NotifyLatencyProbe.h"

#include "smartcar/WebhookSender.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QRandomGenerator>

#include <cstdio>

namespace {

int usageError(const QString &message) {
    std::fprintf(stderr, "shared_notify_bench: %s\n", qPrintable(message));
    return 2;
}

} // namespace

int main(int argc, char **argv) {
    QCoreApplication application(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Notify-to-client latency of a shared fleet"));
    parser.addHelpOption();
    const QCommandLineOption node(QStringLiteral("node"), QStringLiteral("Webhook URL of the ingest node."),
                                  QStringLiteral("URL"));
    const QCommandLineOption database(QStringLiteral("database"),
                                      QStringLiteral("The PostgreSQL database the node writes to."),
                                      QStringLiteral("URL"));
    const QCommandLineOption amtFile(QStringLiteral("amt-file"),
                                     QStringLiteral("Application Management Token to sign with."),
                                     QStringLiteral("FILE"));
    const QCommandLineOption rate(QStringLiteral("rate"), QStringLiteral("Deliveries per second."),
                                  QStringLiteral("N"), QStringLiteral("200"));
    const QCommandLineOption duration(QStringLiteral("duration"), QStringLiteral("Seconds of sending."),
                                      QStringLiteral("S"), QStringLiteral("10"));
    const QCommandLineOption connections(QStringLiteral("connections"),
                                         QStringLiteral("Keep-alive connections to the node."),
                                         QStringLiteral("N"), QStringLiteral("8"));
    const QCommandLineOption seed(QStringLiteral("seed"),
                                  QStringLiteral("Seed of the simulated fleet (default: a random one, so "
                                                 "every run sends eventIds the database has not seen)."),
                                  QStringLiteral("N"));
    parser.addOptions({node, database, amtFile, rate, duration, connections, seed});
    parser.process(application);

    NotifyLatencyProbe::Settings settings;
    settings.node = QUrl(parser.value(node));
    if (const QString error = smartcar::WebhookSender::urlError(settings.node); !error.isEmpty())
        return usageError(QStringLiteral("--node: %1").arg(error));
    QString error;
    if (!store::PostgresLocation::parse(parser.value(database), &settings.database, &error))
        return usageError(QStringLiteral("--database: %1").arg(error));
    QFile amt(parser.value(amtFile));
    if (!amt.open(QIODevice::ReadOnly))
        return usageError(QStringLiteral("--amt-file: cannot read %1").arg(amt.fileName()));
    settings.amt = amt.readAll().trimmed();
    bool ok = false;
    settings.rate = parser.value(rate).toDouble(&ok);
    if (!ok || settings.rate <= 0 || settings.rate > 100000)
        return usageError(QStringLiteral("--rate: a number of deliveries per second, 1 to 100000"));
    settings.durationS = parser.value(duration).toInt(&ok);
    if (!ok || settings.durationS < 1)
        return usageError(QStringLiteral("--duration: whole seconds, at least 1"));
    settings.connections = parser.value(connections).toInt(&ok);
    if (!ok || settings.connections < 1 || settings.connections > 1000)
        return usageError(QStringLiteral("--connections: 1 to 1000"));
    settings.seed =
        parser.isSet(seed) ? parser.value(seed).toULongLong(&ok) : QRandomGenerator::system()->generate64();
    if (!ok)
        return usageError(QStringLiteral("--seed: a whole number"));

    NotifyLatencyProbe probe(settings);
    int code = 0;
    QObject::connect(&probe, &NotifyLatencyProbe::finished, &application,
                     [&](bool succeeded, const QString &failure) {
                         if (succeeded) {
                             std::printf("RESULT %s\n", qPrintable(probe.resultLine()));
                         } else {
                             std::fprintf(stderr, "shared_notify_bench: %s\n", qPrintable(failure));
                             code = 1;
                         }
                         application.exit(code);
                     });
    QMetaObject::invokeMethod(&probe, &NotifyLatencyProbe::start, Qt::QueuedConnection);
    application.exec();
    return code;
}
