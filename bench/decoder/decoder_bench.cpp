// Decodes webhook bodies many times, as the ingest thread does once per delivery, so that
// callgrind can count the instructions one decode costs (a figure that does not depend on how busy
// the machine is). Bodies: every *.json in the fixtures folder and, with --requests, the bodies of
// a file written by `fleetsim --write-requests` (real-shaped signed VEHICLE_STATE deliveries).
//
//   valgrind --tool=callgrind --toggle-collect='*decodeAll*'
//       decoder_bench --fixtures DIR --requests FILE --rounds 2 [--qt-parser]
// Instructions per decode = callgrind's "Collected" total / the decodes printed. --qt-parser
// measures QtPayloadDecoder::decode (QJsonDocument, the fallback) for comparison. bench/decoder/run
// does this for the fixtures and for fleetsim bodies.

#include "smartcar/PayloadDecoder.h"
#include "smartcar/QtPayloadDecoder.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QtEndian>
#include <cstdio>

namespace {

QList<QByteArray> fixtureBodies(const QString &dir) {
    QList<QByteArray> bodies;
    const QStringList names = QDir(dir).entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    for (const QString &name : names) {
        QFile file(QDir(dir).filePath(name));
        if (file.open(QIODevice::ReadOnly))
            bodies.append(file.readAll());
    }
    return bodies;
}

// The bodies of a RequestFileWriter file: "FMREQS01", count, count + 1 offsets, then requests.
QList<QByteArray> requestBodies(const QString &path, qint64 limit) {
    QList<QByteArray> bodies;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return bodies;
    const QByteArray all = file.readAll();
    if (all.size() < 16 || !all.startsWith("FMREQS01"))
        return bodies;
    const auto word = [&](qsizetype at) { return qFromLittleEndian<qint64>(all.constData() + at); };
    const qint64 count = std::min(word(8), limit);
    for (qint64 i = 0; i < count; ++i) {
        const qint64 begin = word(16 + 8 * i), end = word(16 + 8 * (i + 1));
        const QByteArray request = all.mid(begin, end - begin);
        const qsizetype headersEnd = request.indexOf("\r\n\r\n");
        if (headersEnd > 0)
            bodies.append(request.mid(headersEnd + 4));
    }
    return bodies;
}

// Kept out of line so callgrind can collect exactly this (--toggle-collect='*decodeAll*').
[[gnu::noinline]] qint64 decodeAll(const QList<QByteArray> &bodies, int rounds, bool qtParser) {
    using smartcar::PayloadDecoder;
    using smartcar::QtPayloadDecoder;
    qint64 signalValues = 0;
    for (int round = 0; round < rounds; ++round) {
        for (const QByteArray &body : bodies) {
            const PayloadDecoder::Result r =
                qtParser ? QtPayloadDecoder::decode(body) : PayloadDecoder::decode(body);
            signalValues += r.event.signalValues.size() + (r.ok ? 0 : 1000000);
        }
    }
    return signalValues;
}

} // namespace

int main(int argc, char **argv) {
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption fixtures(QStringLiteral("fixtures"), QStringLiteral("Folder of *.json bodies."),
                                      QStringLiteral("dir"));
    const QCommandLineOption requests(QStringLiteral("requests"),
                                      QStringLiteral("File written by fleetsim --write-requests."),
                                      QStringLiteral("file"));
    const QCommandLineOption limit(QStringLiteral("limit"), QStringLiteral("Bodies read from --requests."),
                                   QStringLiteral("n"), QStringLiteral("200"));
    const QCommandLineOption rounds(QStringLiteral("rounds"), QStringLiteral("Decodes of every body."),
                                    QStringLiteral("n"), QStringLiteral("20"));
    const QCommandLineOption qtParser(QStringLiteral("qt-parser"),
                                      QStringLiteral("Decode with the reference (QJsonDocument) instead."));
    parser.addOptions({fixtures, requests, limit, rounds, qtParser});
    parser.process(app);

    QList<QByteArray> bodies;
    if (parser.isSet(fixtures))
        bodies += fixtureBodies(parser.value(fixtures));
    if (parser.isSet(requests))
        bodies += requestBodies(parser.value(requests), parser.value(limit).toLongLong());
    if (bodies.isEmpty()) {
        std::fprintf(stderr, "decoder_bench: no bodies (pass --fixtures and/or --requests)\n");
        return 2;
    }
    qint64 bytes = 0;
    for (const QByteArray &b : bodies)
        bytes += b.size();
    const int n = std::max(1, parser.value(rounds).toInt());
    QElapsedTimer timer;
    timer.start();
    const qint64 signalValues = decodeAll(bodies, n, parser.isSet(qtParser));
    const qint64 ns = timer.nsecsElapsed();
    const qint64 decodes = qint64(bodies.size()) * n;
    std::printf(
        "bodies %lld (%lld bytes, mean %lld), rounds %d, decodes %lld, signals %lld, %.1f us/decode\n",
        qlonglong(bodies.size()), qlonglong(bytes), qlonglong(bytes / bodies.size()), n, qlonglong(decodes),
        qlonglong(signalValues), double(ns) / 1000.0 / double(decodes));
    const model::SharedObjectCache::Counts shared = smartcar::PayloadDecoder::sharedBodies();
    std::printf("signal bodies: %lld built, %lld shared with an identical earlier one\n",
                qlonglong(shared.misses), qlonglong(shared.hits));
    return 0;
}
