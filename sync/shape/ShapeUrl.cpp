#include "sync/shape/ShapeUrl.h"

#include <QDateTime>
#include <QRandomGenerator>

#include <algorithm>

namespace hivewatch {

namespace ShapeUrl {

namespace {

// Columns are always sent quoted so names keep their case and may hold commas; a name the caller
// already quoted is kept as it is.
QString quotedColumns(const QStringList &columns)
{
    QStringList quoted;
    quoted.reserve(columns.size());
    for (const QString &column : columns) {
        const QString c = column.trimmed();
        if (c.size() >= 2 && c.startsWith(QLatin1Char('"')) && c.endsWith(QLatin1Char('"')))
            quoted << c;
        else
            quoted << QLatin1Char('"')
                    + QString(c).replace(QLatin1String("\""), QLatin1String("\"\""))
                    + QLatin1Char('"');
    }
    return quoted.join(QLatin1Char(','));
}

} // namespace

Query queryItems(const ShapeEndpoint &endpoint, const ShapeDefinition &definition,
                 const ShapeRequestPosition &position)
{
    Query items;
    if (endpoint.style == ShapeEndpoint::Style::Electric)
        items.append({QStringLiteral("table"), definition.table});
    if (!definition.where.isEmpty())
        items.append({QStringLiteral("where"), definition.where});
    for (qsizetype i = 0; i < definition.params.size(); ++i)
        items.append({QStringLiteral("params[%1]").arg(i + 1), definition.params[i]});
    if (!definition.columns.isEmpty())
        items.append({QStringLiteral("columns"), quotedColumns(definition.columns)});
    if (definition.replica == ShapeDefinition::Replica::Full)
        items.append({QStringLiteral("replica"), QStringLiteral("full")});
    items.append({QStringLiteral("log"), QStringLiteral("full")});
    items.append({QStringLiteral("offset"), position.offset});
    if (!position.handle.isEmpty())
        items.append({QStringLiteral("handle"), position.handle});
    if (position.live) {
        items.append({QStringLiteral("live"), QStringLiteral("true")});
        items.append({QStringLiteral("cursor"), position.cursor});
    }
    if (!position.cacheBuster.isEmpty())
        items.append({QStringLiteral("cache-buster"), position.cacheBuster});
    if (!position.expiredHandle.isEmpty())
        items.append({QStringLiteral("expired_handle"), position.expiredHandle});
    if (endpoint.style == ShapeEndpoint::Style::Electric && !endpoint.secret.isEmpty())
        items.append({QStringLiteral("secret"), endpoint.secret});
    // The URL's own parameters (Electric Cloud's source_id and secret, a gateway's fixed ones)
    // come along, as `new URL(url)` keeps them in the official client; a parameter we set
    // replaces a same-named one, as URLSearchParams.set() does.
    static const QStringList reserved = {
        QStringLiteral("offset"),        QStringLiteral("handle"), QStringLiteral("live"),
        QStringLiteral("live_sse"),      QStringLiteral("cursor"), QStringLiteral("cache-buster"),
        QStringLiteral("expired_handle")};
    // Not a structured binding: clang before 16 (the fuzz build) cannot capture one in a lambda.
    for (const auto &parameter : baseQuery(endpoint.url)) {
        const QString &name = parameter.first;
        if (reserved.contains(name))
            continue; // the protocol's own position, never a fixed parameter
        const bool replaced = std::any_of(items.cbegin(), items.cend(),
                                          [&name](const auto &item) { return item.first == name; });
        if (!replaced)
            items.append(parameter);
    }
    std::stable_sort(items.begin(), items.end(),
                     [](const auto &a, const auto &b) { return a.first < b.first; });
    return items;
}

Query baseQuery(const QUrl &url)
{
    Query items;
    const QByteArray query = url.query(QUrl::FullyEncoded).toLatin1();
    for (const QByteArray &pair : query.split('&')) {
        if (pair.isEmpty())
            continue;
        const qsizetype equals = pair.indexOf('=');
        const QByteArray name = equals < 0 ? pair : pair.left(equals);
        const QByteArray value = equals < 0 ? QByteArray() : pair.mid(equals + 1);
        items.append({formDecode(name), formDecode(value)});
    }
    return items;
}

QString formDecode(QByteArrayView encoded)
{
    QByteArray bytes = encoded.toByteArray();
    bytes.replace('+', ' ');
    return QString::fromUtf8(QByteArray::fromPercentEncoding(bytes));
}

bool isSecretParameter(const QString &name)
{
    const QString lower = name.toLower();
    return lower == QLatin1String("secret") || lower == QLatin1String("api_secret")
        || lower.contains(QLatin1String("token")) || lower.contains(QLatin1String("password"));
}

QByteArray formEncode(const QString &text)
{
    static const char hex[] = "0123456789ABCDEF";
    const QByteArray utf8 = text.toUtf8();
    QByteArray out;
    out.reserve(utf8.size() * 3 / 2);
    for (const char ch : utf8) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '*'
            || c == '-' || c == '.' || c == '_') {
            out.append(ch);
        } else if (c == ' ') {
            out.append('+');
        } else {
            out.append('%');
            out.append(hex[c >> 4]);
            out.append(hex[c & 0xF]);
        }
    }
    return out;
}

