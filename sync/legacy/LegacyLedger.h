#pragma once

#include "domain/Result.h"

#include <QByteArray>
#include <QHash>
#include <QString>

#include <optional>

namespace hivewatch {

class SqliteConnection;

// What the ledger remembers about one migrated execution. It is written in the same transaction
// as the execution's log_entries rows, so its presence is the proof of completion (never a row
// count, which is what made the node's own script duplicate lines after an interruption).
struct LegacyLedgerEntry
{
    QByteArray executionKey;
    QString source; // "execution_process_logs" or "jsonl:<absolute path>"
    qint64 sourceRows = 0;
    qint64 sourceBytes = 0;
    qint64 sourceLines = 0;
    QString sourceLastInsertedAt; // newest source row at migration time
    qint64 migratedLines = 0; // log_entries rows written (truncated lines included)
    qint64 skippedLines = 0; // blank and bad lines
    // Non-blank lines not in log_entries, and lines there only truncated. Unknown (nullopt) in
    // rows an older Hivewatch wrote: then every skipped line has to count as not migrated.
    std::optional<qint64> badLines;
    std::optional<qint64> truncatedLines;
    std::optional<qint64> firstEntryId; // log_entries ids written for this execution
    std::optional<qint64> lastEntryId;
    QString migratedAt;
};

// The ledger table, kept in the target database next to log_entries.
class LegacyLedger
{
public:
    static constexpr const char *tableName = "hivewatch_legacy_log_ledger";

    explicit LegacyLedger(const SqliteConnection &db);

    Result<void> ensureTable();
    // Every recorded execution; empty when the table does not exist (nothing migrated yet).
    Result<QHash<QByteArray, LegacyLedgerEntry>> load();
    Result<void> record(const LegacyLedgerEntry &entry);

private:
    Result<bool> hasLineCounts() const;

    const SqliteConnection &m_db;
};

} // namespace hivewatch
