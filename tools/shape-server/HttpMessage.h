#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QString>

// One parsed HTTP/1.1 request. Header names are lower-cased; query parameters are decoded the
// way browsers and URLSearchParams encode them (`+` is a space, then percent-decoding).
struct HttpRequest
{
    QByteArray method;
    QString path; // percent-decoded, repeated slashes collapsed, no trailing slash
    QList<QPair<QString, QString>> query;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;

    bool hasQuery(const QString &name) const;
    QString queryValue(const QString &name) const; // the last occurrence wins; null if absent
    QByteArray header(const QByteArray &lowerName) const;

    static QString normalisePath(const QByteArray &rawPath);
    static QList<QPair<QString, QString>> parseQuery(const QByteArray &rawQuery);
};

struct HttpResponse
{
    int status = 200;
    QList<QPair<QByteArray, QByteArray>> headers; // lower-case names, as Electric sends them
    QByteArray body;
    bool headOnly = false; // HEAD: headers (with the GET's content-length), no body
    // Transfer-Encoding: chunked, the body written in pieces as Electric streams a 200 log
    // response; otherwise content-length.
    bool chunked = false;
    // Fault injection: close the connection after this many body bytes (-1 = send it all).
    qsizetype dropAfterBodyBytes = -1;

    void setHeader(const QByteArray &name, const QByteArray &value);
    QByteArray header(const QByteArray &name) const;
    bool hasHeader(const QByteArray &name) const;

    static HttpResponse json(int status, QByteArray body);
    static QByteArray reasonPhrase(int status);
};