namespace {

QByteArray encodeQuery(const Query &items)
{
    QByteArray query;
    for (const auto &[name, value] : items) {
        if (!query.isEmpty())
            query.append('&');
        query.append(formEncode(name));
        query.append('=');
        query.append(formEncode(value));
    }
    return query;
}

QByteArray baseWithoutQuery(const QUrl &url, QUrl::FormattingOptions extra = {})
{
    return url.adjusted(QUrl::RemoveQuery | QUrl::RemoveFragment | extra).toEncoded();
}

} // namespace

QUrl requestUrl(const ShapeEndpoint &endpoint, const ShapeDefinition &definition,
                const ShapeRequestPosition &position)
{
    const QByteArray encoded = baseWithoutQuery(endpoint.url) + '?'
        + encodeQuery(queryItems(endpoint, definition, position));
    return QUrl::fromEncoded(encoded, QUrl::StrictMode);
}

QString shapeKey(const ShapeEndpoint &endpoint, const ShapeDefinition &definition)
{
    ShapeEndpoint withoutSecret = endpoint;
    withoutSecret.secret.clear();
    Query items = queryItems(withoutSecret, definition, {});
    // The key is stored next to the rows in a plain file: no protocol position, no credentials.
    static const QStringList protocol = {QStringLiteral("offset"), QStringLiteral("log")};
    items.removeIf([](const auto &item) {
        return protocol.contains(item.first) || isSecretParameter(item.first);
    });
    QByteArray key = baseWithoutQuery(endpoint.url, QUrl::RemoveUserInfo);
    if (!items.isEmpty())
        key += '?' + encodeQuery(items);
    return QString::fromUtf8(key);
}

QString redacted(const QUrl &url)
{
    // Rebuilt from the encoded pairs so the rest of the query reads exactly as it was sent.
    QByteArrayList pairs = url.query(QUrl::FullyEncoded).toLatin1().split('&');
    for (QByteArray &pair : pairs) {
        const qsizetype equals = pair.indexOf('=');
        if (equals >= 0 && isSecretParameter(formDecode(pair.left(equals))))
            pair = pair.left(equals) + "=***";
    }
    QUrl copy = url.adjusted(QUrl::RemoveUserInfo);
    if (url.hasQuery())
        copy.setQuery(QString::fromLatin1(pairs.join('&')), QUrl::StrictMode);
    if (!url.userInfo().isEmpty())
        return copy.toDisplayString().replace(QLatin1String("://"), QLatin1String("://***@"));
    return copy.toDisplayString();
}

QString newCacheBuster()
{
    return QStringLiteral("%1-%2")
        .arg(QDateTime::currentMSecsSinceEpoch())
        .arg(QRandomGenerator::global()->generate(), 0, 36);
}

} // namespace ShapeUrl

} // namespace hivewatch
