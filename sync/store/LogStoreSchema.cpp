#include "sync/store/LogStoreSchema.h"

#include "domain/LogTable.h"
#include "sync/store/StoreLog.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

namespace hivewatch {

namespace {

Result<qint64> scalar(QSqlDatabase &db, const QString &sql)
{
    QSqlQuery q(db);
    if (!q.exec(sql) || !q.next())
        return Error(QStringLiteral("Could not read the database schema"), q.lastError().text());
    return q.value(0).toLongLong();
}

// Version 1: the node's log_entries (docs/hive-schema.md §3.1) plus source_id, the id of the hive
// row a line was synced from (unique, NULL for lines of other origin), which makes a re-sync an
// upsert instead of a duplicate. The node's CHECK on output_type is kept so a node and
// Hivewatch agree on what a row may hold; its list (%OUTPUT_TYPES%) is the domain's.
// log_execution_counts is kept exact by triggers because find_paginated returns total_count with
// every page, and COUNT(*) over millions of index entries would dominate the page time.
const char *const kMigrationV1[] = {
    R"(CREATE TABLE log_entries (
        id           INTEGER PRIMARY KEY AUTOINCREMENT,
        execution_id BLOB NOT NULL,
        output_type  TEXT NOT NULL CHECK (output_type IN (%OUTPUT_TYPES%)),
        content      TEXT NOT NULL,
        timestamp    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
        source_id    INTEGER UNIQUE
    ))",
    "CREATE INDEX idx_log_entries_execution_id_id ON log_entries (execution_id, id)",
    "CREATE INDEX idx_log_entries_execution_id_timestamp ON log_entries (execution_id, timestamp)",
    R"(CREATE TABLE log_execution_counts (
        execution_id BLOB PRIMARY KEY,
        row_count    INTEGER NOT NULL
    ) WITHOUT ROWID)",
    R"(CREATE TRIGGER log_entries_count_insert AFTER INSERT ON log_entries BEGIN
        INSERT INTO log_execution_counts (execution_id, row_count) VALUES (new.execution_id, 1)
            ON CONFLICT (execution_id) DO UPDATE SET row_count = row_count + 1;
    END)",
    R"(CREATE TRIGGER log_entries_count_delete AFTER DELETE ON log_entries BEGIN
        UPDATE log_execution_counts SET row_count = row_count - 1
            WHERE execution_id = old.execution_id;
        DELETE FROM log_execution_counts
            WHERE execution_id = old.execution_id AND row_count <= 0;
    END)",
    R"(CREATE TRIGGER log_entries_count_move AFTER UPDATE OF execution_id ON log_entries
        WHEN old.execution_id IS NOT new.execution_id BEGIN
        UPDATE log_execution_counts SET row_count = row_count - 1
            WHERE execution_id = old.execution_id;
        DELETE FROM log_execution_counts
            WHERE execution_id = old.execution_id AND row_count <= 0;
        INSERT INTO log_execution_counts (execution_id, row_count) VALUES (new.execution_id, 1)
            ON CONFLICT (execution_id) DO UPDATE SET row_count = row_count + 1;
    END)",
};

// Version 2: the sync path writes thousands of lines per statement, and a per-row trigger cost
// more than everything else in it (docs/benchmarks.md, "Shape consumer"). Lines synced from the
// hive (source_id set) are now counted by LogStore in one statement per execution and batch;
// the insert trigger still counts every other line, so any writer stays exact. shape_key,
// shape_row and shape_derived hold the log shape's materialized rows (what the line's own
// columns cannot give back), which were kept a second time as generic shape rows before. The node's
// (execution_id, timestamp) index goes: Hivewatch never looks lines up by time, and keeping it cost
// a fifth of the time per synced line.
const char *const kMigrationV2[] = {
    "DROP INDEX IF EXISTS idx_log_entries_execution_id_timestamp",
    "DROP TRIGGER log_entries_count_insert",
    R"(CREATE TRIGGER log_entries_count_insert AFTER INSERT ON log_entries
        WHEN new.source_id IS NULL BEGIN
        INSERT INTO log_execution_counts (execution_id, row_count) VALUES (new.execution_id, 1)
            ON CONFLICT (execution_id) DO UPDATE SET row_count = row_count + 1;
    END)",
    "ALTER TABLE log_entries ADD COLUMN shape_key TEXT",
    "ALTER TABLE log_entries ADD COLUMN shape_row TEXT",
    "ALTER TABLE log_entries ADD COLUMN shape_derived INTEGER",
};

// Version 3: one counting rule. LogRowWriter, the one writer of log_entries, counts every line it
// inserts (one statement per execution and batch); the insert trigger that counted the lines
// without a source_id goes, so no line is counted by both or by neither. Deletes and moves stay
// with their triggers: only maintenance (never the write path) does them.
const char *const kMigrationV3[] = {
    "DROP TRIGGER IF EXISTS log_entries_count_insert",
};

