#include "DashboardOptions.h"

#include <QCommandLineParser>
#include <QDir>
#include <QSettings>
#include <QStandardPaths>

namespace {
const QString kElectricUrl = QStringLiteral("electric-url");
const QString kProxyUrl = QStringLiteral("proxy-url");
const QString kShapes = QStringLiteral("shapes");
const QString kStore = QStringLiteral("store");
const QString kOffline = QStringLiteral("offline");
const QString kResetLayout = QStringLiteral("reset-layout");

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
         QStringLiteral("Sync through the hive's authenticating proxy instead, e.g. "
                        "https://hive.example/v1/shape (one shape per table below it). "
                        "The bearer token comes from HIVEWATCH_TOKEN or the keychain."),
         QStringLiteral("url")});
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
}

QString DashboardOptions::defaultStorePath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("hivewatch.sqlite"));
}

Result<DashboardOptions> DashboardOptions::resolve(const QCommandLineParser &parser,
                                                   QSettings &settings,
                                                   const QProcessEnvironment &environment)
{
    DashboardOptions options;
    options.connection = ConnectionSettings::load(settings);

    if (environment.contains(QStringLiteral("ELECTRIC_URL"))) {
        auto url = parseUrl(environment.value(QStringLiteral("ELECTRIC_URL")),
                            QStringLiteral("ELECTRIC_URL"));
        if (!url)
            return url.error();
        options.connection.mode = ConnectionSettings::Mode::Electric;
        options.connection.url = url.value();
    }
    if (parser.isSet(kElectricUrl) && parser.isSet(kProxyUrl))
        return Error(
            QStringLiteral("--electric-url and --proxy-url exclude each other: choose one"));
    if (parser.isSet(kElectricUrl) || parser.isSet(kProxyUrl)) {
        const bool proxy = parser.isSet(kProxyUrl);
        const QString name = proxy ? kProxyUrl : kElectricUrl;
        auto url = parseUrl(parser.value(name), QStringLiteral("--") + name);
        if (!url)
            return url.error();
        options.connection.mode
            = proxy ? ConnectionSettings::Mode::Proxy : ConnectionSettings::Mode::Electric;
        options.connection.url = url.value();
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

    options.storePath = parser.isSet(kStore) ? parser.value(kStore) : defaultStorePath();
    options.connectOnStart = !parser.isSet(kOffline);
    options.resetLayout = parser.isSet(kResetLayout);
    return options;
}
