#include "models/hive/StoreHistoryQueries.h"

#include "domain/HiveTables.h"
#include "models/hive/HiveValues.h"

#include <QHash>
#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QScopeGuard>

#include <algorithm>
#include <functional>

namespace hivewatch {

namespace {

constexpr int kChangeListLimit = 2000;

QString errorText(const Error &error)
{
    return error.detail.isEmpty() ? error.message
                                  : error.message + QStringLiteral(": ") + error.detail;
}

QDateTime utc(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC);
}

QString text(const QJsonObject &values, const char *column)
{
    return values.value(QLatin1String(column)).toString();
}

QDateTime timeOf(const QJsonObject &values, const char *column)
{
    return HiveValues::timestamp(text(values, column)).toDateTime();
}

// Per-bucket counts at their bucket's start.
TrendPoints countPoints(qint64 fromMs, qint64 bucketMs, const QList<qint64> &values)
{
    TrendPoints points;
    points.reserve(values.size());
    for (int i = 0; i < values.size(); ++i)
        points.append({utc(fromMs + i * bucketMs), double(values.at(i))});
    return points;
}

// Levels at their bucket's end (the last cut at toMs); `scale` turns them into the shown unit,
// negative values (unknown then) are left out.
TrendPoints levelPoints(const LevelSeries &series, qint64 toMs, double scale)
{
    TrendPoints points;
    points.reserve(series.values.size());
    for (int i = 0; i < series.values.size(); ++i) {
        if (series.values.at(i) < 0)
            continue;
        const qint64 end = std::min(series.fromMs + (i + 1) * series.bucketMs, toMs);
        points.append({utc(end), double(series.values.at(i)) * scale});
    }
    return points;
}

QString operationText(HistoryChange::Operation operation)
{
    switch (operation) {
    case HistoryChange::Operation::Insert:
        return QObject::tr("inserted");
    case HistoryChange::Operation::Update:
        return QObject::tr("updated");
    case HistoryChange::Operation::Delete:
        return QObject::tr("deleted");
    }
    return {};
}

QString valueText(const QJsonValue &value)
{
    return value.isNull() || value.isUndefined() ? QStringLiteral("null") : value.toString();
}

// "status todo → done, node_id … → …" (updates); the status alone for inserts and deletes, whose
// whole row would not fit a line.
QString summaryOf(const HistoryChange &change)
{
    if (change.operation != HistoryChange::Operation::Update)
        return change.status.isEmpty() ? QString() : QObject::tr("status %1").arg(change.status);
    QStringList parts;
    for (auto it = change.after.constBegin(); it != change.after.constEnd(); ++it)
        parts << QStringLiteral("%1 %2 → %3")
                     .arg(it.key(), valueText(change.before.value(it.key())), valueText(*it));
    return parts.join(QStringLiteral(", "));
}

} // namespace

StoreHistoryQueries::StoreHistoryQueries(QString storePath)
    : m_storePath(std::move(storePath))
{
}

HistoryQueriesFactory StoreHistoryQueries::factory()
{
    return [](const QString &path) -> std::unique_ptr<HistoryQueries> {
        return std::make_unique<StoreHistoryQueries>(path);
    };
}

// A query reads the store through a 256 MiB mapping (half the CPU of reading by pread), and
// every page it touched stayed in the dashboard's RSS while the connection lived: 86 MiB after
// the Overview's first look at 100k tasks (docs/benchmarks.md, "Dashboard peak RSS: who holds
// it"). Each query drops its reader, so the mapping goes with the query; the next one opens
// the file again and its pages come back from the kernel's page cache.
HistoryReader *StoreHistoryQueries::reader(QString *error)
{
    if (!m_reader) {
        Result<HistoryReader> opened = HistoryReader::open(m_storePath);
        if (!opened) {
            *error = errorText(opened.error());
            return nullptr;
        }
        m_reader.emplace(std::move(opened).value());
    }
    return &*m_reader;
}

StatusChanges StoreHistoryQueries::lastStatusChanges(const QString &table, const QStringList &keys)
{
    StatusChanges result;
    HistoryReader *history = reader(&result.error);
    const auto release = qScopeGuard([this] { m_reader.reset(); });
    if (!history)
        return result;
    auto changes = history->lastStatusChanges(table, keys);
    if (!changes) {
        result.error = errorText(changes.error());
        m_reader.reset();
        return result;
    }
    for (auto it = changes->cbegin(); it != changes->cend(); ++it)
        result.byKey.insert(it.key(), {it->status, it->atMs});
    return result;
}

