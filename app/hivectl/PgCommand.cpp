#include "Command.h"

#include <QTextStream>

int runPgCommand(const QStringList &args)
{
    Q_UNUSED(args)
    QTextStream(stderr) << "hivectl pg: not available in this build yet\n";
    return 2;
}
