#pragma once

#include "domain/Result.h"
#include "sync/legacy/LegacyLine.h"
#include "sync/legacy/LegacyMigrationTypes.h"
#include "sync/legacy/LogMsgParseQueue.h"
#include "sync/legacy/LogMsgParser.h"
#include "sync/sqlite/SqliteConnection.h"
#include "sync/store/LogRowWriter.h"
#include "sync/store/LogStore.h"

#include <QElapsedTimer>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace hivewatch {

struct LegacyExecutionInfo;

// The line sink of a migration: maps each line to a log_entries row, counts it, reports the
// lines that cannot be migrated, and (unless it is a dry run) writes the rows into the current
// transaction of the target through the one log_entries writer (LogRowWriter): directly on
// LogStore's connection from views into an arena, or through
// LogStore::appendInCurrentTransaction.
class LegacyEntryWriter : public LegacyLineSink
{
public:
    enum class Mode { DryRun, Direct, ThroughLogStore };
    // Direct mode hands LogRowWriter this many rows at a time (it splits them into its
    // multi-row INSERTs). Each call toggles ignore_check_constraints, which expires the
    // connection's prepared statements: at 1024 rows a call the re-prepares cost 15-18% of the
    // writing thread's CPU, at 8192 about half of that (the 4 MiB arena caps a write too).
    static constexpr int kRowsPerWrite = 8192;

    struct Callbacks
    {
        std::function<void(const LegacyIssue &)> issue;
        std::function<void(const LegacyProgress &)> progress;
        const std::atomic<bool> *cancel = nullptr;
    };

    LegacyEntryWriter(Mode mode, const SqliteConnection *target, LogStore *store,
                      Callbacks callbacks);

    Result<void> prepare();
    void setTotals(qint64 executions, qint64 rows);
    void beginExecution(const LegacyExecutionInfo &execution, LegacyExecutionResult *counts);
    // Flushes buffered rows; the error of a failed write, if any.
    Result<void> finishExecution();
    void executionDone();
    bool cancelled() const;
    const LegacyProgress &progress() const { return m_progress; }

    bool acceptLine(const LegacyLine &line) override;
    void rowRead(qint64 bytes) override;

private:
    bool process(const LogMsgParseQueue::Chunk &chunk);
    bool write(const MappedLogMsg &msg, std::string_view timestamp);
    bool flushDirect();
    bool flushBatch();
    bool fail(const Error &error);
    void reportIssue(qint64 rowId, qint64 lineNumber, std::string_view reason, const QString &kind,
                     std::string_view text = {});
    void maybeReportProgress(bool force);

    Mode m_mode;
    const SqliteConnection *m_target;
    LogStore *m_store;
    Callbacks m_callbacks;
    // Direct mode: rows wait in an arena and go to LogRowWriter kRowsPerWrite at a time.
    struct PendingRow
    {
        std::string_view outputType; // a literal from LogMsgParser
        size_t contentOffset = 0;
        size_t contentSize = 0;
        size_t timestampOffset = 0;
        size_t timestampSize = 0;
    };
    std::unique_ptr<LogRowWriter> m_writer;
    std::string m_arena;
    std::vector<PendingRow> m_pending;
    // Lines are parsed on a second thread, a chunk at a time, while the previous chunk's rows
    // are written here.
    std::unique_ptr<LogMsgParseQueue> m_queue;
    QByteArray m_key;
    LegacyExecutionResult *m_counts = nullptr;
    qint64 m_lastNotedRow = -1;
    QList<NewLogEntry> m_batch; // ThroughLogStore mode
    std::optional<Error> m_error;
    LegacyProgress m_progress;
    QElapsedTimer m_sinceProgress;
    qint64 m_linesSinceCheck = 0;
};

} // namespace hivewatch
