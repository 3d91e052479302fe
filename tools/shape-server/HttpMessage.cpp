#include "tools/shape-server/HttpMessage.h"

#include <QUrl>

bool HttpRequest::hasQuery(const QString &name) const
{
    for (const auto &p : query)
        if (p.first == name)
            return true;
    return false;
}

QString HttpRequest::queryValue(const QString &name) const
{
    QString value;
    for (const auto &p : query)
        if (p.first == name)
            value = p.second.isNull() ? QStringLiteral("") : p.second;
    return value;
}

QByteArray HttpRequest::header(const QByteArray &lowerName) const
{
    for (const auto &h : headers)
        if (h.first == lowerName)
            return h.second;
    return {};
}

QString HttpRequest::normalisePath(const QByteArray &rawPath)
{
    QString path = QUrl::fromPercentEncoding(rawPath);
    QString out;
    out.reserve(path.size());
    for (QChar c : path) {
        if (c == QLatin1Char('/') && out.endsWith(QLatin1Char('/')))
            continue;
        out.append(c);
    }
    while (out.size() > 1 && out.endsWith(QLatin1Char('/')))
        out.chop(1);
    return out.isEmpty() ? QStringLiteral("/") : out;
}

QList<QPair<QString, QString>> HttpRequest::parseQuery(const QByteArray &rawQuery)
{
    QList<QPair<QString, QString>> out;
    for (const QByteArray &part : rawQuery.split('&')) {
        if (part.isEmpty())
            continue;
        const qsizetype eq = part.indexOf('=');
        QByteArray name = eq < 0 ? part : part.left(eq);
        QByteArray value = eq < 0 ? QByteArray() : part.mid(eq + 1);
        name.replace('+', ' ');
        value.replace('+', ' ');
        out.append({QUrl::fromPercentEncoding(name),
                    eq < 0 ? QStringLiteral("") : QUrl::fromPercentEncoding(value)});
    }
    return out;
}

void HttpResponse::setHeader(const QByteArray &name, const QByteArray &value)
{
    for (auto &h : headers) {
        if (h.first == name) {
            h.second = value;
            return;
        }
    }
    headers.append({name, value});
}

QByteArray HttpResponse::header(const QByteArray &name) const
{
    for (const auto &h : headers)
        if (h.first == name)
            return h.second;
    return {};
}

bool HttpResponse::hasHeader(const QByteArray &name) const
{
    for (const auto &h : headers)
        if (h.first == name)
            return true;
    return false;
}

HttpResponse HttpResponse::json(int status, QByteArray body)
{
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.setHeader("content-type", "application/json; charset=utf-8");
    return r;
}

QByteArray HttpResponse::reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Unknown";
    }
}
