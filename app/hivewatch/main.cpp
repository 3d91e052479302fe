#include "Dashboard.h"
#include "DashboardOptions.h"
#include "DemoSession.h"
#include "FirstRunScreenshots.h"
#include "LegacyMigrationDialog.h"
#include "LogModel.h"
#include "LogsPanel.h"
#include "MainWindow.h"
#include "PgSetupPanel.h"
#include "ShapeClient.h"
#include "ShutdownSignals.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QLoggingCategory>
#include <QMenuBar>
#include <QSettings>
#include <QStatusBar>

#include <cstdio>
#include <memory>

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

    // The demo is declared before the dashboard so it outlives it: the shapes stop first, then
    // the shape server, then the cluster.
    std::unique_ptr<DemoSession> demo;
    QUrl demoUrl; // temporary: only ever held in memory, never saved
    bool demoWanted = false;
    const bool startWithDemo
        = parser.isSet(kDemoOption) || (options->connectOnStart && !options->profile.isComplete());
    if (startWithDemo && !parser.isSet(QStringLiteral("store")))
        options->storePath = DemoSession::storePathIn(DemoSession::defaultDataDir());

    MainWindow window;
    Dashboard dashboard(&window, options->storePath);
    dashboard.setDataDir(DashboardOptions::dataDir());
    // Other panels: add them here with window.addPanel(…) before the layout is restored.
    window.addPanel(new PgSetupPanel, QObject::tr("Postgres setup"));
    // Tools → Migrate legacy logs…: a modeless dialog; the migration runs on its own thread.
    auto *tools = new QMenu(QObject::tr("&Tools"), &window);
    window.menuBar()->insertMenu(window.menuBar()->actions().constLast(), tools);
    tools->addAction(QObject::tr("Migrate legacy logs…"), &window, [&window] {
        auto *dialog = new LegacyMigrationDialog(&window);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->show();
    });
    // Logs: read from the local store on the model's own thread; synced log batches (already
    // committed to the store) tell it that new lines are there. Another hive, another store.
    auto *logModel = new LogModel(&window);
    QObject::connect(dashboard.shapeClient(), &ShapeClient::batchReady, logModel,
                     &LogModel::applyShapeBatch);
    logModel->setStorePath(options->storePath);
    QObject::connect(&dashboard, &Dashboard::storeChanged, logModel, [&](const QString &storePath) {
        QObject::connect(dashboard.shapeClient(), &ShapeClient::batchReady, logModel,
                         &LogModel::applyShapeBatch);
        logModel->setStorePath(storePath);
        if (storePath != DemoSession::storePathIn(DemoSession::defaultDataDir()))
            demoWanted = false;
    });
    auto *logsPanel = new LogsPanel(logModel);
    window.addPanel(logsPanel, QObject::tr("Logs"));

    window.restoreLayout();
    window.show();

    // SIGTERM, SIGINT, SIGHUP: File › Quit's path, then the destructors below stop the shapes
    // (their stores closed), the shape server and the demo cluster, in that order.
    shutdownSignals.quitOnSignal(&window);

    const auto connectToDemo = [&] {
        ConnectionSettings settings;
        settings.mode = ConnectionSettings::Mode::Electric;
        settings.url = demoUrl;
        settings.shapes = ConnectionSettings::availableShapes();
        ConnectionProfile profile
            = ConnectionProfile::fromConnection(settings, Dashboard::demoProfileName());
        profile.demo = true; // never saved: the next run starts the demo again
        // With --store the demo uses that store; switching hives then keeps that file.
        profile.storePath = parser.isSet(QStringLiteral("store")) && startWithDemo
            ? options->storePath
            : demo->storePath();
        dashboard.connectTo(profile);
        window.showMessage(QObject::tr("Local demo hive is live"));
    };
    const auto startDemo = [&] {
        demoWanted = true;
        if (demo) {
            if (!demoUrl.isEmpty())
                connectToDemo();
            return;
        }
        demo = std::make_unique<DemoSession>(DemoSession::defaultDataDir());
        QObject::connect(demo.get(), &DemoSession::progress, &window,
                         [&window](const QString &step) { window.showMessage(step, 0); });
        QObject::connect(demo.get(), &DemoSession::failed, &window, [&window](const QString &why) {
            std::fprintf(stderr, "hivewatch: the local demo hive could not start: %s\n",
                         qPrintable(why));
            window.showMessage(QObject::tr("The local demo hive could not start: %1").arg(why), 0);
        });
        QObject::connect(demo.get(), &DemoSession::ready, &dashboard, [&](const QUrl &shapeUrl) {
            demoUrl = shapeUrl;
            if (demoWanted) // the user may have chosen another hive meanwhile
                connectToDemo();
        });
        demo->start();
    };
    QObject::connect(&dashboard, &Dashboard::demoRequested, &window, startDemo);

    if (startWithDemo) {
        startDemo();
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
        screenshots = std::make_unique<FirstRunScreenshots>(&window, &dashboard, logsPanel,
                                                            parser.value(kScreenshotOption));
    const int status = app.exec();
    // The shutdown below may block (stopping the demo cluster): another signal ends it at once.
    ShutdownSignals::markShuttingDown();
    return status;
}
