#include "MainWindow.h"

#include <QApplication>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Hivewatch"));
    QApplication::setApplicationName(QStringLiteral("hivewatch"));
    QApplication::setApplicationVersion(QStringLiteral(HIVEWATCH_VERSION));

    MainWindow window;
    window.show();
    return app.exec();
}
