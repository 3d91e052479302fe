#include "MainWindow.h"
#include "PgSetupPanel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Hivewatch"));
    QApplication::setApplicationName(QStringLiteral("hivewatch"));
    QApplication::setApplicationVersion(QStringLiteral(HIVEWATCH_VERSION));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/hivewatch/hivewatch.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Live dashboard for a hive of AI-coding-agent nodes, synced with ElectricSQL."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.process(app);

    MainWindow window;
    window.addPanel(new PgSetupPanel, QObject::tr("Postgres setup"));
    window.show();
    return app.exec();
}
