#include "sync/store/LogStorePrivate.h"

#include "domain/LogTable.h"
#include "sync/sqlite/SqliteTransaction.h"
#include "sync/store/LogLineMatcher.h"

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
    // A version-5 store opened read-only has no run map: its counts join every hit.
    const auto mapped = db.hasTable("log_id_runs");
    if (!mapped)
        return mapped.error();
    auto q = db.prepare(mapped.value()
                            ? "SELECT indexed_to, (SELECT coalesce(max(id), 0) FROM log_entries), "
                              "min(mapped_to, indexed_to) FROM log_fts_state WHERE id = 1"
                            : "SELECT indexed_to, (SELECT coalesce(max(id), 0) FROM log_entries), "
                              "0 FROM log_fts_state WHERE id = 1");
    if (!q)
        return q.error();
    const auto row = q->step();
    if (!row)
        return row.error();
    p.available = row.value();
    if (p.available) {
        p.indexedTo = q->columnInt(0);
        p.backfillEnd = q->columnInt(1);
        p.mappedTo = q->columnInt(2);
    }
    return p;
}

// Extends the id -> execution run map over the lines (from, to], inside the caller's
// transaction, and moves mapped_to to `to`. Whatever the map held above `from` (left by a
// line changed since, which lowered the mark) is cut off first.
// The last id of the next chunk of at most `rows` lines above `from` (up to `upTo`): the index
// and the run map each cover exactly the lines up to it in one transaction.
Result<qint64> chunkEnd(const SqliteConnection &db, qint64 from, qint64 upTo, int rows)
{
    auto last = db.prepare("SELECT max(id) FROM (SELECT id FROM log_entries WHERE id > ?1 AND "
                           "id <= ?2 ORDER BY id LIMIT ?3)");
    if (!last)
        return last.error();
    last->bindInt(1, from).bindInt(2, upTo).bindInt(3, rows);
    if (auto r = last->step(); !r)
        return r.error();
    return last->columnIsNull(0) ? upTo : last->columnInt(0);
}

Result<void> mapRuns(const SqliteConnection &db, qint64 from, qint64 to)
{
    auto cut = db.prepare("DELETE FROM log_id_runs WHERE first_id > ?1");
    auto trim = db.prepare("UPDATE log_id_runs SET last_id = ?1 WHERE first_id = (SELECT "
                           "max(first_id) FROM log_id_runs) AND last_id > ?1");
    auto lastRun = db.prepare("SELECT first_id, last_id, execution_id, ascii FROM log_id_runs "
                              "ORDER BY first_id DESC LIMIT 1");
    auto lines = db.prepare("SELECT id, execution_id, content FROM log_entries WHERE id > ?1 "
                            "AND id <= ?2 ORDER BY id");
    auto extend = db.prepare("UPDATE log_id_runs SET last_id = ?2 WHERE first_id = ?1");
    auto add = db.prepare(
        "INSERT INTO log_id_runs (first_id, last_id, execution_id, ascii) VALUES (?1, ?2, ?3, ?4)");
    auto mark = db.prepare("UPDATE log_fts_state SET mapped_to = ?1 WHERE id = 1");
    for (auto *q : {&cut, &trim, &lastRun, &lines, &extend, &add, &mark}) {
        if (!*q)
            return q->error();
    }
    if (auto r = cut->bindInt(1, from).run(); !r)
        return r.error();
    if (auto r = trim->bindInt(1, from).run(); !r)
        return r.error();
    struct Run
    {
        qint64 first = 0;
        qint64 last = 0;
        QByteArray execution;
        bool ascii = true;
        bool stored = false;
    } run;
    const auto row = lastRun->step();
    if (!row)
        return row.error();
    if (row.value())
        run = Run {lastRun->columnInt(0), lastRun->columnInt(1), lastRun->columnByteArray(2),
                   lastRun->columnInt(3) != 0, true};
    lastRun->reset();
    const auto flush = [&]() -> Result<void> {
        if (run.first == 0)
            return {};
        SqliteStatement &q = run.stored ? *extend : *add;
        q.bindInt(1, run.first).bindInt(2, run.last);
        if (!run.stored)
            q.bindBlob(3, run.execution).bindInt(4, run.ascii ? 1 : 0);
        return q.run();
    };
    lines->bindInt(1, from).bindInt(2, to);
    for (;;) {
        const auto next = lines->step();
        if (!next)
            return next.error();
        if (!next.value())
            break;
        const qint64 id = lines->columnInt(0);
        const std::string_view execution = lines->columnBytes(1);
        const bool ascii = LogLineMatcher::isAscii(lines->columnBytes(2));
        // Ids between the run's last line and this one do not exist (AUTOINCREMENT appends
        // above every id ever used), so the run goes on when the execution and the kind do.
        if (run.first != 0 && ascii == run.ascii
            && execution == std::string_view(run.execution.constData(), run.execution.size())) {
            run.last = id;
            continue;
        }
        if (auto r = flush(); !r)
            return r;
        run = Run {id, id, QByteArray(execution.data(), qsizetype(execution.size())), ascii, false};
    }
    if (auto r = flush(); !r)
        return r;
    return mark->bindInt(1, to).run();
}

