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

    Result<qint64> lineCount(const QUuid &executionId);
    // `limit` lines from line `first` (0-based). `after`: the id of line first - 1 when the
    // caller knows it (the page before is loaded), which saves counting up to `first`.
    Result<QList<LogEntry>> lines(const QUuid &executionId, qint64 first, int limit,
                                  std::optional<qint64> after);
    // The 0-based line of the first line at or after `time`: "YYYY-MM-DD HH:MM[:SS[.sss]]", or
    // a time of day "HH:MM[:SS]" on the day of the execution's first line.
    Result<std::optional<qint64>> lineAtTime(const QUuid &executionId, const QString &time);
    Result<QList<LogHistogramBucket>> histogram(const QUuid &executionId);
    // `isStale` (asked on this thread while the search runs): true ends it early with an
    // "interrupted" error, also between its statements, where interrupt() would be lost.
    Result<LogSearchResult> search(const LogSearchQuery &query,
                                   const std::function<bool()> &isStale = {});

    void interrupt();

private:
    Result<LogStore *> store();

    QString m_path; // wanted
    QString m_openPath; // of m_store
    std::unique_ptr<LogStore> m_store;
    std::mutex m_mutex; // guards m_path, and m_store against interrupt() from another thread
};

} // namespace hivewatch
