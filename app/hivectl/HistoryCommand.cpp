#include "app/hivectl/Command.h"
#include "app/hivectl/CommandOutput.h"

#include "sync/hive/HistoryPruner.h"
#include "sync/hive/HistoryReader.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTextStream>
#include <QTimeZone>

#include <algorithm>

namespace hivewatch {

namespace {

int failure(const QString &command, const Error &error)
{
    err() << "hivectl " << command << ": " << error.toString() << "\n";
    return 1;
}

// A point in time: "24h" / "30m" / "7d" / "90s" ago, "now", an ISO 8601 time ("2026-12-06T07:00Z",
// UTC when it names no zone) or ms since the epoch; nullopt when it is none of these.
std::optional<qint64> parseTime(const QString &text, qint64 nowMs)
{
    const QString t = text.trimmed();
    if (t == QLatin1String("now"))
        return nowMs;
    static const QRegularExpression ago(QStringLiteral("^(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)$"));
    if (const QRegularExpressionMatch match = ago.match(t); match.hasMatch()) {
        const QString unit = match.captured(2);
        const double factor = unit == QLatin1String("ms") ? 1
            : unit == QLatin1String("s")                  ? 1e3
            : unit == QLatin1String("m")                  ? 6e4
            : unit == QLatin1String("h")                  ? 3.6e6
                                                          : 8.64e7;
        const double ms = match.captured(1).toDouble() * factor;
        if (ms > 1e15)
            return std::nullopt;
        return nowMs - qint64(ms);
    }
    static const QRegularExpression digits(QStringLiteral("^\\d{10,16}$"));
    if (digits.match(t).hasMatch())
        return t.toLongLong();
    QDateTime at = QDateTime::fromString(t, Qt::ISODateWithMs);
    if (!at.isValid())
        return std::nullopt;
    if (at.timeSpec() == Qt::LocalTime && !t.contains(QLatin1Char('+'))
        && !t.endsWith(QLatin1Char('Z')))
        at.setTimeZone(QTimeZone::utc());
    return at.toMSecsSinceEpoch();
}

QString isoTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, QTimeZone::utc()).toString(Qt::ISODateWithMs);
}

// Parses the command line; returns an exit status when the caller should stop.
std::optional<int> parse(QCommandLineParser &parser, const QStringList &args,
                         const QString &command, const QString &description)
{
    parser.setApplicationDescription(description);
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")},
                                  QStringLiteral("Show this help."));
    parser.addOption(help);
    QStringList argv = args;
    argv[0] = QStringLiteral("hivectl ") + command;
    if (!parser.parse(argv))
        return usageError(command, parser.errorText());
    if (parser.isSet(help)) {
        QString text = parser.helpText();
        text.replace(0, text.indexOf(QLatin1Char('\n')),
                     QStringLiteral("Usage: hivectl %1 [options]").arg(command));
        out() << text;
        return 0;
    }
    if (!parser.positionalArguments().isEmpty())
        return usageError(command,
                          QStringLiteral("unexpected argument '%1'")
                              .arg(parser.positionalArguments().constFirst()));
    if (parser.value(QStringLiteral("db")).isEmpty())
        return usageError(command, QStringLiteral("--db FILE is required"));
    return std::nullopt;
}

// --since / --until into a range; an exit status on bad input.
std::optional<int> parseRange(const QCommandLineParser &parser, const QString &command,
                              const QString &defaultSince, qint64 *fromMs, qint64 *toMs)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const QString since = parser.isSet(QStringLiteral("since"))
        ? parser.value(QStringLiteral("since"))
        : defaultSince;
    const QString until = parser.isSet(QStringLiteral("until"))
        ? parser.value(QStringLiteral("until"))
        : QStringLiteral("now");
    const auto from = parseTime(since, now);
    if (!from)
        return usageError(command,
                          QStringLiteral("--since must be a time such as 24h, 7d, 30m (ago), "
                                         "now, 2026-12-06T07:00:00Z or ms since the "
                                         "epoch, got '%1'")
                              .arg(since));
    const auto to = parseTime(until, now);
    if (!to)
        return usageError(command,
                          QStringLiteral("--until must be a time such as 1h (ago), now, "
                                         "2026-12-06T07:00:00Z or ms since the epoch, "
                                         "got '%1'")
                              .arg(until));
    if (*from >= *to)
        return usageError(command,
                          QStringLiteral("--since (%1) must be before --until (%2)")
                              .arg(isoTime(*from), isoTime(*to)));
    *fromMs = *from;
    *toMs = *to;
    return std::nullopt;
}

QString operationName(HistoryChange::Operation operation)
{
    switch (operation) {
    case HistoryChange::Operation::Insert:
        return QStringLiteral("insert");
    case HistoryChange::Operation::Update:
        return QStringLiteral("update");
    case HistoryChange::Operation::Delete:
        return QStringLiteral("delete");
    }
    return {};
}

