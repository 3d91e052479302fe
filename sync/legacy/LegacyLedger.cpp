#include "sync/legacy/LegacyLedger.h"

#include "sync/sqlite/SqliteConnection.h"

namespace hivewatch {

LegacyLedger::LegacyLedger(const SqliteConnection &db)
    : m_db(db)
{
}

Result<void> LegacyLedger::ensureTable()
{
    auto made
        = m_db.exec("CREATE TABLE IF NOT EXISTS hivewatch_legacy_log_ledger ("
                    " execution_id BLOB PRIMARY KEY,"
                    " source TEXT NOT NULL,"
                    " source_rows INTEGER NOT NULL,"
                    " source_bytes INTEGER NOT NULL,"
                    " source_lines INTEGER NOT NULL,"
                    " source_last_inserted_at TEXT,"
                    " migrated_lines INTEGER NOT NULL,"
                    " skipped_lines INTEGER NOT NULL,"
                    " first_entry_id INTEGER,"
                    " last_entry_id INTEGER,"
                    " migrated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),"
                    " bad_lines INTEGER,"
                    " truncated_lines INTEGER)");
    if (!made)
        return made.error();
    auto counts = hasLineCounts();
    if (!counts)
        return counts.error();
    if (*counts)
        return {};
    // A ledger an older Hivewatch made: its rows keep NULL counts (unknown).
    if (auto added
        = m_db.exec("ALTER TABLE hivewatch_legacy_log_ledger ADD COLUMN bad_lines INTEGER");
        !added)
        return added.error();
    return m_db.exec("ALTER TABLE hivewatch_legacy_log_ledger ADD COLUMN truncated_lines INTEGER");
}

Result<bool> LegacyLedger::hasLineCounts() const
{
    auto stmt = m_db.prepare("SELECT count(*) FROM pragma_table_info('hivewatch_legacy_log_ledger')"
                             " WHERE name = 'bad_lines'");
    if (!stmt)
        return stmt.error();
    auto row = stmt->step();
    if (!row)
        return row.error();
    return *row && stmt->columnInt(0) > 0;
}

Result<QHash<QByteArray, LegacyLedgerEntry>> LegacyLedger::load()
{
    QHash<QByteArray, LegacyLedgerEntry> entries;
    auto present = m_db.hasTable(tableName);
    if (!present)
        return present.error();
    if (!*present)
        return entries;
    auto counts = hasLineCounts();
    if (!counts)
        return counts.error();
    auto stmt
        = m_db.prepare(*counts ? "SELECT execution_id, source, source_rows, source_bytes,"
                                 " source_lines, source_last_inserted_at, migrated_lines,"
                                 " skipped_lines, first_entry_id, last_entry_id, migrated_at,"
                                 " bad_lines, truncated_lines FROM hivewatch_legacy_log_ledger"
                               : "SELECT execution_id, source, source_rows, source_bytes,"
                                 " source_lines, source_last_inserted_at, migrated_lines,"
                                 " skipped_lines, first_entry_id, last_entry_id, migrated_at,"
                                 " NULL, NULL FROM hivewatch_legacy_log_ledger");
    if (!stmt)
        return stmt.error();
    for (;;) {
        auto row = stmt->step();
        if (!row)
            return row.error();
        if (!*row)
            break;
        LegacyLedgerEntry entry;
        entry.executionKey = stmt->columnByteArray(0);
        entry.source = stmt->columnText(1);
        entry.sourceRows = stmt->columnInt(2);
        entry.sourceBytes = stmt->columnInt(3);
        entry.sourceLines = stmt->columnInt(4);
        entry.sourceLastInsertedAt = stmt->columnText(5);
        entry.migratedLines = stmt->columnInt(6);
        entry.skippedLines = stmt->columnInt(7);
        if (!stmt->columnIsNull(8))
            entry.firstEntryId = stmt->columnInt(8);
        if (!stmt->columnIsNull(9))
            entry.lastEntryId = stmt->columnInt(9);
        entry.migratedAt = stmt->columnText(10);
        if (!stmt->columnIsNull(11))
            entry.badLines = stmt->columnInt(11);
        if (!stmt->columnIsNull(12))
            entry.truncatedLines = stmt->columnInt(12);
        entries.insert(entry.executionKey, entry);
    }
    return entries;
}

Result<void> LegacyLedger::record(const LegacyLedgerEntry &entry)
{
    auto stmt = m_db.prepare("INSERT INTO hivewatch_legacy_log_ledger (execution_id, source,"
                             " source_rows, source_bytes, source_lines, source_last_inserted_at,"
                             " migrated_lines, skipped_lines, first_entry_id, last_entry_id,"
                             " bad_lines, truncated_lines)"
                             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    if (!stmt)
        return stmt.error();
    const QByteArray source = entry.source.toUtf8();
    const QByteArray lastInsertedAt = entry.sourceLastInsertedAt.toUtf8();
    stmt->bindBlob(1, entry.executionKey);
    stmt->bindText(2, std::string_view(source.constData(), size_t(source.size())));
    stmt->bindInt(3, entry.sourceRows);
    stmt->bindInt(4, entry.sourceBytes);
    stmt->bindInt(5, entry.sourceLines);
    stmt->bindText(6, std::string_view(lastInsertedAt.constData(), size_t(lastInsertedAt.size())));
    stmt->bindInt(7, entry.migratedLines);
    stmt->bindInt(8, entry.skippedLines);
    if (entry.firstEntryId)
        stmt->bindInt(9, *entry.firstEntryId);
    else
        stmt->bindNull(9);
    if (entry.lastEntryId)
        stmt->bindInt(10, *entry.lastEntryId);
    else
        stmt->bindNull(10);
    stmt->bindInt(11, entry.badLines.value_or(entry.skippedLines));
    stmt->bindInt(12, entry.truncatedLines.value_or(0));
    return stmt->run();
}

} // namespace hivewatch
