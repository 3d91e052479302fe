#include "sync/hive/HistoryReader.h"

#include "domain/HiveTables.h"
#include "domain/LogTable.h"
#include "domain/StatusVocabularies.h"
#include "sync/hive/HiveHistoryRecorder.h"
#include "sync/sqlite/SqliteStatement.h"

#include <QDateTime>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSet>

#include <algorithm>
#include <map>

namespace hivewatch {

namespace {

QJsonObject parseObject(const SqliteStatement &row, int column)
{
    if (row.columnIsNull(column))
        return {};
    return QJsonDocument::fromJson(row.columnByteArray(column)).object();
}

// Every spelling of a term, as the history keeps what Electric sent (a status may be an alias).
template<typename E> QStringList spellingsOf(E value)
{
    const Vocabulary::Term *term = vocabularyFor<E>().term(int(value));
    return QStringList {term->canonical} + term->otherSpellings;
}

template<typename E> bool is(const QString &raw, E value)
{
    return VocabularyValue<E>::parse(raw) == value;
}

// "(?, ?, ?)" for n parameters.
std::string placeholders(qsizetype n)
{
    std::string out = "(";
    for (qsizetype i = 0; i < n; ++i)
        out += i ? ", ?" : "?";
    return out + ")";
}

// log_entries' timestamp form ("YYYY-MM-DD HH:MM:SS.sss", UTC) of a time.
QByteArray logTime(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC)
        .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"))
        .toUtf8();
}

qsizetype bucketCount(qint64 fromMs, qint64 toMs, qint64 bucketMs)
{
    return qsizetype((toMs - fromMs + bucketMs - 1) / bucketMs);
}

void applyChange(std::optional<HistoryRow> &row, const HistoryChange &change)
{
    switch (change.operation) {
    case HistoryChange::Operation::Insert:
        row = HistoryRow {change.key, change.after, change.atMs};
        return;
    case HistoryChange::Operation::Update:
        // A row whose insert was pruned by retention: what is known of it.
        if (!row)
            row = HistoryRow {change.key, {}, change.atMs};
        for (auto it = change.after.begin(); it != change.after.end(); ++it)
            row->values.insert(it.key(), it.value());
        row->sinceMs = change.atMs;
        return;
    case HistoryChange::Operation::Delete:
        row.reset();
        return;
    }
}

constexpr const char *kChangeColumns
    = "id, tbl, key, at_ms, op, origin, shape_offset, status, old, new";

HistoryChange readChange(const SqliteStatement &row)
{
    HistoryChange change;
    change.id = row.columnInt(0);
    change.table = row.columnText(1);
    change.key = row.columnText(2);
    change.atMs = row.columnInt(3);
    change.operation = HistoryChange::Operation(std::clamp<qint64>(row.columnInt(4), 1, 3));
    change.origin = HistoryChange::Origin(std::clamp<qint64>(row.columnInt(5), 0, 2));
    change.offset = row.columnText(6);
    change.status = row.columnText(7);
    change.before = parseObject(row, 8);
    change.after = parseObject(row, 9);
    return change;
}

} // namespace

QList<double> LogSeries::stderrShare() const
{
    QList<double> share;
    share.reserve(lines.size());
    for (qsizetype i = 0; i < lines.size(); ++i)
        share.append(lines[i] ? double(stderrLines.value(i)) / double(lines[i]) : 0.0);
    return share;
}

HistoryReader::HistoryReader(SqliteConnection db)
    : m_db(std::move(db))
{
}