std::pair<qint64, qint64> StoreHistoryQueries::trendWindow(TrendRange range, qint64 toMs)
{
    const qint64 bucket = trendBucketMs(range);
    const qint64 end = (toMs + bucket - 1) / bucket * bucket;
    return {end - trendRangeMs(range), toMs};
}

TrendSet StoreHistoryQueries::trends(TrendRange range, const QDateTime &to)
{
    TrendSet set;
    set.range = range;
    set.bucketMs = trendBucketMs(range);
    const auto [fromMs, toMs] = trendWindow(range, to.toMSecsSinceEpoch());
    set.from = utc(fromMs);
    set.to = utc(toMs);
    HistoryReader *history = reader(&set.error);
    const auto release = qScopeGuard([this] { m_reader.reset(); });
    if (!history)
        return set;
    const qint64 bucket = set.bucketMs;
    auto fail = [&](const Error &error) {
        set.error = errorText(error);
        return set;
    };

    Result<TaskFlowSeries> flow = history->taskFlow(fromMs, toMs, bucket);
    if (!flow)
        return fail(flow.error());
    set.created = countPoints(fromMs, bucket, flow->created);
    set.started = countPoints(fromMs, bucket, flow->started);
    set.done = countPoints(fromMs, bucket, flow->done);

    Result<LevelSeries> running = history->runningAssignments(fromMs, toMs, bucket);
    if (!running)
        return fail(running.error());
    set.running = levelPoints(*running, toMs, 1.0);

    Result<LogSeries> lines = history->logLines(fromMs, toMs, bucket);
    if (!lines)
        return fail(lines.error());
    const QList<double> share = lines->stderrShare();
    for (int i = 0; i < lines->lines.size(); ++i) {
        const qint64 start = fromMs + i * bucket;
        const double seconds = double(std::min(start + bucket, toMs) - start) / 1000.0;
        set.logLinesPerSecond.append({utc(start), seconds > 0 ? lines->lines.at(i) / seconds : 0});
        set.stderrShare.append({utc(start), share.value(i)});
    }

    Result<QHash<QString, LevelSeries>> lag = history->heartbeatLag(fromMs, toMs, bucket);
    if (!lag)
        return fail(lag.error());
    for (auto it = lag->constBegin(); it != lag->constEnd(); ++it)
        set.heartbeatLag.insert(it.key(), levelPoints(*it, toMs, 1.0 / 1000.0));
    return set;
}

HistoryExtent StoreHistoryQueries::extent()
{
    HistoryExtent result;
    HistoryReader *history = reader(&result.error);
    const auto release = qScopeGuard([this] { m_reader.reset(); });
    if (!history)
        return result;
    Result<std::pair<qint64, qint64>> span = history->extent();
    if (!span) {
        result.error = errorText(span.error());
    } else if (span->second > 0) {
        result.first = utc(span->first);
        result.last = utc(span->second);
    }
    return result;
}

RowState StoreHistoryQueries::rowAsOf(const QString &table, const QString &key, const QDateTime &at)
{
    RowState state;
    state.table = table;
    state.id = key;
    state.at = at;
    HistoryReader *history = reader(&state.error);
    const auto release = qScopeGuard([this] { m_reader.reset(); });
    if (!history)
        return state;
    const qint64 atMs = at.toMSecsSinceEpoch();
    auto nodeName = [&](const QString &nodeId) {
        Result<std::optional<HistoryRow>> node = history->rowAsOf(HiveTables::Nodes, nodeId, atMs);
        return node && node->has_value() ? text((*node)->values, "name") : QString();
    };
    auto assignmentOf = [&](const HistoryRow &row) {
        AssignmentState assignment;
        assignment.id = row.key;
        assignment.nodeId = text(row.values, "node_id");
        assignment.nodeName = nodeName(assignment.nodeId);
        assignment.status = text(row.values, "execution_status");
        assignment.active = row.values.value(QLatin1String("completed_at")).isNull();
        return assignment;
    };

    if (table == HiveTables::SharedTasks) {
        Result<std::optional<TaskAsOf>> task = history->taskAsOf(key, atMs);
        if (!task) {
            state.error = errorText(task.error());
            return state;
        }
        if (!task->has_value())
            return state;
        const TaskAsOf &then = **task;
        state.existed = true;
        state.name = text(then.task.values, "title");
        state.status = text(then.task.values, "status");
        state.since = utc(then.task.sinceMs);
        state.nodeId = then.nodeId;
        if (then.node)
            state.nodeName = text(then.node->values, "name");
        for (const HistoryRow &row : then.assignments)
            state.assignments.append(assignmentOf(row));
        return state;
    }

    Result<std::optional<HistoryRow>> row = history->rowAsOf(table, key, atMs);
    if (!row) {
        state.error = errorText(row.error());
        return state;
    }
    if (!row->has_value())
        return state;
    state.existed = true;
    state.name = text((*row)->values, "name");
    state.status = text((*row)->values, "status");
    state.since = utc((*row)->sinceMs);
    if (table == HiveTables::Nodes) {
        state.lastHeartbeat = timeOf((*row)->values, "last_heartbeat_at");
        Result<QList<HistoryRow>> assignments
            = history->rowsAsOf(HiveTables::NodeTaskAssignments, atMs);
        if (!assignments) {
            state.error = errorText(assignments.error());
            return state;
        }
        for (const HistoryRow &assignment : *assignments) {
            if (text(assignment.values, "node_id") == key
                && assignment.values.value(QLatin1String("completed_at")).isNull())
                state.assignments.append(assignmentOf(assignment));
        }
    }
    return state;
}

