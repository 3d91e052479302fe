#pragma once

#include "domain/Result.h"
#include "sync/sqlite/SqliteConnection.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace hivewatch {

// One recorded change of a hive row (the store's `history` table, written by
// HiveHistoryRecorder). Values are Postgres text forms as Electric sent them (JSON strings, or
// null); `before`/`after` hold only the columns that changed (an insert: the whole row in
// `after`; a delete: the whole stored row in `before`).
struct HistoryChange
{
    enum class Operation { Insert = 1, Update = 2, Delete = 3 };
    enum class Origin { Live = 0, Snapshot = 1, Resync = 2 }; // as ChangeOrigin (sync/shape)
    qint64 id = 0; // increasing in recording order
    QString table; // the hive table (HiveTables::SharedTasks, …)
    QString key; // the row's id
    qint64 atMs = 0; // when the change was received (ms since the epoch, UTC)
    Operation operation = Operation::Insert;
    Origin origin = Origin::Live;
    QString offset; // the Electric offset of the batch it came in
    // The row's status after the change when it changed (tasks: status, nodes: status,
    // assignments: execution_status); empty when unchanged; "(deleted)" for a delete.
    QString status;
    QJsonObject before;
    QJsonObject after;
};

// A row as it was at a time: its columns (text forms) after replaying its recorded changes.
struct HistoryRow
{
    QString key;
    QJsonObject values;
    qint64 sinceMs = 0; // the time of the last change applied
};

// A task as it was at a time: its row, its assignments then (active or not) and the node of the
// active one (the assignment whose completed_at is null), if any.
struct TaskAsOf
{
    HistoryRow task;
    QList<HistoryRow> assignments;
    QString nodeId; // empty: no active assignment then
    std::optional<HistoryRow> node; // that node's row then, when recorded
};

// Series over [fromMs, toMs) in buckets of bucketMs: value i covers
// [fromMs + i*bucketMs, fromMs + (i+1)*bucketMs); the last bucket may be cut at toMs.
struct TaskFlowSeries
{
    qint64 fromMs = 0;
    qint64 bucketMs = 0;
    QList<qint64> created; // inserts recorded live (not a first snapshot's, not a resync's)
    QList<qint64> started; // status changes to in-progress
    QList<qint64> done; // status changes to done
};
struct LogSeries
{
    qint64 fromMs = 0;
    qint64 bucketMs = 0;
    QList<qint64> lines; // log_entries lines by their timestamp
    QList<qint64> stderrLines;
    // stderrLines / lines per bucket; 0 for an empty bucket.
    QList<double> stderrShare() const;
};
// A value per bucket taken at the bucket's end (min(bucket end, toMs)).
struct LevelSeries
{
    qint64 fromMs = 0;
    qint64 bucketMs = 0;
    QList<qint64> values;
};

// Throughput, failures and node availability over [fromMs, toMs) (hivectl report).
struct HistoryReport
{
    qint64 fromMs = 0;
    qint64 toMs = 0;
    qint64 changes = 0;
    qint64 tasksCreated = 0;
    qint64 tasksStarted = 0;
    qint64 tasksDone = 0;
    qint64 tasksCancelled = 0;
    qint64 assignmentsCompleted = 0;
    qint64 assignmentsFailed = 0;
    struct NodeAvailability
    {
        QString nodeId;
        QString name;
        // Milliseconds of the range spent in each status (nodes.status), by the recorded changes;
        // time before the first record of the node in the range is counted in the status it had
        // then, when known, else as "unknown".
        QHash<QString, qint64> msByStatus;
        double onlineShare = 0; // (online + busy + draining) / range
    };
    QList<NodeAvailability> nodes;
};

// Reads the history the sync records (HiveHistoryRecorder) on a read-only connection of its own
// (WAL: never waits for the writer, never blocks it). Use one reader from one thread at a time;
// a worker thread may own it. Every query is bounded by its range; times are ms since the epoch.
class HistoryReader
{
public:
    // Errors name the problem: no such file, not a Hivewatch store, a store without history.
    static Result<HistoryReader> open(const QString &storePath);
    HistoryReader(HistoryReader &&) noexcept = default;
    HistoryReader &operator=(HistoryReader &&) noexcept = default;

    // The tables with recorded changes, and the range recorded ({0, 0} when empty).
    Result<QStringList> tables();
    Result<std::pair<qint64, qint64>> extent();

    // Changes of one row (key empty: every row of the table) in [fromMs, toMs), oldest first,
    // at most `limit`. An unknown table is an error naming the recorded ones.
    Result<QList<HistoryChange>> changes(const QString &table, const QString &key, qint64 fromMs,
                                         qint64 toMs, int limit = 100000);
    // Changes of every recorded table (or those of `tables`) in [fromMs, toMs), oldest first.
    Result<QList<HistoryChange>> changesBetween(qint64 fromMs, qint64 toMs,
                                                const QStringList &tables = {}, int limit = 100000);

    // The row as it was at atMs (its changes up to and including atMs replayed); nullopt when
    // it did not exist then (not yet recorded, or deleted).
    Result<std::optional<HistoryRow>> rowAsOf(const QString &table, const QString &key,
                                              qint64 atMs);
    // Every row of the table that existed at atMs.
    Result<QList<HistoryRow>> rowsAsOf(const QString &table, qint64 atMs);
    // A task at atMs with its assignments and node; nullopt when the task did not exist then.
    Result<std::optional<TaskAsOf>> taskAsOf(const QString &taskId, qint64 atMs);

    // Chart series (bucketMs > 0, fromMs < toMs; else an error).
    Result<TaskFlowSeries> taskFlow(qint64 fromMs, qint64 toMs, qint64 bucketMs);
    // Assignments whose execution_status was running at each bucket's end.
    Result<LevelSeries> runningAssignments(qint64 fromMs, qint64 toMs, qint64 bucketMs);
    // From log_entries' timestamps (the synced lines), not from the history. A Hivewatch store
    // counts its lines per minute: a minute counts in the bucket its start falls in, so a range
    // ending mid-minute also holds the lines of that minute after its end (lines stamped in the
    // future); a node's database is read line by line, to the millisecond.
    Result<LogSeries> logLines(qint64 fromMs, qint64 toMs, qint64 bucketMs);
    // Per node id: at each bucket's end, how old the node's last heartbeat was (the bucket's end
    // minus last_heartbeat_at as recorded by then), in ms; -1 while no heartbeat is known.
    Result<QHash<QString, LevelSeries>> heartbeatLag(qint64 fromMs, qint64 toMs, qint64 bucketMs);

    Result<HistoryReport> report(qint64 fromMs, qint64 toMs);

    // Per key (of `keys`): the row's last recorded change that set its status (an insert or an
    // update; `status` and `atMs` of that change). Keys without one are left out — a row of the
    // first snapshot whose status never changed since, or whose changes were pruned.
    Result<QHash<QString, HistoryChange>> lastStatusChanges(const QString &table,
                                                            const QStringList &keys);

    // Stops a query running on another thread (it returns an error).
    void interrupt() const { m_db.interrupt(); }

private:
    explicit HistoryReader(SqliteConnection db);
    Result<void> checkRange(qint64 fromMs, qint64 toMs, qint64 bucketMs) const;
    Result<void> checkTable(const QString &table);
    Error sqlError(const QString &what) const;

    SqliteConnection m_db;
};

} // namespace hivewatch
