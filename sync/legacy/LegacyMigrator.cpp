#include "sync/legacy/LegacyMigrator.h"

#include "sync/legacy/JsonlFileReader.h"
#include "sync/legacy/LegacyEntryWriter.h"
#include "sync/legacy/LegacyLedger.h"
#include "sync/legacy/LegacyLog.h"
#include "sync/legacy/NodeLogTableReader.h"
#include "sync/legacy/SqliteBulkWriteTuning.h"
#include "sync/sqlite/SqliteConnection.h"
#include "sync/store/LogStore.h"

#include <QFileInfo>

namespace hivewatch {

namespace {

using Status = LegacyExecutionResult::Status;

// The first column of the first row of a query with one bound value, or `fallback` for NULL.
template<typename Bind>
Result<qint64> queryInt(const SqliteConnection &db, std::string_view sql, Bind bind,
                        qint64 fallback = 0)
{
    auto stmt = db.prepare(sql);
    if (!stmt)
        return stmt.error();
    bind(*stmt);
    auto row = stmt->step();
    if (!row)
        return row.error();
    return *row && !stmt->columnIsNull(0) ? stmt->columnInt(0) : fallback;
}

Result<qint64> queryIntForKey(const SqliteConnection &db, std::string_view sql,
                              const QByteArray &key)
{
    return queryInt(db, sql, [&](SqliteStatement &stmt) { stmt.bindBlob(1, key); });
}

bool samePath(const QString &a, const QString &b)
{
    const QString ca = QFileInfo(a).canonicalFilePath();
    return !ca.isEmpty() && ca == QFileInfo(b).canonicalFilePath();
}

} // namespace

struct LegacyMigrator::Run
{
    const LegacyMigrator &m;
    LegacyReport report;
    bool inPlace = false;
    std::unique_ptr<LogStore> store; // execute only
    std::optional<SqliteConnection> target; // execute: LogStore's connection; dry run: read-only
    std::optional<SqliteConnection> source; // own connection unless migrating in place
    std::unique_ptr<LegacyLogReader> reader;
    QHash<QByteArray, LegacyLedgerEntry> ledger;
    bool targetHasLogEntries = false;
    bool targetHasExecutionProcesses = false;
    QHash<QString, qsizetype> issueKinds; // index in report.issueCounts

    explicit Run(const LegacyMigrator &migrator)
        : m(migrator)
    {
    }

