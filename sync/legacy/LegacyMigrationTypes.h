#pragma once

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QUuid>

namespace hivewatch {

// Value types of the legacy log migration (docs/hive-schema.md §4). They cross the worker thread's
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
    // With dropSourceAfterVerify: drop although some non-blank lines are not in log_entries
    // (cannot be migrated) or are there only truncated. Without it such lines keep the source.
    bool acceptSkipped = false;
    bool replaceExisting = false; // delete log_entries rows of an execution written by others
    bool useLogStoreAppend = false; // write through LogStore::appendInCurrentTransaction
    // Longer lines are stored truncated to this many bytes, ending in a marker, when they are a
    // Stdout/Stderr/SessionId line; any other longer line is reported and not migrated.
    qint64 maxLineBytes = 64 * 1024 * 1024;
    int maxListedIssues = 100000; // the report lists this many; the callback sees every one
    // The background WAL checkpointer starts a run per this many bytes of new WAL, and the
    // writer waits for it when the WAL reaches the second figure (see WalCheckpointer).
    qint64 walCheckpointStepBytes = 16 * 1024 * 1024;
    qint64 walCheckpointWaitBytes = 128 * 1024 * 1024;
};

// A line that was not migrated, or not as it was, and why.
struct LegacyIssue
{
    QString execution; // UUID text, or the raw key in hex when it is not a 16-byte UUID
    qint64 rowId = 0; // rowid in execution_process_logs; 0 for a JSONL file
    qint64 lineNumber = 0; // 1-based across all rows of the execution, as the node numbers lines
    QString reason;
    // The offending line as the node wrote it, cut to its first kTextChars characters ("…"
    // marks a cut); empty when the issue is about the row, not a line.
    QString text;
    static constexpr int kTextChars = 120;
    // What the reason is an instance of ("malformed JSON", "empty line", …): repeated issues are
    // summarised per kind.
    QString kind;
};

// How many issues of one kind a run met, and the first of them.
struct LegacyIssueCount
{
    QString kind;
    qint64 count = 0;
    LegacyIssue first;
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
    qint64 badLines = 0; // non-blank lines that are not in log_entries
    qint64 truncatedLines = 0; // in log_entries only truncated (counted in migratableLines)
    qint64 fallbackTimestampLines = 0; // their row's inserted_at is not a time: the run's time
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
    qint64 truncatedLines = 0;
    qint64 fallbackTimestampLines = 0;
    qint64 migratedLines = 0; // written by this run
    qint64 migratedExecutions = 0; // written by this run
    qint64 alreadyMigratedExecutions = 0;
    qint64 skippedExecutions = 0;
    QList<LegacyExecutionResult> executionResults;
    QList<LegacyIssue> issues; // the first LegacyOptions::maxListedIssues
    qint64 unlistedIssues = 0;
    QList<LegacyIssueCount> issueCounts; // every issue of this run, per kind, in order met
    bool sourceDropped = false;
    QString verification; // empty unless a verification ran; "ok" or what did not match
    // With --drop-source: per execution, the lines that were not migrated or only truncated
    // (this run or an earlier one); they kept the source, or were accepted with acceptSkipped.
    QStringList incompleteExecutions;
    qint64 unmigratedLines = 0; // non-blank lines of the whole source not in log_entries
    qint64 unmigratedTruncatedLines = 0;
    bool skippedAccepted = false; // the source was dropped although those lines exist
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

} // namespace hivewatch

Q_DECLARE_METATYPE(hivewatch::LegacySource)
Q_DECLARE_METATYPE(hivewatch::LegacyTarget)
Q_DECLARE_METATYPE(hivewatch::LegacyOptions)
Q_DECLARE_METATYPE(hivewatch::LegacyReport)
Q_DECLARE_METATYPE(hivewatch::LegacyProgress)
