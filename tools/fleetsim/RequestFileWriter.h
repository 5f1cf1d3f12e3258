#pragma once

#include <QByteArray>
#include <QString>
#include <QtGlobal>

// Writes pre-signed webhook deliveries as complete HTTP/1.1 requests into one file that a load
// generator can map and replay without any work per request (bench/ingest/requests.lua reads it).
//
// Layout, all integers little-endian 64-bit:
//   "FMREQS01"  magic
//   count       number of requests
//   offsets     count + 1 file offsets: request i is the bytes [offsets[i], offsets[i + 1])
//   requests    "POST <path> HTTP/1.1" with Host, Content-Type, User-Agent, SC-Signature and
//               Content-Length headers, then the body
// An index instead of delimiters lets the reader share one mapping between its threads and find
// request i in constant time.
class RequestFileWriter final {
public:
    struct Summary {
        qint64 count = 0;
        qint64 minBodyBytes = 0;
        qint64 maxBodyBytes = 0;
        qint64 totalBodyBytes = 0;
        qint64 fileBytes = 0;
    };

    // vehicles and seed as for the live generator: bodies come from smartcar::SimulatedFleet, one
    // fresh eventId each, signed with amt. Returns false with *error set when the file cannot be
    // written.
    static bool write(const QString &path, qint64 count, int vehicles, quint64 seed, const QByteArray &amt,
                      const QByteArray &target, Summary *summary, QString *error);
};
