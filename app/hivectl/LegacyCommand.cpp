#include "Command.h"

#include "LegacyMigrator.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>
#include <QUuid>

#include <atomic>
#include <csignal>
#include <unistd.h>

namespace {

std::atomic<bool> g_cancel {false};

void requestCancel(int)
{
    g_cancel.store(true);
}

QJsonObject toJson(const LegacyExecutionResult &r)
{
    return {{QStringLiteral("execution"), r.execution},
            {QStringLiteral("status"), legacyStatusName(r.status)},
            {QStringLiteral("rows"), r.rows},
            {QStringLiteral("bytes"), r.bytes},
            {QStringLiteral("lines"), r.lines},
            {QStringLiteral("migratable_lines"), r.migratableLines},
            {QStringLiteral("blank_lines"), r.blankLines},
            {QStringLiteral("bad_lines"), r.badLines},
            {QStringLiteral("note"), r.note}};
}

QJsonObject toJson(const LegacyIssue &issue)
{
    return {{QStringLiteral("execution"), issue.execution},
            {QStringLiteral("row"), issue.rowId},
            {QStringLiteral("line"), issue.lineNumber},
            {QStringLiteral("reason"), issue.reason}};
}

QJsonObject toJson(const LegacyReport &report)
{
    QJsonArray executions, issues;
    for (const auto &r : report.executionResults)
        executions.append(toJson(r));
    for (const auto &issue : report.issues)
        issues.append(toJson(issue));
    return {{QStringLiteral("mode"),
             report.executed ? QStringLiteral("execute") : QStringLiteral("dry-run")},
            {QStringLiteral("cancelled"), report.cancelled},
            {QStringLiteral("executions"), report.executions},
            {QStringLiteral("rows"), report.rows},
            {QStringLiteral("bytes"), report.bytes},
            {QStringLiteral("lines"), report.lines},
            {QStringLiteral("migratable_lines"), report.migratableLines},
            {QStringLiteral("blank_lines"), report.blankLines},
            {QStringLiteral("bad_lines"), report.badLines},
            {QStringLiteral("migrated_lines"), report.migratedLines},
            {QStringLiteral("migrated_executions"), report.migratedExecutions},
            {QStringLiteral("already_migrated_executions"), report.alreadyMigratedExecutions},
            {QStringLiteral("skipped_executions"), report.skippedExecutions},
            {QStringLiteral("source_dropped"), report.sourceDropped},
            {QStringLiteral("verification"), report.verification},
            {QStringLiteral("unlisted_issues"), report.unlistedIssues},
            {QStringLiteral("execution_results"), executions},
            {QStringLiteral("issues"), issues}};
}

void printText(QTextStream &out, const LegacyReport &report)
{
    for (const auto &r : report.executionResults) {
        out << r.execution << "  " << legacyStatusName(r.status) << "  rows " << r.rows
            << "  lines " << r.lines << "  migratable " << r.migratableLines << "  skipped "
            << (r.blankLines + r.badLines);
        if (!r.note.isEmpty())
            out << "  (" << r.note << ")";
        out << "\n";
    }
    out << (report.executed ? "Executed" : "Dry run (nothing written; add --execute to migrate)")
        << (report.cancelled ? ", cancelled" : "") << ":\n"
        << "  executions " << report.executions << " (" << report.migratedExecutions
        << " migrated now, " << report.alreadyMigratedExecutions << " already migrated, "
        << report.skippedExecutions << " skipped)\n"
        << "  rows " << report.rows << ", bytes " << report.bytes << ", lines " << report.lines
        << "\n"
        << "  migratable lines " << report.migratableLines << ", migrated now "
        << report.migratedLines << ", empty lines " << report.blankLines
        << ", lines that cannot be migrated " << report.badLines << "\n";
    if (!report.verification.isEmpty())
        out << "  " << report.verification << "\n";
    if (report.sourceDropped)
        out << "  execution_process_logs dropped\n";
}

} // namespace

