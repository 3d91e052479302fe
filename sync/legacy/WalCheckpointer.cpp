#include "sync/legacy/WalCheckpointer.h"

#include "sync/legacy/LegacyLog.h"
#include "sync/sqlite/SqliteConnection.h"

#include <QElapsedTimer>

#include <sqlite3.h>

namespace hivewatch {

std::unique_ptr<WalCheckpointer> WalCheckpointer::start(const SqliteConnection &writer,
                                                        int stepPages, int waitPages)
{
    auto own = SqliteConnection::open(writer.path(), SqliteConnection::Mode::ReadWrite);
    if (!own) {
        qCWarning(lcLegacy) << "checkpointing on the writing connection:" << own.error().toString();
        return nullptr;
    }
    return std::unique_ptr<WalCheckpointer>(
        new WalCheckpointer(writer.handle(), std::move(*own), stepPages, waitPages));
}

WalCheckpointer::WalCheckpointer(sqlite3 *writer, std::optional<SqliteConnection> own,
                                 int stepPages, int waitPages)
    : m_writer(writer)
    , m_own(std::move(own))
    , m_stepPages(stepPages)
    , m_waitPages(waitPages)
{
    m_thread = std::thread([this] { loop(); });
    sqlite3_wal_hook(m_writer, &WalCheckpointer::walHook, this);
}

WalCheckpointer::~WalCheckpointer()
{
    sqlite3_wal_hook(m_writer, nullptr, nullptr);
    {
        const std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_one();
    m_thread.join();
    qCDebug(lcLegacy) << "background WAL checkpoints:" << m_runs << "runs; the writer waited"
                      << m_waitedNs / 1000000 << "ms for them";
}

quint64 WalCheckpointer::completedRuns() const
{
    const std::lock_guard lock(m_mutex);
    return m_runs;
}

int WalCheckpointer::walHook(void *self, sqlite3 *, const char *, int walPages)
{
    static_cast<WalCheckpointer *>(self)->afterCommit(walPages);
    return SQLITE_OK;
}

// Runs on the writer's thread after each commit, with no transaction open.
void WalCheckpointer::afterCommit(int walPages)
{
    if (walPages < m_lastRequestPages)
        m_lastRequestPages = 0; // the WAL started over
    const bool mustWait = walPages >= m_waitPages;
    if (!mustWait && walPages - m_lastRequestPages < m_stepPages)
        return;
    m_lastRequestPages = walPages;
    std::unique_lock lock(m_mutex);
    const quint64 request = ++m_requested;
    m_wake.notify_one();
    if (mustWait) {
        QElapsedTimer waited;
        waited.start();
        m_finished.wait(lock, [&] { return m_done >= request; });
        m_waitedNs += waited.nsecsElapsed();
    }
}

void WalCheckpointer::loop()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [&] { return m_stop || m_requested > m_done; });
        if (m_stop)
            return;
        const quint64 request = m_requested;
        lock.unlock();
        // PASSIVE never waits: it copies what no reader still needs. SQLITE_BUSY (someone else,
        // say the node, is checkpointing) only means this run did less; the WAL stays correct.
        const int rc = sqlite3_wal_checkpoint_v2(m_own->handle(), "main", SQLITE_CHECKPOINT_PASSIVE,
                                                 nullptr, nullptr);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            qCWarning(lcLegacy) << "background WAL checkpoint failed:" << m_own->lastError();
        lock.lock();
        m_done = request;
        ++m_runs;
        m_finished.notify_all();
    }
}

} // namespace hivewatch