// Version 4: a full-text index of content (issue 16). FTS5 with the trigram tokenizer: the
// filter has always been a substring search (over paths, ids, code), which trigram answers from
// the index, LIKE included; unicode61 finds whole words only (figures in docs/benchmarks.md,
// "Log search"). External content: the text is stored once, in log_entries. Triggers keep it in
// the writer's transaction whoever writes (LogRowWriter, the legacy import, maintenance).
// The lines already stored when the store is migrated are indexed afterwards, in chunks, by
// LogStore::indexStep(): log_fts_state says which ids (backfilled_to, backfill_end] are not
// indexed yet, and the delete and update triggers leave those alone (deleting an entry FTS5
// does not hold would corrupt it).
const char *const kMigrationV4[] = {
    R"(CREATE VIRTUAL TABLE log_entries_fts USING fts5(
        content, content='log_entries', content_rowid='id', tokenize='trigram'))",
    R"(CREATE TABLE log_fts_state (
        id             INTEGER PRIMARY KEY CHECK (id = 1),
        backfilled_to  INTEGER NOT NULL,
        backfill_end   INTEGER NOT NULL
    ))",
    R"(INSERT INTO log_fts_state (id, backfilled_to, backfill_end)
        SELECT 1, 0, coalesce(max(id), 0) FROM log_entries)",
    R"(CREATE TRIGGER log_entries_fts_insert AFTER INSERT ON log_entries BEGIN
        INSERT INTO log_entries_fts (rowid, content) VALUES (new.id, new.content);
    END)",
    R"(CREATE TRIGGER log_entries_fts_delete AFTER DELETE ON log_entries
        WHEN NOT EXISTS (SELECT 1 FROM log_fts_state
                         WHERE old.id > backfilled_to AND old.id <= backfill_end) BEGIN
        INSERT INTO log_entries_fts (log_entries_fts, rowid, content)
            VALUES ('delete', old.id, old.content);
    END)",
    R"(CREATE TRIGGER log_entries_fts_update AFTER UPDATE OF content ON log_entries
        WHEN old.content IS NOT new.content
         AND NOT EXISTS (SELECT 1 FROM log_fts_state
                         WHERE old.id > backfilled_to AND old.id <= backfill_end) BEGIN
        INSERT INTO log_entries_fts (log_entries_fts, rowid, content)
            VALUES ('delete', old.id, old.content);
        INSERT INTO log_entries_fts (rowid, content) VALUES (new.id, new.content);
    END)",
};

// Version 5: the index follows the writer instead of sitting in its transaction. Keeping the
// trigram index in the writer's transaction cost 72-81% of the ingest rate (issue 16 allows 25%;
// docs/benchmarks.md, "Log search"), so there is no insert trigger any more: the ids up to
// log_fts_state.indexed_to are indexed, and LogStore::indexStep() (LogIndexBuilder, on a
// connection and thread of its own) indexes the ones above it in short transactions that move
// the mark with the entries, so a crash leaves neither missing nor extra entries. Searches answer
// ids up to the mark from the index and scan the rest. The delete and update triggers touch only
// ids at or below the mark (deleting an entry FTS5 does not hold would corrupt it).
// A version-4 store whose backfill had not finished holds entries above backfill_end that the
// single mark cannot describe: they are taken out, and the builder indexes them again.
const char *const kMigrationV5[] = {
    "DROP TRIGGER log_entries_fts_insert",
    "DROP TRIGGER log_entries_fts_delete",
    "DROP TRIGGER log_entries_fts_update",
    R"(INSERT INTO log_entries_fts (log_entries_fts, rowid, content)
        SELECT 'delete', l.id, l.content FROM log_entries l, log_fts_state s
        WHERE s.backfilled_to < s.backfill_end AND l.id > s.backfill_end)",
    "ALTER TABLE log_fts_state ADD COLUMN indexed_to INTEGER NOT NULL DEFAULT 0",
    R"(UPDATE log_fts_state SET indexed_to = CASE WHEN backfilled_to < backfill_end
        THEN backfilled_to ELSE max(backfill_end, (SELECT coalesce(max(id), 0) FROM log_entries))
        END)",
    "ALTER TABLE log_fts_state DROP COLUMN backfilled_to",
    "ALTER TABLE log_fts_state DROP COLUMN backfill_end",
    R"(CREATE TRIGGER log_entries_fts_delete AFTER DELETE ON log_entries
        WHEN old.id <= (SELECT indexed_to FROM log_fts_state WHERE id = 1) BEGIN
        INSERT INTO log_entries_fts (log_entries_fts, rowid, content)
            VALUES ('delete', old.id, old.content);
    END)",
    R"(CREATE TRIGGER log_entries_fts_update AFTER UPDATE OF content ON log_entries
        WHEN old.content IS NOT new.content
         AND old.id <= (SELECT indexed_to FROM log_fts_state WHERE id = 1) BEGIN
        INSERT INTO log_entries_fts (log_entries_fts, rowid, content)
            VALUES ('delete', old.id, old.content);
        INSERT INTO log_entries_fts (rowid, content) VALUES (new.id, new.content);
    END)",
};

