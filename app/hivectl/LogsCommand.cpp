#include "Command.h"

#include <QTextStream>

int runLogsCommand(const QStringList &args)
{
    Q_UNUSED(args)
    QTextStream(stderr) << "hivectl logs: not available in this build yet\n";
    return 2;
}
