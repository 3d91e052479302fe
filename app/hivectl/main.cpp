#include "app/hivectl/Command.h"
#include "sync/sqlite/SqliteConnection.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTextStream>

#include <malloc.h>

using namespace hivewatch;

namespace {

void printUsage(QTextStream &out)
{
    out << "Usage: hivectl <command> [options]\n"
           "\n"
           "Commands:\n"
           "  logs page       page through an execution's log lines in a log store\n"
           "  logs stats      executions, rows and output types of a log store\n"
           "  logs migrate-legacy  migrate legacy JSONL log batches to log_entries\n"
           "  shape sync      sync an Electric shape into the local store\n"
           "  pg inspect|plan|apply|verify  prepare PostgreSQL for Electric\n"
           "  history         recorded changes of the hive's tasks, nodes and assignments\n"
           "  report          throughput, failures and node availability from the history\n"
           "  alerts          the Overview's alerts on a store (exit status 3 when any is active)\n"
           "\n"
           "Run 'hivectl <command> --help' for the options of a command.\n";
}

} // namespace

int main(int argc, char *argv[])
{
    // A shape snapshot is parsed, stored and freed a 10 MiB chunk at a time: glibc returned each
    // chunk's ~30 MB of rows to the kernel and faulted them in again for the next (~5% of a
    // 200k-row sync's CPU). Keeping them does not raise the peak, which one chunk sets.
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    // No fastbins: a part's million small field buffers, freed past the 7-per-size tcache, piled
    // up in them until the free of the part's row list consolidated them all again (~7% of a 1M
    // log-row sync in malloc_consolidate/unlink_chunk). Freed straight into the bins, the same
    // sync uses ~8% fewer CPU-seconds (docs/benchmarks.md, "The 1M log shape's CPU").
    mallopt(M_MXFAST, 0);
    // A process-wide mutex per SQLite allocation: ~5% of the store writer's time in a shape sync.
    SqliteConnection::skipMemoryStatistics();
    // The shape writer's 16 MB cache and the other connections' few pages.
    SqliteConnection::usePageCacheBuffer(20 << 20);
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Hivewatch"));
    QCoreApplication::setApplicationName(QStringLiteral("hivectl"));
    QCoreApplication::setApplicationVersion(QStringLiteral(HIVEWATCH_VERSION));

    const QStringList args = app.arguments().mid(1);
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (args.isEmpty() || args[0] == QLatin1String("--help") || args[0] == QLatin1String("-h")
        || args[0] == QLatin1String("help")) {
        printUsage(args.isEmpty() ? err : out);
        return args.isEmpty() ? 2 : 0;
    }
    if (args[0] == QLatin1String("--version")) {
        out << "hivectl " << QCoreApplication::applicationVersion() << "\n";
        return 0;
    }
    const QString group = args[0];
    // A command's own lines are its output; the layers' debug and info lines on stderr would
    // bury the one error line a failure prints (QT_LOGGING_RULES brings them back). shape sync
    // sets its own rules: its --verbose shows them.
    if (group != QLatin1String("shape") && !qEnvironmentVariableIsSet("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(
            QStringLiteral("hivewatch.*.debug=false\nhivewatch.*.info=false"));
    if (group == QLatin1String("logs"))
        return runLogsCommand(args);
    if (group == QLatin1String("shape"))
        return runShapeCommand(args);
    if (group == QLatin1String("pg"))
        return runPgCommand(args);
    if (group == QLatin1String("history"))
        return runHistoryCommand(args);
    if (group == QLatin1String("report"))
        return runReportCommand(args);
    if (group == QLatin1String("alerts"))
        return runAlertsCommand(args);
    err << "hivectl: unknown command '" << group << "'\n\n";
    printUsage(err);
    return 2;
}