// Version 6: an id -> execution run map beside the index (issue 16's full counts). A search's
// counts per execution joined each index hit to its line for its execution (0.7 CPU-s of 1.2 for
// 1.3M hits at 5.3M lines); ids are assigned in arrival order, so an execution's lines are a few
// runs of ids, and the count walks the hits and the runs side by side instead. A run also says
// whether all its lines are ASCII: there the trigram phrase is exactly a case-insensitive ASCII
// text, elsewhere the hit is rechecked on its line. `mapped_to` is the map's own mark (never above
// indexed_to): LogStore::indexStep() maps what the index covers, in the same transaction as the
// entries for new lines, and catches up an older store's indexed lines first. A line at or below
// it whose execution or content changes lowers it, and the map is redone from there; deletes
// leave it alone (the hit is gone from the index, and AUTOINCREMENT never reuses an id).
// FTS5 merges a level's segments once it holds `automerge` of them (default 4); the builder
// commits every 2,000 lines, so most of its CPU went into merging: at 16 it indexed 200,000
// lines in 1.55 instead of 2.7 CPU-s with the same size and count time (docs/benchmarks.md).
// A setting in the index's own config table: no rebuild.
const char *const kMigrationV6[] = {
    "INSERT INTO log_entries_fts (log_entries_fts, rank) VALUES ('automerge', 16)",
    R"(CREATE TABLE log_id_runs (
        first_id     INTEGER PRIMARY KEY,
        last_id      INTEGER NOT NULL,
        execution_id BLOB NOT NULL,
        ascii        INTEGER NOT NULL
    ))",
    "ALTER TABLE log_fts_state ADD COLUMN mapped_to INTEGER NOT NULL DEFAULT 0",
    R"(CREATE TRIGGER log_entries_runs_update AFTER UPDATE OF execution_id, content ON log_entries
        WHEN (old.execution_id IS NOT new.execution_id OR old.content IS NOT new.content)
         AND old.id <= (SELECT mapped_to FROM log_fts_state WHERE id = 1) BEGIN
        UPDATE log_fts_state SET mapped_to = old.id - 1 WHERE id = 1;
    END)",
};

// Version 7: lines per minute by their own timestamps (the Overview's log-rate and stderr-share
// charts). Counting log_entries by timestamp scanned every line on each chart refresh (no index
// on timestamp, which the ingest would pay for): 1M lines meant ~150 MiB of the store read every
// few seconds. `counted_to` is the counts' mark, as indexed_to is the index's:
// LogStore::indexStep() counts lines above it in its transaction, ten for each line it indexes,
// so the counts run ahead of the slow index; a reader counts the few lines above it itself. A
// line at or below the mark that is deleted, or whose timestamp or type changes, moves its
// count here. Lines already stored are counted now.
//
// A counted line leaves its minute (the delete trigger, and the update trigger's first half); a
// minute left without lines goes.
#define HW_UNCOUNT_OLD                                                                             \
    " UPDATE log_minute_counts SET lines = lines - 1,"                                             \
    " stderr_lines = stderr_lines - (old.output_type = %STDERR%)"                                  \
    " WHERE minute = substr(old.timestamp, 1, 16);"                                                \
    " DELETE FROM log_minute_counts WHERE minute = substr(old.timestamp, 1, 16) AND lines <= 0; "
const char *const kMigrationV7[] = {
    R"(CREATE TABLE log_minute_counts (
        minute       TEXT PRIMARY KEY,
        lines        INTEGER NOT NULL,
        stderr_lines INTEGER NOT NULL
    ) WITHOUT ROWID)",
    R"(INSERT INTO log_minute_counts (minute, lines, stderr_lines)
        SELECT substr(timestamp, 1, 16), count(*), sum(output_type = %STDERR%)
        FROM log_entries WHERE true GROUP BY 1)",
    "ALTER TABLE log_fts_state ADD COLUMN counted_to INTEGER NOT NULL DEFAULT 0",
    "UPDATE log_fts_state SET counted_to = (SELECT coalesce(max(id), 0) FROM log_entries)",
    R"(CREATE TRIGGER log_entries_minutes_delete AFTER DELETE ON log_entries
        WHEN old.id <= (SELECT counted_to FROM log_fts_state WHERE id = 1) BEGIN)" HW_UNCOUNT_OLD
    "END",
    R"(CREATE TRIGGER log_entries_minutes_update AFTER UPDATE OF timestamp, output_type
        ON log_entries
        WHEN (old.timestamp IS NOT new.timestamp OR old.output_type IS NOT new.output_type)
         AND old.id <= (SELECT counted_to FROM log_fts_state WHERE id = 1) BEGIN)" HW_UNCOUNT_OLD
    R"(INSERT INTO log_minute_counts (minute, lines, stderr_lines)
            VALUES (substr(new.timestamp, 1, 16), 1, new.output_type = %STDERR%)
            ON CONFLICT (minute) DO UPDATE SET lines = lines + 1,
                stderr_lines = stderr_lines + excluded.stderr_lines;
    END)",
};
#undef HW_UNCOUNT_OLD