QString originName(HistoryChange::Origin origin)
{
    switch (origin) {
    case HistoryChange::Origin::Live:
        return QStringLiteral("live");
    case HistoryChange::Origin::Snapshot:
        return QStringLiteral("snapshot");
    case HistoryChange::Origin::Resync:
        return QStringLiteral("resync");
    }
    return {};
}

QJsonObject changeJson(const HistoryChange &change)
{
    return {{QStringLiteral("at"), isoTime(change.atMs)},
            {QStringLiteral("at_ms"), change.atMs},
            {QStringLiteral("table"), change.table},
            {QStringLiteral("key"), change.key},
            {QStringLiteral("op"), operationName(change.operation)},
            {QStringLiteral("origin"), originName(change.origin)},
            {QStringLiteral("offset"), change.offset},
            {QStringLiteral("old"), change.before},
            {QStringLiteral("new"), change.after}};
}

QString valueText(const QJsonValue &value)
{
    return value.isNull() ? QStringLiteral("null") : value.toString();
}

// "status: todo -> in-progress, title: a -> b" (an insert or delete: its status, if any).
QString changeText(const HistoryChange &change)
{
    QStringList parts;
    if (change.operation == HistoryChange::Operation::Update) {
        for (auto it = change.after.begin(); it != change.after.end(); ++it)
            parts << QStringLiteral("%1: %2 -> %3")
                         .arg(it.key(),
                              change.before.contains(it.key())
                                  ? valueText(change.before.value(it.key()))
                                  : QStringLiteral("?"),
                              valueText(it.value()));
    } else if (!change.status.isEmpty()) {
        parts << QStringLiteral("status: %1").arg(change.status);
    }
    return parts.join(QStringLiteral(", "));
}

int runHistory(const QStringList &args)
{
    const QString command = QStringLiteral("history");
    QCommandLineParser parser;
    parser.addOptions({
        {QStringLiteral("db"), QStringLiteral("The Hivewatch store."), QStringLiteral("FILE")},
        {QStringLiteral("table"),
         QStringLiteral("The hive table (shared_tasks, nodes, node_task_assignments)."),
         QStringLiteral("T")},
        {QStringLiteral("key"), QStringLiteral("One row's id (default: every row)."),
         QStringLiteral("K")},
        {QStringLiteral("since"),
         QStringLiteral("Start: 24h / 7d / 30m ago, an ISO 8601 time or ms (default: 24h)."),
         QStringLiteral("TIME")},
        {QStringLiteral("until"), QStringLiteral("End, exclusive (default: now)."),
         QStringLiteral("TIME")},
        {QStringLiteral("limit"), QStringLiteral("At most N changes (default 100000)."),
         QStringLiteral("N")},
        {QStringLiteral("json"), QStringLiteral("Print a JSON array of the changes.")},
        {QStringLiteral("prune"),
         QStringLiteral("Instead of printing: delete the changes older than --retention-days.")},
        {QStringLiteral("retention-days"),
         QStringLiteral("Days of history --prune keeps (default %1).")
             .arg(HistoryPruner::DefaultRetentionDays),
         QStringLiteral("N")},
    });
    if (const auto exit = parse(parser, args, command,
                                QStringLiteral("Print the recorded changes of the hive's tasks, "
                                               "nodes and assignments, oldest first.")))
        return *exit;
    const QString db = parser.value(QStringLiteral("db"));
    if (parser.isSet(QStringLiteral("prune"))) {
        bool ok = true;
        const int days = parser.isSet(QStringLiteral("retention-days"))
            ? parser.value(QStringLiteral("retention-days")).toInt(&ok)
            : HistoryPruner::DefaultRetentionDays;
        if (!ok || days < 0)
            return usageError(command,
                              QStringLiteral("--retention-days must be a number of days "
                                             ">= 0, got '%1'")
                                  .arg(parser.value(QStringLiteral("retention-days"))));
        auto reader = HistoryReader::open(db); // the same checks: a store with history
        if (!reader)
            return failure(command, reader.error());
        HistoryPruner pruner(db);
        auto pruned = pruner.prune(HistoryPruner::cutoffForDays(days));
        if (!pruned)
            return failure(command, pruned.error());
        out() << "pruned " << pruned.value() << " changes older than " << days << " days\n";
        return 0;
    }
    const QString table = parser.value(QStringLiteral("table"));
    if (table.isEmpty())
        return usageError(command, QStringLiteral("--table T is required"));
    bool ok = true;
    const int limit = parser.isSet(QStringLiteral("limit"))
        ? parser.value(QStringLiteral("limit")).toInt(&ok)
        : 100000;
    if (!ok || limit <= 0)
        return usageError(command,
                          QStringLiteral("--limit must be a positive number, got '%1'")
                              .arg(parser.value(QStringLiteral("limit"))));
    qint64 fromMs = 0;
    qint64 toMs = 0;
    if (const auto exit = parseRange(parser, command, QStringLiteral("24h"), &fromMs, &toMs))
        return *exit;
    auto reader = HistoryReader::open(db);
    if (!reader)
        return failure(command, reader.error());
    auto changes = reader->changes(table, parser.value(QStringLiteral("key")), fromMs, toMs, limit);
    if (!changes)
        return failure(command, changes.error());
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonArray array;
        for (const HistoryChange &change : std::as_const(changes.value()))
            array.append(changeJson(change));
        out() << QJsonDocument(array).toJson(QJsonDocument::Indented);
        return 0;
    }
    for (const HistoryChange &change : std::as_const(changes.value()))
        out() << isoTime(change.atMs) << "  " << change.table << "  " << change.key << "  "
              << operationName(change.operation)
              << (change.origin == HistoryChange::Origin::Live
                      ? QString()
                      : QStringLiteral(" (%1)").arg(originName(change.origin)))
              << "  " << changeText(change) << "\n";
    return 0;
}

