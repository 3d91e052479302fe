#pragma once

#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace hivewatch {

// What to sync: one Electric shape (docs/electric-protocol.md §1.2–1.3). Every field except `name`
// is part of the shape's identity on the server; changing any of them gives a different shape and a
// different handle, and the locally stored rows of the old definition are discarded.
struct ShapeDefinition
{
    enum class Replica {
        Default, // updates carry the PK plus changed columns (merged locally), deletes the PK
        Full // updates carry the full new row, deletes the full old row
    };

    QString name; // the consumer's name for the shape, unique per worker; defaults to table
    QString table; // `name`, `schema.name` or a quoted identifier; ignored for proxy URLs
    QString where; // optional Postgres boolean expression, may use $1, $2, …
    QStringList params; // values of $1, $2, … in order (sent as params[1], params[2], …)
    QStringList columns; // optional projection; must include every PK column
    Replica replica = Replica::Default;

    // The consumer's name, falling back to the table name.
    QString effectiveName() const { return name.isEmpty() ? table : name; }
    bool operator==(const ShapeDefinition &other) const = default;
};

// Where a shape is served from. Two styles (issue 4 item 1):
//  - Electric: the Electric HTTP API itself, `…/v1/shape` with `table=` in the query and an
//    optional `secret=` (Electric's API secret, sent as a query parameter).
//  - Proxy: the hive's authenticating proxy, one URL per table (`…/v1/shape/<table>`), with
//    `Authorization: Bearer <token>`; the proxy fixes table, where and params server-side.
// The URL's own query string (Electric Cloud's `source_id=…&secret=…`, a gateway's fixed
// parameters) is kept on every request, as the official client keeps it.
// Secrets are never logged: use ShapeUrl::redacted() in messages.
struct ShapeEndpoint
{
    enum class Style { Electric, Proxy };

    Style style = Style::Electric;
    QUrl url; // Electric: …/v1/shape; Proxy: …/v1/shape/<table>
    QString secret; // Electric only; empty = none
    QString bearerToken; // Proxy only (may also be used with Electric behind an auth gateway)
    QString caFile; // optional PEM file of extra trusted CAs for https; TLS is always verified
    // A command whose standard output is a bearer token (like git's credential helpers or
    // kubectl's exec plugins). Run through /bin/sh when no token is known and again after a 401,
    // for access tokens that expire. Empty = the static bearerToken only.
    QString tokenCommand;
    // The user's name for where this endpoint points ("hive proxy", "Electric"), for messages
    // such as "not served by hive proxy". Empty = the URL's host.
    QString sourceName;

    static ShapeEndpoint electric(const QUrl &url, const QString &secret = {});
    static ShapeEndpoint proxy(const QUrl &url, const QString &bearerToken);
    // Guesses the style from the path: a path ending in /v1/shape is Electric, a path
    // /v1/shape/<table> is a proxy shape URL.
    static ShapeEndpoint fromUrl(const QUrl &url);
    // The table named by a proxy URL's last path segment (empty for Electric URLs).
    QString proxyTable() const;

    bool operator==(const ShapeEndpoint &other) const = default;
};

} // namespace hivewatch

Q_DECLARE_METATYPE(hivewatch::ShapeDefinition)
Q_DECLARE_METATYPE(hivewatch::ShapeEndpoint)
