#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>

// A tiny HTTP/1.1 server on 127.0.0.1 that answers requests with a script of canned responses,
// in order, and records what it was asked. Real sockets, real HTTP (keep-alive, chunked bodies),
// so the code under test runs its real QNetworkAccessManager path.
class ScriptedHttpServer : public QObject
{
    Q_OBJECT
public:
    struct Response
    {
        int status = 200;
        QList<QPair<QByteArray, QByteArray>> headers;
        QByteArray body;
        bool chunked = false; // send the body in small chunks with Transfer-Encoding: chunked
        bool hang = false; // never answer (a long poll that outlives the client's patience)
        bool gzip = false; // send the body gzip-compressed with Content-Encoding: gzip
        // >= 0: send only this many bytes of the (encoded) body. closeEarly: Content-Length
        // names the whole body and the connection closes short of it; otherwise Content-Length
        // names the cut-off part (a body that is complete on the wire but broken inside).
        qsizetype cutAt = -1;
        bool closeEarly = false;
        int delayMs = 0; // answer this much later
        // > 0: the body (and with trickleHead the status line and headers too) goes out at
        // about this many bytes per second.
        int trickleBytesPerSecond = 0;
        bool trickleHead = false;
        // The header section never ends: the status line and headers go out, then (with
        // trickleBytesPerSecond) an endless header value trickles, or nothing at all.
        bool headNeverEnds = false;
        bool closeWithoutAnswer = false; // read the request, then close the connection

        Response &header(const QByteArray &name, const QByteArray &value)
        {
            headers.append({name, value});
            return *this;
        }
    };
    struct Request
    {
        QByteArray method;
        QByteArray target; // path and query, as sent
        QList<QPair<QByteArray, QByteArray>> headers;
        quint16 peerPort = 0; // which connection it came on
        qint64 atMs = 0; // when it arrived, since the server was created

        QUrl url() const { return QUrl::fromEncoded("http://127.0.0.1" + target); }
        QString query(const QString &name) const; // decoded value, or a null QString when absent
        bool hasQuery(const QString &name) const;
        QByteArray header(const QByteArray &name) const;
    };

    explicit ScriptedHttpServer(QObject *parent = nullptr);
    ~ScriptedHttpServer() override;
    bool listen();
    QUrl url(const QByteArray &path = "/v1/shape") const;

    void enqueue(const Response &response) { m_script.append(response); }
    // Used once the script is exhausted (default: hang).
    void setFallback(const Response &response) { m_fallback = response; }
    const QList<Request> &requests() const { return m_requests; }
    // Requests for this path (without the query) always get `response`, before the script.
    void route(const QByteArray &path, const Response &response)
    {
        m_routes.insert(path, response);
    }
    // Close every connection right after accepting it, before any request is read.
    void setCloseOnAccept(bool close) { m_closeOnAccept = close; }

    // Electric-style responses.
    static Response shape(const QByteArray &body, const QByteArray &handle,
                          const QByteArray &offset, bool withSchema = true);
    static Response live(const QByteArray &body, const QByteArray &handle, const QByteArray &offset,
                         const QByteArray &cursor);
    static QByteArray schemaJson();
    // Messages of the shape schemaJson() describes ("public"."items"): an insert of row id, and
    // the up-to-date control message that ends a batch.
    static QByteArray insertItem(int id);
    static QByteArray upToDate();
    static Response status(int code, const QByteArray &body = {},
                           const QByteArray &contentType = "application/json");
    static Response redirect(int code, const QUrl &to);
    // RFC 1952 gzip, as nginx's and CDNs' `Content-Encoding: gzip`.
    static QByteArray gzipped(const QByteArray &data);

signals:
    void requestReceived();

private:
    void onReadyRead(QTcpSocket *socket);
    void respond(QTcpSocket *socket, const Response &response);
    // Writes `data` a few bytes at a time at `bytesPerSecond`; endless: repeats it forever.
    void trickle(QTcpSocket *socket, const QByteArray &data, int bytesPerSecond, bool endless,
                 bool closeAfter);

    QTcpServer m_server;
    QList<Response> m_script;
    Response m_fallback;
    QList<Request> m_requests;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    QElapsedTimer m_clock;
    bool m_closeOnAccept = false;
    QHash<QByteArray, Response> m_routes;
};