int runLegacyMigrateCommand(const QStringList &args)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Migrate legacy JSONL log batches (execution_process_logs, or a JSONL file) to one "
        "log_entries row per message. Dry run unless --execute."));
    parser.addHelpOption();
    const QCommandLineOption db(QStringLiteral("db"),
                                QStringLiteral("The node database (db.sqlite) to migrate."),
                                QStringLiteral("FILE"));
    const QCommandLineOption jsonl(QStringLiteral("jsonl"),
                                   QStringLiteral("A standalone JSONL file of one execution "
                                                  "instead of --db (needs --execution-id, "
                                                  "--target)."),
                                   QStringLiteral("FILE"));
    const QCommandLineOption target(QStringLiteral("target"),
                                    QStringLiteral("Write log_entries into this database (a "
                                                   "Hivewatch store or a node database) instead "
                                                   "of in place."),
                                    QStringLiteral("FILE"));
    const QCommandLineOption execute(QStringLiteral("execute"),
                                     QStringLiteral("Write the rows (default: dry run)."));
    const QCommandLineOption executionId(QStringLiteral("execution-id"),
                                         QStringLiteral("Only this execution (UUID)."),
                                         QStringLiteral("ID"));
    const QCommandLineOption timestamp(QStringLiteral("timestamp"),
                                       QStringLiteral("With --jsonl: the UTC timestamp of every "
                                                      "line (default: the file's mtime)."),
                                       QStringLiteral("TS"));
    const QCommandLineOption replace(QStringLiteral("replace-existing"),
                                     QStringLiteral("Replace log_entries rows of an execution "
                                                    "that another tool already wrote."));
    const QCommandLineOption drop(QStringLiteral("drop-source"),
                                  QStringLiteral("After --execute and a verification of every "
                                                 "execution, drop execution_process_logs."));
    const QCommandLineOption viaLogStore(QStringLiteral("via-logstore"),
                                         QStringLiteral("Write through LogStore's append instead "
                                                        "of the direct insert (slower)."));
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("Print the report as JSON."));
    parser.addOptions(
        {db, jsonl, target, execute, executionId, timestamp, replace, drop, viaLogStore, json});

    // Options follow the subcommand name, wherever the dispatcher starts the list.
    const qsizetype sub = args.indexOf(QStringLiteral("migrate-legacy"));
    const QStringList argv
        = QStringList {QStringLiteral("hivectl logs migrate-legacy")} + args.mid(sub + 1);
    if (!parser.parse(argv)) {
        err << "hivectl logs migrate-legacy: " << parser.errorText() << "\n";
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out << parser.helpText();
        return 0;
    }
    if (parser.isSet(db) == parser.isSet(jsonl)) {
        err << "hivectl logs migrate-legacy: give exactly one of --db FILE or --jsonl FILE\n";
        return 2;
    }

    LegacySource source;
    source.kind = parser.isSet(db) ? LegacySource::Kind::NodeTable : LegacySource::Kind::JsonlFile;
    source.path = parser.value(parser.isSet(db) ? db : jsonl);
    source.timestamp = parser.value(timestamp);
    if (parser.isSet(executionId)) {
        source.executionId = QUuid::fromString(parser.value(executionId));
        if (source.executionId.isNull()) {
            err << "hivectl logs migrate-legacy: --execution-id '" << parser.value(executionId)
                << "' is not a UUID\n";
            return 2;
        }
    }
    LegacyTarget destination;
    if (parser.isSet(target)) {
        destination.kind = LegacyTarget::Kind::Store;
        destination.storePath = parser.value(target);
    }
    LegacyOptions options;
    options.execute = parser.isSet(execute);
    options.replaceExisting = parser.isSet(replace);
    options.dropSourceAfterVerify = parser.isSet(drop);
    options.useLogStoreAppend = parser.isSet(viaLogStore);

    LegacyMigrator migrator(source, destination, options);
    // Ctrl-C rolls back the execution in progress instead of leaving half of it.
    std::signal(SIGINT, requestCancel);
    std::signal(SIGTERM, requestCancel);
    migrator.setCancelFlag(&g_cancel);
    const bool asJson = parser.isSet(json);
    if (!asJson) {
        migrator.setIssueCallback([&out](const LegacyIssue &issue) {
            out << "execution " << issue.execution << " row " << issue.rowId << " line "
                << issue.lineNumber << ": " << issue.reason << "\n";
        });
    }
    if (isatty(STDERR_FILENO)) {
        migrator.setProgressCallback([&err](const LegacyProgress &p) {
            err << "\r" << p.executionsDone << "/" << p.executionsTotal << " executions, "
                << p.rowsDone << "/" << p.rowsTotal << " rows, " << p.linesDone << " lines"
                << Qt::flush;
        });
    }

    Result<LegacyReport> report = migrator.run();
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    if (isatty(STDERR_FILENO))
        err << "\n";
    if (!report) {
        err << "hivectl logs migrate-legacy: " << report.error().toString() << "\n";
        return 1;
    }
    if (asJson)
        out << QJsonDocument(toJson(*report)).toJson(QJsonDocument::Indented);
    else
        printText(out, *report);
    const bool verificationFailed = options.dropSourceAfterVerify && !report->sourceDropped;
    return report->cancelled || verificationFailed ? 1 : 0;
}
