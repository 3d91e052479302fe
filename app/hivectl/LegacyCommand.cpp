#include "Command.h"

#include <QTextStream>

int runLegacyMigrateCommand(const QStringList &args)
{
    Q_UNUSED(args)
    QTextStream(stderr) << "hivectl logs migrate-legacy: not available in this build yet\n";
    return 2;
}
