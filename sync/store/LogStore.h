#pragma once

#include "domain/Result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QUuid>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>

class QSqlDatabase; // Qt Sql is private to the store: only tests that open it link Qt Sql

namespace hivewatch {

// One execution log line, as the node's `log_entries` row (docs/hive-schema.md §3.1).
struct LogEntry
{
    qint64 id = 0; // autoincrement; the pagination cursor
    QUuid executionId; // stored as a 16-byte BLOB, as the node does
    QString
        outputType; // stdout, stderr, system, json_patch, session_id, finished, refresh_required
    QString content;
    QString timestamp; // UTC "YYYY-MM-DD HH:MM:SS.sss"
    std::optional<qint64> sourceId; // id of the hive row it was synced from, if any
};

// A line to append. An empty timestamp means "now"; a sourceId makes the append idempotent.
struct NewLogEntry
{
    QUuid executionId;
    QString outputType;
    QString content;
    QString timestamp;
    std::optional<qint64> sourceId;
};

// A line synced from the hive's execution-log table by the shape consumer, as bytes off the
// wire, together with the shape's materialized row: the log shape's rows are stored once, in
// log_entries (shape_key/shape_row/shape_derived; shape_derived is set exactly on the lines
// attached to the shape), instead of a second time as generic shape rows.
struct SyncedLogLine
{
    qint64 sourceId = 0; // the hive row id
    QUuid executionId;
    QByteArray outputType; // one of the node's types
    QByteArray content; // UTF-8
    QByteArray timestamp; // "YYYY-MM-DD HH:MM:SS.sss"; empty = now
    QByteArray shapeKey; // Electric's row key; empty when the shape consumer derives it

    // The row in wire form (a JSON object of strings and nulls) without the columns that the
    // line's own fields give back exactly; derivedColumns is the shape consumer's bit set of them.
    QByteArray shapeRow;
    int derivedColumns = 0;
};

enum class PageDirection { Forward, Backward };

// A page as the node's find_paginated returns it (docs/hive-schema.md §3.3).
struct LogPage
{
    QList<LogEntry> entries; // Forward: ascending ids. Backward: see LogStore::page().
    std::optional<qint64> nextCursor; // id of the last row of the page when hasMore
    bool hasMore = false;
    qint64 totalCount = 0;
};

// Which lines of an execution a filtered page holds: one of `outputTypes` (empty: any), or with
// excludeOutputTypes any type but those (so a type no list knows yet still shows), and content
// containing `text` (SQL LIKE: case-insensitive for ASCII letters; empty: any).
struct LogFilter
{
    QStringList outputTypes;
    bool excludeOutputTypes = false;
    QString text;

    bool isEmpty() const { return outputTypes.isEmpty() && text.isEmpty(); }
};

// How far the full-text index covers the store (store version 5). Lines are indexed just
// behind the writer, not in its transaction: every id up to indexedTo is indexed, the ones above
// it (the tail: normally a few thousand lines, or an old store's lines until the first build is
// done) are not yet, and LogSearch scans them. LogStore::indexStep() and LogIndexBuilder move
// the mark. A node's database has no index (available = false).
struct LogIndexProgress
{
    bool available = false;
    qint64 indexedTo = 0; // lines with ids up to here are indexed
    qint64 backfillEnd = 0; // the newest line's id when read: indexedTo..backfillEnd is the tail
    // Lines with ids up to here are in the id -> execution run map (store version 6; never above
    // indexedTo): counts read the index alone up to it, and join each hit to its line above it.
    qint64 mappedTo = 0;

    qint64 tail() const { return available ? std::max<qint64>(0, backfillEnd - indexedTo) : 0; }
    bool ready() const { return available && indexedTo >= backfillEnd && mappedTo >= indexedTo; }
    int percent() const
    {
        if (!available)
            return 0;
        const qint64 done = std::min(indexedTo, mappedTo);
        return backfillEnd <= 0 || done >= backfillEnd ? 100 : int(done * 100 / backfillEnd);
    }
};

struct ExecutionSummary
{
    QUuid executionId;
    qint64 rows = 0;
    QString firstTimestamp;
    QString lastTimestamp;
};

// How many of an execution's lines past a given id there are, and how many of them are stderr.
struct LogTypeTally
{
    qint64 lastId = 0; // the newest line counted (the afterId asked with when there is none)
    qint64 lines = 0;
    qint64 stderrLines = 0;
};

struct LogStoreStats
{
    QList<ExecutionSummary> executions;
    QMap<QString, qint64> rowsByOutputType;
    qint64 totalRows = 0;
};

// The local SQLite log store, also able to open a node's own db.sqlite.
//
// One LogStore owns one SQLite connection and must be used from the thread that opened it.
// Writers and readers open their own LogStore on the same file (WAL: a read never waits for a
// write). The legacy import shares this connection (connection(), withTransaction()), so its
// ledger and its log lines commit together. ShapeStore writes the same file through a
// connection of its own on its writer thread, with its own LogRowWriter.
class SqliteConnection;
class LogSearchCountCache;

class LogStore
{
public:
    enum class Access { ReadOnly, ReadWrite };

    // Opens (and for ReadWrite creates or migrates) the store at `path`. Clear errors for a
    // missing file (ReadOnly), a file that is not SQLite, a database without log_entries.
    static Result<std::unique_ptr<LogStore>> open(const QString &path, Access access);
    ~LogStore();