Result<HistoryReader> HistoryReader::open(const QString &storePath)
{
    const QFileInfo file(storePath);
    if (!file.exists())
        return Error(QStringLiteral("no store file %1").arg(storePath),
                     QStringLiteral("give the Hivewatch store the history was synced into"));
    auto opened = SqliteConnection::open(storePath, SqliteConnection::Mode::ReadOnly);
    if (!opened)
        return opened.error();
    auto has = opened->hasTable("history");
    if (!has)
        return Error(QStringLiteral("%1 is not a Hivewatch store").arg(storePath),
                     has.error().toString());
    if (!has.value())
        return Error(QStringLiteral("%1 holds no history").arg(storePath),
                     QStringLiteral("changes are recorded from the first sync of tasks, nodes or "
                                    "assignments by a Hivewatch that records history"));
    return HistoryReader(std::move(opened).value());
}

Error HistoryReader::sqlError(const QString &what) const
{
    return m_db.error(QStringLiteral("the history could not be read (%1)").arg(what));
}

Result<void> HistoryReader::checkRange(qint64 fromMs, qint64 toMs, qint64 bucketMs) const
{
    if (fromMs >= toMs)
        return Error(QStringLiteral("the time range is empty: it must start before it ends (%1 .. "
                                    "%2)")
                         .arg(QDateTime::fromMSecsSinceEpoch(fromMs, Qt::UTC).toString(Qt::ISODate),
                              QDateTime::fromMSecsSinceEpoch(toMs, Qt::UTC).toString(Qt::ISODate)));
    if (bucketMs <= 0)
        return Error(QStringLiteral("the bucket size must be positive, got %1 ms").arg(bucketMs));
    if (bucketCount(fromMs, toMs, bucketMs) > 1000000)
        return Error(QStringLiteral("too many buckets: %1 ms in buckets of %2 ms")
                         .arg(toMs - fromMs)
                         .arg(bucketMs));
    return {};
}

Result<QStringList> HistoryReader::tables()
{
    // One index seek per distinct table instead of a scan of the whole history.
    auto select = m_db.prepare(R"(WITH RECURSIVE t(name) AS (
                                      SELECT min(tbl) FROM history
                                      UNION ALL
                                      SELECT (SELECT min(tbl) FROM history WHERE tbl > t.name)
                                      FROM t WHERE t.name IS NOT NULL)
                                  SELECT name FROM t WHERE name IS NOT NULL)");
    if (!select)
        return sqlError(QStringLiteral("its tables"));
    QStringList names;
    for (;;) {
        auto next = select->step();
        if (!next)
            return sqlError(QStringLiteral("its tables"));
        if (!next.value())
            break;
        names << select->columnText(0);
    }
    return names;
}

Result<void> HistoryReader::checkTable(const QString &table)
{
    auto known = tables();
    if (!known)
        return known.error();
    if (known->contains(table))
        return {};
    return Error(QStringLiteral("no history of table '%1'").arg(table),
                 known->isEmpty() ? QStringLiteral("nothing is recorded yet")
                                  : QStringLiteral("recorded tables: %1").arg(known->join(", ")));
}

Result<std::pair<qint64, qint64>> HistoryReader::extent()
{
    auto select = m_db.prepare("SELECT min(at_ms), max(at_ms) FROM history");
    if (!select || !select->step())
        return sqlError(QStringLiteral("its extent"));
    return std::pair<qint64, qint64>(select->columnInt(0), select->columnInt(1));
}

Result<QList<HistoryChange>> HistoryReader::changes(const QString &table, const QString &key,
                                                    qint64 fromMs, qint64 toMs, int limit)
{
    if (auto checked = checkTable(table); !checked)
        return checked.error();
    // Two statements, so that each range is one index's (tbl, key, at_ms or tbl, at_ms).
    const std::string sql = std::string("SELECT ") + kChangeColumns
        + " FROM history WHERE tbl = ?1 " + (key.isEmpty() ? "AND ?2 IS NULL" : "AND key = ?2")
        + " AND at_ms >= ?3 AND at_ms < ?4 ORDER BY at_ms, id LIMIT ?5";
    auto select = m_db.prepare(sql);
    if (!select)
        return sqlError(QStringLiteral("changes of %1").arg(table));
    select->bindText(1, table);
    if (key.isEmpty())
        select->bindNull(2);
    else
        select->bindText(2, key);
    select->bindInt(3, fromMs).bindInt(4, toMs).bindInt(5, limit);
    QList<HistoryChange> out;
    for (;;) {
        auto next = select->step();
        if (!next)
            return sqlError(QStringLiteral("changes of %1").arg(table));
        if (!next.value())
            break;
        out.append(readChange(*select));
    }
    return out;
}

