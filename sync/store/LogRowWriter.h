#pragma once

#include "LogStore.h"

#include <QByteArrayView>
#include <QHash>

#include <array>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

// The write hot path of LogStore, on the raw sqlite3 handle behind its QSqlDatabase. Rows go in
// as multi-row INSERT statements (64 rows each): per-statement overhead (opening cursors on the
// table and its indexes, the AUTOINCREMENT bookkeeping) dominated the single-row loop, and
// 64-row statements halve the time per row (docs/benchmarks.md, "Shape consumer").
//
// On a Hivewatch store, rows with a sourceId are upserted: the ids already stored are looked up
// first (one range scan of the unique index per cluster of ids), new rows are inserted and the
// per-execution counts raised in one statement per execution, stored rows are updated in place.
// The count trigger only counts rows without a sourceId (see LogStoreSchema), so a per-row
// trigger never runs on the sync path.
class LogRowWriter
{
public:
    // hivewatchSchema: source_id, the shape_* columns and log_execution_counts exist (false
    // for a node's own database).
    static Result<std::unique_ptr<LogRowWriter>> prepare(sqlite3 *db, bool hivewatchSchema);
    ~LogRowWriter();

    LogRowWriter(const LogRowWriter &) = delete;
    LogRowWriter &operator=(const LogRowWriter &) = delete;

    // LogStore::appendInCurrentTransaction. Returns the number of rows written.
    Result<qint64> append(const QList<NewLogEntry> &rows);
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

    LogRowWriter(sqlite3 *db, bool hivewatchSchema);
    Result<qint64> write(std::vector<Row> &rows);
    Result<QHash<qint64, Existing>> findExisting(std::vector<qint64> ids);
    Result<void> insert(const std::vector<const Row *> &rows);
    Result<void> update(const Row &row);
    Result<void> addCounts(const QHash<QByteArray, qint64> &added);
    Result<sqlite3_stmt *> insertStatement(int rowCount);
    Error stepError(const QString &what) const;

    sqlite3 *m_db;
    bool m_hivewatch;
    QHash<int, sqlite3_stmt *> m_inserts; // by rows per statement
    sqlite3_stmt *m_update = nullptr;
    sqlite3_stmt *m_existing = nullptr;
    sqlite3_stmt *m_count = nullptr;
    sqlite3_stmt *m_shapeRow = nullptr;
    sqlite3_stmt *m_detach = nullptr;
};
