#include "app/hivewatch/DashboardOptions.h"

#include "domain/HiveTables.h"
#include "ui/hive/ProfileStore.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>

#include <optional>

namespace hivewatch {

namespace {
const QString kElectricUrl = QStringLiteral("electric-url");
const QString kProxyUrl = QStringLiteral("proxy-url");
const QString kShapes = QStringLiteral("shapes");
const QString kStore = QStringLiteral("store");
const QString kOffline = QStringLiteral("offline");
const QString kResetLayout = QStringLiteral("reset-layout");
const QString kProfile = QStringLiteral("profile");
const QString kTokenCommand = QStringLiteral("token-command");
const QString kCaFile = QStringLiteral("ca-file");

Result<QUrl> parseUrl(const QString &text, const QString &from)
{
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid()
        || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")))
        return Error(QStringLiteral("%1: \"%2\" is not an http or https URL").arg(from, text));
    return url;
}
} // namespace

void DashboardOptions::addTo(QCommandLineParser &parser)
{
    parser.addOption(
        {kElectricUrl,
         QStringLiteral("Sync directly from Electric's shape API, e.g. "
                        "http://127.0.0.1:3000/v1/shape. Overrides ELECTRIC_URL and the "
                        "saved connection. The API secret comes from ELECTRIC_SECRET or "
                        "the system keychain."),
         QStringLiteral("url")});
    parser.addOption(
        {kProxyUrl,
         QStringLiteral("Sync through the hive's authenticating proxy, e.g. "
                        "https://hive.example/v1/shape (one shape per table below it). "
                        "The bearer token comes from HIVEWATCH_TOKEN, --token-command or the "
                        "keychain. With --electric-url (or ELECTRIC_URL) too, only "
                        "shared_tasks goes through the proxy, as the hive's proxy serves "
                        "nothing else, and the node tables come from Electric."),
         QStringLiteral("url")});
    parser.addOption(
        {kTokenCommand,
         QStringLiteral("A command printing a bearer token for --proxy-url (or for "
                        "--electric-url behind an auth gateway), run again when the token "
                        "expires. Also HIVEWATCH_TOKEN_COMMAND."),
         QStringLiteral("command")});
    parser.addOption(
        {kCaFile,
         QStringLiteral("A PEM file of CA certificates to trust, besides the system's, for the "
                        "https URLs above (a hive behind a private CA). Certificates are "
                        "always verified."),
         QStringLiteral("file")});
    parser.addOption(
        {kShapes,
         QStringLiteral("Comma-separated tables to sync (default: the saved choice, or "
                        "all of: %1).")
             .arg(ConnectionSettings::availableShapes().join(QLatin1String(", "))),
         QStringLiteral("tables")});
    parser.addOption({kStore,
                      QStringLiteral("Local SQLite store for synced rows and logs (default: %1).")
                          .arg(defaultStorePath()),
                      QStringLiteral("file")});
    parser.addOption(
        {kOffline, QStringLiteral("Start without connecting (File → Connect… later).")});
    parser.addOption({kResetLayout, QStringLiteral("Forget the saved window layout.")});
    parser.addOption({kProfile,
                      QStringLiteral("Watch the saved connection profile <name> (File → "
                                     "Connect… makes them). Default: the last one used."),
                      QStringLiteral("name")});
}

QString DashboardOptions::dataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

QString DashboardOptions::defaultStorePath()
{
    return QDir(dataDir()).filePath(QStringLiteral("hivewatch.sqlite"));
}

Result<DashboardOptions> DashboardOptions::resolve(const QCommandLineParser &parser,
                                                   QSettings &settings,
                                                   const QProcessEnvironment &environment)
{
    DashboardOptions options;
    options.connection = ConnectionSettings::load(settings);
    ProfileStore::migrateLegacy(settings, defaultStorePath());
    if (parser.isSet(kProfile)) {
        if (parser.isSet(kElectricUrl) || parser.isSet(kProxyUrl))
            return Error(QStringLiteral("--profile and --%1 exclude each other: choose one")
                             .arg(parser.isSet(kProxyUrl) ? kProxyUrl : kElectricUrl));
        const QString name = parser.value(kProfile);
        auto profile = ProfileStore::load(settings, name);
        if (!profile) {
            const QStringList saved = ProfileStore::names(settings);
            return Error(QStringLiteral("--profile: no saved profile \"%1\" (saved: %2)")
                             .arg(name,
                                  saved.isEmpty() ? QStringLiteral("none")
                                                  : saved.join(QLatin1String(", "))));
        }
        options.profile = *profile;
    } else if (auto current = ProfileStore::load(settings, ProfileStore::current(settings))) {
        options.profile = *current;
    }
    if (!options.connection.isComplete() && !options.profile.sources.isEmpty()) {
        const ProfileSource &first = options.profile.sources.constFirst();
        options.connection.mode = first.style == ProfileSource::Style::Proxy
            ? ConnectionSettings::Mode::Proxy
            : ConnectionSettings::Mode::Electric;
        options.connection.url = first.url;
        options.connection.shapes = options.profile.tables();
    }
    bool urlGiven = false;

    if (environment.contains(QStringLiteral("ELECTRIC_URL"))) {
        auto url = parseUrl(environment.value(QStringLiteral("ELECTRIC_URL")),
                            QStringLiteral("ELECTRIC_URL"));
        if (!url)
            return url.error();
        options.connection.mode = ConnectionSettings::Mode::Electric;
        options.connection.url = url.value();
        urlGiven = !parser.isSet(kProfile);
    }
    // Both URLs: the hive's real layout, its proxy for shared_tasks and Electric for the rest.
    std::optional<QUrl> electricUrl;
    if (parser.isSet(kElectricUrl)) {
        auto url = parseUrl(parser.value(kElectricUrl), QStringLiteral("--") + kElectricUrl);
        if (!url)
            return url.error();
        electricUrl = url.value();
    } else if (environment.contains(QStringLiteral("ELECTRIC_URL")) && !parser.isSet(kProfile)) {
        electricUrl = options.connection.url;
    }
    bool mixed = false;
    if (parser.isSet(kProxyUrl)) {
        auto url = parseUrl(parser.value(kProxyUrl), QStringLiteral("--") + kProxyUrl);
        if (!url)
            return url.error();
        mixed = electricUrl.has_value();
        options.connection.mode = ConnectionSettings::Mode::Proxy;
        options.connection.url = url.value();
        urlGiven = true;
    } else if (parser.isSet(kElectricUrl)) {
        options.connection.mode = ConnectionSettings::Mode::Electric;
        options.connection.url = *electricUrl;
        urlGiven = true;
    }
    QString tokenCommand = parser.value(kTokenCommand);
    if (tokenCommand.isEmpty())
        tokenCommand = environment.value(QStringLiteral("HIVEWATCH_TOKEN_COMMAND"));
    if (parser.isSet(kTokenCommand) && !urlGiven)
        return Error(QStringLiteral("--token-command needs --proxy-url or --electric-url (a saved "
                                    "profile keeps its own token command)"));
    const QString caFile = parser.value(kCaFile);
    if (parser.isSet(kCaFile)) {
        if (!urlGiven)
            return Error(QStringLiteral("--ca-file needs --proxy-url or --electric-url (a saved "
                                        "profile keeps its own CA file)"));
        if (!QFileInfo(caFile).isReadable())
            return Error(QStringLiteral("--ca-file: %1 cannot be read").arg(caFile));
    }

    const QString secretVariable = options.connection.mode == ConnectionSettings::Mode::Proxy
        ? QStringLiteral("HIVEWATCH_TOKEN")
        : QStringLiteral("ELECTRIC_SECRET");
    if (environment.contains(secretVariable)) {
        options.connection.secret = environment.value(secretVariable);
        options.secretFromEnvironment = true;
    }

    if (parser.isSet(kShapes)) {
        QStringList shapes;
        for (const QString &part :
             parser.value(kShapes).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
            const QString shape = part.trimmed();
            if (!ConnectionSettings::availableShapes().contains(shape))
                return Error(
                    QStringLiteral("--shapes: unknown table \"%1\"; choose from %2")
                        .arg(shape,
                             ConnectionSettings::availableShapes().join(QLatin1String(", "))));
            shapes.append(shape);
        }
        if (shapes.isEmpty())
            return Error(QStringLiteral("--shapes: name at least one table"));
        options.connection.shapes = shapes;
    }

    if (urlGiven) {
        // A hive named on the command line is watched as given, never saved as a profile.
        options.profile
            = ConnectionProfile::fromConnection(options.connection, QStringLiteral("command line"));
        ProfileSource &first = options.profile.sources.first();
        if (!tokenCommand.isEmpty()) {
            first.auth = ProfileSource::Auth::TokenCommand;
            first.tokenCommand = tokenCommand;
            first.secret.clear();
        }
        if (mixed) {
            ProfileSource electric = ProfileSource::make(QObject::tr("Electric"), *electricUrl);
            if (environment.contains(QStringLiteral("ELECTRIC_SECRET"))) {
                electric.auth = ProfileSource::Auth::Secret;
                electric.secret = environment.value(QStringLiteral("ELECTRIC_SECRET"));
            }
            options.profile.sources.append(electric);
            for (auto it = options.profile.tableSources.begin();
                 it != options.profile.tableSources.end(); ++it) {
                if (it.key() != HiveTables::SharedTasks)
                    it.value() = electric.name;
            }
            options.secretFromEnvironment = true; // the command line names every secret's source
        }
        for (ProfileSource &source : options.profile.sources)
            source.caFile = caFile;
    } else {
        if (parser.isSet(kShapes)) {
            const QString fallback = options.profile.sources.isEmpty()
                ? QString()
                : options.profile.sources.constFirst().name;
            QMap<QString, QString> chosen;
            for (const QString &table : std::as_const(options.connection.shapes))
                chosen.insert(table, options.profile.tableSources.value(table, fallback));
            options.profile.tableSources = chosen;
        }
        // Each secret from its variable when set: ELECTRIC_SECRET for Electric's API secret,
        // HIVEWATCH_TOKEN for bearer tokens.
        for (ProfileSource &source : options.profile.sources) {
            const QString variable = source.auth == ProfileSource::Auth::Secret
                ? QStringLiteral("ELECTRIC_SECRET")
                : source.auth == ProfileSource::Auth::Token ? QStringLiteral("HIVEWATCH_TOKEN")
                                                            : QString();
            if (!variable.isEmpty() && environment.contains(variable)) {
                source.secret = environment.value(variable);
                options.secretFromEnvironment = true;
            }
        }
    }
    if (parser.isSet(kStore))
        options.storePath = parser.value(kStore);
    else if (!options.profile.storePath.isEmpty())
        options.storePath = options.profile.storePath;
    else if (urlGiven || options.profile.name.isEmpty())
        options.storePath = defaultStorePath();
    else // a saved profile without a store yet: one of its own, apart from other hives'
        options.storePath = ProfileStore::defaultStorePath(dataDir(), options.profile.name);
    options.connectOnStart = !parser.isSet(kOffline);
    options.resetLayout = parser.isSet(kResetLayout);
    return options;
}

} // namespace hivewatch
