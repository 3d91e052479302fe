#include "app/hivectl/Command.h"
#include "app/hivectl/CommandOutput.h"

#include "sync/store/LogSearch.h"
#include "sync/store/LogStore.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

#include <algorithm>

namespace hivewatch {

namespace {

const char kLogsUsage[]
    = "Usage: hivectl logs <command> [options]\n"
      "\n"
      "Commands:\n"
      "  page            page through one execution's log lines (cursor pagination, as a node's\n"
      "                  GET /api/logs)\n"
      "  stats           executions, rows per execution and output types of a store\n"
      "  search          search log lines across executions (full-text index, or a scan)\n"
      "  migrate-legacy  migrate legacy JSONL log batches to log_entries\n"
      "\n"
      "FILE may be a Hivewatch log store or a node's own db.sqlite; it is opened read-only.\n"
      "Run 'hivectl logs <command> --help' for the options of a command.\n";

int failure(const QString &command, const Error &error)
{
    err() << "hivectl logs " << command << ": " << error.toString() << "\n";
    return 1;
}

// Parses `args` (args[0] = the command's name). Returns an exit status when the caller should
// stop (help printed or bad usage), nothing to go on.
std::optional<int> parse(QCommandLineParser &parser, const QStringList &args,
                         const QString &description, int positional = 0)
{
    parser.setApplicationDescription(description);
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help."));
    parser.addOption(help);
    QStringList argv = args;
    argv[0] = QStringLiteral("hivectl logs ") + args[0];
    if (!parser.parse(argv))
        return usageError(QStringLiteral("logs ") + args[0], parser.errorText());
    if (parser.isSet(help)) {
        // helpText() names the binary by its path; show the command the user typed instead.
        QString text = parser.helpText();
        text.replace(0, text.indexOf(QLatin1Char('\n')),
                     QStringLiteral("Usage: hivectl logs %1 [options]").arg(args[0]));
        out() << text;
        return 0;
    }
    if (parser.positionalArguments().size() > positional)
        return usageError(QStringLiteral("logs ") + args[0],
                          QStringLiteral("unexpected argument '%1'")
                              .arg(parser.positionalArguments().at(positional)));
    return std::nullopt;
}

QJsonObject toJson(const LogEntry &e)
{
    QJsonObject o {{QStringLiteral("id"), e.id},
                   {QStringLiteral("execution_id"), e.executionId.toString(QUuid::WithoutBraces)},
                   {QStringLiteral("output_type"), e.outputType},
                   {QStringLiteral("content"), e.content},
                   {QStringLiteral("timestamp"), e.timestamp}};
    if (e.sourceId)
        o.insert(QStringLiteral("source_id"), *e.sourceId);
    return o;
}

int runPage(const QStringList &args)
{
    const QString cmd = QStringLiteral("page");
    QCommandLineParser parser;
    const QCommandLineOption db(QStringLiteral("db"),
                                QStringLiteral("The log store or node db.sqlite."),
                                QStringLiteral("FILE"));
    const QCommandLineOption execution(QStringLiteral("execution"),
                                       QStringLiteral("The execution (UUID) to page through."),
                                       QStringLiteral("ID"));
    const QCommandLineOption cursor(QStringLiteral("cursor"),
                                    QStringLiteral("Row id to page from (exclusive); omit for the "
                                                   "first page."),
                                    QStringLiteral("N"));
    const QCommandLineOption direction(
        QStringLiteral("direction"),
        QStringLiteral("forward (ids after the cursor, oldest first) or backward (ids before the "
                       "cursor, newest page first; the default, as the node's API)."),
        QStringLiteral("DIR"), QStringLiteral("backward"));
    const QCommandLineOption limit(QStringLiteral("limit"),
                                   QStringLiteral("Rows per page, 1 to 10000 (default 100)."),
                                   QStringLiteral("N"), QStringLiteral("100"));
    const QCommandLineOption json(QStringLiteral("json"),
                                  QStringLiteral("Print the page as the node's PaginatedLogs JSON "
                                                 "(a backward page's entries stay newest first)."));
    parser.addOptions({db, execution, cursor, direction, limit, json});
    if (auto stop = parse(parser, args,
                          QStringLiteral("Page through one execution's log lines. The text output "
                                         "lists a page oldest first and ends with the command for "
                                         "the next page.")))
        return *stop;

    if (!parser.isSet(db))
        return usageError(QStringLiteral("logs ") + cmd, QStringLiteral("--db FILE is required"));
    if (!parser.isSet(execution))
        return usageError(QStringLiteral("logs ") + cmd,
                          QStringLiteral("--execution ID is required"));
    const QString execText = parser.value(execution);
    const QUuid execId = QUuid::fromString(execText);
    if (execId.isNull())
        return usageError(QStringLiteral("logs ") + cmd,
                          QStringLiteral("--execution '%1' is not a UUID").arg(execText));
    std::optional<qint64> from;
    if (parser.isSet(cursor)) {
        bool ok = false;
        from = parser.value(cursor).toLongLong(&ok);
        if (!ok)
            return usageError(
                QStringLiteral("logs ") + cmd,
                QStringLiteral("--cursor '%1' is not an integer row id").arg(parser.value(cursor)));
    }
    const QString dirText = parser.value(direction);
    if (dirText != QLatin1String("forward") && dirText != QLatin1String("backward"))
        return usageError(
            QStringLiteral("logs ") + cmd,
            QStringLiteral("--direction '%1' must be forward or backward").arg(dirText));
    const PageDirection dir
        = dirText == QLatin1String("forward") ? PageDirection::Forward : PageDirection::Backward;
    bool limitOk = false;
    const int rows = parser.value(limit).toInt(&limitOk);
    if (!limitOk || rows < 1 || rows > 10000)
        return usageError(QStringLiteral("logs ") + cmd,
                          QStringLiteral("--limit '%1' must be a number from 1 to 10000")
                              .arg(parser.value(limit)));

    auto store = LogStore::open(parser.value(db), LogStore::Access::ReadOnly);
    if (!store)
        return failure(cmd, store.error());
    const auto page = store.value()->page(execId, from, dir, rows);
    if (!page)
        return failure(cmd, page.error());

    if (parser.isSet(json)) {
        QJsonArray entries;
        for (const LogEntry &e : page->entries)
            entries.append(toJson(e));
        const QJsonObject o {
            {QStringLiteral("entries"), entries},
            {QStringLiteral("next_cursor"),
             page->nextCursor ? QJsonValue(*page->nextCursor) : QJsonValue(QJsonValue::Null)},
            {QStringLiteral("has_more"), page->hasMore},
            {QStringLiteral("total_count"), page->totalCount}};
        out() << QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented));
        return 0;
    }
    QList<LogEntry> shown = page->entries;
    if (dir == PageDirection::Backward)
        std::reverse(shown.begin(), shown.end());
    for (const LogEntry &e : shown) {
        QString content = e.content;
        if (content.endsWith(QLatin1Char('\n')))
            content.chop(1);
        out() << qSetFieldWidth(10) << Qt::right << e.id << qSetFieldWidth(0) << "  " << e.timestamp
              << "  " << qSetFieldWidth(7) << Qt::left << e.outputType << qSetFieldWidth(0) << "  "
              << content << "\n";
    }
    out() << "-- " << page->entries.size() << " of " << page->totalCount << " rows";
    if (page->hasMore)
        out() << "; next page: --cursor " << *page->nextCursor << " --direction " << dirText;
    else
        out() << "; no more rows " << (dir == PageDirection::Forward ? "after" : "before")
              << " this page";
    out() << "\n";
    return 0;
}

