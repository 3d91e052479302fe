#include "sync/hive/HistoryReader.h"

#include "domain/HiveTables.h"
#include "domain/LogTable.h"
#include "domain/StatusVocabularies.h"
#include "sync/hive/HiveHistoryRecorder.h"
#include "sync/sqlite/SqliteStatement.h"

#include <QDateTime>
#include <QFileInfo>
#include <QJsonDocument>
#include <QScopeGuard>
#include <QSet>

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <vector>

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

// Undoes a change, newest first: what a row was before it.
void undoChange(std::optional<HistoryRow> &row, const HistoryChange &change)
{
    switch (change.operation) {
    case HistoryChange::Operation::Insert:
        row.reset();
        return;
    case HistoryChange::Operation::Update:
        if (!row)
            return;
        for (auto it = change.after.begin(); it != change.after.end(); ++it) {
            if (change.before.contains(it.key()))
                row->values.insert(it.key(), change.before.value(it.key()));
            else
                row->values.remove(it.key());
        }
        return;
    case HistoryChange::Operation::Delete:
        row = HistoryRow {change.key, change.before, 0};
        return;
    }
}

// Where a table's first snapshot went: its rows were not recorded, they are the store's current
// rows with the later changes undone.
struct Baseline
{
    QString shape;
    QString keyPrefix;
    qint64 atMs = 0;
};

Result<std::optional<Baseline>> baselineOf(const SqliteConnection &db, const QString &table)
{
    auto has = db.hasTable("history_baseline");
    if (!has || !has.value())
        return std::optional<Baseline>();
    auto select = db.prepare("SELECT shape, key_prefix, at_ms FROM history_baseline WHERE tbl = ? "
                             "ORDER BY at_ms LIMIT 1");
    if (!select)
        return db.error(QStringLiteral("the first snapshot of %1").arg(table));
    select->bindText(1, table);
    auto next = select->step();
    if (!next)
        return db.error(QStringLiteral("the first snapshot of %1").arg(table));
    if (!next.value())
        return std::optional<Baseline>();
    return std::optional<Baseline>(
        Baseline {select->columnText(0), select->columnText(1), select->columnInt(2)});
}

// The Electric key of a hive row by its id, as its shape's keys are spelled.
QString electricKey(const Baseline &baseline, const QString &id)
{
    QString quoted = id;
    quoted.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return baseline.keyPrefix + QLatin1Char('"') + quoted + QLatin1Char('"');
}

// The row as the store holds it now (nullopt: not there).
Result<std::optional<HistoryRow>> currentRow(const SqliteConnection &db, const Baseline &baseline,
                                             const QString &id)
{
    // shape_rows is a view whose keys are computed: look the key up by the table's index, in
    // either of the two forms ShapeRowTable stores it (prefix stripped or escaped whole).
    auto select = db.prepare(R"(SELECT d.value FROM shape_ids i JOIN shape_row_data d
                                ON d.shape = i.id
                                AND d.key IN (substr(?2, length(coalesce(i.key_prefix, '')) + 1),
                                              char(1) || ?2)
                                WHERE i.name = ?1
                                AND CASE WHEN substr(d.key, 1, 1) = char(1) THEN substr(d.key, 2)
                                    ELSE coalesce(i.key_prefix, '') || d.key END = ?2)");
    if (!select)
        return db.error(QStringLiteral("the stored row %1").arg(id));
    select->bindText(1, baseline.shape).bindText(2, electricKey(baseline, id));
    auto next = select->step();
    if (!next)
        return db.error(QStringLiteral("the stored row %1").arg(id));
    if (!next.value())
        return std::optional<HistoryRow>();
    return std::optional<HistoryRow>(HistoryRow {id, parseObject(*select, 0), 0});
}