Result<QList<HistoryChange>> HistoryReader::changesBetween(qint64 fromMs, qint64 toMs,
                                                           const QStringList &tables, int limit)
{
    QStringList names = tables;
    if (names.isEmpty()) {
        auto all = this->tables();
        if (!all)
            return all.error();
        names = all.value();
    }
    QList<HistoryChange> out;
    for (const QString &table : std::as_const(names)) {
        auto some = changes(table, QString(), fromMs, toMs, limit);
        if (!some)
            return some.error();
        out.append(some.value());
    }
    std::sort(out.begin(), out.end(), [](const HistoryChange &a, const HistoryChange &b) {
        return a.atMs != b.atMs ? a.atMs < b.atMs : a.id < b.id;
    });
    if (out.size() > limit)
        out.resize(limit);
    return out;
}

Result<std::optional<HistoryRow>> HistoryReader::rowAsOf(const QString &table, const QString &key,
                                                         qint64 atMs)
{
    const std::string sql = std::string("SELECT ") + kChangeColumns
        + " FROM history WHERE tbl = ? AND key = ? AND at_ms <= ? ORDER BY at_ms, id";
    auto select = m_db.prepare(sql);
    if (!select)
        return sqlError(QStringLiteral("row %1 of %2").arg(key, table));
    select->bindText(1, table).bindText(2, key).bindInt(3, atMs);
    std::optional<HistoryRow> row;
    for (;;) {
        auto next = select->step();
        if (!next)
            return sqlError(QStringLiteral("row %1 of %2").arg(key, table));
        if (!next.value())
            break;
        applyChange(row, readChange(*select));
    }
    return row;
}

Result<QList<HistoryRow>> HistoryReader::rowsAsOf(const QString &table, qint64 atMs)
{
    const std::string sql = std::string("SELECT ") + kChangeColumns
        + " FROM history WHERE tbl = ? AND at_ms <= ? ORDER BY at_ms, id";
    auto select = m_db.prepare(sql);
    if (!select)
        return sqlError(QStringLiteral("rows of %1").arg(table));
    select->bindText(1, table).bindInt(2, atMs);
    std::map<QString, std::optional<HistoryRow>> rows;
    for (;;) {
        auto next = select->step();
        if (!next)
            return sqlError(QStringLiteral("rows of %1").arg(table));
        if (!next.value())
            break;
        HistoryChange change = readChange(*select);
        applyChange(rows[change.key], change);
    }
    QList<HistoryRow> out;
    for (auto &[key, row] : rows) {
        if (row)
            out.append(std::move(*row));
    }
    return out;
}

