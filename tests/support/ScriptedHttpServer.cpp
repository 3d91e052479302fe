#include "tests/support/ScriptedHttpServer.h"

#include <QTimer>
#include <QUrlQuery>

#include <algorithm>
#include <memory>

#include <zlib.h>

QString ScriptedHttpServer::Request::query(const QString &name) const
{
    const QUrlQuery q(url());
    if (!q.hasQueryItem(name))
        return {};
    QString value = q.queryItemValue(name, QUrl::FullyDecoded);
    return value.isNull() ? QStringLiteral("") : value;
}

bool ScriptedHttpServer::Request::hasQuery(const QString &name) const
{
    return QUrlQuery(url()).hasQueryItem(name);
}

QByteArray ScriptedHttpServer::Request::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

ScriptedHttpServer::ScriptedHttpServer(QObject *parent)
    : QObject(parent)
{
    m_fallback.hang = true;
    m_clock.start();
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            if (m_closeOnAccept) {
                socket->abort();
                socket->deleteLater();
                continue;
            }
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { onReadyRead(socket); });
            connect(socket, &QTcpSocket::disconnected, this, [this, socket] {
                m_buffers.remove(socket);
                socket->deleteLater();
            });
        }
    });
}

ScriptedHttpServer::~ScriptedHttpServer()
{
    // The sockets are children of m_server and outlive m_buffers: cut them off first.
    for (QTcpSocket *socket : m_server.findChildren<QTcpSocket *>())
        socket->disconnect(this);
}

bool ScriptedHttpServer::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QUrl ScriptedHttpServer::url(const QByteArray &path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort())
                + QString::fromLatin1(path));
}

void ScriptedHttpServer::onReadyRead(QTcpSocket *socket)
{
    QByteArray &buffer = m_buffers[socket];
    buffer += socket->readAll();
    while (true) {
        const qsizetype end = buffer.indexOf("\r\n\r\n");
        if (end < 0)
            return;
        const QList<QByteArray> lines = buffer.left(end).split('\n');
        buffer.remove(0, end + 4); // GET requests carry no body
        Request request;
        const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
        request.method = first.value(0);
        request.target = first.value(1);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines[i].trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon > 0)
                request.headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
        }
        request.atMs = m_clock.elapsed();
        request.peerPort = socket->peerPort();
        m_requests.append(request);
        const QByteArray path = request.target.left(request.target.indexOf('?'));
        const Response response = m_routes.contains(path) ? m_routes.value(path)
            : m_script.isEmpty()                          ? m_fallback
                                                          : m_script.takeFirst();
        emit requestReceived();
        if (response.hang)
            return; // the client has to give up on this connection
        if (response.closeWithoutAnswer) {
            socket->disconnectFromHost();
            return;
        }
        if (response.delayMs > 0) {
            QTimer::singleShot(response.delayMs, socket,
                               [this, socket, response] { respond(socket, response); });
            continue;
        }
        respond(socket, response);
    }
}

void ScriptedHttpServer::respond(QTcpSocket *socket, const Response &response)
{
    QByteArray head = "HTTP/1.1 " + QByteArray::number(response.status) + " Scripted\r\n";
    bool typed = false; // a scripted Content-Type replaces Electric's
    for (const auto &[name, value] : response.headers) {
        head += name + ": " + value + "\r\n";
        typed = typed || name.compare("content-type", Qt::CaseInsensitive) == 0;
    }
    if (!typed)
        head += "Content-Type: application/json; charset=utf-8\r\n";
    QByteArray body = response.body;
    if (response.gzip) {
        body = gzipped(body);
        head += "Content-Encoding: gzip\r\n";
    }
    if (response.headNeverEnds) {
        if (response.trickleBytesPerSecond > 0) {
            socket->write(head + "X-Endless: ");
            trickle(socket, "a", response.trickleBytesPerSecond, true, false);
        } else {
            socket->write(head);
        }
        socket->flush();
        return;
    }
    if (response.trickleBytesPerSecond > 0 && response.cutAt < 0) {
        head += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n";
        if (!response.trickleHead) {
            socket->write(head);
            socket->flush();
            trickle(socket, body, response.trickleBytesPerSecond, false, false);
        } else {
            trickle(socket, head + body, response.trickleBytesPerSecond, false, false);
        }
        return;
    }
    if (response.cutAt >= 0) {
        const qsizetype fullSize = body.size();
        body.truncate(response.cutAt);
        head += "Content-Length: "
            + QByteArray::number(response.closeEarly ? fullSize : body.size()) + "\r\n\r\n";
        socket->write(head + body);
        socket->flush();
        if (response.closeEarly)
            socket->disconnectFromHost();
        return;
    }
    if (response.gzip) {
        head += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n";
        socket->write(head + body);
        socket->flush();
        return;
    }
    if (response.chunked) {
        head += "Transfer-Encoding: chunked\r\n\r\n";
        socket->write(head);
        for (qsizetype at = 0; at < response.body.size(); at += 7) {
            const QByteArray piece = response.body.mid(at, 7);
            socket->write(QByteArray::number(piece.size(), 16) + "\r\n" + piece + "\r\n");
            socket->flush();
        }
        socket->write("0\r\n\r\n");
    } else {
        head += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n\r\n";
        socket->write(head + response.body);
    }
    socket->flush();
}

