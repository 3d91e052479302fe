#include "app/hivectl/Command.h"

#include "sync/legacy/LegacyMigrator.h"

#include <QCommandLineParser>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>
#include <QUuid>

#include <atomic>
#include <csignal>
#include <unistd.h>

namespace hivewatch {

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
            {QStringLiteral("truncated_lines"), r.truncatedLines},
            {QStringLiteral("fallback_timestamp_lines"), r.fallbackTimestampLines},
            {QStringLiteral("note"), r.note}};
}

QJsonObject toJson(const LegacyIssue &issue)
{
    return {{QStringLiteral("execution"), issue.execution},
            {QStringLiteral("row"), issue.rowId},
            {QStringLiteral("line"), issue.lineNumber},
            {QStringLiteral("kind"), issue.kind},
            {QStringLiteral("reason"), issue.reason}};
}

QString issuePlace(const LegacyIssue &issue)
{
    return QStringLiteral("execution %1 row %2 line %3")
        .arg(issue.execution)
        .arg(issue.rowId)
        .arg(issue.lineNumber);
}

QJsonObject toJson(const LegacyReport &report)
{
    QJsonArray executions, issues, counts;
    for (const auto &r : report.executionResults)
        executions.append(toJson(r));
    for (const auto &issue : report.issues)
        issues.append(toJson(issue));
    for (const auto &count : report.issueCounts)
        counts.append(QJsonObject {{QStringLiteral("kind"), count.kind},
                                   {QStringLiteral("count"), count.count},
                                   {QStringLiteral("first"), toJson(count.first)}});
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
            {QStringLiteral("truncated_lines"), report.truncatedLines},
            {QStringLiteral("fallback_timestamp_lines"), report.fallbackTimestampLines},
            {QStringLiteral("migrated_lines"), report.migratedLines},
            {QStringLiteral("migrated_executions"), report.migratedExecutions},
            {QStringLiteral("already_migrated_executions"), report.alreadyMigratedExecutions},
            {QStringLiteral("skipped_executions"), report.skippedExecutions},
            {QStringLiteral("source_dropped"), report.sourceDropped},
            {QStringLiteral("verification"), report.verification},
            {QStringLiteral("unmigrated_lines"), report.unmigratedLines},
            {QStringLiteral("unmigrated_truncated_lines"), report.unmigratedTruncatedLines},
            {QStringLiteral("incomplete_executions"),
             QJsonArray::fromStringList(report.incompleteExecutions)},
            {QStringLiteral("skipped_accepted"), report.skippedAccepted},
            {QStringLiteral("unlisted_issues"), report.unlistedIssues},
            {QStringLiteral("issue_counts"), counts},
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
        << ", lines that cannot be migrated " << report.badLines << "\n"
        << "  lines stored truncated " << report.truncatedLines
        << ", lines given the migration's time " << report.fallbackTimestampLines << "\n";
    // Every issue was counted, however many were printed above.
    for (const LegacyIssueCount &count : report.issueCounts)
        out << "  " << count.count << " x " << count.kind << " (first: " << issuePlace(count.first)
            << ")\n";
    if (!report.verification.isEmpty())
        out << "  " << report.verification << "\n";
    constexpr qsizetype kListed = 20;
    if (!report.incompleteExecutions.isEmpty())
        out << "  " << (report.skippedAccepted ? "accepted" : "incomplete") << " executions:\n";
    for (const QString &line : report.incompleteExecutions.mid(0, kListed))
        out << "    " << line << "\n";
    if (report.incompleteExecutions.size() > kListed)
        out << "    (and " << report.incompleteExecutions.size() - kListed << " more)\n";
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
    const QCommandLineOption acceptSkipped(
        QStringLiteral("accept-skipped"),
        QStringLiteral("With --drop-source: drop even though some non-blank lines could not be "
                       "migrated or were stored truncated (they are lost with the table)."));
    const QCommandLineOption maxLineBytes(
        QStringLiteral("max-line-bytes"),
        QStringLiteral("Longest line migrated whole (default 64 MiB); longer output lines are "
                       "stored truncated with a marker."),
        QStringLiteral("BYTES"));
    const QCommandLineOption viaLogStore(QStringLiteral("via-logstore"),
                                         QStringLiteral("Write through LogStore's append instead "
                                                        "of the direct insert (slower)."));
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("Print the report as JSON."));
    parser.addOptions({db, jsonl, target, execute, executionId, timestamp, replace, drop,
                       acceptSkipped, maxLineBytes, viaLogStore, json});

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
    options.acceptSkipped = parser.isSet(acceptSkipped);
    if (options.acceptSkipped && !options.dropSourceAfterVerify) {
        err << "hivectl logs migrate-legacy: --accept-skipped only applies to --drop-source\n";
        return 2;
    }
    if (parser.isSet(maxLineBytes)) {
        bool ok = false;
        options.maxLineBytes = parser.value(maxLineBytes).toLongLong(&ok);
        if (!ok || options.maxLineBytes < 64) {
            err << "hivectl logs migrate-legacy: --max-line-bytes '" << parser.value(maxLineBytes)
                << "' is not a byte count of at least 64\n";
            return 2;
        }
    }
    // The report keeps this many issues; the counts per kind cover every one.
    options.maxListedIssues = 1000;
    options.useLogStoreAppend = parser.isSet(viaLogStore);

    LegacyMigrator migrator(source, destination, options);
    // Ctrl-C rolls back the execution in progress instead of leaving half of it.
    std::signal(SIGINT, requestCancel);
    std::signal(SIGTERM, requestCancel);
    migrator.setCancelFlag(&g_cancel);
    const bool asJson = parser.isSet(json);
    // One line per issue, but only the first few of each kind: 100,000 empty lines must not
    // print 100,000 lines. The report's counts per kind cover the rest.
    constexpr int kPrintedPerKind = 10;
    QHash<QString, int> printed;
    if (!asJson) {
        migrator.setIssueCallback([&out, &printed](const LegacyIssue &issue) {
            int &count = printed[issue.kind];
            if (++count <= kPrintedPerKind)
                out << issuePlace(issue) << ": " << issue.reason << "\n";
            else if (count == kPrintedPerKind + 1)
                out << "(further '" << issue.kind << "' issues are counted in the summary)\n";
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
    if (verificationFailed && !report->cancelled)
        err << "hivectl logs migrate-legacy: " << report->verification << "\n";
    return report->cancelled || verificationFailed ? 1 : 0;
}

} // namespace hivewatch
