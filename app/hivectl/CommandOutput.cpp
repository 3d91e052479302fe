#include "app/hivectl/CommandOutput.h"

namespace hivewatch {

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

QTextStream &err()
{
    static QTextStream s(stderr);
    return s;
}

int usageError(const QString &command, const QString &message)
{
    err() << "hivectl " << command << ": " << message << "\n"
          << "Run 'hivectl " << command << " --help' for usage.\n";
    return 2;
}

} // namespace hivewatch