Result<std::optional<TaskAsOf>> HistoryReader::taskAsOf(const QString &taskId, qint64 atMs)
{
    auto task = rowAsOf(HiveTables::SharedTasks, taskId, atMs);
    if (!task)
        return task.error();
    if (!task.value())
        return std::optional<TaskAsOf>();
    TaskAsOf out;
    out.task = std::move(*task.value());
    // An assignment names its task in its insert (task_id never changes).
    auto keys = m_db.prepare(R"(SELECT DISTINCT key FROM history
                                WHERE tbl = ? AND at_ms <= ? AND op = 1
                                  AND json_extract(new, '$.task_id') = ?)");
    if (!keys)
        return sqlError(QStringLiteral("assignments of task %1").arg(taskId));
    keys->bindText(1, QString(HiveTables::NodeTaskAssignments))
        .bindInt(2, atMs)
        .bindText(3, taskId);
    QStringList assignmentKeys;
    for (;;) {
        auto next = keys->step();
        if (!next)
            return sqlError(QStringLiteral("assignments of task %1").arg(taskId));
        if (!next.value())
            break;
        assignmentKeys << keys->columnText(0);
    }
    for (const QString &key : std::as_const(assignmentKeys)) {
        auto assignment = rowAsOf(HiveTables::NodeTaskAssignments, key, atMs);
        if (!assignment)
            return assignment.error();
        if (!assignment.value())
            continue;
        const QJsonObject &values = assignment.value()->values;
        if (values.value(QLatin1String("completed_at")).isNull())
            out.nodeId = values.value(QLatin1String("node_id")).toString();
        out.assignments.append(std::move(*assignment.value()));
    }
    std::sort(out.assignments.begin(), out.assignments.end(),
              [](const HistoryRow &a, const HistoryRow &b) {
                  return a.values.value(QLatin1String("assigned_at")).toString()
                      < b.values.value(QLatin1String("assigned_at")).toString();
              });
    if (!out.nodeId.isEmpty()) {
        auto node = rowAsOf(HiveTables::Nodes, out.nodeId, atMs);
        if (!node)
            return node.error();
        out.node = std::move(node).value();
    }
    return std::optional<TaskAsOf>(std::move(out));
}

Result<TaskFlowSeries> HistoryReader::taskFlow(qint64 fromMs, qint64 toMs, qint64 bucketMs)
{
    if (auto checked = checkRange(fromMs, toMs, bucketMs); !checked)
        return checked.error();
    TaskFlowSeries series;
    series.fromMs = fromMs;
    series.bucketMs = bucketMs;
    const qsizetype n = bucketCount(fromMs, toMs, bucketMs);
    series.created.fill(0, n);
    series.started.fill(0, n);
    series.done.fill(0, n);
    const auto count = [&](const std::string &where, const QStringList &statuses,
                           QList<qint64> &into) -> Result<void> {
        const std::string sql = "SELECT (at_ms - ?2) / ?3, count(*) FROM history WHERE tbl = ?1 "
                                "AND at_ms >= ?2 AND at_ms < ?4 AND "
            + where + " GROUP BY 1";
        auto select = m_db.prepare(sql);
        if (!select)
            return sqlError(QStringLiteral("task flow"));
        select->bindText(1, QString(HiveTables::SharedTasks))
            .bindInt(2, fromMs)
            .bindInt(3, bucketMs)
            .bindInt(4, toMs);
        for (qsizetype i = 0; i < statuses.size(); ++i)
            select->bindText(int(5 + i), statuses[i]);
        for (;;) {
            auto next = select->step();
            if (!next)
                return sqlError(QStringLiteral("task flow"));
            if (!next.value())
                break;
            const qint64 bucket = select->columnInt(0);
            if (bucket >= 0 && bucket < n)
                into[bucket] += select->columnInt(1);
        }
        return {};
    };
    const QStringList started = spellingsOf(TaskStatus::InProgress);
    const QStringList done = spellingsOf(TaskStatus::Done);
    const auto statusIn = [](const QStringList &spellings) {
        std::string in = "status IN (";
        for (qsizetype i = 0; i < spellings.size(); ++i)
            in += (i ? ", ?" : "?") + std::to_string(5 + i);
        return in + ")";
    };
    if (auto c = count("op = 1 AND origin = 0", {}, series.created); !c)
        return c.error();
    if (auto c = count(statusIn(started) + " AND op = 2", started, series.started); !c)
        return c.error();
    if (auto c = count(statusIn(done) + " AND op = 2", done, series.done); !c)
        return c.error();
    return series;
}

