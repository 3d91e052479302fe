#include "models/logs/LogLineReader.h"

#include "sync/sqlite/SqliteCancelCheck.h"
#include "sync/sqlite/SqliteConnection.h"

#include <QRegularExpression>

namespace hivewatch {

LogLineReader::LogLineReader(QString path)
    : m_path(std::move(path))
{
}

LogLineReader::~LogLineReader() = default;

void LogLineReader::setPath(const QString &path)
{
    std::lock_guard lock(m_mutex);
    m_path = path;
}

void LogLineReader::close()
{
    std::lock_guard lock(m_mutex);
    m_store.reset();
    m_openPath.clear();
}

Result<LogStore *> LogLineReader::store()
{
    QString path;
    {
        std::lock_guard lock(m_mutex);
        if (m_store && m_openPath == m_path)
            return m_store.get();
        path = m_path;
    }
    close();
    if (path.isEmpty())
        return Error(QStringLiteral("No log store is open"));
    auto opened = LogStore::open(path, LogStore::Access::ReadOnly);
    if (!opened)
        return opened.error();
    std::lock_guard lock(m_mutex);
    m_store = std::move(opened.value());
    m_openPath = path;
    return m_store.get();
}

void LogLineReader::interrupt()
{
    std::lock_guard lock(m_mutex);
    if (m_store)
        m_store->connection().interrupt();
}

Result<qint64> LogLineReader::lineCount(const QUuid &executionId)
{
    auto s = store();
    if (!s)
        return s.error();
    return s.value()->countByExecution(executionId);
}

Result<QList<LogEntry>> LogLineReader::lines(const QUuid &executionId, qint64 first, int limit,
                                             std::optional<qint64> after)
{
    auto s = store();
    if (!s)
        return s.error();
    if (!after && first > 0) {
        LogSearch search(*s.value());
        const auto id
            = search.lineAt(executionId, first); // 1-based: line `first` is the one before
        if (!id)
            return id.error();
        if (!id.value())
            return QList<LogEntry>();
        after = *id.value();
    }
    auto page = s.value()->page(executionId, after, PageDirection::Forward, limit);
    if (!page)
        return page.error();
    return page->entries;
}

Result<std::optional<qint64>> LogLineReader::lineAtTime(const QUuid &executionId,
                                                        const QString &time)
{
    static const QRegularExpression full(
        QStringLiteral(R"(^\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d{1,3})?)?$)"));
    static const QRegularExpression ofDay(QStringLiteral(R"(^\d\d?:\d\d(:\d\d(\.\d{1,3})?)?$)"));
    const QString text = time.trimmed();
    auto s = store();
    if (!s)
        return s.error();
    QString timestamp;
    if (full.match(text).hasMatch()) {
        timestamp = text;
        timestamp[10] = u' ';
    } else if (ofDay.match(text).hasMatch()) {
        auto firstLine = s.value()->page(executionId, std::nullopt, PageDirection::Forward, 1);
        if (!firstLine)
            return firstLine.error();
        if (firstLine->entries.isEmpty())
            return std::optional<qint64>();
        timestamp = firstLine->entries.first().timestamp.left(11)
            + (text.indexOf(u':') == 1 ? u'0' + text : text);
    } else {
        return Error(QStringLiteral("Not a time: \"%1\" (use HH:MM[:SS] or YYYY-MM-DD HH:MM[:SS])")
                         .arg(text));
    }
    LogSearch search(*s.value());
    const auto id = search.firstAtOrAfter(executionId, timestamp);
    if (!id)
        return id.error();
    if (!id.value())
        return std::optional<qint64>();
    const auto line = search.lineNumber(executionId, *id.value());
    if (!line)
        return line.error();
    return std::optional<qint64>(line.value() - 1);
}

Result<QList<LogHistogramBucket>> LogLineReader::histogram(const QUuid &executionId)
{
    auto s = store();
    if (!s)
        return s.error();
    return LogSearch(*s.value()).histogram(executionId);
}

Result<LogSearchResult> LogLineReader::search(const LogSearchQuery &query,
                                              const std::function<bool()> &isStale)
{
    auto s = store();
    if (!s)
        return s.error();
    if (!isStale)
        return LogSearch(*s.value()).search(query);
    if (isStale())
        return Error(QStringLiteral("Search interrupted: a newer one replaced it"));
    const SqliteCancelCheck check(s.value()->connection(), isStale);
    return LogSearch(*s.value()).search(query);
}

} // namespace hivewatch
