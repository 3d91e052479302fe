#pragma once

#include "sync/sqlite/SqliteStatement.h"
#include "sync/store/LogStore.h"

#include <QByteArrayView>
#include <QHash>

#include <array>
#include <map>
#include <vector>

namespace hivewatch {

class SqliteConnection;

// The write hot path of log_entries, on a raw SQLite connection (LogStore's, or the shape
// store writer's own). Rows go in
// as multi-row INSERT statements (64 rows each): per-statement overhead (opening cursors on the
// table and its indexes, the AUTOINCREMENT bookkeeping) dominated the single-row loop, and
// 64-row statements halve the time per row (docs/benchmarks.md, "Shape consumer").
//
// It is the one writer of log_entries: LogStore's appends, the shape log sink and the legacy
// migration all go through it. On a Hivewatch store, rows with a sourceId are upserted: the ids
// already stored are looked up first (one range scan of the unique index per cluster of ids),
// new rows are inserted, stored rows are updated in place. One counting rule: every inserted row
// raises its execution's count here, in one statement per execution and batch (no insert
// trigger since store version 3).
class LogRowWriter
{
public:
    // hivewatchSchema: source_id, the shape_* columns and log_execution_counts exist (false
    // for a node's own database). checksOff: the connection runs with ignore_check_constraints
    // on for good (its owner's choice), so insert() need not switch it per call: every switch
    // expires all of the connection's prepared statements.
    static Result<std::unique_ptr<LogRowWriter>>
    prepare(const SqliteConnection &db, bool hivewatchSchema, bool checksOff = false);
    ~LogRowWriter();

    LogRowWriter(const LogRowWriter &) = delete;
    LogRowWriter &operator=(const LogRowWriter &) = delete;

    // LogStore::appendInCurrentTransaction. Returns the number of rows written.
    Result<qint64> append(const QList<NewLogEntry> &rows);
    // One line of an execution as views into the caller's memory (valid until the call returns).
    struct LineView
    {
        QByteArrayView outputType;
        QByteArrayView content;
        QByteArrayView timestamp; // empty = now
    };
    // Lines of one execution (executionId: its 16 bytes), without a source id: the legacy
    // migration's path, which cannot afford a QString per line. Returns the rows written.
    Result<qint64> appendLines(QByteArrayView executionId, const std::vector<LineView> &lines);
    // LogStore::upsertSyncedInCurrentTransaction. Returns how many rows were not attached to the
    // shape before.
    Result<qint64> upsertSynced(const QList<SyncedLogLine> &rows);
    // LogStore::syncedLine, detachSynced, detachAllSynced.
    Result<std::optional<SyncedLogLine>> syncedLine(qint64 sourceId);
    Result<bool> detachSynced(qint64 sourceId);
    Result<void> detachAllSynced();

private:
    // One row to write, as views into the caller's data (valid until the call returns).
    struct Row
    {
        std::array<unsigned char, 16> executionId;
        const char *outputType = nullptr; // static canonical spelling
        QByteArrayView content;
        QByteArrayView timestamp; // empty = now
        std::optional<qint64> sourceId;
        bool hasShape = false; // false: leave shape_key/shape_row as they are (NULL when new)
        QByteArrayView shapeKey;
        QByteArrayView shapeRow;
        int derivedColumns = 0;
        qsizetype index = 0; // place in the caller's batch, for error messages
    };
    struct Existing
    {
        bool attached = false; // shape_key IS NOT NULL
    };

    LogRowWriter(const SqliteConnection &db, bool hivewatchSchema, bool checksOff);
    Result<qint64> write(std::vector<Row> &rows);
    Result<QHash<qint64, Existing>> findExisting(std::vector<qint64> ids);
    Result<void> insert(const std::vector<const Row *> &rows);
    Result<void> update(const Row &row);
    Result<void> addCounts(const QHash<QByteArray, qint64> &added);
    Result<SqliteStatement *> insertStatement(int rowCount);
    Error stepError(const QString &what) const;

    const SqliteConnection &m_db;
    bool m_hivewatch;
    bool m_checksOff;
    std::map<int, SqliteStatement> m_inserts; // by rows per statement
    SqliteStatement m_update;
    SqliteStatement m_existing;
    SqliteStatement m_count;
    SqliteStatement m_shapeRow;
    SqliteStatement m_detach;
};

} // namespace hivewatch
