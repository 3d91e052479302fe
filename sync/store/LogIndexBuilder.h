#pragma once

#include "domain/Result.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace hivewatch {

// Keeps a store's full-text index just behind its writer (store version 5): indexes the lines
// above the index's mark (new lines, or all of an old store's on its first open) in chunks, on
// the thread it runs on, over a connection of its own, so neither the store's opening nor the
// writer waits for the index. Each chunk is one short transaction that moves the mark with the
// entries (crash-safe, resumable). With follow on, run() does not return when it has caught up:
// it looks again every pollMs (or at once after wake()) until stop(). A follower that cannot open
// the store or index a chunk (the store locked past its busy timeout) says so in the log and
// tries again later, backing off to 30 s; without follow that ends run() with the error.
// Move it to a worker thread and call run() there; percent() may be read, and wake() and stop()
// called, from any thread. The thread runs at low priority (nice 10) while it indexes.
class LogIndexBuilder : public QObject
{
    Q_OBJECT

public:
    // A follower's chunk: it runs at nice 10 and may be preempted while it holds the write lock,
    // so each transaction is kept short (tens of ms) for the writer's sake.
    static constexpr int kFollowerChunkRows = 2000;

    explicit LogIndexBuilder(QString path, int chunkRows = 20000, QObject *parent = nullptr);

    // Before run(): keep indexing new lines after catching up, looking every pollMs.
    void setFollow(bool follow, int pollMs = 200);
    // Ingest before indexing: while a writer of this process is active (a write transaction
    // open or ended within the last 100 ms), the builder holds the write lock at most this share
    // of the time, resting after each chunk; once the writer is idle it indexes flat out until it
    // has caught up. 100 turns the rest off.
    void setWriterShare(int percent);
    int percent() const { return m_percent.load(); }
    // The number of lines above the mark when last looked (the index's lag).
    qint64 lag() const { return m_lag.load(); }
    void stop();
    // Lines were committed: look now rather than at the next poll.
    void wake();

public slots:
    void run();

signals:
    void progressChanged(int percent);
    // ok: the whole store is indexed (without follow), or stop() after following; otherwise why
    // not (stopped midway, or the error).
    void finished(bool ok, const QString &message);

private:
    // Waits up to `ms` for wake() or stop(); returns false on stop().
    bool waitForWork(int ms);
    // After a chunk that held the lock for heldNs: rests while the writer is active, up to its
    // share, or until stop().
    void yieldToWriter(qint64 heldNs);

    QString m_path;
    int m_chunkRows;
    bool m_follow = false;
    int m_pollMs = 200;
    int m_writerShare = 5;
    std::atomic<int> m_percent {0};
    std::atomic<qint64> m_lag {0};
    std::atomic<bool> m_stop {false};
    std::mutex m_mutex;
    std::condition_variable m_wakeup;
    bool m_woken = false;
};

} // namespace hivewatch