Result<LevelSeries> HistoryReader::runningAssignments(qint64 fromMs, qint64 toMs, qint64 bucketMs)
{
    if (auto checked = checkRange(fromMs, toMs, bucketMs); !checked)
        return checked.error();
    const QString table = HiveTables::NodeTaskAssignments;
    // Each assignment's last status before the range, then its changes in it, in order.
    // (tbl, key, at_ms, status) and its rowid cover it: keys in order, no table rows read.
    auto before = m_db.prepare(R"(SELECT key, status, max(id) FROM history
                                  INDEXED BY history_table_key_at_status
                                  WHERE tbl = ? AND at_ms < ? AND status IS NOT NULL
                                  GROUP BY key)");
    auto during = m_db.prepare(R"(SELECT key, status, at_ms FROM history
                                  WHERE tbl = ? AND status IS NOT NULL AND at_ms >= ? AND at_ms < ?
                                  ORDER BY at_ms, id)");
    if (!before || !during)
        return sqlError(QStringLiteral("running assignments"));
    QSet<QString> running;
    before->bindText(1, table).bindInt(2, fromMs);
    for (;;) {
        auto next = before->step();
        if (!next)
            return sqlError(QStringLiteral("running assignments"));
        if (!next.value())
            break;
        if (is(before->columnText(1), AssignmentStatus::Running))
            running.insert(before->columnText(0));
    }
    LevelSeries series;
    series.fromMs = fromMs;
    series.bucketMs = bucketMs;
    const qsizetype n = bucketCount(fromMs, toMs, bucketMs);
    series.values.reserve(n);
    during->bindText(1, table).bindInt(2, fromMs).bindInt(3, toMs);
    for (;;) {
        auto next = during->step();
        if (!next)
            return sqlError(QStringLiteral("running assignments"));
        if (!next.value())
            break;
        const qint64 at = during->columnInt(2);
        // Buckets that ended before this change hold the count as it was.
        while (series.values.size() < n && fromMs + (series.values.size() + 1) * bucketMs <= at)
            series.values.append(running.size());
        if (is(during->columnText(1), AssignmentStatus::Running))
            running.insert(during->columnText(0));
        else
            running.remove(during->columnText(0));
    }
    while (series.values.size() < n)
        series.values.append(running.size());
    return series;
}

Result<LogSeries> HistoryReader::logLines(qint64 fromMs, qint64 toMs, qint64 bucketMs)
{
    if (auto checked = checkRange(fromMs, toMs, bucketMs); !checked)
        return checked.error();
    LogSeries series;
    series.fromMs = fromMs;
    series.bucketMs = bucketMs;
    const qsizetype n = bucketCount(fromMs, toMs, bucketMs);
    series.lines.fill(0, n);
    series.stderrLines.fill(0, n);
    auto has = m_db.hasTable("log_entries");
    if (!has)
        return sqlError(QStringLiteral("log lines"));
    if (!has.value())
        return series;
    const QStringList stderrSpellings = spellingsOf(LogOutputType::Stderr);
    // The stored timestamp is UTC text, so the range compares as text; the bucket is its time in
    // ms (julianday keeps the milliseconds).
    const std::string sql
        = "SELECT (CAST(round((julianday(timestamp) - 2440587.5) * 86400000.0) AS INTEGER) - ?3) "
          "/ ?4, count(*), sum(output_type IN "
        + placeholders(stderrSpellings.size())
        + ") FROM log_entries WHERE timestamp >= ?1 AND timestamp < ?2 GROUP BY 1";
    auto select = m_db.prepare(sql);
    if (!select)
        return sqlError(QStringLiteral("log lines"));
    select->bindText(1, logTime(fromMs))
        .bindText(2, logTime(toMs))
        .bindInt(3, fromMs)
        .bindInt(4, bucketMs);
    for (qsizetype i = 0; i < stderrSpellings.size(); ++i)
        select->bindText(int(5 + i), stderrSpellings[i]);
    for (;;) {
        auto next = select->step();
        if (!next)
            return sqlError(QStringLiteral("log lines"));
        if (!next.value())
            break;
        const qint64 bucket = select->columnInt(0);
        if (bucket < 0 || bucket >= n)
            continue;
        series.lines[bucket] += select->columnInt(1);
        series.stderrLines[bucket] += select->columnInt(2);
    }
    return series;
}

