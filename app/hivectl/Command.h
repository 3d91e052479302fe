#pragma once

#include <QStringList>

namespace hivewatch {

// Each hivectl command group lives in its own file and gets the arguments after its name
// (args[0] is the group name itself, e.g. "logs"). Returns the process exit status: 0 success,
// 1 failure of the operation, 2 bad usage. Errors go to stderr.
int runLogsCommand(const QStringList &args);
int runShapeCommand(const QStringList &args);
int runPgCommand(const QStringList &args);
// `hivectl history …` and `hivectl report …`: the recorded history of the hive's rows.
int runHistoryCommand(const QStringList &args);
int runReportCommand(const QStringList &args);
// `hivectl alerts …`: the Overview's alert rules on a store; exit status 3 while any is active.
int runAlertsCommand(const QStringList &args);
// `hivectl logs migrate-legacy …`, dispatched from runLogsCommand.
int runLegacyMigrateCommand(const QStringList &args);

} // namespace hivewatch
