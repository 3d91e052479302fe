#include "Dashboard.h"
#include "DashboardOptions.h"
#include "LegacyMigrationDialog.h"
#include "LogModel.h"
#include "LogsPanel.h"
#include "MainWindow.h"
#include "PgSetupPanel.h"
#include "ShapeClient.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QMenuBar>
#include <QSettings>

#include <cstdio>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Hivewatch"));
    QApplication::setApplicationName(QStringLiteral("hivewatch"));
    QApplication::setApplicationVersion(QStringLiteral(HIVEWATCH_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/hivewatch/hivewatch.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Live dashboard for a hive of AI-coding-agent nodes, synced with ElectricSQL.\n\n"
        "Environment:\n"
        "  ELECTRIC_URL     Electric shape API URL (like --electric-url, which wins)\n"
        "  ELECTRIC_SECRET  Electric API secret\n"
        "  HIVEWATCH_TOKEN  bearer token for the hive's proxy (--proxy-url)\n"
        "Secrets given neither way are read from the system keychain, where File → Connect… "
        "stores them; they are never written to the settings file."));
    parser.addHelpOption();
    parser.addVersionOption();
    DashboardOptions::addTo(parser);
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

    MainWindow window;
    Dashboard dashboard(&window, options->storePath);
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
    // committed to the store) tell it that new lines are there.
    auto *logModel = new LogModel(&window);
    QObject::connect(dashboard.shapeClient(), &ShapeClient::batchReady, logModel,
                     &LogModel::applyShapeBatch);
    logModel->setStorePath(options->storePath);
    window.addPanel(new LogsPanel(logModel), QObject::tr("Logs"));

    window.restoreLayout();
    window.show();
    if (options->connectOnStart)
        dashboard.start(options->connection, options->secretFromEnvironment);
    return app.exec();
}