void ScriptedHttpServer::trickle(QTcpSocket *socket, const QByteArray &data, int bytesPerSecond,
                                 bool endless, bool closeAfter)
{
    // At most ten writes a second, so a fast trickle is not a busy loop.
    const int perTick = std::max(1, bytesPerSecond / 10);
    const int intervalMs = std::max(1, 1000 * perTick / bytesPerSecond);
    auto *timer = new QTimer(socket); // dies with the connection
    auto at = std::make_shared<qsizetype>(0);
    connect(timer, &QTimer::timeout, socket, [=] {
        if (socket->state() != QAbstractSocket::ConnectedState) {
            timer->stop();
            return;
        }
        QByteArray piece = data.mid(*at, perTick);
        *at += piece.size();
        if (endless && *at >= data.size())
            *at = 0;
        socket->write(piece);
        socket->flush();
        if (!endless && *at >= data.size()) {
            timer->stop();
            if (closeAfter)
                socket->disconnectFromHost();
        }
    });
    timer->start(intervalMs);
}

QByteArray ScriptedHttpServer::gzipped(const QByteArray &data)
{
    z_stream stream {};
    // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
    if (deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY)
        != Z_OK)
        return {};
    QByteArray out(qsizetype(deflateBound(&stream, uLong(data.size()))), Qt::Uninitialized);
    stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.constData()));
    stream.avail_in = uInt(data.size());
    stream.next_out = reinterpret_cast<Bytef *>(out.data());
    stream.avail_out = uInt(out.size());
    const int result = deflate(&stream, Z_FINISH);
    out.truncate(qsizetype(stream.total_out));
    deflateEnd(&stream);
    return result == Z_STREAM_END ? out : QByteArray();
}

QByteArray ScriptedHttpServer::schemaJson()
{
    return R"({"id":{"type":"int8","pk_index":0,"not_null":true},"title":{"type":"text"},"done":{"type":"bool"}})";
}

QByteArray ScriptedHttpServer::insertItem(int id)
{
    const QByteArray n = QByteArray::number(id);
    return R"({"headers":{"operation":"insert","relation":["public","items"]},"key":"\"public\".\"items\"/\")"
        + n + R"(\"","value":{"id":")" + n + R"(","title":"t","done":"f"}})";
}

QByteArray ScriptedHttpServer::upToDate()
{
    return R"({"headers":{"control":"up-to-date","global_last_seen_lsn":"1"}})";
}

ScriptedHttpServer::Response ScriptedHttpServer::status(int code, const QByteArray &body,
                                                        const QByteArray &contentType)
{
    Response response;
    response.status = code;
    response.body = body;
    response.header("Content-Type", contentType);
    return response;
}

ScriptedHttpServer::Response ScriptedHttpServer::redirect(int code, const QUrl &to)
{
    Response response = status(code);
    response.header("Location", to.toEncoded());
    return response;
}

ScriptedHttpServer::Response ScriptedHttpServer::shape(const QByteArray &body,
                                                       const QByteArray &handle,
                                                       const QByteArray &offset, bool withSchema)
{
    Response response;
    response.body = body;
    response.header("electric-handle", handle).header("electric-offset", offset);
    if (withSchema)
        response.header("electric-schema", schemaJson());
    if (body.contains("\"up-to-date\""))
        response.header("electric-up-to-date", "");
    return response;
}

ScriptedHttpServer::Response ScriptedHttpServer::live(const QByteArray &body,
                                                      const QByteArray &handle,
                                                      const QByteArray &offset,
                                                      const QByteArray &cursor)
{
    Response response = shape(body, handle, offset, false);
    response.header("electric-cursor", cursor);
    return response;
}
