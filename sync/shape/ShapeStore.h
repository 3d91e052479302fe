#pragma once

#include "Result.h"
#include "ShapeMessage.h"
#include "ShapeSchema.h"

#include <QDateTime>
#include <QList>
#include <QSet>
#include <QString>

#include <functional>
#include <optional>

class LogStore;
struct ShapeUpdate;

// Where a shape stood when it was last saved.
struct StoredShape
{
    QString handle;
    QString offset;
    ShapeSchema schema;
    qint64 rowCount = 0;
    QDateTime lastSyncedAt;
};

// A change after it was applied: for inserts and updates the complete merged row.
struct AppliedChange
{
    RowChange::Operation operation = RowChange::Operation::Insert;
    QString key;
    RawRow row;
};

// Persists shapes in the local store file, next to LogStore's tables and through its connection
// (issue 4 item 5): per shape its handle, offset and schema (shape_state) and its materialized
// rows in wire form (shape_rows). Rows of node_task_output_logs are also appended to log_entries
// through LogStore (sourceId = the hive row id). Each update is applied in ONE transaction with
// the new offset, so a kill at any point resumes exactly: no loss, no duplicates. A reset update
// (first sync, must-refetch) replaces the rows atomically.
class ShapeStore
{
public:
    explicit ShapeStore(LogStore &logStore);

    // Creates the tables if needed. Call once after opening.
    Result<void> migrate();

    // The saved position of `name`, or nullopt when nothing is saved or it was saved for another
    // definition (`shapeKey`, see ShapeUrl::shapeKey): then the old rows are dropped.
    Result<std::optional<StoredShape>> load(const QString &name, const QString &shapeKey);

    // Writes changes of `name` into the store's open transaction, opening one if needed; a reset
    // update first drops the shape's rows. Nothing is visible to readers or durable until
    // commit(). Large snapshots arrive as several writes (ShapeStream::changesPending) and one
    // commit at up-to-date, so they never sit in memory whole. `applied` (optional) receives
    // the merged rows, in log order.
    Result<void> write(const QString &name, const ShapeUpdate &update, bool isLogTable,
                       QList<AppliedChange> *applied = nullptr);
    // Saves the position of `name` (handle, offset, schema) in the same transaction and commits
    // it, unless another shape is half-way through a snapshot in this transaction: then the
    // commit happens with that shape's, keeping both atomic. Returns the row count of `name`.
    Result<qint64> commit(const QString &name, const QString &shapeKey, const ShapeUpdate &update);
    // `name` stopped half-way through a snapshot: its saved position is reset to -1 (so a
    // restart resyncs instead of trusting partial rows) and the other shapes' work is committed.
    Result<void> abandon(const QString &name);
    // Drops everything not yet committed (shutdown, or after a store error).
    void rollback();

    // Every stored row of `name`, sorted by key.
    Result<void>
    forEachRow(const QString &name,
               const std::function<void(const QString &key, const RawRow &row)> &visit);

    // Forgets a shape and its rows.
    Result<void> remove(const QString &name);

private:
    Result<void> begin();
    Result<void> finish();

    LogStore &m_logStore;
    bool m_open = false;
    QSet<QString> m_partial; // shapes with uncommitted writes in the open transaction
};
