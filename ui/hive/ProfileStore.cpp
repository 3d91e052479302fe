#include "ui/hive/ProfileStore.h"

#include <QCryptographicHash>
#include <QDir>
#include <QSettings>

namespace hivewatch {

namespace {
const QString kGroup = QStringLiteral("Profiles");
const QString kCurrent = QStringLiteral("Profiles/current");

// QSettings treats '/' and '\' in keys as separators; profile names may contain anything.
QString groupFor(const QString &name)
{
    return kGroup + QLatin1Char('/') + QString::fromLatin1(name.toUtf8().toPercentEncoding());
}

QString styleName(ProfileSource::Style style)
{
    return style == ProfileSource::Style::Proxy ? QStringLiteral("proxy")
                                                : QStringLiteral("electric");
}

QString authName(ProfileSource::Auth auth)
{
    switch (auth) {
    case ProfileSource::Auth::None:
        return QStringLiteral("none");
    case ProfileSource::Auth::Secret:
        return QStringLiteral("secret");
    case ProfileSource::Auth::Token:
        return QStringLiteral("token");
    case ProfileSource::Auth::TokenCommand:
        return QStringLiteral("token-command");
    }
    return {};
}

ProfileSource::Auth authFrom(const QString &text)
{
    if (text == QLatin1String("secret"))
        return ProfileSource::Auth::Secret;
    if (text == QLatin1String("token"))
        return ProfileSource::Auth::Token;
    if (text == QLatin1String("token-command"))
        return ProfileSource::Auth::TokenCommand;
    return ProfileSource::Auth::None;
}
} // namespace

QStringList ProfileStore::names(QSettings &settings)
{
    settings.beginGroup(kGroup);
    QStringList result;
    for (const QString &group : settings.childGroups())
        result.append(QString::fromUtf8(QByteArray::fromPercentEncoding(group.toLatin1())));
    settings.endGroup();
    result.sort(Qt::CaseInsensitive);
    return result;
}

std::optional<ConnectionProfile> ProfileStore::load(QSettings &settings, const QString &name)
{
    if (!names(settings).contains(name))
        return std::nullopt;
    ConnectionProfile profile;
    profile.name = name;
    settings.beginGroup(groupFor(name));
    profile.storePath = settings.value(QStringLiteral("store")).toString();
    const int count = settings.beginReadArray(QStringLiteral("sources"));
    for (int i = 0; i < count; ++i) {
        settings.setArrayIndex(i);
        ProfileSource source;
        source.name = settings.value(QStringLiteral("name")).toString();
        source.url = QUrl(settings.value(QStringLiteral("url")).toString());
        source.style = settings.value(QStringLiteral("style")).toString() == QLatin1String("proxy")
            ? ProfileSource::Style::Proxy
            : ProfileSource::Style::Electric;
        source.auth = authFrom(settings.value(QStringLiteral("auth")).toString());
        source.tokenCommand = settings.value(QStringLiteral("tokenCommand")).toString();
        source.caFile = settings.value(QStringLiteral("caFile")).toString();
        profile.sources.append(source);
    }
    settings.endArray();
    settings.beginGroup(QStringLiteral("tables"));
    for (const QString &table : settings.childKeys())
        profile.tableSources.insert(table, settings.value(table).toString());
    settings.endGroup();
    settings.endGroup();
    return profile;
}

bool ProfileStore::save(QSettings &settings, const ConnectionProfile &profile)
{
    if (profile.demo || profile.name.isEmpty())
        return false;
    settings.remove(groupFor(profile.name));
    settings.beginGroup(groupFor(profile.name));
    settings.setValue(QStringLiteral("store"), profile.storePath);
    settings.beginWriteArray(QStringLiteral("sources"), int(profile.sources.size()));
    for (int i = 0; i < profile.sources.size(); ++i) {
        const ProfileSource &source = profile.sources.at(i);
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("name"), source.name);
        settings.setValue(QStringLiteral("url"), source.url.toString());
        settings.setValue(QStringLiteral("style"), styleName(source.style));
        settings.setValue(QStringLiteral("auth"), authName(source.auth));
        settings.setValue(QStringLiteral("tokenCommand"), source.tokenCommand);
        if (!source.caFile.isEmpty())
            settings.setValue(QStringLiteral("caFile"), source.caFile);
    }
    settings.endArray();
    settings.beginGroup(QStringLiteral("tables"));
    for (auto it = profile.tableSources.cbegin(); it != profile.tableSources.cend(); ++it)
        settings.setValue(it.key(), it.value());
    settings.endGroup();
    settings.endGroup();
    return true;
}

void ProfileStore::remove(QSettings &settings, const QString &name)
{
    settings.remove(groupFor(name));
    if (current(settings) == name)
        settings.remove(kCurrent);
}

QString ProfileStore::current(QSettings &settings)
{
    return settings.value(kCurrent).toString();
}

void ProfileStore::setCurrent(QSettings &settings, const QString &name)
{
    settings.setValue(kCurrent, name);
}

void ProfileStore::migrateLegacy(QSettings &settings, const QString &legacyStorePath)
{
    if (!settings.childGroups().contains(QStringLiteral("Connection")))
        return;
    const ConnectionSettings legacy = ConnectionSettings::load(settings);
    if (names(settings).isEmpty() && legacy.isComplete()) {
        ConnectionProfile profile
            = ConnectionProfile::fromConnection(legacy, QStringLiteral("default"));
        profile.storePath = legacyStorePath;
        save(settings, profile);
        setCurrent(settings, profile.name);
    }
    settings.remove(QStringLiteral("Connection"));
}

QString ProfileStore::defaultStorePath(const QString &dataDir, const QString &profileName)
{
    QString file;
    for (const QChar c : profileName)
        file += c.isLetterOrNumber() || c == QLatin1Char('-') || c == QLatin1Char('_')
            ? c
            : QLatin1Char('_');
    // The hash keeps "a b" and "a_b" apart.
    const QByteArray hash
        = QCryptographicHash::hash(profileName.toUtf8(), QCryptographicHash::Sha1).toHex().left(8);
    return QDir(dataDir).filePath(
        QStringLiteral("profiles/%1-%2.sqlite").arg(file, QString::fromLatin1(hash)));
}

} // namespace hivewatch
