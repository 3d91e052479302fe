#include "sync/store/LogIndexBuilder.h"

#include "sync/common/ThreadPriority.h"
#include "sync/sqlite/SqliteConnection.h"
#include "sync/sqlite/SqliteTransaction.h"
#include "sync/store/LogStore.h"
#include "sync/store/StoreLog.h"

#include <QElapsedTimer>

#include <chrono>
#include <thread>

namespace hivewatch {

namespace {
constexpr int kFirstRetryMs = 500;
constexpr int kLastRetryMs = 30000;
// A writer that committed this recently is still ingesting (the sync writer commits every
// batch, many times a second while a shape loads).
constexpr qint64 kWriterActiveNs = 100'000'000;
constexpr int kRestSliceMs = 5;
} // namespace

LogIndexBuilder::LogIndexBuilder(QString path, int chunkRows, QObject *parent)
    : QObject(parent)
    , m_path(std::move(path))
    , m_chunkRows(chunkRows)
{
}

void LogIndexBuilder::setFollow(bool follow, int pollMs)
{
    m_follow = follow;
    m_pollMs = pollMs;
}

void LogIndexBuilder::setWriterShare(int percent)
{
    m_writerShare = qBound(1, percent, 100);
}

void LogIndexBuilder::yieldToWriter(qint64 heldNs)
{
    if (m_writerShare >= 100)
        return;
    const qint64 restNs = heldNs * (100 - m_writerShare) / m_writerShare;
    QElapsedTimer rest;
    rest.start();
    // In slices, so an idle writer ends the rest early and stop() is not kept waiting.
    while (!m_stop.load() && rest.nsecsElapsed() < restNs
           && SqliteTransaction::nanosSinceWriter() < kWriterActiveNs)
        std::this_thread::sleep_for(std::chrono::milliseconds(kRestSliceMs));
}

void LogIndexBuilder::stop()
{
    std::lock_guard lock(m_mutex);
    m_stop.store(true);
    m_wakeup.notify_all();
}

void LogIndexBuilder::wake()
{
    std::lock_guard lock(m_mutex);
    m_woken = true;
    m_wakeup.notify_all();
}

bool LogIndexBuilder::waitForWork(int ms)
{
    std::unique_lock lock(m_mutex);
    m_wakeup.wait_for(lock, std::chrono::milliseconds(ms),
                      [this] { return m_woken || m_stop.load(); });
    m_woken = false;
    return !m_stop.load();
}

void LogIndexBuilder::run()
{
    // The writer and the views come first, the index catches up when they leave the CPU
    // (searches scan whatever it has not reached).
    ThreadPriority::lowerCurrent();
    std::unique_ptr<LogStore> store;
    int backoffMs = 0;
    QString lastProblem;
    // A follower outlives what stops one pass: a sync writer holding the store longer than the
    // busy timeout, a store briefly unopenable. Giving up left the index unbuilt for the rest of
    // the session (searches then scan every line), so it waits, longer each time, and tries again.
    const auto trouble = [&](const QString &problem) {
        if (problem != lastProblem)
            qCWarning(lcStore) << "indexing" << m_path << "paused:" << problem
                               << (m_follow ? "(trying again)" : "");
        lastProblem = problem;
        if (!m_follow) {
            emit finished(false, problem);
            return false;
        }
        backoffMs = qBound(kFirstRetryMs, backoffMs * 2, kLastRetryMs);
        waitForWork(backoffMs);
        return true;
    };
    for (;;) {
        if (m_stop.load()) {
            if (m_follow)
                emit finished(true, QString());
            else
                emit finished(
                    false,
                    QStringLiteral("Indexing %1 stopped at %2%").arg(m_path).arg(m_percent.load()));
            return;
        }
        if (!store) {
            auto opened = LogStore::open(m_path, LogStore::Access::ReadWrite);
            if (!opened) {
                if (!trouble(opened.error().toString()))
                    return;
                continue;
            }
            store = std::move(opened).value();
            // The builder reads every line once: mapped, each page it read stayed in the
            // process's RSS (141 MiB of the dashboard's 781 MiB peak at 1M lines). Unmapped,
            // the kernel's page cache still serves the reads; a 16 MB cache holds what the FTS
            // writes revisit within one chunk.
            if (auto lean
                = store->connection().exec("PRAGMA mmap_size = 0; PRAGMA cache_size = -16384");
                !lean)
                qCWarning(lcStore)
                    << "indexing" << m_path
                    << "keeps the default memory settings:" << lean.error().toString();
        }
        // Looking is a read: the write lock is taken only when there is something to index.
        auto p = store->indexProgress();
        qint64 heldNs = 0;
        if (p && p->available && !p->ready()) {
            // One short write transaction per chunk: the writer waits at most one chunk.
            QElapsedTimer held;
            held.start();
            p = store->indexStep(m_chunkRows);
            heldNs = held.nsecsElapsed();
        }
        if (!p) {
            if (!trouble(p.error().toString()))
                return;
            continue;
        }
        if (!lastProblem.isEmpty())
            qCInfo(lcStore) << "indexing" << m_path << "goes on";
        backoffMs = 0;
        lastProblem.clear();
        if (!p->available) {
            emit finished(false, QStringLiteral("%1 has no full-text index").arg(m_path));
            return;
        }
        m_lag.store(p->tail());
        if (p->percent() != m_percent.load()) {
            m_percent.store(p->percent());
            emit progressChanged(p->percent());
        }
        if (!p->ready()) {
            yieldToWriter(heldNs); // stop() is answered at the top
            continue;
        }
        if (!m_follow) {
            m_percent.store(100);
            emit finished(true, QString());
            return;
        }
        waitForWork(m_pollMs);
    }
}

} // namespace hivewatch
