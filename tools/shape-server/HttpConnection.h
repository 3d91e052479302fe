#pragma once

#include "tools/shape-server/HttpMessage.h"

#include <QObject>
#include <QPointer>

class QTcpSocket;

// One client connection speaking HTTP/1.1 with keep-alive. It parses one request at a time and
// waits for respond() before reading the next (clients do not pipeline long-polls). The
// connection deletes itself when the peer goes away, so whoever answers later holds a QPointer
// and must accept that it may be null by then (a client that gave up on a long-poll).
class HttpConnection : public QObject
{
    Q_OBJECT
public:
    explicit HttpConnection(QTcpSocket *socket, QObject *parent = nullptr);

    // Sends the answer to the current request. Ignored when no request is pending.
    void respond(HttpResponse response);
    bool isAwaitingResponse() const { return m_awaiting; }

signals:
    void requestReceived(const HttpRequest &request);

private:
    void readIncoming();
    bool parseOne();
    void fail(int status);

    QTcpSocket *m_socket;
    QByteArray m_buffer;
    bool m_awaiting = false;
    bool m_closeAfterResponse = false;
    bool m_headRequest = false;
};