Result<QHash<QString, LevelSeries>> HistoryReader::heartbeatLag(qint64 fromMs, qint64 toMs,
                                                                qint64 bucketMs)
{
    if (auto checked = checkRange(fromMs, toMs, bucketMs); !checked)
        return checked.error();
    const QString table = HiveTables::Nodes;
    const qsizetype n = bucketCount(fromMs, toMs, bucketMs);
    // The last heartbeat each node had sent before the range (one seek per node), then every
    // heartbeat received in it.
    auto nodes = m_db.prepare("SELECT DISTINCT key FROM history WHERE tbl = ? AND at_ms < ?");
    // beat_ms: the heartbeat the recorder kept as ms (HiveHistoryRecorder), so no JSON is read.
    auto last = m_db.prepare(R"(SELECT beat_ms FROM history
                                WHERE tbl = ? AND key = ? AND at_ms < ? AND beat_ms IS NOT NULL
                                ORDER BY at_ms DESC, id DESC LIMIT 1)");
    auto during = m_db.prepare(R"(SELECT key, at_ms, beat_ms FROM history
                                  WHERE tbl = ? AND at_ms >= ? AND at_ms < ? AND beat_ms IS NOT NULL
                                  ORDER BY at_ms, id)");
    if (!nodes || !last || !during)
        return sqlError(QStringLiteral("heartbeat lag"));
    struct Node
    {
        std::optional<qint64> heartbeat;
        LevelSeries series;
    };
    QHash<QString, Node> byNode;
    nodes->bindText(1, table).bindInt(2, toMs);
    for (;;) {
        auto next = nodes->step();
        if (!next)
            return sqlError(QStringLiteral("heartbeat lag"));
        if (!next.value())
            break;
        byNode.insert(nodes->columnText(0), Node());
    }
    for (auto it = byNode.begin(); it != byNode.end(); ++it) {
        last->bindText(1, table).bindText(2, it.key()).bindInt(3, fromMs);
        auto found = last->step();
        if (!found)
            return sqlError(QStringLiteral("heartbeat lag"));
        if (found.value())
            it->heartbeat = last->columnInt(0);
        last->reset();
        it->series.fromMs = fromMs;
        it->series.bucketMs = bucketMs;
        it->series.values.reserve(n);
    }
    const auto fillUntil = [&](Node &node, qint64 at) {
        while (node.series.values.size() < n
               && fromMs + (node.series.values.size() + 1) * bucketMs <= at) {
            const qint64 end = std::min(toMs, fromMs + (node.series.values.size() + 1) * bucketMs);
            node.series.values.append(node.heartbeat ? std::max<qint64>(0, end - *node.heartbeat)
                                                     : -1);
        }
    };
    during->bindText(1, table).bindInt(2, fromMs).bindInt(3, toMs);
    for (;;) {
        auto next = during->step();
        if (!next)
            return sqlError(QStringLiteral("heartbeat lag"));
        if (!next.value())
            break;
        Node &node = byNode[during->columnText(0)];
        fillUntil(node, during->columnInt(1));
        node.heartbeat = during->columnInt(2);
    }
    QHash<QString, LevelSeries> out;
    for (auto it = byNode.begin(); it != byNode.end(); ++it) {
        fillUntil(*it, std::numeric_limits<qint64>::max());
        out.insert(it.key(), std::move(it->series));
    }
    return out;
}