int runStats(const QStringList &args)
{
    const QString cmd = QStringLiteral("stats");
    QCommandLineParser parser;
    const QCommandLineOption db(QStringLiteral("db"),
                                QStringLiteral("The log store or node db.sqlite."),
                                QStringLiteral("FILE"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    parser.addOptions({db, json});
    if (auto stop = parse(parser, args,
                          QStringLiteral("Executions, rows per execution and output types of a "
                                         "log store.")))
        return *stop;
    if (!parser.isSet(db))
        return usageError(QStringLiteral("logs ") + cmd, QStringLiteral("--db FILE is required"));
    auto store = LogStore::open(parser.value(db), LogStore::Access::ReadOnly);
    if (!store)
        return failure(cmd, store.error());
    const auto stats = store.value()->stats();
    if (!stats)
        return failure(cmd, stats.error());
    const QString kind = store.value()->isNodeDatabase() ? QStringLiteral("node database")
                                                         : QStringLiteral("hivewatch store");

    if (parser.isSet(json)) {
        QJsonArray execs;
        for (const ExecutionSummary &s : stats->executions)
            execs.append(QJsonObject {
                {QStringLiteral("execution_id"), s.executionId.toString(QUuid::WithoutBraces)},
                {QStringLiteral("rows"), s.rows},
                {QStringLiteral("first_timestamp"), s.firstTimestamp},
                {QStringLiteral("last_timestamp"), s.lastTimestamp}});
        QJsonObject types;
        for (auto it = stats->rowsByOutputType.cbegin(); it != stats->rowsByOutputType.cend(); ++it)
            types.insert(it.key(), it.value());
        const QJsonObject o {{QStringLiteral("path"), store.value()->path()},
                             {QStringLiteral("kind"), kind},
                             {QStringLiteral("total_rows"), stats->totalRows},
                             {QStringLiteral("output_types"), types},
                             {QStringLiteral("executions"), execs}};
        out() << QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented));
        return 0;
    }
    out() << store.value()->path() << " (" << kind << ")\n"
          << "rows: " << stats->totalRows << "\n"
          << "executions: " << stats->executions.size() << "\n"
          << "output types:\n";
    for (auto it = stats->rowsByOutputType.cbegin(); it != stats->rowsByOutputType.cend(); ++it)
        out() << "  " << qSetFieldWidth(18) << Qt::left << it.key() << qSetFieldWidth(0)
              << it.value() << "\n";
    out() << "executions (most recent first):\n";
    for (const ExecutionSummary &s : stats->executions)
        out() << "  " << s.executionId.toString(QUuid::WithoutBraces) << "  " << qSetFieldWidth(10)
              << Qt::right << s.rows << qSetFieldWidth(0) << " rows  " << s.firstTimestamp << " .. "
              << s.lastTimestamp << "\n";
    return 0;
}