    Result<void> open();
    Result<std::optional<QString>> precheck(const LegacyExecutionInfo &execution);
    Result<void> migrate(const LegacyExecutionInfo &execution, LegacyEntryWriter &writer,
                         LegacyExecutionResult &result);
    Result<void> verifyAndDrop();
    void addIssue(const LegacyIssue &issue);
};

LegacyMigrator::LegacyMigrator(LegacySource source, LegacyTarget target, LegacyOptions options)
    : m_source(std::move(source))
    , m_target(std::move(target))
    , m_options(options)
{
}

Result<void> LegacyMigrator::Run::open()
{
    const bool execute = m.m_options.execute;
    const bool nodeSource = m.m_source.kind == LegacySource::Kind::NodeTable;
    const bool noTarget = !nodeSource && m.m_target.kind == LegacyTarget::Kind::SourceDatabase;
    if (noTarget && execute)
        return Error(QStringLiteral("A JSONL file has no log_entries of its own: name the database "
                                    "to write into (--target FILE)"));
    if (nodeSource && !QFileInfo(m.m_source.path).isFile())
        return Error(QStringLiteral("The node database %1 does not exist").arg(m.m_source.path));
    const QString targetPath = noTarget                         ? QString()
        : m.m_target.kind == LegacyTarget::Kind::SourceDatabase ? m.m_source.path
                                                                : m.m_target.storePath;
    inPlace = nodeSource && samePath(targetPath, m.m_source.path);

    if (execute) {
        auto opened = LogStore::open(targetPath, LogStore::Access::ReadWrite);
        if (!opened)
            return opened.error();
        store = std::move(*opened);
        // LogStore's own connection, so the migration's rows commit in its transactions.
        target = SqliteConnection::borrow(store->connection().handle(), targetPath);
    } else if (!targetPath.isEmpty() && QFileInfo::exists(targetPath)) {
        auto opened = SqliteConnection::open(targetPath, SqliteConnection::Mode::ReadOnly);
        if (!opened)
            return opened.error();
        target = std::move(*opened);
    }

    if (nodeSource) {
        if (!inPlace || !execute) {
            auto opened = SqliteConnection::open(m.m_source.path, SqliteConnection::Mode::ReadOnly);
            if (!opened)
                return opened.error();
            source = std::move(*opened);
        }
        reader = std::make_unique<NodeLogTableReader>(
            source ? *source : *target, m.m_source.executionId, m.m_options.maxLineBytes);
    } else {
        reader = std::make_unique<JsonlFileReader>(m.m_source.path, m.m_source.executionId,
                                                   m.m_source.timestamp, m.m_options.maxLineBytes);
    }

    if (target) {
        LegacyLedger ledgerTable(*target);
        if (execute) {
            if (auto made = ledgerTable.ensureTable(); !made)
                return made.error();
        }
        auto loaded = ledgerTable.load();
        if (!loaded)
            return loaded.error();
        ledger = std::move(*loaded);
        auto logEntries = target->hasTable("log_entries");
        auto processes = target->hasTable("execution_processes");
        if (!logEntries)
            return logEntries.error();
        if (!processes)
            return processes.error();
        targetHasLogEntries = *logEntries;
        targetHasExecutionProcesses = *processes;
    }
    return {};
}

// Why an execution cannot be migrated into this target, if it cannot.
Result<std::optional<QString>> LegacyMigrator::Run::precheck(const LegacyExecutionInfo &execution)
{
    if (execution.key.size() != 16)
        return std::optional<QString>(QStringLiteral(
            "execution_id is not a 16-byte UUID, so log_entries cannot reference it"));
    if (targetHasExecutionProcesses) {
        auto found = queryIntForKey(
            *target, "SELECT count(*) FROM execution_processes WHERE id = ?1", execution.key);
        if (!found)
            return found.error();
        if (*found == 0)
            return std::optional<QString>(
                QStringLiteral("the target has no execution_processes row with this id, which "
                               "log_entries must reference"));
    }
    if (targetHasLogEntries && !m.m_options.replaceExisting) {
        auto existing = queryIntForKey(
            *target, "SELECT count(*) FROM log_entries WHERE execution_id = ?1", execution.key);
        if (!existing)
            return existing.error();
        if (*existing > 0)
            return std::optional<QString>(
                QStringLiteral("log_entries already holds %1 rows for this execution that this "
                               "migration did not write; replace them with --replace-existing")
                    .arg(*existing));
    }
    return std::optional<QString>();
}

Result<void> LegacyMigrator::Run::migrate(const LegacyExecutionInfo &execution,
                                          LegacyEntryWriter &writer, LegacyExecutionResult &result)
{
    if (!m.m_options.execute) {
        writer.beginExecution(execution, &result);
        auto stats = reader->readExecution(execution, writer);
        if (!stats)
            return stats.error();
        if (auto counted = writer.finishExecution(); !counted)
            return counted.error();
        result.rows = stats->rows;
        result.bytes = stats->bytes;
        if (stats->stopped)
            result.status = Status::Cancelled;
        return {};
    }

    auto before = queryInt(*target, "SELECT max(id) FROM log_entries", [](SqliteStatement &) {});
    if (!before)
        return before.error();
    LegacyReadStats stats;
    auto committed = store->withTransaction([&]() -> Result<void> {
        if (m.m_options.replaceExisting) {
            auto stmt = target->prepare("DELETE FROM log_entries WHERE execution_id = ?1");
            if (!stmt)
                return stmt.error();
            stmt->bindBlob(1, execution.key);
            if (auto deleted = stmt->run(); !deleted)
                return deleted.error();
        }
        writer.beginExecution(execution, &result);
        auto read = reader->readExecution(execution, writer);
        if (!read)
            return read.error();
        stats = *read;
        if (auto flushed = writer.finishExecution(); !flushed)
            return flushed.error();
        if (stats.stopped)
            return Error(QStringLiteral("cancelled"));

        LegacyLedgerEntry entry;
        entry.executionKey = execution.key;
        entry.source = reader->sourceName();
        entry.sourceRows = stats.rows;
        entry.sourceBytes = stats.bytes;
        entry.sourceLines = stats.lines;
        entry.sourceLastInsertedAt = execution.lastInsertedAt;
        entry.migratedLines = result.migratableLines;
        entry.skippedLines = result.blankLines + result.badLines;
        entry.badLines = result.badLines;
        entry.truncatedLines = result.truncatedLines;
        if (entry.migratedLines > 0) {
            // Nothing else writes while we hold the write lock, so every id above the old
            // maximum is ours.
            auto range = target->prepare("SELECT min(id), max(id) FROM log_entries WHERE id > ?1");
            if (!range)
                return range.error();
            range->bindInt(1, *before);
            if (auto row = range->step(); !row)
                return row.error();
            entry.firstEntryId = range->columnInt(0);
            entry.lastEntryId = range->columnInt(1);
        }
        return LegacyLedger(*target).record(entry);
    });
    result.rows = stats.rows;
    result.bytes = stats.bytes;
    if (!committed) {
        if (stats.stopped && writer.cancelled()) {
            result.status = Status::Cancelled;
            return {};
        }
        return Error(QStringLiteral("Migrating execution %1 failed; it was rolled back and can be "
                                    "migrated again: %2")
                         .arg(execution.name, committed.error().message),
                     committed.error().detail);
    }
    result.status = Status::Migrated;
    return {};
}

void LegacyMigrator::Run::addIssue(const LegacyIssue &issue)
{
    const auto known = issueKinds.constFind(issue.kind);
    if (known == issueKinds.constEnd()) {
        issueKinds.insert(issue.kind, report.issueCounts.size());
        report.issueCounts.append({issue.kind, 1, issue});
    } else {
        ++report.issueCounts[*known].count;
    }
    if (report.issues.size() < m.m_options.maxListedIssues)
        report.issues.append(issue);
    else
        ++report.unlistedIssues;
    if (m.m_issue)
        m.m_issue(issue);
}

// Every execution still in the source must be in the ledger with the same rows, and its ledger
// range of log_entries must hold exactly the lines it migrated. Only then is the table dropped,
// and only if every non-blank line is in log_entries whole — or the user accepted the lines that
// are not (acceptSkipped): the drop cannot be undone, so the counts of earlier runs count too.
Result<void> LegacyMigrator::Run::verifyAndDrop()
{
    auto executions = reader->listExecutions();
    if (!executions)
        return executions.error();
    auto loaded = LegacyLedger(*target).load();
    if (!loaded)
        return loaded.error();
    QStringList mismatches;
    for (const LegacyExecutionInfo &execution : *executions) {
        const auto entry = loaded->constFind(execution.key);
        if (entry == loaded->constEnd()) {
            mismatches << QStringLiteral("%1 was not migrated").arg(execution.name);
            continue;
        }
        if (entry->sourceRows != execution.rows
            || entry->sourceLastInsertedAt != execution.lastInsertedAt) {
            mismatches << QStringLiteral("%1 has %2 source rows now, %3 when it was migrated")
                              .arg(execution.name)
                              .arg(execution.rows)
                              .arg(entry->sourceRows);
            continue;
        }
        auto stored = queryInt(*target,
                               "SELECT count(*) FROM log_entries WHERE execution_id = ?1"
                               " AND id BETWEEN ?2 AND ?3",
                               [&](SqliteStatement &stmt) {
                                   stmt.bindBlob(1, execution.key);
                                   stmt.bindInt(2, entry->firstEntryId.value_or(1));
                                   stmt.bindInt(3, entry->lastEntryId.value_or(0));
                               });
        if (!stored)
            return stored.error();
        if (*stored != entry->migratedLines) {
            mismatches << QStringLiteral("%1 has %2 log_entries rows, the ledger recorded %3")
                              .arg(execution.name)
                              .arg(*stored)
                              .arg(entry->migratedLines);
            continue;
        }
        // A ledger row of an older Hivewatch did not tell blank lines from bad ones.
        const qint64 bad = entry->badLines.value_or(entry->skippedLines);
        const qint64 truncated = entry->truncatedLines.value_or(0);
        if (bad == 0 && truncated == 0)
            continue;
        report.unmigratedLines += bad;
        report.unmigratedTruncatedLines += truncated;
        const QString olderCount = entry->badLines
            ? QString()
            : QStringLiteral(" (counted by an older version: empty lines included)");
        report.incompleteExecutions
            << QStringLiteral("%1: %2 lines not migrated, %3 stored truncated%4")
                   .arg(execution.name)
                   .arg(bad)
                   .arg(truncated)
                   .arg(olderCount);
    }
    if (!mismatches.isEmpty()) {
        report.verification = QStringLiteral("verification failed, execution_process_logs kept: ")
            + mismatches.mid(0, 10).join(QStringLiteral("; "))
            + (mismatches.size() > 10 ? QStringLiteral(" (and %1 more)").arg(mismatches.size() - 10)
                                      : QString());
        return {};
    }
    const QString incomplete
        = QStringLiteral("%1 non-blank lines are not in log_entries and %2 are there only "
                         "truncated, in %3 of %4 executions")
              .arg(report.unmigratedLines)
              .arg(report.unmigratedTruncatedLines)
              .arg(report.incompleteExecutions.size())
              .arg(executions->size());
    if (!report.incompleteExecutions.isEmpty() && !m.m_options.acceptSkipped) {
        report.verification = QStringLiteral("not dropped, execution_process_logs kept: ")
            + incomplete
            + QStringLiteral(". Dropping would lose them; fix or export them first, or accept "
                             "their loss with --accept-skipped");
        return {};
    }
    report.verification = QStringLiteral("ok: %1 executions verified").arg(executions->size());
    if (!report.incompleteExecutions.isEmpty()) {
        report.skippedAccepted = true;
        report.verification
            += QStringLiteral("; accepted as lost (--accept-skipped): ") + incomplete;
    }

    reader.reset();
    std::optional<SqliteConnection> writable;
    if (!inPlace) {
        auto opened = SqliteConnection::open(m.m_source.path, SqliteConnection::Mode::ReadWrite);
        if (!opened)
            return opened.error();
        writable = std::move(*opened);
    }
    if (auto dropped = (writable ? *writable : *target).exec("DROP TABLE execution_process_logs");
        !dropped)
        return dropped.error();
    report.sourceDropped = true;
    qCInfo(lcLegacy) << "dropped execution_process_logs from" << m.m_source.path;
    return {};
}

Result<LegacyReport> LegacyMigrator::run()
{
    if (m_options.dropSourceAfterVerify
        && (!m_options.execute || m_source.kind != LegacySource::Kind::NodeTable))
        return Error(QStringLiteral("Dropping the source needs --execute and a node database "
                                    "source"));
    Run run(*this);
    if (auto opened = run.open(); !opened)
        return opened.error();
    const SqliteBulkWriteTuning tuning(
        m_options.execute ? (run.target ? &*run.target : nullptr) : nullptr,
        m_options.walCheckpointStepBytes, m_options.walCheckpointWaitBytes);
    auto executions = run.reader->listExecutions();
    if (!executions)
        return executions.error();

    LegacyReport &report = run.report;
    report.executed = m_options.execute;
    report.executions = executions->size();
    qint64 totalRows = 0;
    for (const LegacyExecutionInfo &execution : *executions)
        totalRows += execution.rows;

    const auto mode = !m_options.execute ? LegacyEntryWriter::Mode::DryRun
        : m_options.useLogStoreAppend    ? LegacyEntryWriter::Mode::ThroughLogStore
                                         : LegacyEntryWriter::Mode::Direct;
    LegacyEntryWriter::Callbacks callbacks;
    callbacks.issue = [&run](const LegacyIssue &issue) {
        run.addIssue(issue);
    };
    callbacks.progress = m_progress;
    callbacks.cancel = m_cancel;
    LegacyEntryWriter writer(mode, (run.target ? &*run.target : nullptr), run.store.get(),
                             callbacks);
    if (auto prepared = writer.prepare(); !prepared)
        return prepared.error();
    writer.setTotals(executions->size(), totalRows);

    for (const LegacyExecutionInfo &execution : *executions) {
        if (writer.cancelled()) {
            report.cancelled = true;
            break;
        }
        LegacyExecutionResult result;
        result.execution = execution.name;
        result.status = m_options.execute ? Status::Migrated : Status::WouldMigrate;
        const auto done = run.ledger.constFind(execution.key);
        if (done != run.ledger.constEnd()) {
            result.status = Status::AlreadyMigrated;
            result.rows = done->sourceRows;
            result.bytes = done->sourceBytes;
            result.lines = done->sourceLines;
            result.migratableLines = done->migratedLines;
            result.badLines = done->badLines.value_or(done->skippedLines);
            result.blankLines = done->skippedLines - result.badLines;
            result.truncatedLines = done->truncatedLines.value_or(0);
            result.note
                = QStringLiteral("migrated at %1 from %2").arg(done->migratedAt, done->source);
            ++report.alreadyMigratedExecutions;
        } else {
            auto blocked = run.target ? run.precheck(execution)
                                      : Result<std::optional<QString>>(std::optional<QString>());
            if (!blocked)
                return blocked.error();
            if (*blocked) {
                result.status = Status::Skipped;
                result.rows = execution.rows;
                result.note = **blocked;
                ++report.skippedExecutions;
            } else if (auto migrated = run.migrate(execution, writer, result); !migrated) {
                return migrated.error();
            }
        }
        if (result.status == Status::Cancelled) {
            report.cancelled = true;
            report.executionResults.append(result);
            break;
        }
        if (result.status == Status::Migrated) {
            ++report.migratedExecutions;
            report.migratedLines += result.migratableLines;
        }
        report.rows += result.rows;
        report.bytes += result.bytes;
        report.lines += result.lines;
        report.migratableLines += result.migratableLines;
        report.blankLines += result.blankLines;
        report.badLines += result.badLines;
        report.truncatedLines += result.truncatedLines;
        report.fallbackTimestampLines += result.fallbackTimestampLines;
        report.executionResults.append(result);
        writer.executionDone();
    }

    if (m_options.dropSourceAfterVerify && !report.cancelled) {
        if (auto verified = run.verifyAndDrop(); !verified)
            return verified.error();
    }
    return report;
}

QString legacyStatusName(LegacyExecutionResult::Status status)
{
    switch (status) {
    case Status::WouldMigrate:
        return QStringLiteral("would migrate");
    case Status::Migrated:
        return QStringLiteral("migrated");
    case Status::AlreadyMigrated:
        return QStringLiteral("already migrated");
    case Status::Skipped:
        return QStringLiteral("skipped");
    case Status::Cancelled:
        return QStringLiteral("cancelled");
    }
    return QString();
}

} // namespace hivewatch