    LogStore(const LogStore &) = delete;
    LogStore &operator=(const LogStore &) = delete;

    QString path() const;
    bool isReadOnly() const;
    // True when the file is a node's database (foreign schema: no Hivewatch migrations applied).
    bool isNodeDatabase() const;

    // Runs `body` inside BEGIN IMMEDIATE … COMMIT; rolls back when body or COMMIT fails.
    Result<void> withTransaction(const std::function<Result<void>()> &body);

    // Appends in one transaction of its own. Rows whose sourceId is already stored are updated in
    // place (idempotent re-append; their id, the cursor, stays). Returns the number of rows
    // written. A row with an output type outside the node's CHECK set, or (on a node's database,
    // which has no source_id column) with a sourceId, fails the whole batch with an error naming
    // the row; nothing of the batch is stored then.
    Result<qint64> append(const QList<NewLogEntry> &rows);
    // The same without a transaction of its own: for use inside withTransaction().
    Result<qint64> appendInCurrentTransaction(const QList<NewLogEntry> &rows);

    // The shape consumer's side (Hivewatch stores only), all inside an open transaction and on
    // the raw connection only, so the shape store may run them on its write thread while the
    // connection's own thread waits for it.
    // Upserts synced lines by sourceId and attaches them to the log shape (shape_key/shape_row);
    // returns how many of them were not attached before.
    Result<qint64> upsertSyncedInCurrentTransaction(const QList<SyncedLogLine> &rows);
    // The line synced from `sourceId` with its shape row, if it is attached.
    Result<std::optional<SyncedLogLine>> syncedLine(qint64 sourceId);
    // Detaches the line synced from `sourceId` from the shape (a delete in the hive): the line
    // stays in the local log history. Returns whether it was attached.
    Result<bool> detachSynced(qint64 sourceId);
    // Detaches every line (a new snapshot of the log shape replaces its rows).
    Result<void> detachAllSynced();

    Result<std::optional<LogEntry>> findById(qint64 id);
    Result<QList<LogEntry>> listByExecution(const QUuid &executionId);
    Result<qint64> deleteByExecution(const QUuid &executionId);
    Result<qint64> countByExecution(const QUuid &executionId);
    Result<LogStoreStats> stats();
    // The executions in the store with their row counts and first/last timestamps, most recent
    // first. Cheap on a Hivewatch store (kept counts); a node's database is scanned once.
    Result<QList<ExecutionSummary>> executions();
    // The lines of an execution with an id above `afterId` (0: all), counted by stderr or not.
    // Ids only grow and a re-synced line keeps its id, so tallies add up across calls.
    Result<LogTypeTally> tallyStderr(const QUuid &executionId, qint64 afterId);

    // Cursor pagination as the node's find_paginated: Forward = id > cursor, oldest first;
    // Backward = id < cursor, newest first (the page comes back in descending id order, exactly
    // as the node returns it; callers that display it reverse it). No cursor = from the first
    // (Forward) or the last (Backward) row. nextCursor is the last row of the page when hasMore
    // (for Backward the smallest id, so passing it back gives older rows). totalCount is the
    // execution's row count even when the page is empty (cursor past the end or before the
    // start). limit must be at least 1.
    Result<LogPage> page(const QUuid &executionId, std::optional<qint64> cursor,
                         PageDirection direction, int limit);

    // The same over the lines that match `filter`; totalCount counts matching lines. A filter
    // scans the execution's rows (no index on content), so it is meant for interactive search.
    Result<LogPage> page(const QUuid &executionId, std::optional<qint64> cursor,
                         PageDirection direction, int limit, const LogFilter &filter);
    // Writes the execution's matching lines to `filePath` as text, oldest first, one
    // "timestamp [output_type] content" line per row, in one forward query. Returns the number
    // of rows written. `progress` (if given) hears the rows written so far every 10,000 rows and
    // at the end; returning false cancels (the file is left as it was). connection().interrupt()
    // also cancels it from another thread.
    Result<qint64> exportExecution(const QUuid &executionId, const QString &filePath,
                                   const LogFilter &filter = {},
                                   const std::function<bool(qint64)> &progress = {});

    // The full-text index's coverage; cheap (one row).
    Result<LogIndexProgress> indexProgress();
    // Indexes up to `rows` more of the unindexed lines (above the mark: new ones, or an old
    // store's), oldest first, in a transaction of its own that also moves the mark (resumable,
    // crash-safe: no missing or extra entries). ReadWrite only.
    Result<LogIndexProgress> indexStep(int rows);

    // For stores sharing this file and its transactions. Do not close it.
    QSqlDatabase database() const;
    // The same connection through the raw SQLite wrapper (borrowed: LogStore closes it), for
    // the writers that share LogStore's transactions (the legacy migration). LogStore itself
    // still reads (paging, search, export) and migrates through Qt Sql on this connection.
    const SqliteConnection &connection() const;
    // LogSearch's full counts, kept with this connection while the file is unchanged.
    LogSearchCountCache &searchCounts();

private:
    LogStore();
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace hivewatch

Q_DECLARE_METATYPE(hivewatch::LogEntry)
Q_DECLARE_METATYPE(hivewatch::LogPage)
Q_DECLARE_METATYPE(hivewatch::ExecutionSummary)
Q_DECLARE_METATYPE(hivewatch::LogFilter)
