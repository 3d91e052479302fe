#include "sync/store/LogIndexBuilder.h"

#include "sync/store/LogStore.h"
#include "sync/store/StoreLog.h"

#include <chrono>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#endif

namespace hivewatch {

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

bool LogIndexBuilder::waitForWork()
{
    std::unique_lock lock(m_mutex);
    m_wakeup.wait_for(lock, std::chrono::milliseconds(m_pollMs),
                      [this] { return m_woken || m_stop.load(); });
    m_woken = false;
    return !m_stop.load();
}

void LogIndexBuilder::run()
{
#ifdef Q_OS_LINUX
    // Linux nices one thread with PRIO_PROCESS and 0: the writer and the views come first, the
    // index catches up when they leave the CPU (searches scan whatever it has not reached).
    setpriority(PRIO_PROCESS, 0, 10);
#endif
    auto store = LogStore::open(m_path, LogStore::Access::ReadWrite);
    if (!store) {
        emit finished(false, store.error().toString());
        return;
    }
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
        // Looking is a read: the write lock is taken only when there is something to index.
        auto p = store.value()->indexProgress();
        if (p && p->available && !p->ready()) {
            // One short write transaction per chunk: the writer waits at most one chunk.
            p = store.value()->indexStep(m_chunkRows);
        }
        if (!p) {
            qCWarning(lcStore) << "indexing" << m_path << "failed:" << p.error().toString();
            emit finished(false, p.error().toString());
            return;
        }
        if (!p->available) {
            emit finished(false, QStringLiteral("%1 has no full-text index").arg(m_path));
            return;
        }
        m_lag.store(p->tail());
        if (p->percent() != m_percent.load()) {
            m_percent.store(p->percent());
            emit progressChanged(p->percent());
        }
        if (!p->ready())
            continue;
        if (!m_follow) {
            m_percent.store(100);
            emit finished(true, QString());
            return;
        }
        waitForWork();
    }
}

} // namespace hivewatch
