#include "RequestFileWriter.h"

#include "smartcar/Signature.h"
#include "smartcar/SimulatedFleet.h"

#include <QDateTime>
#include <QFile>
#include <QtEndian>
#include <algorithm>
#include <limits>
#include <vector>

namespace {
constexpr char kMagic[] = "FMREQS01";

QByteArray littleEndian64(quint64 value) {
    QByteArray bytes(8, Qt::Uninitialized);
    qToLittleEndian(value, bytes.data());
    return bytes;
}
} // namespace

bool RequestFileWriter::write(const QString &path, qint64 count, int vehicles, quint64 seed,
                              const QByteArray &amt, const QByteArray &target, Summary *summary,
                              QString *error) {
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    const qint64 headerBytes = 16 + 8 * (count + 1);
    // The index is known only at the end: reserve its room now, fill it in afterwards.
    file.write(kMagic, 8);
    file.write(littleEndian64(quint64(count)));
    if (!file.resize(headerBytes) || !file.seek(headerBytes)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }

    smartcar::SimulatedFleet fleet(vehicles, seed);
    std::vector<quint64> offsets;
    offsets.reserve(size_t(count + 1));
    Summary s;
    s.minBodyBytes = std::numeric_limits<qint64>::max();
    qint64 offset = headerBytes;
    const qint64 startMs = QDateTime::currentMSecsSinceEpoch();
    QByteArray request;
    for (qint64 i = 0; i < count; ++i) {
        // One delivery per millisecond of simulated time, as if Smartcar had been sending at 1 kHz.
        const QByteArray body = fleet.nextDelivery(startMs + i);
        request.clear();
        request += "POST " + target +
                   " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Content-Type: application/json\r\nUser-Agent: Smartcar/sim\r\nSC-Signature: " +
                   smartcar::Signature::hmacSha256Hex(amt, body) +
                   "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
        if (file.write(request) != request.size()) {
            *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
            return false;
        }
        offsets.push_back(quint64(offset));
        offset += request.size();
        s.minBodyBytes = std::min(s.minBodyBytes, qint64(body.size()));
        s.maxBodyBytes = std::max(s.maxBodyBytes, qint64(body.size()));
        s.totalBodyBytes += body.size();
    }
    offsets.push_back(quint64(offset));
    QByteArray index;
    index.reserve(qsizetype(offsets.size() * 8));
    for (quint64 o : offsets)
        index += littleEndian64(o);
    if (!file.seek(16) || file.write(index) != index.size() || !file.flush()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    s.count = count;
    s.fileBytes = offset;
    if (count == 0)
        s.minBodyBytes = 0;
    *summary = s;
    return true;
}