int runReport(const QStringList &args)
{
    const QString command = QStringLiteral("report");
    QCommandLineParser parser;
    parser.addOptions({
        {QStringLiteral("db"), QStringLiteral("The Hivewatch store."), QStringLiteral("FILE")},
        {QStringLiteral("since"),
         QStringLiteral("Start: 24h / 7d ago, an ISO 8601 time or ms (default: 24h)."),
         QStringLiteral("TIME")},
        {QStringLiteral("until"), QStringLiteral("End, exclusive (default: now)."),
         QStringLiteral("TIME")},
        {QStringLiteral("json"), QStringLiteral("Print the report as one JSON object.")},
    });
    if (const auto exit = parse(parser, args, command,
                                QStringLiteral("Throughput, failures and node availability over a "
                                               "range, from the recorded history.")))
        return *exit;
    qint64 fromMs = 0;
    qint64 toMs = 0;
    if (const auto exit = parseRange(parser, command, QStringLiteral("24h"), &fromMs, &toMs))
        return *exit;
    auto reader = HistoryReader::open(parser.value(QStringLiteral("db")));
    if (!reader)
        return failure(command, reader.error());
    auto report = reader->report(fromMs, toMs);
    if (!report)
        return failure(command, report.error());
    const HistoryReport &r = report.value();
    if (parser.isSet(QStringLiteral("json"))) {
        QJsonArray nodes;
        for (const auto &node : r.nodes) {
            QJsonObject byStatus;
            for (auto it = node.msByStatus.begin(); it != node.msByStatus.end(); ++it)
                byStatus.insert(it.key(), it.value());
            nodes.append(QJsonObject {{QStringLiteral("id"), node.nodeId},
                                      {QStringLiteral("name"), node.name},
                                      {QStringLiteral("online_share"), node.onlineShare},
                                      {QStringLiteral("ms_by_status"), byStatus}});
        }
        const QJsonObject json {{QStringLiteral("from"), isoTime(r.fromMs)},
                                {QStringLiteral("to"), isoTime(r.toMs)},
                                {QStringLiteral("changes"), r.changes},
                                {QStringLiteral("tasks"),
                                 QJsonObject {{QStringLiteral("created"), r.tasksCreated},
                                              {QStringLiteral("started"), r.tasksStarted},
                                              {QStringLiteral("done"), r.tasksDone},
                                              {QStringLiteral("cancelled"), r.tasksCancelled}}},
                                {QStringLiteral("assignments"),
                                 QJsonObject {{QStringLiteral("completed"), r.assignmentsCompleted},
                                              {QStringLiteral("failed"), r.assignmentsFailed}}},
                                {QStringLiteral("node_availability"), nodes}};
        out() << QJsonDocument(json).toJson(QJsonDocument::Indented);
        return 0;
    }
    out() << "from " << isoTime(r.fromMs) << " to " << isoTime(r.toMs) << ": " << r.changes
          << " changes\n"
          << "tasks: " << r.tasksCreated << " created, " << r.tasksStarted << " started, "
          << r.tasksDone << " done, " << r.tasksCancelled << " cancelled\n"
          << "assignments: " << r.assignmentsCompleted << " completed, " << r.assignmentsFailed
          << " failed\n";
    for (const auto &node : r.nodes)
        out() << "node " << (node.name.isEmpty() ? node.nodeId : node.name) << ": "
              << QString::number(node.onlineShare * 100, 'f', 1) << "% available\n";
    return 0;
}

} // namespace

int runHistoryCommand(const QStringList &args)
{
    return runHistory(args);
}

int runReportCommand(const QStringList &args)
{
    return runReport(args);
}

} // namespace hivewatch
