#pragma once

#include "sync/shape/ShapeDefinition.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>

namespace hivewatch {

// The protocol part of one request: where in the shape log to read from and how.
struct ShapeRequestPosition
{
    QString offset = QStringLiteral("-1");
    QString handle; // sent whenever known (at -1 it only acts as a cache key)
    bool live = false;
    QString cursor; // live only; sent even when empty, as the official client does
    QString cacheBuster; // one-shot after a 409 or a stale cached response
    QString expiredHandle; // sent on every request once a handle of this shape expired
};

// Builds canonical request URLs (docs/electric-protocol.md §1.4): query parameters sorted by key
// and encoded as application/x-www-form-urlencoded (space as '+'), like URLSearchParams, so
// identical requests have identical URLs (CDN request collapsing).
namespace ShapeUrl {

using Query = QList<QPair<QString, QString>>;

// Every query parameter of a request, sorted by key (stable for equal keys).
Query queryItems(const ShapeEndpoint &endpoint, const ShapeDefinition &definition,
                 const ShapeRequestPosition &position);
QUrl requestUrl(const ShapeEndpoint &endpoint, const ShapeDefinition &definition,
                const ShapeRequestPosition &position);
// The identity of the shape: the canonical URL (the base URL's own query included) without
// protocol parameters (offset, handle, live, cursor, cache-buster, expired_handle, log) and
// without credentials (secret parameters, userinfo). Used to tell whether stored rows belong to
// the same shape definition; it is stored, so it must never hold a secret.
QString shapeKey(const ShapeEndpoint &endpoint, const ShapeDefinition &definition);
// The URL with the values of secret parameters and the userinfo replaced by "***": the only form
// that may appear in logs and errors.
QString redacted(const QUrl &url);
// The base URL's own query parameters, decoded, in their order.
Query baseQuery(const QUrl &url);
// secret, api_secret, anything token- or password-like (case-insensitive).
bool isSecretParameter(const QString &name);
// One form-urlencoded component back to text ('+' is a space).
QString formDecode(QByteArrayView encoded);
// One form-urlencoded component (URLSearchParams rules: [A-Za-z0-9*-._] kept, ' ' -> '+').
QByteArray formEncode(const QString &text);
// A fresh random cache buster "<ms since epoch>-<random>".
QString newCacheBuster();

} // namespace ShapeUrl

} // namespace hivewatch
