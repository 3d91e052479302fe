#include "tools/shape-server/JwtToken.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>

namespace {

constexpr auto Base64Url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

QByteArray signature(const QByteArray &signingInput, const QByteArray &key)
{
    return QMessageAuthenticationCode::hash(signingInput, key, QCryptographicHash::Sha256)
        .toBase64(Base64Url);
}

// Compares every byte whatever the first difference, so timing does not reveal a prefix.
bool equalConstantTime(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

std::optional<QJsonObject> decodePart(const QByteArray &part)
{
    const auto decoded = QByteArray::fromBase64Encoding(
        part, QByteArray::Base64UrlEncoding | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    const QJsonDocument doc = QJsonDocument::fromJson(*decoded);
    if (!doc.isObject())
        return std::nullopt;
    return doc.object();
}

} // namespace

QByteArray JwtToken::mint(const QByteArray &key, const QString &subject, qint64 ttlSeconds,
                          qint64 nowSeconds)
{
    const QByteArray header
        = QByteArrayLiteral(R"({"alg":"HS256","typ":"JWT"})").toBase64(Base64Url);
    QJsonObject claims;
    claims.insert(QStringLiteral("sub"), subject);
    claims.insert(QStringLiteral("iat"), nowSeconds);
    claims.insert(QStringLiteral("exp"), nowSeconds + ttlSeconds);
    const QByteArray payload
        = QJsonDocument(claims).toJson(QJsonDocument::Compact).toBase64(Base64Url);
    const QByteArray signingInput = header + '.' + payload;
    return signingInput + '.' + signature(signingInput, key);
}

Result<QString> JwtToken::verify(const QByteArray &token, const QByteArray &key, qint64 nowSeconds)
{
    const QList<QByteArray> parts = token.split('.');
    if (parts.size() != 3)
        return Error(QStringLiteral("malformed token (expected header.payload.signature)"));
    const auto header = decodePart(parts[0]);
    const auto claims = decodePart(parts[1]);
    if (!header || !claims)
        return Error(QStringLiteral("malformed token (header or payload is not base64url JSON)"));
    if (header->value(QStringLiteral("alg")).toString() != QLatin1String("HS256"))
        return Error(QStringLiteral("token algorithm is not HS256"));
    if (!equalConstantTime(signature(parts[0] + '.' + parts[1], key), parts[2]))
        return Error(QStringLiteral("token signature does not match the key"));
    const QJsonValue exp = claims->value(QStringLiteral("exp"));
    if (!exp.isDouble())
        return Error(QStringLiteral("token has no exp claim"));
    if (qint64(exp.toDouble()) <= nowSeconds)
        return Error(QStringLiteral("token expired"));
    const QString subject = claims->value(QStringLiteral("sub")).toString();
    if (subject.isEmpty())
        return Error(QStringLiteral("token has no sub claim"));
    return subject;
}
