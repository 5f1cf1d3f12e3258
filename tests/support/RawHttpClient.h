#pragma once

// A deliberately dumb HTTP client for tests: raw bytes out, responses parsed by hand, so the tests
// can send what no well-behaved client would (partial requests, garbage, pipelines).

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QTcpSocket>
#include <QTest>

namespace testsupport {

struct RawResponse {
    int status = 0;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QByteArray header(const QByteArray &name) const {
        for (const auto &h : headers)
            if (h.first.compare(name, Qt::CaseInsensitive) == 0)
                return h.second;
        return {};
    }
};

class RawHttpClient {
public:
    explicit RawHttpClient(quint16 port) { m_socket.connectToHost(QStringLiteral("127.0.0.1"), port); }

    bool waitConnected(int ms = 5000) { return m_socket.waitForConnected(ms); }
    void send(const QByteArray &bytes) {
        m_socket.write(bytes);
        m_socket.waitForBytesWritten(5000);
    }
    QTcpSocket &socket() { return m_socket; }

    // Reads one response (status line, headers, Content-Length body). Interim 1xx responses are
    // returned like any other. Returns false on timeout or when the server closed first.
    bool read(RawResponse *out, int timeoutMs = 5000) {
        QElapsedTimer timer;
        timer.start();
        for (;;) {
            const qsizetype end = m_buffer.indexOf("\r\n\r\n");
            if (end >= 0) {
                const QList<QByteArray> lines = m_buffer.left(end).split('\n');
                RawResponse r;
                const QList<QByteArray> statusLine = lines.first().trimmed().split(' ');
                r.status = statusLine.value(1).toInt();
                qsizetype length = 0;
                for (qsizetype i = 1; i < lines.size(); ++i) {
                    const qsizetype colon = lines[i].indexOf(':');
                    if (colon < 0)
                        continue;
                    const QByteArray name = lines[i].left(colon).trimmed();
                    const QByteArray value = lines[i].mid(colon + 1).trimmed();
                    r.headers.append({name, value});
                    if (name.compare("Content-Length", Qt::CaseInsensitive) == 0)
                        length = value.toLongLong();
                }
                if (m_buffer.size() >= end + 4 + length) {
                    r.body = m_buffer.mid(end + 4, length);
                    m_buffer.remove(0, end + 4 + length);
                    *out = r;
                    return true;
                }
            }
            const int left = timeoutMs - int(timer.elapsed());
            if (left <= 0)
                return false;
            if (m_socket.bytesAvailable() == 0 && !m_socket.waitForReadyRead(left)) {
                m_buffer += m_socket.readAll();
                if (m_buffer.indexOf("\r\n\r\n") < 0)
                    return false;
                continue;
            }
            m_buffer += m_socket.readAll();
        }
    }

    // True when the server closes the connection within the time (reading and dropping any bytes).
    bool waitClosed(int timeoutMs = 5000) {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < timeoutMs) {
            if (m_socket.state() == QAbstractSocket::UnconnectedState)
                return true;
            m_socket.waitForReadyRead(50);
            m_buffer += m_socket.readAll();
            if (m_socket.state() == QAbstractSocket::UnconnectedState)
                return true;
        }
        return false;
    }
    QByteArray buffered() const { return m_buffer; }

private:
    QTcpSocket m_socket;
    QByteArray m_buffer;
};

} // namespace testsupport
