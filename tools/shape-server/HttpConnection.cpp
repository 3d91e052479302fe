#include "tools/shape-server/HttpConnection.h"

#include "tools/shape-server/ServerLog.h"

#include <QTcpSocket>

namespace {
constexpr qsizetype MaxHeaderBytes = 64 * 1024;
constexpr qsizetype MaxBodyBytes = 1024 * 1024;
// Electric flushes its log stream in pieces of at most 256 KiB (docs/electric-protocol.md §2.1).
constexpr qsizetype ChunkPieceBytes = 256 * 1024;

// The body as chunked transfer-coding frames. The opening '[' goes out as a piece of its own, so
// even a small body arrives in more than one frame, as Electric's streamed array does.
QList<QByteArray> chunkFrames(const QByteArray &body)
{
    QList<QByteArray> frames;
    qsizetype at = 0;
    while (at < body.size()) {
        const qsizetype n = at == 0 ? 1 : qMin(ChunkPieceBytes, body.size() - at);
        frames.append(QByteArray::number(n, 16) + "\r\n" + body.mid(at, n) + "\r\n");
        at += n;
    }
    frames.append("0\r\n\r\n");
    return frames;
}
} // namespace

HttpConnection::HttpConnection(QTcpSocket *socket, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
{
    m_socket->setParent(this);
    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::readIncoming);
    connect(m_socket, &QTcpSocket::disconnected, this, &QObject::deleteLater);
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError) {
        m_socket->abort();
        deleteLater();
    });
}

void HttpConnection::readIncoming()
{
    m_buffer.append(m_socket->readAll());
    while (!m_awaiting && parseOne()) { }
}

bool HttpConnection::parseOne()
{
    const qsizetype headerEnd = m_buffer.indexOf("\r\n\r\n");
    if (headerEnd < 0) {
        if (m_buffer.size() > MaxHeaderBytes)
            fail(431);
        return false;
    }
    const QList<QByteArray> lines = m_buffer.left(headerEnd).split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    if (requestLine.size() != 3 || !requestLine[2].startsWith("HTTP/1.")) {
        fail(400);
        return false;
    }
    HttpRequest request;
    request.method = requestLine[0].toUpper();
    const QByteArray target = requestLine[1];
    const qsizetype q = target.indexOf('?');
    request.path = HttpRequest::normalisePath(q < 0 ? target : target.left(q));
    if (q >= 0)
        request.query = HttpRequest::parseQuery(target.mid(q + 1));
    qsizetype contentLength = 0;
    bool close = requestLine[2] == "HTTP/1.0";
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        const QByteArray value = line.mid(colon + 1).trimmed();
        request.headers.append({name, value});
        if (name == "content-length")
            contentLength = value.toLongLong();
        else if (name == "connection")
            close = value.toLower() == "close" ? true
                                               : (value.toLower() == "keep-alive" ? false : close);
        else if (name == "transfer-encoding") {
            fail(400); // request bodies are tiny; chunked uploads are not supported
            return false;
        }
    }
    if (contentLength < 0 || contentLength > MaxBodyBytes) {
        fail(413);
        return false;
    }
    if (m_buffer.size() < headerEnd + 4 + contentLength)
        return false;
    request.body = m_buffer.mid(headerEnd + 4, contentLength);
    m_buffer.remove(0, headerEnd + 4 + contentLength);
    m_awaiting = true;
    m_closeAfterResponse = close;
    m_headRequest = request.method == "HEAD";
    emit requestReceived(request);
    return true;
}

void HttpConnection::respond(HttpResponse response)
{
    if (!m_awaiting || m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    m_awaiting = false;
    QByteArray head = "HTTP/1.1 " + QByteArray::number(response.status) + ' '
        + HttpResponse::reasonPhrase(response.status) + "\r\n";
    for (const auto &h : std::as_const(response.headers))
        head += h.first + ": " + h.second + "\r\n";
    const bool noBody = response.status == 204 || response.status == 304;
    if (!noBody && response.chunked)
        head += "transfer-encoding: chunked\r\n";
    else if (!noBody)
        head += "content-length: " + QByteArray::number(response.body.size()) + "\r\n";
    head += m_closeAfterResponse ? "connection: close\r\n\r\n" : "connection: keep-alive\r\n\r\n";
    m_socket->write(head);
    if (!noBody && !m_headRequest && !response.headOnly) {
        const QList<QByteArray> pieces
            = response.chunked ? chunkFrames(response.body) : QList<QByteArray> {response.body};
        if (response.dropAfterBodyBytes >= 0) {
            // The client sees a body cut short: of its content-length, or before the last frame.
            qsizetype left = response.dropAfterBodyBytes;
            for (const QByteArray &piece : pieces) {
                m_socket->write(piece.left(left));
                left -= qMin(left, piece.size());
            }
            m_socket->flush();
            m_socket->abort();
            deleteLater();
            return;
        }
        for (const QByteArray &piece : pieces)
            m_socket->write(piece);
    }
    if (m_closeAfterResponse) {
        m_socket->disconnectFromHost();
        return;
    }
    if (!m_buffer.isEmpty())
        readIncoming();
}

void HttpConnection::fail(int status)
{
    qCInfo(lcShapeServer) << "rejecting a malformed HTTP request with" << status;
    m_awaiting = true;
    m_closeAfterResponse = true;
    m_buffer.clear();
    respond(HttpResponse::json(status, "{\"message\":\"Bad HTTP request\"}"));
}
