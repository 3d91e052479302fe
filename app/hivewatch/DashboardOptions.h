#pragma once

#include "ConnectionSettings.h"
#include "Result.h"

#include <QProcessEnvironment>

class QCommandLineParser;
class QSettings;

// What hivewatch starts with. Each value comes from, in rising priority: QSettings (what the
// connection dialog saved), the environment (ELECTRIC_URL, ELECTRIC_SECRET, HIVEWATCH_TOKEN), the
// command line. Secrets are never taken from the command line (other users can read it in ps):
// only the environment or the system keychain supply them.
struct DashboardOptions
{
    ConnectionSettings connection;
    bool secretFromEnvironment = false; // true: do not look the secret up in the keychain
    QString storePath; // local SQLite store shared with the log views
    bool connectOnStart = true;
    bool resetLayout = false;

    static void addTo(QCommandLineParser &parser);
    static Result<DashboardOptions> resolve(const QCommandLineParser &parser, QSettings &settings,
                                            const QProcessEnvironment &environment);
    static QString defaultStorePath();
};
