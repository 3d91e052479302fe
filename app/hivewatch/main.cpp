#include "app/hivewatch/Dashboard.h"
#include "app/hivewatch/DashboardOptions.h"
#include "app/hivewatch/DashboardProcess.h"
#include "app/hivewatch/DemoSession.h"
#include "app/hivewatch/FirstRunScreenshots.h"
#include "app/hivewatch/ShutdownSignals.h"
#include "ui/MainWindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QLoggingCategory>
#include <QSettings>

#include <cstdio>
#include <memory>

using namespace hivewatch;

namespace {

const QCommandLineOption kDemoOption(
    QStringLiteral("demo"),
    QStringLiteral("Show the local demo hive even though a hive is configured. Without a "
                   "configured hive (no saved connection, no ELECTRIC_URL, no URL option) "
                   "Hivewatch starts it by itself, unless --offline is given."));
const QCommandLineOption kScreenshotOption(
    QStringLiteral("screenshot"),
    QStringLiteral("Once tasks, nodes and log lines are shown, save a PNG of each panel in "
                   "<dir> and quit (for documentation and the first-run test)."),
    QStringLiteral("dir"));

void setApplicationNames()
{
    QCoreApplication::setOrganizationName(QStringLiteral("Hivewatch"));
    QCoreApplication::setApplicationName(QStringLiteral("hivewatch"));
    QCoreApplication::setApplicationVersion(QStringLiteral(HIVEWATCH_VERSION));
}

void describeOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QStringLiteral(
        "Live dashboard for a hive of AI-coding-agent nodes, synced with ElectricSQL.\n"
        "With no hive configured it starts a local demo hive. Hives are connection profiles: "
        "File → Connect… makes them, the status bar switches between them, --profile picks "
        "one.\n\n"
        "Environment:\n"
        "  ELECTRIC_URL     Electric shape API URL (like --electric-url, which wins)\n"
        "  ELECTRIC_SECRET  Electric API secret\n"
        "  HIVEWATCH_TOKEN  bearer token for the hive's proxy (--proxy-url)\n"
        "Secrets given neither way are read from the system keychain, where File → Connect… "
        "stores them; they are never written to the settings file."));
    parser.addHelpOption();
    parser.addVersionOption();
    DashboardOptions::addTo(parser);
    parser.addOption(kDemoOption);
    parser.addOption(kScreenshotOption);
}

// --help and --version must work without a display (over ssh, in a package check): answer them
// before a QApplication tries to connect to one.
void answerHelpWithoutDisplay(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "--help" || arg == "-h" || arg == "-?" || arg == "--help-all"
            || arg == "--version" || arg == "-v") {
            QCoreApplication core(argc, argv);
            setApplicationNames();
            QCommandLineParser parser;
            describeOptions(parser);
            parser.process(core); // prints and exits
        }
    }
}

} // namespace

int main(int argc, char *argv[])
{
    DashboardProcess::prepare();
    answerHelpWithoutDisplay(argc, argv);
    QApplication app(argc, argv);
    ShutdownSignals shutdownSignals;
    // Debug traces (every request, every batch) only on demand: QT_LOGGING_RULES=hivewatch.*=true
    if (!qEnvironmentVariableIsSet("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(QStringLiteral("hivewatch.*.debug=false"));
    setApplicationNames();
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/hivewatch/hivewatch.svg")));

    QCommandLineParser parser;
    describeOptions(parser);
    parser.process(app);

    QSettings settings;
    auto options
        = DashboardOptions::resolve(parser, settings, QProcessEnvironment::systemEnvironment());
    if (!options) {
        std::fprintf(stderr, "hivewatch: %s\n", qPrintable(options.error().toString()));
        return 2;
    }
    if (options->resetLayout)
        settings.remove(QStringLiteral("MainWindow"));

    const bool startWithDemo
        = parser.isSet(kDemoOption) || (options->connectOnStart && !options->profile.isComplete());
    if (startWithDemo && !parser.isSet(QStringLiteral("store")))
        options->storePath = DemoSession::storePathIn(DemoSession::defaultDataDir());

    MainWindow window;
    Dashboard dashboard(&window, options->storePath);
    dashboard.setDataDir(DashboardOptions::dataDir());
    // With --store the demo uses that store; switching hives then keeps that file.
    dashboard.enableOwnDemo(
        DemoSession::defaultDataDir(),
        parser.isSet(QStringLiteral("store")) && startWithDemo ? options->storePath : QString());
    window.restoreLayout();
    window.show();

    // SIGTERM, SIGINT, SIGHUP: File › Quit's path, then the dashboard's destructor stops the
    // shapes (their stores closed), the shape server and the demo cluster, in that order.
    shutdownSignals.quitOnSignal(&window);

    if (startWithDemo) {
        dashboard.startDemo();
    } else if (!options->profile.isComplete()) {
        window.showMessage(QObject::tr("Not connected: choose File → Connect… (Ctrl+K)"), 0);
    } else {
        options->profile.storePath = options->storePath;
        if (options->connectOnStart)
            dashboard.start(options->profile);
        else
            dashboard.showStored(options->profile);
    }
    std::unique_ptr<FirstRunScreenshots> screenshots;
    if (parser.isSet(kScreenshotOption))
        screenshots = std::make_unique<FirstRunScreenshots>(
            &window, &dashboard, dashboard.logsPanel(), parser.value(kScreenshotOption));
    const int status = app.exec();
    // The shutdown below may block (stopping the demo cluster): another signal ends it at once.
    ShutdownSignals::markShuttingDown();
    return status;
}
