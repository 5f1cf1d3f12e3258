#pragma once

#include "net/HttpLimits.h"
#include "net/RequestHandler.h"

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>
#include <deque>
#include <http_parser.h>

class QTcpSocket;

namespace net {

// One response owed to the client, in request order. Filled by a Responder, possibly later.
struct PendingResponse {
    bool ready = false;
    bool keepAlive = true;
    bool expectContinue = false; // client sent "Expect: 100-continue" and waits for our go-ahead
    bool continueSent = false;
    HttpResponse response;
};

// One client connection: feeds bytes to http-parser, enforces the limits, hands complete requests
// to the handler and writes the answers back in request order (pipelining), whatever order the
// handler answers them in. Deletes itself when the socket closes.
class HttpConnection final : public QObject {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpConnection)
public:
    HttpConnection(QTcpSocket *socket, RequestHandler *handler, const HttpLimits &limits,
                   QObject *parent = nullptr);
    ~HttpConnection() override;

private:
    friend class Responder;
    friend struct ParserCallbacks;

    void onReadyRead();
    void parseBuffered();
    bool isReadingPaused() const;
    void onDeadline();
    void fulfil(const std::shared_ptr<PendingResponse> &slot, HttpResponse response);
    void flush();
    // Answers with an error in request order, then closes: used for every protocol violation.
    void reject(int status, const QString &message);
    void armIdleTimer();
    void resetMessage();
    // Checks the request line and header block as they arrive, before the parser reads them.
    bool scanHead(const char *data, qsizetype size);
    bool refuse(int status, const QString &message);
    void appendHeader();

    // http-parser callbacks
    int onMessageBegin();
    int onUrl(const char *at, size_t length);
    int onHeaderField(const char *at, size_t length);
    int onHeaderValue(const char *at, size_t length);
    int onHeadersComplete();
    int onChunkHeader();
    int onBody(const char *at, size_t length);
    int onMessageComplete();
    bool countHeaderBytes(size_t length);
    bool acceptableTransferEncoding();

    QTcpSocket *m_socket;
    RequestHandler *m_handler;
    HttpLimits m_limits;
    http_parser m_parser;
    QTimer m_deadline;
    QByteArray m_unparsed; // bytes read but not yet parsed (reading paused)
    HttpRequest m_current;
    QByteArray m_headerField;
    QByteArray m_headerValue;
    bool m_lastWasValue = false;
    bool m_inTrailers = false; // header callbacks now deliver a chunked body's trailer fields
    bool m_inMessage = false;
    bool m_closing = false; // no more requests are read; close once the queue is written
    bool m_parsing = false; // inside http_parser_execute: the parser must not be re-entered
    int m_rejectStatus = 0; // set by a callback that refuses the request
    QString m_rejectMessage;
    qsizetype m_headerBytes = 0;
    // Where scanHead() is in the current request's head; reset when a message completes.
    struct HeadScan {
        bool done = false;        // the blank line was seen: what follows is body or the next request
        bool afterCr = false;     // the previous byte was CR
        int line = 0;             // 0: the request line
        qsizetype lineLength = 0; // bytes on the current line, CR excluded
        bool colonSeen = false;   // the current header line's name has ended
    } m_head;
    std::shared_ptr<PendingResponse> m_currentSlot; // slot of the request being read
    std::deque<std::shared_ptr<PendingResponse>> m_queue;
};

} // namespace net
