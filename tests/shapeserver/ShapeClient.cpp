#include "tests/shapeserver/ShapeClient.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QTcpSocket>
#include <QTimer>

QJsonArray HttpReply::messages() const
{
    return QJsonDocument::fromJson(body).array();
}

bool HttpReply::upToDate() const
{
    const QJsonArray m = messages();
    return !m.isEmpty()
        && m.last()
               .toObject()
               .value(QStringLiteral("headers"))
               .toObject()
               .value(QStringLiteral("control"))
               .toString()
        == QLatin1String("up-to-date");
}

HttpReply ShapeClient::get(const QString &path, const QList<QPair<QString, QString>> &query,
                           const QList<QPair<QByteArray, QByteArray>> &headers,
                           const QByteArray &method)
{
    QUrl url = m_base;
    url.setPath(path);
    QUrlQuery q;
    for (const auto &p : query)
        q.addQueryItem(QString::fromUtf8(QUrl::toPercentEncoding(p.first)),
                       QString::fromUtf8(QUrl::toPercentEncoding(p.second)));
    url.setQuery(q.query(QUrl::FullyEncoded), QUrl::StrictMode);
    QNetworkRequest request(url);
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                         QNetworkRequest::AlwaysNetwork);
    request.setTransferTimeout(60000);
    for (const auto &h : headers)
        request.setRawHeader(h.first, h.second);
    QNetworkReply *reply = m_manager.sendCustomRequest(request, method);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    HttpReply out;
    out.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    for (const auto &h : reply->rawHeaderPairs())
        out.headers.insert(h.first.toLower(), h.second);
    out.body = reply->readAll();
    if (reply->error() != QNetworkReply::NoError && out.status == 0)
        out.networkError = reply->errorString();
    else if (reply->error() == QNetworkReply::RemoteHostClosedError
             || reply->error() == QNetworkReply::UnknownNetworkError)
        out.networkError = reply->errorString();
    reply->deleteLater();
    return out;
}

void ShapeClient::apply(const QJsonArray &messages, QMap<QString, QMap<QString, QString>> &rows)
{
    for (const QJsonValue &m : messages) {
        const QJsonObject o = m.toObject();
        if (!o.contains(QStringLiteral("key")))
            continue;
        const QString key = o.value(QStringLiteral("key")).toString();
        const QString op = o.value(QStringLiteral("headers"))
                               .toObject()
                               .value(QStringLiteral("operation"))
                               .toString();
        if (op == QLatin1String("delete")) {
            rows.remove(key);
            continue;
        }
        auto &row = rows[key];
        if (op == QLatin1String("insert"))
            row.clear();
        const QJsonObject value = o.value(QStringLiteral("value")).toObject();
        for (auto it = value.begin(); it != value.end(); ++it)
            row[it.key()] = it.value().isNull() ? QStringLiteral("<null>") : it.value().toString();
    }
}

ShapeClient::Synced ShapeClient::sync(const QList<QPair<QString, QString>> &definition)
{
    Synced s;
    s.offset = QStringLiteral("-1");
    for (int i = 0; i < 10000; ++i) {
        auto query = definition;
        query.append({QStringLiteral("offset"), s.offset});
        if (s.offset != QLatin1String("-1"))
            query.append({QStringLiteral("handle"), s.handle});
        const HttpReply r = shape(query);
        ++s.requests;
        if (r.status != 200) {
            s.error = QStringLiteral("status %1: %2").arg(r.status).arg(QString::fromUtf8(r.body));
            return s;
        }
        s.handle = QString::fromUtf8(r.header("electric-handle"));
        s.offset = QString::fromUtf8(r.header("electric-offset"));
        apply(r.messages(), s.rows);
        if (r.upToDate())
            return s;
    }
    s.error = QStringLiteral("never up-to-date");
    return s;
}

HttpReply ShapeClient::live(const QList<QPair<QString, QString>> &definition, Synced &state)
{
    auto query = definition;
    query.append({QStringLiteral("offset"), state.offset});
    query.append({QStringLiteral("handle"), state.handle});
    query.append({QStringLiteral("live"), QStringLiteral("true")});
    query.append({QStringLiteral("cursor"), QString()});
    HttpReply r = shape(query);
    if (r.status == 200) {
        state.offset = QString::fromUtf8(r.header("electric-offset"));
        apply(r.messages(), state.rows);
    }
    return r;
}

HttpReply ShapeClient::liveUntilData(const QList<QPair<QString, QString>> &definition,
                                     Synced &state, int attempts)
{
    HttpReply r;
    for (int i = 0; i < attempts; ++i) {
        r = live(definition, state);
        if (r.status != 200 || r.header("electric-has-data") != "false")
            break;
    }
    return r;
}

RawReply RawReply::get(const QUrl &base, const QByteArray &target,
                       const QList<QPair<QByteArray, QByteArray>> &headers)
{
    RawReply out;
    QTcpSocket socket;
    socket.connectToHost(base.host(), quint16(base.port()));
    if (!socket.waitForConnected(5000)) {
        out.error = socket.errorString();
        return out;
    }
    QByteArray request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    for (const auto &h : headers)
        request += h.first + ": " + h.second + "\r\n";
    socket.write(request + "\r\n");
    QByteArray raw;
    QDeadlineTimer deadline(60000);
    while (socket.state() == QAbstractSocket::ConnectedState && !deadline.hasExpired()) {
        socket.waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime())));
        raw += socket.readAll();
    }
    raw += socket.readAll();
    const qsizetype headerEnd = raw.indexOf("\r\n\r\n");
    if (headerEnd < 0) {
        out.error = QStringLiteral("no complete response head");
        return out;
    }
    const QList<QByteArray> lines = raw.left(headerEnd).split('\n');
    out.status = lines.value(0).split(' ').value(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const qsizetype colon = lines[i].indexOf(':');
        if (colon > 0)
            out.headers.insert(lines[i].left(colon).trimmed().toLower(),
                               lines[i].mid(colon + 1).trimmed());
    }
    QByteArray rest = raw.mid(headerEnd + 4);
    if (out.headers.value("transfer-encoding") != "chunked") {
        out.body = rest;
        return out;
    }
    qsizetype at = 0;
    for (;;) {
        const qsizetype lineEnd = rest.indexOf("\r\n", at);
        bool ok = false;
        const qsizetype size = lineEnd < 0 ? 0 : rest.mid(at, lineEnd - at).toLongLong(&ok, 16);
        if (!ok || lineEnd + 2 + size + 2 > rest.size()) {
            out.error = QStringLiteral("truncated or malformed chunked body");
            return out;
        }
        if (size == 0)
            return out;
        out.body += rest.mid(lineEnd + 2, size);
        ++out.chunkFrames;
        at = lineEnd + 2 + size + 2;
    }
}
