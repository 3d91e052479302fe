#include "sync/store/LogStorePrivate.h"

#include "sync/sqlite/SqliteTransaction.h"

namespace hivewatch {

namespace {

Result<LogIndexProgress> readProgress(const SqliteConnection &db)
{
    LogIndexProgress p;
    const auto has = db.hasTable("log_fts_state");
    if (!has)
        return has.error();
    if (!has.value())
        return p; // a node's database: never indexed
    auto q = db.prepare("SELECT indexed_to, (SELECT coalesce(max(id), 0) FROM log_entries) "
                        "FROM log_fts_state WHERE id = 1");
    if (!q)
        return q.error();
    const auto row = q->step();
    if (!row)
        return row.error();
    p.available = row.value();
    if (p.available) {
        p.indexedTo = q->columnInt(0);
        p.backfillEnd = q->columnInt(1);
    }
    return p;
}

} // namespace

Result<LogIndexProgress> LogStore::indexProgress()
{
    return readProgress(d->connection);
}

Result<LogIndexProgress> LogStore::indexStep(int rows)
{
    if (d->readOnly)
        return Error(QStringLiteral("%1 is open read-only").arg(d->path));
    if (rows < 1)
        return Error(QStringLiteral("Invalid index chunk %1: it must be at least 1").arg(rows));
    // Behind this process's writers (the sync writer first), but not forever: a writer that
    // never pauses must not starve the index.
    auto transaction = SqliteTransaction::beginBehindWriters(d->connection, 1000);
    if (!transaction)
        return transaction.error();
    auto progress = readProgress(d->connection);
    if (!progress)
        return progress.error();
    LogIndexProgress p = progress.value();
    if (!p.available || p.ready())
        return p;
    // The writer appends above the mark (AUTOINCREMENT: ids are never reused), so the lines
    // between the mark and the newest id are exactly the unindexed ones.
    // The chunk's last id first, so the insert and the new mark cover exactly the same lines.
    auto last = d->connection.prepare(
        "SELECT max(id) FROM (SELECT id FROM log_entries WHERE id > ?1 AND id <= ?2 "
        "ORDER BY id LIMIT ?3)");
    if (!last)
        return last.error();
    last->bindInt(1, p.indexedTo).bindInt(2, p.backfillEnd).bindInt(3, rows);
    if (auto r = last->step(); !r)
        return r.error();
    const qint64 to = last->columnIsNull(0) ? p.backfillEnd : last->columnInt(0);
    last->reset();
    auto insert = d->connection.prepare(
        "INSERT INTO log_entries_fts (rowid, content) SELECT id, content FROM log_entries "
        "WHERE id > ?1 AND id <= ?2");
    if (!insert)
        return insert.error();
    insert->bindInt(1, p.indexedTo).bindInt(2, to);
    if (auto r = insert->run(); !r)
        return r.error();
    // The mark moves in the same transaction as the entries it vouches for: a crash keeps both
    // or neither.
    auto mark = d->connection.prepare("UPDATE log_fts_state SET indexed_to = ?1 WHERE id = 1");
    if (!mark)
        return mark.error();
    mark->bindInt(1, to);
    if (auto r = mark->run(); !r)
        return r.error();
    if (auto r = transaction->commit(); !r)
        return r.error();
    p.indexedTo = to;
    return p;
}

} // namespace hivewatch
