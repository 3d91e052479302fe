#pragma once

#include "domain/Result.h"
#include "sync/common/WorkerThread.h"

#include <QString>

#include <atomic>
#include <functional>

namespace hivewatch {

// Bounded retention of the store's history (HiveHistoryRecorder): deletes the changes recorded
// before a cutoff in small chunks, each in a short transaction of its own on a connection of its
// own, so the sync's writer waits at most for one chunk, never for a whole pruning.
class HistoryPruner
{
public:
    static constexpr int DefaultRetentionDays = 30;
    static constexpr int DefaultChunkRows = 2000;

    explicit HistoryPruner(QString storePath);
    // Stops a pruning in progress after its current chunk and joins its thread.
    ~HistoryPruner();
    HistoryPruner(const HistoryPruner &) = delete;
    HistoryPruner &operator=(const HistoryPruner &) = delete;

    // Deletes every change received before olderThanMs, chunkRows at a time, on the calling
    // thread; returns how many. A store without history has nothing to prune (0).
    Result<qint64> prune(qint64 olderThanMs, int chunkRows = DefaultChunkRows);
    // The same on the pruner's own thread; `done` (optional) runs there with the result.
    void pruneInBackground(qint64 olderThanMs,
                           std::function<void(const Result<qint64> &)> done = {},
                           int chunkRows = DefaultChunkRows);
    // The cutoff of a retention of `days` days before now.
    static qint64 cutoffForDays(int days);

private:
    QString m_storePath;
    std::atomic<bool> m_stopping = false;
    WorkerThread m_thread;
};

} // namespace hivewatch
