#pragma once

#include <QString>
#include <QTextStream>

namespace hivewatch {

// hivectl's standard output and error, one stream each for every command file (a stream per file
// would interleave badly when both write), and the one way a command reports bad usage.
QTextStream &out();
QTextStream &err();
// "hivectl <command>: <message>" and where to read the usage; returns 2, the bad-usage status.
// `command` is the full command path after "hivectl" ("logs search", "alerts").
int usageError(const QString &command, const QString &message);

} // namespace hivewatch
