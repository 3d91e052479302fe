#pragma once

#include "domain/Result.h"
#include "sync/legacy/LegacyMigrationTypes.h"

#include <atomic>
#include <functional>

namespace hivewatch {

// Migrates legacy JSONL log batches to row-level log_entries (docs/hive-schema.md §4), the engine
// behind `hivectl logs migrate-legacy` and the GUI's migration dialog.
//
// A dry run (the default) opens everything read-only and writes nothing. Executing migrates each
// execution in one transaction that also writes its ledger row; executions in the ledger are
// skipped, so an interrupted or cancelled run resumes without duplicates. Lines that cannot be
// migrated are reported and skipped; over-long output lines are stored truncated with a marker,
// and rows whose inserted_at is not a time get the migration's time; both are reported. Memory
// stays bounded whatever the source size. The source table is dropped only when asked to, only
// after a verification of every execution passed, and only when every non-blank line is in
// log_entries whole or the user accepted the rest (LegacyOptions::acceptSkipped).
class LegacyMigrator
{
public:
    LegacyMigrator(LegacySource source, LegacyTarget target, LegacyOptions options);

    // Checked between lines; a cancelled execution is rolled back completely.
    void setCancelFlag(const std::atomic<bool> *cancel) { m_cancel = cancel; }
    // Called at most every 100 ms and after each execution, on the calling thread.
    void setProgressCallback(std::function<void(const LegacyProgress &)> callback)
    {
        m_progress = std::move(callback);
    }
    // Called for every line that cannot be migrated (the report keeps only the first ones).
    void setIssueCallback(std::function<void(const LegacyIssue &)> callback)
    {
        m_issue = std::move(callback);
    }

    Result<LegacyReport> run();

private:
    struct Run;

    LegacySource m_source;
    LegacyTarget m_target;
    LegacyOptions m_options;
    const std::atomic<bool> *m_cancel = nullptr;
    std::function<void(const LegacyProgress &)> m_progress;
    std::function<void(const LegacyIssue &)> m_issue;
};

} // namespace hivewatch
