#pragma once

#include "domain/Result.h"
#include "sync/store/LogSearch.h"
#include "sync/store/LogStore.h"

#include <QUuid>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace hivewatch {

// The reads behind LogLineModel: lines by position within one execution, line numbers of times,
// on a read-only connection of its own. Used from one thread (the model's worker); interrupt()
// may be called from any thread and makes the running read fail early.
class LogLineReader
{
public:
    explicit LogLineReader(QString path);
    ~LogLineReader();

    // Another store (or none), from any thread: the next read closes the connection to the old
    // one (on the reading thread) and opens the new one.
    void setPath(const QString &path);
    // Closes the connection now (on the reading thread).
    void close();

    // `streams` (LogFilter's outputTypes/excludeOutputTypes) narrows every read to the lines of
    // those streams: counts and positions are then among them, line numbers stay the lines'
    // numbers within the whole execution.
    Result<qint64> lineCount(const QUuid &executionId, const LogFilter &streams = {});
    // `limit` lines from position `first` (0-based) with their line numbers. `after`: the id of
    // the line before when the caller knows it (the page before is loaded), which saves counting
    // up to `first`; `lineBefore` is then that line's number.
    Result<QList<LogSearchLine>> lines(const QUuid &executionId, qint64 first, int limit,
                                       std::optional<qint64> after, qint64 lineBefore = 0,
                                       const LogFilter &streams = {});
    // The 0-based position of the first line at or after `time`: "YYYY-MM-DD HH:MM[:SS[.sss]]",
    // or a time of day "HH:MM[:SS]" on the day of the execution's first line.
    Result<std::optional<qint64>> lineAtTime(const QUuid &executionId, const QString &time,
                                             const LogFilter &streams = {});
    // The 0-based position of line `lineNumber`, or of the first shown line after it.
    Result<std::optional<qint64>> positionOfLine(const QUuid &executionId, qint64 lineNumber,
                                                 const LogFilter &streams);
    // A page of one execution's hits next to line id `boundaryId`: forward, the first
    // query.maxLines hits after it (0: from the start); backward, the last hits before it (0: up
    // to the end), at most query.maxLines, always every hit between them and the boundary.
    // Read by id ranges, so no page reads the hits of the whole execution.
    Result<LogSearchResult> hitPage(LogSearchQuery query, bool forward, qint64 boundaryId,
                                    const std::function<bool()> &isStale = {});
    // 1-based positions of lines by id (LogSearch::positions).
    Result<QList<qint64>> positions(const QUuid &executionId, const QList<qint64> &ascendingIds,
                                    const LogFilter &streams);
    Result<QList<LogHistogramBucket>> histogram(const QUuid &executionId);
    // `isStale` (asked on this thread while the search runs): true ends it early with an
    // "interrupted" error, also between its statements, where interrupt() would be lost.
    Result<LogSearchResult> search(const LogSearchQuery &query,
                                   const std::function<bool()> &isStale = {});

    void interrupt();

private:
    Result<LogStore *> store();
    Result<std::optional<qint64>> positionOfId(LogSearch &search, const QUuid &executionId,
                                               qint64 id, const LogFilter &streams);

    QString m_path; // wanted
    QString m_openPath; // of m_store
    std::unique_ptr<LogStore> m_store;
    std::mutex m_mutex; // guards m_path, and m_store against interrupt() from another thread
};

} // namespace hivewatch
