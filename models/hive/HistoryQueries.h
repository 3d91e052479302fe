#pragma once

#include "models/hive/AlertRules.h"
#include "models/hive/TrendSeries.h"

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>

#include <functional>
#include <memory>

namespace hivewatch {

// The earliest and latest recorded change (invalid when nothing is recorded).
struct HistoryExtent
{
    QDateTime first;
    QDateTime last;
    QString error;
};

struct AssignmentState
{
    QString id;
    QString nodeId;
    QString nodeName; // as the node was named then; empty when not recorded
    QString status;
    bool active = false; // not completed then
};

// A task or node as it was at a time: what the scrubber and the "as of" controls show.
struct RowState
{
    QString table;
    QString id;
    QDateTime at;
    bool existed = false;
    QString name; // a task's title, a node's name
    QString status; // the task's or node's status then
    QString nodeId; // a task: the node of its active assignment then
    QString nodeName;
    QDateTime lastHeartbeat; // a node
    QDateTime since; // the time of the row's last change up to `at`
    QList<AssignmentState> assignments; // a task's, or a node's active ones
    QString error;
};

// One recorded change, as a line for a list: "shared_tasks t1 updated: status todo → done".
struct HistoryEvent
{
    QDateTime at;
    QString table;
    QString key;
    QString operation; // "inserted", "updated", "deleted"
    QString summary; // the changed columns, old → new
    // What the row is to a person: a task's title, a node's name, an assignment's "task on
    // node"; empty when the history does not know it.
    QString label;
};

struct HistoryEvents
{
    QDateTime from;
    QDateTime to;
    QList<HistoryEvent> events;
    bool truncated = false; // more changes than the list holds
    QString error;
};

// Rows' last recorded status changes by id (rows without one are left out): when each entered
// its status, for the stuck-task rule.
struct StatusChanges
{
    QHash<QString, AlertRules::StatusChange> byKey;
    QString error;
};

// What the views ask of the store's history. An implementation is made, used and dropped on one
// worker thread (HistorySource's): it may hold a SQLite connection.
class HistoryQueries
{
public:
    virtual ~HistoryQueries() = default;
    // Every trend series over [to - range, to), in the range's buckets.
    virtual TrendSet trends(TrendRange range, const QDateTime &to) = 0;
    virtual HistoryExtent extent() = 0;
    // A task (HiveTables::SharedTasks) or node (HiveTables::Nodes) as it was at `at`.
    virtual RowState rowAsOf(const QString &table, const QString &key, const QDateTime &at) = 0;
    // Changes in [from, to), oldest first; of one row when table and key are given, else of all.
    virtual HistoryEvents changesBetween(const QDateTime &from, const QDateTime &to,
                                         const QString &table, const QString &key)
        = 0;
    // The last status change of each of `keys` in `table` (none recorded: left out).
    virtual StatusChanges lastStatusChanges(const QString &table, const QStringList &keys)
    {
        Q_UNUSED(table);
        Q_UNUSED(keys);
        return {};
    }
};

// Opens the queries on a store file; called on the worker thread.
using HistoryQueriesFactory = std::function<std::unique_ptr<HistoryQueries>(const QString &path)>;

} // namespace hivewatch

Q_DECLARE_METATYPE(hivewatch::RowState)
Q_DECLARE_METATYPE(hivewatch::HistoryEvents)
Q_DECLARE_METATYPE(hivewatch::StatusChanges)