int runSearch(const QStringList &args)
{
    const QString cmd = QStringLiteral("search");
    QCommandLineParser parser;
    const QCommandLineOption db(
        QStringLiteral("db"),
        QStringLiteral("The log store or a node's db.sqlite, opened read-only and never "
                       "modified. A Hivewatch store is searched through its full-text index, "
                       "and the lines it does not cover yet are scanned; a node's db.sqlite has "
                       "no index and is scanned."),
        QStringLiteral("FILE"));
    const QCommandLineOption execution(QStringLiteral("execution"),
                                       QStringLiteral("Search only this execution (UUID)."),
                                       QStringLiteral("ID"));
    const QCommandLineOption regex(QStringLiteral("regex"),
                                   QStringLiteral("QUERY is a regular expression (PCRE)."));
    const QCommandLineOption caseSensitive(QStringLiteral("case-sensitive"),
                                           QStringLiteral("Match case (default: ignore it)."));
    const QCommandLineOption exclude(QStringLiteral("exclude"),
                                     QStringLiteral("Leave out lines containing TERM "
                                                    "(repeatable)."),
                                     QStringLiteral("TERM"));
    const QCommandLineOption context(QStringLiteral("context"),
                                     QStringLiteral("Show N lines before and after each hit."),
                                     QStringLiteral("N"), QStringLiteral("0"));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print JSON."));
    parser.addOptions({db, execution, regex, caseSensitive, exclude, context, json});
    parser.addPositionalArgument(QStringLiteral("QUERY"),
                                 QStringLiteral("Text to find (a substring), or a pattern with "
                                                "--regex."));
    if (auto stop = parse(parser, args,
                          QStringLiteral("Search log lines across executions. Hits are grouped by "
                                         "execution, with line numbers within the execution."),
                          1))
        return *stop;
    if (!parser.isSet(db))
        return usageError(QStringLiteral("logs ") + cmd, QStringLiteral("--db FILE is required"));
    if (parser.positionalArguments().isEmpty() && parser.values(exclude).isEmpty())
        return usageError(QStringLiteral("logs ") + cmd, QStringLiteral("QUERY is required"));
    LogSearchQuery query;
    query.text = parser.positionalArguments().value(0);
    query.regex = parser.isSet(regex);
    query.caseSensitive = parser.isSet(caseSensitive);
    query.exclude = parser.values(exclude);
    if (parser.isSet(execution)) {
        const QUuid id = QUuid::fromString(parser.value(execution));
        if (id.isNull())
            return usageError(
                QStringLiteral("logs ") + cmd,
                QStringLiteral("--execution '%1' is not a UUID").arg(parser.value(execution)));
        query.executionId = id;
    }
    bool contextOk = false;
    query.context = parser.value(context).toInt(&contextOk);
    if (!contextOk || query.context < 0 || query.context > 1000)
        return usageError(QStringLiteral("logs ") + cmd,
                          QStringLiteral("--context '%1' must be a number from 0 to 1000")
                              .arg(parser.value(context)));

    auto store = LogStore::open(parser.value(db), LogStore::Access::ReadOnly);
    if (!store)
        return failure(cmd, store.error());
    const auto result = LogSearch(*store.value()).search(query);
    if (!result)
        return failure(cmd, result.error());

    if (parser.isSet(json)) {
        QJsonArray groups;
        for (const LogSearchGroup &g : result->groups) {
            QJsonArray lines;
            for (const LogSearchLine &l : g.lines) {
                QJsonObject o = toJson(l.entry);
                o.insert(QStringLiteral("line"), l.lineNumber);
                o.insert(QStringLiteral("hit"), l.hit);
                lines.append(o);
            }
            groups.append(QJsonObject {
                {QStringLiteral("execution_id"), g.executionId.toString(QUuid::WithoutBraces)},
                {QStringLiteral("hits"), g.hits},
                {QStringLiteral("lines"), lines}});
        }
        const QJsonObject o {{QStringLiteral("total_hits"), result->totalHits},
                             {QStringLiteral("used_index"), result->usedIndex},
                             {QStringLiteral("note"), result->note},
                             {QStringLiteral("executions"), groups}};
        out() << QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented));
        return 0;
    }
    for (const LogSearchGroup &g : result->groups) {
        out() << "== execution " << g.executionId.toString(QUuid::WithoutBraces) << ": " << g.hits
              << (g.hits == 1 ? " hit" : " hits") << "\n";
        qint64 previous = 0;
        for (const LogSearchLine &l : g.lines) {
            if (query.context > 0 && previous > 0 && l.lineNumber > previous + 1)
                out() << "--\n"; // a gap between context blocks, as grep marks it
            previous = l.lineNumber;
            QString content = l.entry.content;
            if (content.endsWith(QLatin1Char('\n')))
                content.chop(1);
            // grep's marks: ':' after the line number of a hit, '-' of a context line.
            out() << qSetFieldWidth(8) << Qt::right << l.lineNumber << qSetFieldWidth(0)
                  << (l.hit ? ":" : "-") << " " << l.entry.timestamp << "  " << qSetFieldWidth(7)
                  << Qt::left << l.entry.outputType << qSetFieldWidth(0) << "  " << content << "\n";
        }
    }
    out() << "-- " << result->totalHits << (result->totalHits == 1 ? " hit" : " hits") << " in "
          << result->groups.size() << (result->groups.size() == 1 ? " execution" : " executions")
          << (result->usedIndex ? " (full-text index)" : " (scanned)");
    if (!result->note.isEmpty())
        out() << "; " << result->note;
    out() << "\n";
    return 0;
}

} // namespace

int runLogsCommand(const QStringList &args)
{
    const QStringList rest = args.mid(1); // rest[0] is the subcommand
    if (rest.isEmpty()) {
        err() << kLogsUsage;
        return 2;
    }
    const QString sub = rest.constFirst();
    if (sub == QLatin1String("--help") || sub == QLatin1String("-h")
        || sub == QLatin1String("help")) {
        out() << kLogsUsage;
        return 0;
    }
    if (sub == QLatin1String("page"))
        return runPage(rest);
    if (sub == QLatin1String("stats"))
        return runStats(rest);
    if (sub == QLatin1String("search"))
        return runSearch(rest);
    if (sub == QLatin1String("migrate-legacy"))
        return runLegacyMigrateCommand(rest);
    err() << "hivectl logs: unknown command '" << sub << "'\n\n" << kLogsUsage;
    return 2;
}

} // namespace hivewatch
