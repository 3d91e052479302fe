#pragma once

#include <QtGlobal>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

struct sqlite3;
#include "sync/sqlite/SqliteConnection.h"

namespace hivewatch {

// Copies a bulk writer's WAL back into the database on a second connection and thread. With
// SQLite's own auto-checkpoint the writer itself stopped after every 64 MiB of commits to read
// the WAL, write the database and wait for two fsyncs: a fifth of the migration's time, now spent
// on the other core. The writer only waits when the WAL has reached `waitPages`: the checkpoint
// then finishes with no transaction open, so the next transaction starts the WAL file over
// instead of growing it for the whole run. While it lives it replaces the writer connection's
// WAL hook (and so its auto-checkpoint); the owner restores that afterwards.
class WalCheckpointer
{
public:
    // Null when the second connection cannot be opened; the writer then checkpoints as before.
    static std::unique_ptr<WalCheckpointer> start(const SqliteConnection &writer, int stepPages,
                                                  int waitPages);
    ~WalCheckpointer();

    WalCheckpointer(const WalCheckpointer &) = delete;
    WalCheckpointer &operator=(const WalCheckpointer &) = delete;

    // Checkpoint runs that completed, for tests.
    quint64 completedRuns() const;

private:
    WalCheckpointer(sqlite3 *writer, std::optional<SqliteConnection> own, int stepPages,
                    int waitPages);
    static int walHook(void *self, sqlite3 *db, const char *name, int walPages);
    void afterCommit(int walPages);
    void loop();

    sqlite3 *m_writer;
    std::optional<SqliteConnection> m_own;
    const int m_stepPages;
    const int m_waitPages;
    int m_lastRequestPages = 0; // writer thread only
    qint64 m_waitedNs = 0; // writer thread only

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_finished;
    quint64 m_requested = 0;
    quint64 m_done = 0;
    quint64 m_runs = 0;
    bool m_stop = false;
    std::thread m_thread;
};

} // namespace hivewatch
