#include "sync/hive/HistoryPruner.h"

#include "sync/sqlite/SqliteConnection.h"
#include "sync/sqlite/SqliteStatement.h"

#include <QDateTime>
#include <QThread>

namespace hivewatch {

HistoryPruner::HistoryPruner(QString storePath)
    : m_storePath(std::move(storePath))
    , m_thread(QStringLiteral("history-pruner"))
{
    m_thread.start();
}

HistoryPruner::~HistoryPruner()
{
    m_stopping = true;
    m_thread.shutdown();
}

qint64 HistoryPruner::cutoffForDays(int days)
{
    return QDateTime::currentMSecsSinceEpoch() - qint64(days) * 24 * 3600 * 1000;
}

Result<qint64> HistoryPruner::prune(qint64 olderThanMs, int chunkRows)
{
    auto opened = SqliteConnection::open(m_storePath, SqliteConnection::Mode::ReadWrite);
    if (!opened)
        return opened.error();
    SqliteConnection db = std::move(opened).value();
    auto has = db.hasTable("history");
    if (!has)
        return has.error();
    if (!has.value())
        return qint64(0);
    // The sync's store checkpoints the WAL on its own thread; a checkpoint of this connection at
    // every chunk's commit would contend with it for nothing.
    if (auto set = db.exec("PRAGMA wal_autocheckpoint = 0"); !set)
        return set.error();
    // By rowid, oldest first: each chunk is one short write transaction (autocommit), found
    // through the (tbl, at_ms) index's neighbour, the rowid order (changes are recorded in time
    // order).
    auto chunk = db.prepare(R"(DELETE FROM history WHERE id IN (
                                   SELECT id FROM history WHERE at_ms < ? ORDER BY id LIMIT ?))");
    if (!chunk)
        return db.error(QStringLiteral("the local store could not prune its history"));
    qint64 deleted = 0;
    while (!m_stopping) {
        chunk->bindInt(1, olderThanMs).bindInt(2, std::max(1, chunkRows));
        if (!chunk->run())
            return db.error(QStringLiteral("the local store could not prune its history"));
        const qint64 n = db.changes();
        deleted += n;
        if (n < chunkRows)
            break;
        // Lets the sync's writer take the lock between chunks.
        QThread::yieldCurrentThread();
    }
    return deleted;
}

void HistoryPruner::pruneInBackground(qint64 olderThanMs,
                                      std::function<void(const Result<qint64> &)> done,
                                      int chunkRows)
{
    m_thread.post([this, olderThanMs, done = std::move(done), chunkRows] {
        const Result<qint64> result = prune(olderThanMs, chunkRows);
        if (done)
            done(result);
    });
}

} // namespace hivewatch
