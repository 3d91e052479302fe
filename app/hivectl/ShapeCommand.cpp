#include "Command.h"

#include <QTextStream>

int runShapeCommand(const QStringList &args)
{
    Q_UNUSED(args)
    QTextStream(stderr) << "hivectl shape: not available in this build yet\n";
    return 2;
}
