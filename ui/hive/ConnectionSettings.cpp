#include "ui/hive/ConnectionSettings.h"

#include "domain/HiveTables.h"

#include <QSettings>

namespace hivewatch {

QStringList ConnectionSettings::availableShapes()
{
    return HiveTables::dashboardShapes();
}

ConnectionSettings ConnectionSettings::load(QSettings &settings)
{
    ConnectionSettings c;
    settings.beginGroup(QStringLiteral("Connection"));
    c.mode = settings.value(QStringLiteral("mode")).toString() == QLatin1String("proxy")
        ? Mode::Proxy
        : Mode::Electric;
    c.url = QUrl(settings.value(QStringLiteral("url")).toString());
    c.shapes = settings.value(QStringLiteral("shapes"), availableShapes()).toStringList();
    settings.endGroup();
    return c;
}

void ConnectionSettings::save(QSettings &settings) const
{
    settings.beginGroup(QStringLiteral("Connection"));
    settings.setValue(QStringLiteral("mode"),
                      mode == Mode::Proxy ? QStringLiteral("proxy") : QStringLiteral("electric"));
    settings.setValue(QStringLiteral("url"), url.toString());
    settings.setValue(QStringLiteral("shapes"), shapes);
    settings.endGroup();
}

QString ConnectionSettings::secretKey() const
{
    return (mode == Mode::Proxy ? QStringLiteral("proxy-token ")
                                : QStringLiteral("electric-secret "))
        + url.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment);
}

} // namespace hivewatch
