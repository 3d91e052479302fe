#pragma once

#include "domain/Result.h"
#include "sync/store/LogStore.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QUuid>

#include <functional>
#include <optional>

namespace hivewatch {

// What to look for in the log lines (issue 16). `text` is a substring (case-insensitive unless
// caseSensitive) or, with regex, a QRegularExpression pattern; a line matching any `exclude`
// term (substring, same case rule) is left out. No executionId: across all executions.
struct LogSearchQuery
{
    QString text;
    bool regex = false;
    bool caseSensitive = false;
    QStringList exclude;
    std::optional<QUuid> executionId;
    int context = 0; // lines before and after each hit
    int maxLines = 0; // hit lines materialized over all groups (0: all)
    // false: stop reading once maxLines hits are materialized (a first page, without counting
    // every candidate); the counts then cover only what was read (countsComplete = false when
    // there was more). Ask for the counts with a second search.
    bool fullCounts = true;
    // Only lines of these streams can be hits or context (outputTypes/excludeOutputTypes as in
    // LogFilter; its text is ignored). Empty: every stream.
    LogFilter streams;
    // Only lines with afterId < id < beforeId (0: no bound), e.g. the next page of hits.
    qint64 afterId = 0;
    qint64 beforeId = 0;
};

struct LogSearchLine
{
    LogEntry entry;
    qint64 lineNumber = 0; // 1-based, within its execution
    bool hit = false; // false for a context line
};

struct LogSearchGroup
{
    QUuid executionId;
    qint64 hits = 0; // every hit in the execution, even beyond maxLines
    QList<LogSearchLine> lines; // hits and their context, in line order
};

struct LogSearchResult
{
    QList<LogSearchGroup> groups; // by the execution's first hit, oldest first
    qint64 totalHits = 0;
    bool usedIndex = false; // false: the lines were scanned
    bool countsComplete = true; // false: fullCounts was off and the search stopped early
    QString note; // e.g. "index building, 40%" when a scan stood in for the index
};

struct LogHistogramBucket
{
    QString minute; // "YYYY-MM-DD HH:MM"
    qint64 lines = 0;
    qint64 stderrLines = 0;
};

// Search and navigation over a LogStore, on the store's own connection and thread. A query
// running here can be cancelled from another thread with LogStore::connection().interrupt():
// it then fails with an error saying it was interrupted, and returns nothing.
class LogSearch
{
public:
    explicit LogSearch(LogStore &store);

    Result<LogSearchResult> search(const LogSearchQuery &query);
    // The ids of every hit in one execution, in order (for "k of n" stepping).
    Result<QList<qint64>> hitIds(const QUuid &executionId, const LogSearchQuery &query);
    // 1-based line number of the line `id` within its execution.
    Result<qint64> lineNumber(const QUuid &executionId, qint64 id);
    // The id of line `lineNumber` (1-based) of the execution, if there is one.
    Result<std::optional<qint64>> lineAt(const QUuid &executionId, qint64 lineNumber);
    // The id of the `position`-th (1-based) line of the execution among those of `streams`.
    Result<std::optional<qint64>> lineAt(const QUuid &executionId, qint64 position,
                                         const LogFilter &streams);
    // For each id (ascending), how many lines of the execution among those of `streams` have an
    // id up to it: its 1-based position there when it is one of them (with no streams: its line
    // number). Counted forward from id to id, one pass over the execution's id index.
    Result<QList<qint64>> positions(const QUuid &executionId, const QList<qint64> &ascendingIds,
                                    const LogFilter &streams = {});
    // The first line (in line order) whose timestamp is at or after `timestamp`: a binary search
    // over the execution's ids, exact when timestamps follow line order or are out of order
    // within the 1024 lines before the answer; a line stamped out of order further back is
    // missed (the jump lands where the ordered lines cross the time).
    Result<std::optional<qint64>> firstAtOrAfter(const QUuid &executionId,
                                                 const QString &timestamp);
    Result<QList<LogHistogramBucket>> histogram(const QUuid &executionId);
    // Writes one execution's hits of `query` (every one, not maxLines) with their ±context lines
    // of query.streams to `filePath`, as LogStore::exportExecution writes lines: one forward
    // query over the execution, the same match rule as search(). `progress` hears the lines
    // written every 10,000 and at the end; returning false cancels (the file is left as it was).
    Result<qint64> exportMatches(const LogSearchQuery &query, const QString &filePath,
                                 const std::function<bool(qint64)> &progress = {});

private:
    LogStore &m_store;
};

} // namespace hivewatch
