#include "ui/hive/ConnectionProfile.h"

#include <QFileInfo>
#include <QObject>

namespace hivewatch {

ProfileSource ProfileSource::make(const QString &name, const QUrl &url, Style style, Auth auth)
{
    ProfileSource source;
    source.name = name;
    source.url = url;
    source.style = style;
    source.auth = auth;
    return source;
}

ShapeEndpoint ProfileSource::endpointFor(const QString &table) const
{
    ShapeEndpoint endpoint;
    endpoint.url = url;
    endpoint.sourceName = name;
    endpoint.caFile = caFile;
    if (style == Style::Proxy) {
        endpoint.style = ShapeEndpoint::Style::Proxy;
        QString path = url.path();
        if (!path.endsWith(QLatin1Char('/')))
            path += QLatin1Char('/');
        endpoint.url.setPath(path + table);
    }
    switch (auth) {
    case Auth::None:
        break;
    case Auth::Secret:
        endpoint.secret = secret;
        break;
    case Auth::Token:
        endpoint.bearerToken = secret;
        break;
    case Auth::TokenCommand:
        endpoint.tokenCommand = tokenCommand;
        break;
    }
    return endpoint;
}

QString ProfileSource::secretKey() const
{
    return (auth == Auth::Token ? QStringLiteral("proxy-token ")
                                : QStringLiteral("electric-secret "))
        + url.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment);
}

QStringList ConnectionProfile::tables() const
{
    QStringList result;
    for (const QString &table : ConnectionSettings::availableShapes()) {
        if (tableSources.contains(table))
            result.append(table);
    }
    return result;
}

const ProfileSource *ConnectionProfile::sourceFor(const QString &table) const
{
    const QString sourceName = tableSources.value(table);
    for (const ProfileSource &s : sources) {
        if (s.name == sourceName)
            return &s;
    }
    return nullptr;
}

ProfileSource *ConnectionProfile::source(const QString &sourceName)
{
    for (ProfileSource &s : sources) {
        if (s.name == sourceName)
            return &s;
    }
    return nullptr;
}

QString ConnectionProfile::problem() const
{
    QStringList names;
    for (const ProfileSource &s : sources) {
        if (s.name.trimmed().isEmpty())
            return QObject::tr("Name every source.");
        if (names.contains(s.name))
            return QObject::tr("Two sources are named \"%1\".").arg(s.name);
        names.append(s.name);
        if (!s.url.isValid() || s.url.isEmpty()
            || (s.url.scheme() != QLatin1String("http")
                && s.url.scheme() != QLatin1String("https")))
            return QObject::tr("Source \"%1\": \"%2\" is not an http or https URL.")
                .arg(s.name, s.url.toString());
        if (s.auth == ProfileSource::Auth::TokenCommand && s.tokenCommand.trimmed().isEmpty())
            return QObject::tr("Source \"%1\": enter the token command.").arg(s.name);
        if (!s.caFile.isEmpty() && !QFileInfo(s.caFile).isReadable())
            return QObject::tr("Source \"%1\": the CA file %2 cannot be read.")
                .arg(s.name, s.caFile);
    }
    if (tableSources.isEmpty())
        return QObject::tr("Choose at least one table to sync.");
    for (auto it = tableSources.cbegin(); it != tableSources.cend(); ++it) {
        if (!sourceFor(it.key()))
            return QObject::tr("Table %1: choose a source for it.").arg(it.key());
    }
    return {};
}

ConnectionProfile ConnectionProfile::fromConnection(const ConnectionSettings &connection,
                                                    const QString &name)
{
    ConnectionProfile profile;
    profile.name = name;
    ProfileSource source;
    const bool proxy = connection.mode == ConnectionSettings::Mode::Proxy;
    source.name = proxy ? QObject::tr("hive proxy") : QObject::tr("Electric");
    source.url = connection.url;
    source.style = proxy ? ProfileSource::Style::Proxy : ProfileSource::Style::Electric;
    // A proxy always wants a token; Electric's secret is optional.
    source.auth = proxy ? ProfileSource::Auth::Token : ProfileSource::Auth::Secret;
    source.secret = connection.secret;
    profile.sources.append(source);
    for (const QString &table : connection.shapes)
        profile.tableSources.insert(table, source.name);
    return profile;
}

} // namespace hivewatch
