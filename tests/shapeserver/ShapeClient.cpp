#include "ShapeClient.h"

#include <QEventLoop>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
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