HistoryEvents StoreHistoryQueries::changesBetween(const QDateTime &from, const QDateTime &to,
                                                  const QString &table, const QString &key)
{
    HistoryEvents result;
    result.from = from;
    result.to = to;
    HistoryReader *history = reader(&result.error);
    const auto release = qScopeGuard([this] { m_reader.reset(); });
    if (!history)
        return result;
    const qint64 fromMs = from.toMSecsSinceEpoch();
    const qint64 toMs = to.toMSecsSinceEpoch();
    // One more than shown tells that the list was cut.
    Result<QList<HistoryChange>> changes = table.isEmpty()
        ? history->changesBetween(fromMs, toMs, {}, kChangeListLimit + 1)
        : history->changes(table, key, fromMs, toMs, kChangeListLimit + 1);
    if (!changes) {
        result.error = errorText(changes.error());
        return result;
    }
    result.truncated = changes->size() > kChangeListLimit;
    // Labels by row, read once each as the row was at the span's end (else at the change).
    QHash<QString, QString> labels;
    std::function<QString(const QString &, const QString &, const HistoryChange *)> labelOf;
    labelOf = [&](const QString &tbl, const QString &id, const HistoryChange *change) {
        const QString cacheKey = tbl + QLatin1Char('/') + id;
        if (const auto it = labels.constFind(cacheKey); it != labels.cend())
            return *it;
        const QLatin1String column(tbl == QLatin1String(HiveTables::SharedTasks) ? "title"
                                                                                 : "name");
        QJsonObject values;
        if (auto row = history->rowAsOf(tbl, id, toMs - 1); row && row.value())
            values = row.value()->values;
        else if (change && change->operation == HistoryChange::Operation::Delete)
            values = change->before;
        else if (change)
            values = change->after;
        QString label;
        if (tbl == QLatin1String(HiveTables::NodeTaskAssignments)) {
            const QString task = values.value(QLatin1String("task_id")).toString();
            const QString node = values.value(QLatin1String("node_id")).toString();
            const QString taskLabel
                = task.isEmpty() ? QString() : labelOf(HiveTables::SharedTasks, task, nullptr);
            const QString nodeLabel
                = node.isEmpty() ? QString() : labelOf(HiveTables::Nodes, node, nullptr);
            if (!taskLabel.isEmpty() || !nodeLabel.isEmpty())
                label = QObject::tr("%1 on %2")
                            .arg(taskLabel.isEmpty() ? task : taskLabel,
                                 nodeLabel.isEmpty() ? node : nodeLabel);
        } else if (tbl == QLatin1String(HiveTables::SharedTasks)
                   || tbl == QLatin1String(HiveTables::Nodes)) {
            label = values.value(column).toString();
        }
        labels.insert(cacheKey, label);
        return label;
    };
    for (const HistoryChange &change : *changes) {
        if (result.events.size() == kChangeListLimit)
            break;
        result.events.append({utc(change.atMs), change.table, change.key,
                              operationText(change.operation), summaryOf(change),
                              labelOf(change.table, change.key, &change)});
    }
    return result;
}

} // namespace hivewatch
