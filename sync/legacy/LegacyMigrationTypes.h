#pragma once

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QUuid>

// Value types of the legacy log migration (hive-schema.md §4). They cross the worker thread's
// queued signals by value.

// Where the legacy lines come from.
struct LegacySource
{
    enum class Kind {
        NodeTable, // a node's db.sqlite with execution_process_logs (any era)
        JsonlFile // a standalone JSONL file holding one execution's LogMsg lines
    };
    Kind kind = Kind::NodeTable;
    QString path;
    // NodeTable: migrate only this execution when set. JsonlFile: the execution the file belongs
    // to.
    QUuid executionId;
    // JsonlFile: the timestamp of every line ("YYYY-MM-DD HH:MM:SS.sss" UTC); empty = file mtime.
    QString timestamp;
};

// Where log_entries rows go.
struct LegacyTarget
{
    enum class Kind {
        SourceDatabase, // in place: the node's own log_entries, as the node expects
        Store // Hivewatch's own log store file
    };
    Kind kind = Kind::SourceDatabase;
    QString storePath; // Kind::Store only
};

struct LegacyOptions
{
    bool execute = false; // false: dry run, nothing is written anywhere
    bool dropSourceAfterVerify = false;
    bool replaceExisting = false; // delete log_entries rows of an execution written by others
    bool useLogStoreAppend = false; // write through LogStore::appendInCurrentTransaction
    qint64 maxLineBytes = 64 * 1024 * 1024; // longer lines are reported and skipped
    int maxListedIssues = 100000; // the report lists this many; the callback sees every one
    // The background WAL checkpointer starts a run per this many bytes of new WAL, and the
    // writer waits for it when the WAL reaches the second figure (see WalCheckpointer).
    qint64 walCheckpointStepBytes = 16 * 1024 * 1024;
    qint64 walCheckpointWaitBytes = 128 * 1024 * 1024;
};

// A line that was not migrated, and why.
struct LegacyIssue
{
    QString execution; // UUID text, or the raw key in hex when it is not a 16-byte UUID
    qint64 rowId = 0; // rowid in execution_process_logs; 0 for a JSONL file
    qint64 lineNumber = 0; // 1-based across all rows of the execution, as the node numbers lines
    QString reason;
};

struct LegacyExecutionResult
{
    enum class Status {
        WouldMigrate, // dry run
        Migrated,
        AlreadyMigrated, // found in the ledger
        Skipped, // see note
        Cancelled
    };
    QString execution;
    Status status = Status::WouldMigrate;
    qint64 rows = 0;
    qint64 bytes = 0;
    qint64 lines = 0;
    qint64 migratableLines = 0; // lines that map to a log_entries row
    qint64 blankLines = 0;
    qint64 badLines = 0;
    QString note;
};

struct LegacyReport
{
    bool executed = false;
    bool cancelled = false;
    qint64 executions = 0;
    qint64 rows = 0;
    qint64 bytes = 0;
    qint64 lines = 0;
    qint64 migratableLines = 0;
    qint64 blankLines = 0;
    qint64 badLines = 0;
    qint64 migratedLines = 0; // written by this run
    qint64 migratedExecutions = 0; // written by this run
    qint64 alreadyMigratedExecutions = 0;
    qint64 skippedExecutions = 0;
    QList<LegacyExecutionResult> executionResults;
    QList<LegacyIssue> issues; // the first LegacyOptions::maxListedIssues
    qint64 unlistedIssues = 0;
    bool sourceDropped = false;
    QString verification; // empty unless a verification ran; "ok" or what did not match
};

struct LegacyProgress
{
    qint64 executionsDone = 0;
    qint64 executionsTotal = 0;
    qint64 rowsDone = 0;
    qint64 rowsTotal = 0;
    qint64 linesDone = 0;
    qint64 bytesDone = 0;
    QString currentExecution;
};

QString legacyStatusName(LegacyExecutionResult::Status status);

Q_DECLARE_METATYPE(LegacySource)
Q_DECLARE_METATYPE(LegacyTarget)
Q_DECLARE_METATYPE(LegacyOptions)
Q_DECLARE_METATYPE(LegacyReport)
Q_DECLARE_METATYPE(LegacyProgress)