Result<HistoryReport> HistoryReader::report(qint64 fromMs, qint64 toMs)
{
    if (auto checked = checkRange(fromMs, toMs, toMs - fromMs); !checked)
        return checked.error();
    HistoryReport report;
    report.fromMs = fromMs;
    report.toMs = toMs;
    auto flow = taskFlow(fromMs, toMs, toMs - fromMs);
    if (!flow)
        return flow.error();
    report.tasksCreated = flow->created.value(0);
    report.tasksStarted = flow->started.value(0);
    report.tasksDone = flow->done.value(0);

    const auto countWhere
        = [&](const QString &table, const QStringList &statuses, qint64 *into) -> Result<void> {
        // A first snapshot's rows were there before; they are not this range's work.
        const std::string sql = "SELECT count(*) FROM history WHERE tbl = ? AND at_ms >= ? AND "
                                "at_ms < ? AND origin <> 1"
            + (statuses.isEmpty() ? std::string()
                                  : " AND status IN " + placeholders(statuses.size()));
        auto select = m_db.prepare(sql);
        if (!select)
            return sqlError(QStringLiteral("the report"));
        select->bindText(1, table).bindInt(2, fromMs).bindInt(3, toMs);
        for (qsizetype i = 0; i < statuses.size(); ++i)
            select->bindText(int(4 + i), statuses[i]);
        if (!select->step())
            return sqlError(QStringLiteral("the report"));
        *into = select->columnInt(0);
        return {};
    };
    auto tables = this->tables();
    if (!tables)
        return tables.error();
    for (const QString &table : std::as_const(tables.value())) {
        qint64 changes = 0;
        if (auto c = countWhere(table, {}, &changes); !c)
            return c.error();
        report.changes += changes;
    }
    if (auto c = countWhere(HiveTables::SharedTasks, spellingsOf(TaskStatus::Cancelled),
                            &report.tasksCancelled);
        !c)
        return c.error();
    if (auto c = countWhere(HiveTables::NodeTaskAssignments,
                            spellingsOf(AssignmentStatus::Completed), &report.assignmentsCompleted);
        !c)
        return c.error();
    if (auto c = countWhere(HiveTables::NodeTaskAssignments, spellingsOf(AssignmentStatus::Failed),
                            &report.assignmentsFailed);
        !c)
        return c.error();

    // Node availability: each node's status at the range's start, then its status changes.
    auto nodes = rowsAsOf(HiveTables::Nodes, toMs);
    if (!nodes)
        return nodes.error();
    auto changes = m_db.prepare(R"(SELECT status, at_ms FROM history
                                   WHERE tbl = ? AND key = ? AND status IS NOT NULL
                                     AND at_ms >= ? AND at_ms < ? ORDER BY at_ms, id)");
    if (!changes)
        return sqlError(QStringLiteral("the report"));
    for (const HistoryRow &node : std::as_const(nodes.value())) {
        HistoryReport::NodeAvailability availability;
        availability.nodeId = node.key;
        availability.name = node.values.value(QLatin1String("name")).toString();
        auto start = rowAsOf(HiveTables::Nodes, node.key, fromMs);
        if (!start)
            return start.error();
        QString status = start.value()
            ? start.value()->values.value(QLatin1String("status")).toString()
            : QStringLiteral("unknown");
        qint64 since = fromMs;
        changes->bindText(1, QString(HiveTables::Nodes))
            .bindText(2, node.key)
            .bindInt(3, fromMs)
            .bindInt(4, toMs);
        for (;;) {
            auto next = changes->step();
            if (!next)
                return sqlError(QStringLiteral("the report"));
            if (!next.value())
                break;
            const qint64 at = changes->columnInt(1);
            availability.msByStatus[status] += at - since;
            status = changes->columnText(0);
            since = at;
        }
        changes->reset();
        availability.msByStatus[status] += toMs - since;
        qint64 up = 0;
        for (NodeStatus s : {NodeStatus::Online, NodeStatus::Busy, NodeStatus::Draining}) {
            for (const QString &spelling : spellingsOf(s))
                up += availability.msByStatus.value(spelling);
        }
        availability.onlineShare = double(up) / double(toMs - fromMs);
        report.nodes.append(std::move(availability));
    }
    return report;
}

} // namespace hivewatch
