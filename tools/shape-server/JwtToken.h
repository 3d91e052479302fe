#pragma once

#include "domain/Result.h"

#include <QByteArray>
#include <QString>

using namespace hivewatch;

// HS256 JSON Web Tokens as the hive issues its access tokens (docs/hive-schema.md §5): the proxy
// mode verifies them, `hive-shape-server mint-token` and the tests issue them.
namespace JwtToken {

// A signed token for `subject` that expires `ttlSeconds` after `nowSeconds` (negative: already
// expired, for tests of expiry without waiting).
QByteArray mint(const QByteArray &key, const QString &subject, qint64 ttlSeconds,
                qint64 nowSeconds);

// The token's `sub` if the signature is the key's, the algorithm HS256 and `exp` is after
// `nowSeconds`; otherwise an error naming what was wrong (never echoing the token).
Result<QString> verify(const QByteArray &token, const QByteArray &key, qint64 nowSeconds);

} // namespace JwtToken
