#include "sync/legacy/LegacyEntryWriter.h"

#include "sync/legacy/LegacyLogReader.h"
#include "sync/store/LogStore.h"

#include <QUuid>

namespace hivewatch {

namespace {

constexpr int kLogStoreBatch = 2048;
constexpr size_t kMaxArenaBytes = 4 * 1024 * 1024;
constexpr size_t kTimestampBytes = 23; // "YYYY-MM-DD HH:MM:SS.sss"
constexpr int kProgressIntervalMs = 100;

QString fromUtf8(std::string_view text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

// The kind of a reason: its words before the first detail (a colon, a quote, a comma, a number
// standing as a word: the 8 of "UTF-8" is part of the kind), so "malformed JSON: …" and "unknown
// LogMsg variant 'X'" each summarise as one kind.
QString issueKind(std::string_view reason)
{
    size_t end = 0;
    for (; end < reason.size(); ++end) {
        const char c = reason[end];
        if (c == ':' || c == '\'' || c == ',')
            break;
        if (c >= '0' && c <= '9' && (end == 0 || reason[end - 1] == ' '))
            break;
    }
    QString kind = fromUtf8(reason.substr(0, end)).trimmed();
    return kind.isEmpty() ? fromUtf8(reason) : kind;
}

} // namespace

LegacyEntryWriter::LegacyEntryWriter(Mode mode, const SqliteConnection *target, LogStore *store,
                                     Callbacks callbacks)
    : m_mode(mode)
    , m_target(target)
    , m_store(store)
    , m_callbacks(std::move(callbacks))
    , m_queue(std::make_unique<LogMsgParseQueue>())
{
    m_sinceProgress.start();
}

Result<void> LegacyEntryWriter::prepare()
{
    if (m_mode != Mode::Direct)
        return {};
    // A node's db.sqlite migrated in place has no counts table and no source_id.
    auto hivewatch = m_target->hasTable("log_execution_counts");
    if (!hivewatch)
        return hivewatch.error();
    auto writer = LogRowWriter::prepare(*m_target, hivewatch.value());
    if (!writer)
        return writer.error();
    m_writer = std::move(writer).value();
    m_pending.reserve(kRowsPerWrite);
    return {};
}

void LegacyEntryWriter::setTotals(qint64 executions, qint64 rows)
{
    m_progress.executionsTotal = executions;
    m_progress.rowsTotal = rows;
    maybeReportProgress(true);
}

void LegacyEntryWriter::beginExecution(const LegacyExecutionInfo &execution,
                                       LegacyExecutionResult *counts)
{
    m_key = execution.key;
    m_counts = counts;
    m_error.reset();
    m_progress.currentExecution = execution.name;
    m_lastNotedRow = -1;
    m_queue->clear();
    if (m_mode == Mode::Direct) {
        m_pending.clear();
        m_arena.clear();
    }
    m_batch.clear();
}

Result<void> LegacyEntryWriter::finishExecution()
{
    // The last two chunks, oldest first; both are collected even after an error so the next
    // execution starts with an empty queue.
    const LogMsgParseQueue::Chunk &older = m_queue->submit();
    if (!m_error)
        process(older);
    const LogMsgParseQueue::Chunk &last = m_queue->finish();
    if (!m_error)
        process(last);
    if (!m_error && m_mode == Mode::ThroughLogStore)
        flushBatch();
    if (!m_error && m_mode == Mode::Direct)
        flushDirect();
    if (m_error)
        return *m_error;
    return {};
}

void LegacyEntryWriter::executionDone()
{
    ++m_progress.executionsDone;
    maybeReportProgress(true);
}

bool LegacyEntryWriter::cancelled() const
{
    return m_callbacks.cancel && m_callbacks.cancel->load(std::memory_order_relaxed);
}

bool LegacyEntryWriter::acceptLine(const LegacyLine &line)
{
    ++m_counts->lines;
    ++m_progress.linesDone;
    if (!line.note.empty()) {
        ++m_counts->fallbackTimestampLines;
        // One report per row: the note is about the row, not each of its lines.
        if (line.rowId != m_lastNotedRow) {
            m_lastNotedRow = line.rowId;
            reportIssue(line.rowId, line.lineNumber, line.note,
                        QStringLiteral("inserted_at is not a time"));
        }
    }
    if (m_queue->add(line) && !process(m_queue->submit()))
        return false;
    // Cancellation and progress are checked every 1024 lines: cheap, yet well under 10 ms apart.
    if (++m_linesSinceCheck >= 1024) {
        m_linesSinceCheck = 0;
        maybeReportProgress(false);
        if (cancelled())
            return false;
    }
    return true;
}

bool LegacyEntryWriter::process(const LogMsgParseQueue::Chunk &chunk)
{
    using Kind = LogMsgParseQueue::Kind;
    for (const LogMsgParseQueue::Line &line : chunk.lines) {
        switch (line.kind) {
        case Kind::Truncated:
            ++m_counts->truncatedLines;
            reportIssue(line.rowId, line.lineNumber, line.reason,
                        QStringLiteral("stored truncated"), chunk.textOf(line));
            [[fallthrough]];
        case Kind::Entry:
            ++m_counts->migratableLines;
            if (m_mode != Mode::DryRun
                && !write({line.outputType, chunk.contentOf(line)}, chunk.timestamp(line)))
                return false;
            break;
        case Kind::Blank:
            ++m_counts->blankLines;
            reportIssue(line.rowId, line.lineNumber, "empty line", QStringLiteral("empty line"));
            break;
        case Kind::Bad:
            ++m_counts->badLines;
            reportIssue(line.rowId, line.lineNumber, line.reason, issueKind(line.reason),
                        chunk.textOf(line));
            break;
        }
    }
    return true;
}

void LegacyEntryWriter::rowRead(qint64 bytes)
{
    ++m_progress.rowsDone;
    m_progress.bytesDone += bytes;
}

bool LegacyEntryWriter::write(const MappedLogMsg &msg, std::string_view timestamp)
{
    if (m_mode == Mode::Direct) {
        PendingRow row;
        row.outputType = msg.outputType;
        row.contentOffset = m_arena.size();
        row.contentSize = msg.content.size();
        m_arena.append(msg.content);
        row.timestampOffset = m_arena.size();
        const std::string_view time = timestamp.substr(0, kTimestampBytes);
        row.timestampSize = time.size();
        m_arena.append(time);
        m_pending.push_back(row);
        if (m_pending.size() < size_t(kRowsPerWrite) && m_arena.size() < kMaxArenaBytes)
            return true;
        return flushDirect();
    }
    NewLogEntry entry;
    entry.executionId = QUuid::fromRfc4122(m_key);
    entry.outputType = fromUtf8(msg.outputType);
    entry.content = fromUtf8(msg.content);
    entry.timestamp = fromUtf8(timestamp);
    m_batch.append(std::move(entry));
    return m_batch.size() < kLogStoreBatch || flushBatch();
}

bool LegacyEntryWriter::flushDirect()
{
    if (m_pending.empty())
        return true;
    const QByteArrayView arena(m_arena.data(), qsizetype(m_arena.size()));
    std::vector<LogRowWriter::LineView> lines;
    lines.reserve(m_pending.size());
    for (const PendingRow &row : m_pending) {
        lines.push_back(
            {QByteArrayView(row.outputType.data(), qsizetype(row.outputType.size())),
             arena.sliced(qsizetype(row.contentOffset), qsizetype(row.contentSize)),
             arena.sliced(qsizetype(row.timestampOffset), qsizetype(row.timestampSize))});
    }
    if (auto done = m_writer->appendLines(m_key, lines); !done)
        return fail(done.error());
    m_pending.clear();
    m_arena.clear();
    return true;
}

bool LegacyEntryWriter::fail(const Error &error)
{
    m_error = Error(
        QStringLiteral("Cannot write log_entries for execution %1").arg(legacyExecutionName(m_key)),
        error.toString());
    return false;
}

bool LegacyEntryWriter::flushBatch()
{
    if (m_batch.isEmpty())
        return true;
    auto written = m_store->appendInCurrentTransaction(m_batch);
    m_batch.clear();
    return written.ok() || fail(written.error());
}

void LegacyEntryWriter::reportIssue(qint64 rowId, qint64 lineNumber, std::string_view reason,
                                    const QString &kind, std::string_view text)
{
    if (!m_callbacks.issue)
        return;
    // A few bytes per character at most: decoding more than that of a 4 MB line is waste.
    const std::string_view head = text.substr(0, LegacyIssue::kTextChars * 4 + 4);
    QString shown = fromUtf8(head);
    if (shown.size() > LegacyIssue::kTextChars || head.size() < text.size())
        shown = shown.left(LegacyIssue::kTextChars) + QChar(0x2026);
    LegacyIssue issue;
    issue.execution = legacyExecutionName(m_key);
    issue.rowId = rowId;
    issue.lineNumber = lineNumber;
    issue.reason = fromUtf8(reason);
    issue.text = shown;
    issue.kind = kind;
    m_callbacks.issue(issue);
}

void LegacyEntryWriter::maybeReportProgress(bool force)
{
    if (!m_callbacks.progress)
        return;
    if (!force && m_sinceProgress.elapsed() < kProgressIntervalMs)
        return;
    m_sinceProgress.restart();
    m_callbacks.progress(m_progress);
}

} // namespace hivewatch
