#include "sync/shape/ShapeDefinition.h"

namespace hivewatch {

ShapeEndpoint ShapeEndpoint::electric(const QUrl &url, const QString &secret)
{
    ShapeEndpoint endpoint;
    endpoint.style = Style::Electric;
    endpoint.url = url;
    endpoint.secret = secret;
    return endpoint;
}

ShapeEndpoint ShapeEndpoint::proxy(const QUrl &url, const QString &bearerToken)
{
    ShapeEndpoint endpoint;
    endpoint.style = Style::Proxy;
    endpoint.url = url;
    endpoint.bearerToken = bearerToken;
    return endpoint;
}

ShapeEndpoint ShapeEndpoint::fromUrl(const QUrl &url)
{
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    ShapeEndpoint endpoint;
    endpoint.url = url;
    endpoint.style = path.endsWith(QLatin1String("/v1/shape")) || path.isEmpty() ? Style::Electric
                                                                                 : Style::Proxy;
    return endpoint;
}

QString ShapeEndpoint::proxyTable() const
{
    if (style != Style::Proxy)
        return {};
    QString path = url.path();
    while (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    return path.mid(path.lastIndexOf(QLatin1Char('/')) + 1);
}

} // namespace hivewatch