// A row's state at atMs from its changes (all of them, oldest first): replayed forward from its
// recorded insert, or, a row of the first snapshot (no insert up to atMs), worked back from the
// stored row `current` by undoing the changes after atMs.
std::optional<HistoryRow> rowFrom(const QList<HistoryChange> &changes, qint64 atMs,
                                  const std::optional<Baseline> &baseline,
                                  std::optional<HistoryRow> current)
{
    bool inserted = false;
    qint64 since = baseline ? baseline->atMs : 0;
    std::optional<HistoryRow> forward;
    for (const HistoryChange &change : changes) {
        if (change.atMs > atMs)
            break;
        inserted = inserted || change.operation == HistoryChange::Operation::Insert;
        since = change.atMs;
        applyChange(forward, change);
    }
    if (inserted || !baseline || baseline->atMs > atMs)
        return forward;
    std::optional<HistoryRow> row = std::move(current);
    for (auto it = changes.crbegin(); it != changes.crend() && it->atMs > atMs; ++it)
        undoChange(row, *it);
    if (row)
        row->sinceMs = since;
    return row;
}

// A column of each first-snapshot row as it was at the baseline (keyed by row id): the old value
// of the row's first recorded change of it (those matching `recorded`), else the stored value.
// The snapshot's rows are those stored now and those deleted since; rows with a recorded insert
// came later and are left out. One seek per snapshot row: the history's other rows (most of
// it) are never read.
Result<QHash<QString, QString>> baselineValues(const SqliteConnection &db, const QString &table,
                                               const QString &column, const char *recorded)
{
    QHash<QString, QString> values;
    auto baseline = baselineOf(db, table);
    if (!baseline)
        return baseline.error();
    if (!baseline.value())
        return values;
    const QString what = QStringLiteral("the first snapshot of %1").arg(table);
    const QString path = QStringLiteral("$.\"%1\"").arg(column);
    auto stored = db.prepare("SELECT json_extract(value, '$.id'), json_extract(value, ?2) "
                             "FROM shape_rows WHERE shape = ?1");
    // Not DISTINCT: that would have the planner walk the key index over the whole table
    // rather than the status index over the deletes.
    auto deleted = db.prepare("SELECT key FROM history WHERE tbl = ? "
                              "AND status = '(deleted)' AND op = 3");
    // The planner, without statistics, would rather walk (tbl, at_ms) for the order: the whole
    // table per row. The row's own changes are a seek in the key index; when the index holds
    // the condition (a status) the first is its min(id), read without a sort (a sort per row
    // was half a 10k-row snapshot's cost), else the first by time, then by id (the recording
    // order: at_ms never goes back within it).
    const bool covered = std::string_view(recorded) == "status IS NOT NULL";
    auto first = db.prepare(
        covered ? std::string("SELECT op, json_extract(old, ?3) FROM history WHERE id = "
                              "(SELECT min(id) FROM history INDEXED BY history_table_key_at_status "
                              "WHERE tbl = ?1 AND key = ?2 AND status IS NOT NULL)")
                : std::string("SELECT op, json_extract(old, ?3) FROM history "
                              "INDEXED BY history_table_key_at_status "
                              "WHERE tbl = ?1 AND key = ?2 AND ")
                + recorded + " ORDER BY at_ms, id LIMIT 1");
    if (!stored || !deleted || !first)
        return db.error(what);
    stored->bindText(1, baseline.value()->shape).bindText(2, path);
    QSet<QString> gone;
    for (;;) {
        auto next = stored->step();
        if (!next)
            return db.error(what);
        if (!next.value())
            break;
        values.insert(stored->columnText(0), stored->columnText(1));
    }
    deleted->bindText(1, table);
    for (;;) {
        auto next = deleted->step();
        if (!next)
            return db.error(what);
        if (!next.value())
            break;
        if (!values.contains(deleted->columnText(0)))
            gone.insert(deleted->columnText(0));
    }
    const auto firstChange
        = [&](const QString &key) -> Result<std::optional<std::pair<int, QString>>> {
        first->bindText(1, table).bindText(2, key).bindText(3, path);
        auto found = first->step();
        if (!found)
            return db.error(what);
        std::optional<std::pair<int, QString>> change;
        if (found.value())
            change.emplace(int(first->columnInt(0)), first->columnText(1));
        first->reset();
        return change;
    };
    for (auto it = values.begin(); it != values.end();) {
        auto change = firstChange(it.key());
        if (!change)
            return change.error();
        if (!change.value()) {
            ++it;
        } else if (change.value()->first == int(HistoryChange::Operation::Insert)) {
            it = values.erase(it);
        } else {
            it.value() = change.value()->second;
            ++it;
        }
    }
    // A deleted row known only by its changes: it was in the snapshot if it has no insert.
    for (const QString &key : std::as_const(gone)) {
        auto change = firstChange(key);
        if (!change)
            return change.error();
        if (change.value() && change.value()->first != int(HistoryChange::Operation::Insert))
            values.insert(key, change.value()->second);
    }
    return values;
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
    // A chart reads a few hundred thousand index entries: through the page cache by pread that
    // was about half its CPU; mapped, as the store's own connections read it, it is not.
    (void)opened->exec("PRAGMA mmap_size = 268435456; PRAGMA cache_size = -16384");
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
    // A table known only by its first snapshot (no change since) is recorded too.
    if (auto has = m_db.hasTable("history_baseline"); has && has.value()) {
        auto marked = m_db.prepare("SELECT DISTINCT tbl FROM history_baseline");
        if (!marked)
            return sqlError(QStringLiteral("its tables"));
        for (;;) {
            auto next = marked->step();
            if (!next)
                return sqlError(QStringLiteral("its tables"));
            if (!next.value())
                break;
            if (const QString name = marked->columnText(0); !names.contains(name))
                names << name;
        }
        std::sort(names.begin(), names.end());
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
    auto has = m_db.hasTable("history_baseline");
    auto select
        = m_db.prepare(has && has.value() ? "SELECT min(at_ms), max(at_ms) FROM (SELECT at_ms FROM "
                                            "history UNION ALL SELECT at_ms FROM history_baseline)"
                                          : "SELECT min(at_ms), max(at_ms) FROM history");
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
    const QString what = QStringLiteral("row %1 of %2").arg(key, table);
    const std::string sql = std::string("SELECT ") + kChangeColumns
        + " FROM history WHERE tbl = ? AND key = ? ORDER BY at_ms, id";
    auto select = m_db.prepare(sql);
    if (!select)
        return sqlError(what);
    select->bindText(1, table).bindText(2, key);
    QList<HistoryChange> changes;
    for (;;) {
        auto next = select->step();
        if (!next)
            return sqlError(what);
        if (!next.value())
            break;
        changes.append(readChange(*select));
    }
    auto baseline = baselineOf(m_db, table);
    if (!baseline)
        return baseline.error();
    std::optional<HistoryRow> current;
    if (baseline.value() && baseline.value()->atMs <= atMs) {
        auto stored = currentRow(m_db, *baseline.value(), key);
        if (!stored)
            return stored.error();
        current = std::move(stored).value();
    }
    return rowFrom(changes, atMs, baseline.value(), std::move(current));
}

Result<QList<HistoryRow>> HistoryReader::rowsAsOf(const QString &table, qint64 atMs)
{
    const QString what = QStringLiteral("rows of %1").arg(table);
    const std::string sql = std::string("SELECT ") + kChangeColumns
        + " FROM history WHERE tbl = ? ORDER BY at_ms, id";
    auto select = m_db.prepare(sql);
    if (!select)
        return sqlError(what);
    select->bindText(1, table);
    std::map<QString, QList<HistoryChange>> changes;
    for (;;) {
        auto next = select->step();
        if (!next)
            return sqlError(what);
        if (!next.value())
            break;
        HistoryChange change = readChange(*select);
        changes[change.key].append(std::move(change));
    }
    auto baseline = baselineOf(m_db, table);
    if (!baseline)
        return baseline.error();
    std::map<QString, HistoryRow> current;
    if (baseline.value() && baseline.value()->atMs <= atMs) {
        auto stored = m_db.prepare("SELECT value FROM shape_rows WHERE shape = ?");
        if (!stored)
            return sqlError(what);
        stored->bindText(1, baseline.value()->shape);
        for (;;) {
            auto next = stored->step();
            if (!next)
                return sqlError(what);
            if (!next.value())
                break;
            QJsonObject values = parseObject(*stored, 0);
            const QString id = values.value(QLatin1String("id")).toString();
            current.emplace(id, HistoryRow {id, std::move(values), 0});
            changes.try_emplace(id);
        }
    }
    QList<HistoryRow> out;
    for (const auto &[key, rowChanges] : changes) {
        std::optional<HistoryRow> now;
        if (auto it = current.find(key); it != current.end())
            now = std::move(it->second);
        if (auto row = rowFrom(rowChanges, atMs, baseline.value(), std::move(now)))
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
    // The first snapshot's assignments have no recorded insert: they are stored now, or their
    // delete kept them whole.
    auto baseline = baselineOf(m_db, HiveTables::NodeTaskAssignments);
    if (!baseline)
        return baseline.error();
    if (baseline.value() && baseline.value()->atMs <= atMs) {
        auto more = m_db.prepare(R"(SELECT json_extract(value, '$.id') FROM shape_rows
                                    WHERE shape = ?1 AND json_extract(value, '$.task_id') = ?2
                                    UNION SELECT key FROM history
                                    WHERE tbl = ?3 AND op = 3 AND at_ms > ?4
                                      AND json_extract(old, '$.task_id') = ?2)");
        if (!more)
            return sqlError(QStringLiteral("assignments of task %1").arg(taskId));
        more->bindText(1, baseline.value()->shape)
            .bindText(2, taskId)
            .bindText(3, QString(HiveTables::NodeTaskAssignments))
            .bindInt(4, atMs);
        for (;;) {
            auto next = more->step();
            if (!next)
                return sqlError(QStringLiteral("assignments of task %1").arg(taskId));
            if (!next.value())
                break;
            if (const QString key = more->columnText(0); !assignmentKeys.contains(key))
                assignmentKeys << key;
        }
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
    // One ordered pass over (tbl, key, at_ms, status) and its rowid, the index alone: each
    // assignment's last status before the range (by id), and its changes in the range, which
    // are then put in time order. (Reading those by (tbl, at_ms) instead cost a table row each.)
    auto pass = m_db.prepare(R"(SELECT key, status, at_ms, id FROM history
                                INDEXED BY history_table_key_at_status
                                WHERE tbl = ? AND status IS NOT NULL
                                ORDER BY key)");
    if (!pass)
        return sqlError(QStringLiteral("running assignments"));
    // Keys as the store's bytes: a row read is looked up without a copy.
    QSet<QByteArray> running;
    const auto raw = [](std::string_view bytes) {
        return QByteArray::fromRawData(bytes.data(), qsizetype(bytes.size()));
    };
    // A handful of distinct statuses: each spelling parsed once.
    QHash<QByteArray, bool> isRunning;
    const auto runningStatus = [&](std::string_view bytes) {
        const auto it = isRunning.constFind(raw(bytes));
        if (it != isRunning.cend())
            return *it;
        const QByteArray status(bytes.data(), qsizetype(bytes.size()));
        return *isRunning.insert(status, is(QString::fromUtf8(status), AssignmentStatus::Running));
    };
    // The first snapshot's rows: their statuses at its baseline, as if recorded then.
    auto baseline = baselineOf(m_db, table);
    if (!baseline)
        return baseline.error();
    // Its rows (stored now, or deleted since) with their stored status; the pass below finds
    // each one's first recorded status change, whose old status is the one at the mark (as
    // baselineValues, without a seek per row).
    const bool useBaseline = baseline.value() && baseline.value()->atMs < toMs;
    const qint64 baselineAt = baseline.value() ? baseline.value()->atMs : 0;
    struct Candidate
    {
        QString stored;
        bool isStored = false;
        qint64 firstId = -1;
    };
    QHash<QByteArray, Candidate> candidates;
    if (useBaseline) {
        const QString what = QStringLiteral("the first snapshot of %1").arg(table);
        auto stored = m_db.prepare("SELECT json_extract(value, '$.id'), "
                                   "json_extract(value, '$.execution_status') "
                                   "FROM shape_rows WHERE shape = ?");
        auto deleted = m_db.prepare("SELECT key FROM history WHERE tbl = ? "
                                    "AND status = '(deleted)' AND op = 3");
        if (!stored || !deleted)
            return m_db.error(what);
        stored->bindText(1, baseline.value()->shape);
        for (;;) {
            auto next = stored->step();
            if (!next)
                return m_db.error(what);
            if (!next.value())
                break;
            candidates.insert(stored->columnByteArray(0), {stored->columnText(1), true, -1});
        }
        deleted->bindText(1, table);
        for (;;) {
            auto next = deleted->step();
            if (!next)
                return m_db.error(what);
            if (!next.value())
                break;
            if (!candidates.contains(deleted->columnByteArray(0)))
                candidates.insert(deleted->columnByteArray(0), {});
        }
    }
    // Snapshot rows whose status before the range is recorded: that one counts, not the mark's.
    QSet<QByteArray> recordedBefore;
    QHash<QString, QString> atBaseline;
    const auto applyBaseline = [&] {
        for (auto it = atBaseline.cbegin(); it != atBaseline.cend(); ++it) {
            if (is(it.value(), AssignmentStatus::Running)
                && !recordedBefore.contains(it.key().toUtf8()))
                running.insert(it.key().toUtf8());
        }
        atBaseline.clear();
    };
    struct Event
    {
        qint64 at;
        qint64 id;
        qsizetype key; // in keys
        bool running;
    };
    std::vector<Event> events;
    QList<QByteArray> keys;
    QByteArray key;
    bool haveKey = false;
    bool hasBefore = false;
    bool lastRunning = false;
    qint64 lastId = -1;
    qint64 firstId = -1;
    qsizetype keyIndex = -1;
    const auto finishKey = [&] {
        if (!haveKey)
            return;
        if (!candidates.isEmpty()) {
            const auto candidate = candidates.find(key);
            if (candidate != candidates.end()) {
                candidate->firstId = firstId;
                if (hasBefore)
                    recordedBefore.insert(key);
            }
        }
        if (hasBefore && lastRunning)
            running.insert(key);
    };
    pass->bindText(1, table).bindInt(2, toMs);
    for (;;) {
        auto next = pass->step();
        if (!next)
            return sqlError(QStringLiteral("running assignments"));
        if (!next.value())
            break;
        const std::string_view bytes = pass->columnBytes(0);
        if (!haveKey || bytes != std::string_view(key.constData(), size_t(key.size()))) {
            finishKey();
            key = QByteArray(bytes.data(), qsizetype(bytes.size()));
            haveKey = true;
            hasBefore = false;
            lastId = -1;
            firstId = -1;
            keyIndex = -1;
        }
        const qint64 at = pass->columnInt(2);
        const qint64 id = pass->columnInt(3);
        if (firstId < 0 || id < firstId)
            firstId = id;
        if (at >= toMs)
            continue;
        const bool isRunning = runningStatus(pass->columnBytes(1));
        if (at < fromMs) {
            if (id > lastId) {
                lastId = id;
                lastRunning = isRunning;
                hasBefore = true;
            }
            continue;
        }
        if (keyIndex < 0) {
            keyIndex = keys.size();
            keys.append(key);
        }
        events.push_back({at, id, keyIndex, isRunning});
    }
    finishKey();
    // The snapshot rows' statuses at the mark: the old one of the first recorded change (a row
    // whose first change is an insert came later), else the stored one.
    if (useBaseline) {
        auto first = m_db.prepare(
            "SELECT op, json_extract(old, '$.execution_status') FROM history WHERE id = ?");
        if (!first)
            return sqlError(QStringLiteral("running assignments"));
        for (auto it = candidates.cbegin(); it != candidates.cend(); ++it) {
            const QString id = QString::fromUtf8(it.key());
            if (it->firstId < 0) {
                if (it->isStored)
                    atBaseline.insert(id, it->stored);
                continue;
            }
            first->bindInt(1, it->firstId);
            auto found = first->step();
            if (!found)
                return sqlError(QStringLiteral("running assignments"));
            if (found.value() && first->columnInt(0) != int(HistoryChange::Operation::Insert))
                atBaseline.insert(id, first->columnText(1));
            first->reset();
        }
        // As if recorded at the mark: before the range, under what is recorded before it.
        if (baselineAt < fromMs)
            applyBaseline();
        else
            recordedBefore.clear();
    }
    std::sort(events.begin(), events.end(), [](const Event &a, const Event &b) {
        return a.at != b.at ? a.at < b.at : a.id < b.id;
    });
    LevelSeries series;
    series.fromMs = fromMs;
    series.bucketMs = bucketMs;
    const qsizetype n = bucketCount(fromMs, toMs, bucketMs);
    series.values.reserve(n);
    const auto fillUntil = [&](qint64 until) {
        // Buckets that ended before this change hold the count as it was.
        while (series.values.size() < n && fromMs + (series.values.size() + 1) * bucketMs <= until)
            series.values.append(running.size());
    };
    for (const Event &event : events) {
        if (!atBaseline.isEmpty() && baselineAt <= event.at) {
            fillUntil(baselineAt);
            applyBaseline();
        }
        fillUntil(event.at);
        if (event.running)
            running.insert(keys[event.key]);
        else
            running.remove(keys[event.key]);
    }
    if (!atBaseline.isEmpty()) {
        fillUntil(baselineAt);
        applyBaseline();
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
    auto counted = m_db.hasTable("log_minute_counts");
    if (!counted)
        return sqlError(QStringLiteral("log lines"));
    const QStringList stderrSpellings = spellingsOf(LogOutputType::Stderr);
    const auto bind = [&](SqliteStatement &select, int first) {
        for (qsizetype i = 0; i < stderrSpellings.size(); ++i)
            select.bindText(int(first + i), stderrSpellings[i]);
    };
    const auto read = [&](SqliteStatement &select,
                          const std::function<qint64(SqliteStatement &)> &startOf) -> Result<void> {
        for (;;) {
            auto next = select.step();
            if (!next)
                return sqlError(QStringLiteral("log lines"));
            if (!next.value())
                return {};
            const qint64 start = startOf(select);
            if (start < fromMs || start >= toMs)
                continue;
            const qint64 bucket = (start - fromMs) / bucketMs;
            series.lines[bucket] += select.columnInt(1);
            series.stderrLines[bucket] += select.columnInt(2);
        }
    };
    if (!counted.value()) {
        // A node's database, or a store of an older version opened read-only: every line in the
        // range is read. The stored timestamp is UTC text, so the range compares as text; the
        // bucket is its time in ms (julianday keeps the milliseconds).
        const std::string sql
            = "SELECT (CAST(round((julianday(timestamp) - 2440587.5) * 86400000.0) AS INTEGER) - "
              "?3) / ?4, count(*), sum(output_type IN "
            + placeholders(stderrSpellings.size())
            + ") FROM log_entries WHERE timestamp >= ?1 AND timestamp < ?2 GROUP BY 1";
        auto select = m_db.prepare(sql);
        if (!select)
            return sqlError(QStringLiteral("log lines"));
        // Text binds of a QByteArray are SQLITE_STATIC: the bytes must outlive the steps.
        const QByteArray from = logTime(fromMs);
        const QByteArray to = logTime(toMs);
        select->bindText(1, from).bindText(2, to).bindInt(3, fromMs).bindInt(4, bucketMs);
        bind(*select, 5);
        const auto bucketStart = [&](SqliteStatement &q) {
            return fromMs + q.columnInt(0) * bucketMs;
        };
        if (auto r = read(*select, bucketStart); !r)
            return r.error();
        return series;
    }
    // The store counts its lines per minute (store version 7): the counts up to their mark, and
    // the few lines above it, in one read so that none is counted twice or missed. A minute
    // counts in the bucket its start falls in.
    if (auto begun = m_db.exec("BEGIN"); !begun)
        return sqlError(QStringLiteral("log lines"));
    const auto end = qScopeGuard([this] { (void)m_db.exec("COMMIT"); });
    const auto minuteStart = [](SqliteStatement &q) -> qint64 {
        // "YYYY-MM-DD HH:MM"; anything else is no minute.
        const std::string_view text = q.columnBytes(0);
        const QDateTime at = QDateTime::fromString(
            QString::fromLatin1(text.data(), qsizetype(text.size())) + QLatin1String(":00Z"),
            Qt::ISODate);
        return text.size() == 16 && text[10] == ' ' && at.isValid()
            ? at.toMSecsSinceEpoch()
            : std::numeric_limits<qint64>::min();
    };
    auto minutes
        = m_db.prepare("SELECT minute, lines, stderr_lines FROM log_minute_counts "
                       "WHERE minute >= substr(?1, 1, 16) AND minute <= substr(?2, 1, 16)");
    const std::string tailSql = "SELECT substr(timestamp, 1, 16), count(*), sum(output_type IN "
        + placeholders(stderrSpellings.size())
        + ") FROM log_entries WHERE id > (SELECT counted_to FROM log_fts_state WHERE id = 1) "
          "GROUP BY 1";
    auto tail = m_db.prepare(tailSql);
    if (!minutes || !tail)
        return sqlError(QStringLiteral("log lines"));
    const QByteArray from = logTime(fromMs);
    const QByteArray to = logTime(toMs);
    minutes->bindText(1, from).bindText(2, to);
    bind(*tail, 1);
    if (auto r = read(*minutes, minuteStart); !r)
        return r.error();
    if (auto r = read(*tail, minuteStart); !r)
        return r.error();
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
    // The distinct keys by one index seek each (not a scan of every heartbeat), those with a
    // change before the range's end.
    auto nodes = m_db.prepare(R"(WITH RECURSIVE k(key) AS (
                                     SELECT min(key) FROM history WHERE tbl = ?1
                                     UNION ALL
                                     SELECT (SELECT min(key) FROM history
                                             WHERE tbl = ?1 AND key > k.key)
                                     FROM k WHERE k.key IS NOT NULL)
                                 SELECT key FROM k WHERE key IS NOT NULL AND EXISTS (
                                     SELECT 1 FROM history h WHERE h.tbl = ?1 AND h.key = k.key
                                     AND h.at_ms < ?2))");
    // beat_ms: the heartbeat the recorder kept as ms (HiveHistoryRecorder), so no JSON is read.
    // By the key index: (tbl, at_ms) would walk back over every node's beats to a silent one.
    auto last = m_db.prepare(R"(SELECT beat_ms FROM history
                                INDEXED BY history_table_key_at_status
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
    // The first snapshot's nodes: their heartbeats at its baseline, as if recorded then.
    auto baseline = baselineOf(m_db, table);
    if (!baseline)
        return baseline.error();
    const qint64 baselineAt = baseline.value() ? baseline.value()->atMs : 0;
    QHash<QString, qint64> beatAtBaseline;
    if (baseline.value() && baselineAt < toMs) {
        auto values = baselineValues(m_db, table, QStringLiteral("last_heartbeat_at"),
                                     "beat_ms IS NOT NULL");
        if (!values)
            return values.error();
        for (auto it = values->cbegin(); it != values->cend(); ++it) {
            if (!byNode.contains(it.key()))
                byNode.insert(it.key(), Node());
            if (auto ms = HiveHistoryRecorder::timestampMs(it.value()))
                beatAtBaseline.insert(it.key(), *ms);
        }
    }
    for (auto it = byNode.begin(); it != byNode.end(); ++it) {
        last->bindText(1, table).bindText(2, it.key()).bindInt(3, fromMs);
        auto found = last->step();
        if (!found)
            return sqlError(QStringLiteral("heartbeat lag"));
        if (found.value())
            it->heartbeat = last->columnInt(0);
        else if (baselineAt < fromMs && beatAtBaseline.contains(it.key()))
            it->heartbeat = beatAtBaseline.value(it.key());
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
    const auto applyBaseline = [&] {
        for (auto it = beatAtBaseline.cbegin(); it != beatAtBaseline.cend(); ++it) {
            Node &node = byNode[it.key()];
            fillUntil(node, baselineAt);
            node.heartbeat = it.value();
        }
        beatAtBaseline.clear();
    };
    during->bindText(1, table).bindInt(2, fromMs).bindInt(3, toMs);
    for (;;) {
        auto next = during->step();
        if (!next)
            return sqlError(QStringLiteral("heartbeat lag"));
        if (!next.value())
            break;
        if (!beatAtBaseline.isEmpty() && baselineAt >= fromMs && baselineAt <= during->columnInt(1))
            applyBaseline();
        Node &node = byNode[during->columnText(0)];
        fillUntil(node, during->columnInt(1));
        node.heartbeat = during->columnInt(2);
    }
    if (!beatAtBaseline.isEmpty() && baselineAt >= fromMs)
        applyBaseline();
    QHash<QString, LevelSeries> out;
    for (auto it = byNode.begin(); it != byNode.end(); ++it) {
        fillUntil(*it, std::numeric_limits<qint64>::max());
        out.insert(it.key(), std::move(it->series));
    }
    return out;
}

Result<QHash<QString, HistoryChange>> HistoryReader::lastStatusChanges(const QString &table,
                                                                       const QStringList &keys)
{
    // A table with nothing recorded has no changes to give: not an error here.
    // One seek per key down (tbl, key, at_ms, status): the index alone answers it.
    auto select = m_db.prepare(R"(SELECT status, at_ms, op, id FROM history
                                  INDEXED BY history_table_key_at_status
                                  WHERE tbl = ? AND key = ? AND status IS NOT NULL
                                  AND status <> '(deleted)'
                                  ORDER BY at_ms DESC, id DESC LIMIT 1)");
    if (!select)
        return sqlError(QStringLiteral("last status changes"));
    QHash<QString, HistoryChange> out;
    for (const QString &key : keys) {
        select->bindText(1, table).bindText(2, key);
        auto found = select->step();
        if (!found)
            return sqlError(QStringLiteral("last status changes"));
        if (found.value()) {
            HistoryChange change;
            change.table = table;
            change.key = key;
            change.status = select->columnText(0);
            change.atMs = select->columnInt(1);
            change.operation
                = HistoryChange::Operation(std::clamp<qint64>(select->columnInt(2), 1, 3));
            change.id = select->columnInt(3);
            out.insert(key, change);
        }
        select->reset();
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
    auto baseline = baselineOf(m_db, HiveTables::Nodes);
    if (!baseline)
        return baseline.error();
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
        // A node of a first snapshot taken in the range is known from then in its status then.
        if (!start.value() && baseline.value() && baseline.value()->atMs > fromMs
            && baseline.value()->atMs < toMs) {
            auto then = rowAsOf(HiveTables::Nodes, node.key, baseline.value()->atMs);
            if (!then)
                return then.error();
            if (then.value()) {
                availability.msByStatus[status] += baseline.value()->atMs - fromMs;
                status = then.value()->values.value(QLatin1String("status")).toString();
                since = baseline.value()->atMs;
            }
        }
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
