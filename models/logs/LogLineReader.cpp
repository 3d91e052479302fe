#include "models/logs/LogLineReader.h"

#include "sync/sqlite/SqliteCancelCheck.h"
#include "sync/sqlite/SqliteConnection.h"

#include <QRegularExpression>

#include <algorithm>

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

Result<qint64> LogLineReader::lineCount(const QUuid &executionId, const LogFilter &streams)
{
    auto s = store();
    if (!s)
        return s.error();
    if (streams.outputTypes.isEmpty())
        return s.value()->countByExecution(executionId);
    LogFilter filter;
    filter.outputTypes = streams.outputTypes;
    filter.excludeOutputTypes = streams.excludeOutputTypes;
    // The store keeps this count per (execution, filter) until lines change.
    auto page = s.value()->page(executionId, std::nullopt, PageDirection::Forward, 1, filter);
    if (!page)
        return page.error();
    return page->totalCount;
}

Result<QList<LogSearchLine>> LogLineReader::lines(const QUuid &executionId, qint64 first, int limit,
                                                  std::optional<qint64> after, qint64 lineBefore,
                                                  const LogFilter &streams)
{
    auto s = store();
    if (!s)
        return s.error();
    const bool filtered = !streams.outputTypes.isEmpty();
    LogSearch search(*s.value());
    if (!after && first > 0) {
        // 1-based: position `first` is the line before the page.
        const auto id = search.lineAt(executionId, first, streams);
        if (!id)
            return id.error();
        if (!id.value())
            return QList<LogSearchLine>();
        after = *id.value();
        lineBefore = 0;
    }
    LogFilter filter;
    filter.outputTypes = streams.outputTypes;
    filter.excludeOutputTypes = streams.excludeOutputTypes;
    auto page = s.value()->page(executionId, after, PageDirection::Forward, limit, filter);
    if (!page)
        return page.error();
    QList<LogSearchLine> lines;
    lines.reserve(page->entries.size());
    for (const LogEntry &e : std::as_const(page->entries))
        lines.append(LogSearchLine {e, 0, false});
    if (!filtered) {
        for (qint64 i = 0; i < lines.size(); ++i)
            lines[i].lineNumber = first + i + 1;
        return lines;
    }
    if (lines.isEmpty())
        return lines;
    // Line numbers within the whole execution: the hidden streams' lines count too.
    QList<qint64> ids;
    ids.reserve(lines.size());
    for (const LogSearchLine &line : std::as_const(lines))
        ids.append(line.entry.id);
    if (after && lineBefore > 0) {
        ids.prepend(*after);
        const auto numbers = search.positions(executionId, ids);
        if (!numbers)
            return numbers.error();
        for (qint64 i = 0; i < lines.size(); ++i)
            lines[i].lineNumber = numbers->at(i + 1) - numbers->at(0) + lineBefore;
        return lines;
    }
    const auto numbers = search.positions(executionId, ids);
    if (!numbers)
        return numbers.error();
    for (qint64 i = 0; i < lines.size(); ++i)
        lines[i].lineNumber = numbers->at(i);
    return lines;
}

Result<std::optional<qint64>>
LogLineReader::lineAtTime(const QUuid &executionId, const QString &time, const LogFilter &streams)
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
    return positionOfId(search, executionId, *id.value(), streams);
}

Result<std::optional<qint64>>
LogLineReader::positionOfLine(const QUuid &executionId, qint64 lineNumber, const LogFilter &streams)
{
    auto s = store();
    if (!s)
        return s.error();
    if (streams.outputTypes.isEmpty())
        return std::optional<qint64>(lineNumber - 1);
    LogSearch search(*s.value());
    const auto id = search.lineAt(executionId, lineNumber);
    if (!id)
        return id.error();
    if (!id.value())
        return std::optional<qint64>();
    return positionOfId(search, executionId, *id.value(), streams);
}

Result<std::optional<qint64>> LogLineReader::positionOfId(LogSearch &search,
                                                          const QUuid &executionId, qint64 id,
                                                          const LogFilter &streams)
{
    // The shown lines before `id`: the position of `id` when it is shown, else of the next one.
    const auto before = search.positions(executionId, {id - 1}, streams);
    if (!before)
        return before.error();
    if (streams.outputTypes.isEmpty())
        return std::optional<qint64>(before->first());
    const auto count = lineCount(executionId, streams);
    if (!count)
        return count.error();
    return before->first() < count.value() ? std::optional<qint64>(before->first()) : std::nullopt;
}

Result<LogSearchResult> LogLineReader::hitPage(LogSearchQuery query, bool forward,
                                               qint64 boundaryId,
                                               const std::function<bool()> &isStale)
{
    query.fullCounts = false; // a page, not the counts
    query.context = 0;
    if (forward) {
        query.afterId = boundaryId;
        query.beforeId = 0;
        return search(query, isStale);
    }
    qint64 before = boundaryId;
    if (before <= 0) {
        auto s = store();
        if (!s)
            return s.error();
        auto last = s.value()->page(*query.executionId, std::nullopt, PageDirection::Backward, 1);
        if (!last)
            return last.error();
        if (last->entries.isEmpty())
            return LogSearchResult();
        before = last->entries.first().id + 1;
    }
    // Backward: id ranges growing back from the boundary until one holds a hit, then forward
    // through that range in pages; the last page is the one next to the boundary.
    qint64 span = 1 << 16;
    for (;;) {
        const qint64 after = std::max<qint64>(0, before - span);
        query.afterId = after;
        query.beforeId = before;
        auto page = search(query, isStale);
        if (!page)
            return page;
        if (page->totalHits == 0) {
            if (after == 0)
                return page;
            before = after + 1;
            span *= 4;
            continue;
        }
        while (!page->countsComplete) {
            query.afterId = page->groups.constLast().lines.constLast().entry.id;
            auto next = search(query, isStale);
            if (!next)
                return next;
            if (next->totalHits == 0)
                break;
            page = std::move(next);
        }
        return page;
    }
}

Result<QList<qint64>> LogLineReader::positions(const QUuid &executionId,
                                               const QList<qint64> &ascendingIds,
                                               const LogFilter &streams)
{
    auto s = store();
    if (!s)
        return s.error();
    return LogSearch(*s.value()).positions(executionId, ascendingIds, streams);
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
