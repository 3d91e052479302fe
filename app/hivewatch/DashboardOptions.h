#pragma once

#include "domain/Result.h"
#include "ui/hive/ConnectionProfile.h"
#include "ui/hive/ConnectionSettings.h"

#include <QProcessEnvironment>

class QCommandLineParser;
class QSettings;

namespace hivewatch {

// What hivewatch starts with. Each value comes from, in rising priority: QSettings (the current
// saved profile), the environment (ELECTRIC_URL, ELECTRIC_SECRET, HIVEWATCH_TOKEN), the command
// line (--profile NAME, or a URL option, which makes an unsaved one-source profile). Secrets are
// never taken from the command line (other users can read it in ps): only the environment or
// the system keychain supply them.
struct DashboardOptions
{
    // The hive to watch; empty name = none configured (the demo starts).
    ConnectionProfile profile;
    // The single-source view of it, as before profiles (the URL options build on it).
    ConnectionSettings connection;
    bool secretFromEnvironment = false; // true: do not look the secret up in the keychain
    QString storePath; // local SQLite store shared with the log views
    bool connectOnStart = true;
    bool resetLayout = false;

    static void addTo(QCommandLineParser &parser);
    static Result<DashboardOptions> resolve(const QCommandLineParser &parser, QSettings &settings,
                                            const QProcessEnvironment &environment);
    static QString defaultStorePath();
    // Where profiles created in the connection dialog keep their stores.
    static QString dataDir();
};

} // namespace hivewatch
