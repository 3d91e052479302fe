#include "LegacyEntryWriter.h"

#include "LegacyLogReader.h"
#include "LogStore.h"

#include <QUuid>

namespace {

constexpr int kLogStoreBatch = 2048;
constexpr int kProgressIntervalMs = 100;

bool isBlank(std::string_view text)
{
    for (char c : text) {
        if (c != ' ' && c != '\t' && c != '\r')
            return false;
    }
    return true;
}

QString fromUtf8(std::string_view text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

} // namespace

LegacyEntryWriter::LegacyEntryWriter(Mode mode, const SqliteDatabase *target, LogStore *store,
                                     Callbacks callbacks)
    : m_mode(mode)
    , m_target(target)
    , m_store(store)
    , m_callbacks(std::move(callbacks))
{
    if (m_mode == Mode::ThroughLogStore)
        m_batch = new QList<NewLogEntry>;
    m_sinceProgress.start();
}

LegacyEntryWriter::~LegacyEntryWriter()
{
    delete m_batch;
}

Result<void> LegacyEntryWriter::prepare()
{
    if (m_mode != Mode::Direct)
        return {};
    auto insert = m_target->prepare("INSERT INTO log_entries (execution_id, output_type, content,"
                                    " timestamp) VALUES (?1, ?2, ?3, ?4)");
    if (!insert)
        return insert.error();
    m_insert = std::move(*insert);
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
    if (m_mode == Mode::Direct)
        m_insert.bindBlob(1, m_key);
    if (m_batch)
        m_batch->clear();
}

Result<void> LegacyEntryWriter::finishExecution()
{
    if (!m_error && m_batch)
        flushBatch();
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
    if (!line.problem.empty()) {
        ++m_counts->badLines;
        reportIssue(line, line.problem);
    } else if (isBlank(line.text)) {
        ++m_counts->blankLines;
        reportIssue(line, "empty line");
    } else {
        MappedLogMsg msg;
        if (m_parser.parse(line.text, msg, m_reason)) {
            ++m_counts->migratableLines;
            if (m_mode != Mode::DryRun && !write(msg, line.timestamp))
                return false;
        } else {
            ++m_counts->badLines;
            reportIssue(line, m_reason);
        }
    }
    // Cancellation and progress are checked every 1024 lines: cheap, yet well under 10 ms apart.
    if (++m_linesSinceCheck >= 1024) {
        m_linesSinceCheck = 0;
        maybeReportProgress(false);
        if (cancelled())
            return false;
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
        m_insert.bindText(2, msg.outputType);
        m_insert.bindText(3, msg.content);
        m_insert.bindText(4, timestamp);
        auto done = m_insert.step();
        m_insert.reset();
        if (!done) {
            m_error = Error(QStringLiteral("Cannot write log_entries for execution %1")
                                .arg(legacyExecutionName(m_key)),
                            done.error().toString());
            return false;
        }
        return true;
    }
    NewLogEntry entry;
    entry.executionId = QUuid::fromRfc4122(m_key);
    entry.outputType = fromUtf8(msg.outputType);
    entry.content = fromUtf8(msg.content);
    entry.timestamp = fromUtf8(timestamp);
    m_batch->append(std::move(entry));
    return m_batch->size() < kLogStoreBatch || flushBatch();
}

bool LegacyEntryWriter::flushBatch()
{
    if (m_batch->isEmpty())
        return true;
    auto written = m_store->appendInCurrentTransaction(*m_batch);
    m_batch->clear();
    if (!written) {
        m_error = Error(QStringLiteral("Cannot write log_entries for execution %1")
                            .arg(legacyExecutionName(m_key)),
                        written.error().toString());
        return false;
    }
    return true;
}

void LegacyEntryWriter::reportIssue(const LegacyLine &line, std::string_view reason)
{
    if (!m_callbacks.issue)
        return;
    LegacyIssue issue;
    issue.execution = legacyExecutionName(m_key);
    issue.rowId = line.rowId;
    issue.lineNumber = line.lineNumber;
    issue.reason = QString::fromUtf8(reason.data(), qsizetype(reason.size()));
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