struct Migration
{
    int version;
    const char *const *statements;
    size_t count;
};

const Migration kMigrations[] = {
    {1, kMigrationV1, std::size(kMigrationV1)}, {2, kMigrationV2, std::size(kMigrationV2)},
    {3, kMigrationV3, std::size(kMigrationV3)}, {4, kMigrationV4, std::size(kMigrationV4)},
    {5, kMigrationV5, std::size(kMigrationV5)}, {6, kMigrationV6, std::size(kMigrationV6)},
    {7, kMigrationV7, std::size(kMigrationV7)},
};

} // namespace

Result<LogStoreSchema::Kind> LogStoreSchema::detect(QSqlDatabase &db)
{
    const auto tables = scalar(db, QStringLiteral("SELECT count(*) FROM sqlite_schema"));
    if (!tables)
        return tables.error();
    const auto appId = scalar(db, QStringLiteral("PRAGMA application_id"));
    if (!appId)
        return appId.error();
    if (appId.value() == kApplicationId)
        return Kind::Hivewatch;
    if (tables.value() == 0)
        return Kind::Empty;
    const auto logTable = scalar(
        db,
        QStringLiteral("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = "
                       "'log_entries'"));
    if (!logTable)
        return logTable.error();
    return logTable.value() > 0 ? Kind::NodeDatabase : Kind::Foreign;
}

Result<void> LogStoreSchema::migrate(QSqlDatabase &db, const QString &path)
{
    const auto version = scalar(db, QStringLiteral("PRAGMA user_version"));
    if (!version)
        return version.error();
    if (version.value() > kCurrentVersion)
        return Error(QStringLiteral("%1 was written by a newer Hivewatch (store version %2, this "
                                    "build knows up to %3); open it with a newer version")
                         .arg(path)
                         .arg(version.value())
                         .arg(kCurrentVersion));
    for (const Migration &m : kMigrations) {
        if (m.version <= version.value())
            continue;
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("BEGIN IMMEDIATE")))
            return Error(
                QStringLiteral("Could not migrate %1 to store version %2").arg(path).arg(m.version),
                q.lastError().text());
        // Another connection (the sync worker and the log view open a new store together) may
        // have applied it while this one waited for the write lock.
        const auto current = scalar(db, QStringLiteral("PRAGMA user_version"));
        if (current && current.value() >= m.version) {
            q.exec(QStringLiteral("COMMIT"));
            continue;
        }
        QString failure;
        for (size_t i = 0; i < m.count && failure.isEmpty(); ++i) {
            QString sql = QString::fromUtf8(m.statements[i]);
            sql.replace(QLatin1String("%OUTPUT_TYPES%"), LogTable::outputTypeSqlList());
            sql.replace(QLatin1String("%STDERR%"), LogTable::stderrSqlLiteral());
            if (!q.exec(sql))
                failure = q.lastError().text();
        }
        if (failure.isEmpty()
            && !q.exec(QStringLiteral("PRAGMA application_id = %1").arg(kApplicationId)))
            failure = q.lastError().text();
        if (failure.isEmpty() && !q.exec(QStringLiteral("PRAGMA user_version = %1").arg(m.version)))
            failure = q.lastError().text();
        if (failure.isEmpty() && !q.exec(QStringLiteral("COMMIT")))
            failure = q.lastError().text();
        if (!failure.isEmpty()) {
            q.exec(QStringLiteral("ROLLBACK"));
            return Error(
                QStringLiteral("Could not migrate %1 to store version %2").arg(path).arg(m.version),
                failure);
        }
        qCInfo(lcStore) << "migrated" << path << "to store version" << m.version;
    }
    return {};
}

Result<bool> LogStoreSchema::hasSourceId(QSqlDatabase &db)
{
    const auto n = scalar(db,
                          QStringLiteral("SELECT count(*) FROM pragma_table_info('log_entries') "
                                         "WHERE name = 'source_id'"));
    if (!n)
        return n.error();
    return n.value() > 0;
}

} // namespace hivewatch