// Adds at most `rows` lines above the counts' mark, none above `newest`, to the lines per minute
// (store version 7), inside the caller's transaction, and moves the mark past them. Ids above
// the newest are never given to older lines (AUTOINCREMENT), so what lies below the mark stays
// counted; a store migrated with lines was counted by the migration.
Result<void> countMinutes(const SqliteConnection &db, qint64 newest, qint64 rows)
{
    static const QByteArray sql = "INSERT INTO log_minute_counts (minute, lines, stderr_lines) "
                                  "SELECT substr(timestamp, 1, 16), count(*), sum(output_type = "
        + LogTable::stderrSqlLiteral().toLatin1()
        + ") FROM log_entries, log_fts_state s WHERE s.id = 1 AND log_entries.id > s.counted_to "
          "AND log_entries.id <= min(?1, s.counted_to + ?2) GROUP BY 1 "
          "ON CONFLICT (minute) DO UPDATE SET lines = lines + excluded.lines, "
          "stderr_lines = stderr_lines + excluded.stderr_lines";
    auto add = db.prepare(sql.constData());
    auto mark = db.prepare("UPDATE log_fts_state SET counted_to = min(?1, counted_to + ?2) "
                           "WHERE id = 1 AND counted_to < ?1");
    if (!add)
        return add.error();
    if (!mark)
        return mark.error();
    if (auto r = add->bindInt(1, newest).bindInt(2, rows).run(); !r)
        return r;
    return mark->bindInt(1, newest).bindInt(2, rows).run();
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
    if (!p.available)
        return p;
    // The lines per minute (the Overview's log-rate chart) run ahead of the index: counting is
    // a small part of indexing, and the chart reads every line the counts have not reached.
    if (auto r = countMinutes(d->connection, p.backfillEnd, qint64(rows) * 10); !r)
        return r.error();
    if (p.ready()) {
        if (auto r = transaction->commit(); !r)
            return r.error();
        return p;
    }
    if (p.mappedTo < p.indexedTo) {
        // The map catches up with the index first (a version-5 store, or a line changed below
        // the mark), a chunk at a time like the index.
        auto end = chunkEnd(d->connection, p.mappedTo, p.indexedTo, rows);
        if (!end)
            return end.error();
        const qint64 to = end.value();
        if (auto r = mapRuns(d->connection, p.mappedTo, to); !r)
            return r.error();
        if (auto r = transaction->commit(); !r)
            return r.error();
        p.mappedTo = to;
        return p;
    }
    // The writer appends above the mark (AUTOINCREMENT: ids are never reused), so the lines
    // between the mark and the newest id are exactly the unindexed ones.
    // The chunk's last id first, so the insert and the new mark cover exactly the same lines.
    auto end = chunkEnd(d->connection, p.indexedTo, p.backfillEnd, rows);
    if (!end)
        return end.error();
    const qint64 to = end.value();
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
    // The run map follows in the same transaction: the count's fast path needs both.
    if (auto r = mapRuns(d->connection, p.indexedTo, to); !r)
        return r.error();
    if (auto r = transaction->commit(); !r)
        return r.error();
    p.indexedTo = to;
    p.mappedTo = to;
    return p;
}

} // namespace hivewatch
