#include "sync/store/LogHitCounter.h"

#include "sync/sqlite/SqliteCancelCheck.h"
#include "sync/sqlite/SqliteConnection.h"
#include "sync/store/LogLineMatcher.h"

#include <QHash>

#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <thread>

#include <algorithm>

namespace hivewatch {

namespace {

// The same positions for counting: SQLite reads every selected column of every row.
const char kCountColumns[] = "l.id, l.execution_id, NULL, l.content, NULL";
const char kCountStreamColumns[] = "l.id, l.execution_id, l.output_type, l.content, NULL";

// A count's fast part over at least this many ids is split in two halves counted at once.
constexpr qint64 kSplitIds = 200000;

// Hits counted per execution, kept in order of each execution's first hit. Lines of one
// execution come in runs: a hash lookup only where a run changes.
class HitTally
{
public:
    void add(std::string_view execution, qint64 id)
    {
        if (m_last < 0
            || std::string_view(m_lastExec.constData(), size_t(m_lastExec.size())) != execution) {
            m_lastExec = QByteArray(execution.data(), qsizetype(execution.size()));
            const QUuid exec = QUuid::fromRfc4122(m_lastExec);
            auto it = m_slot.find(exec);
            if (it == m_slot.end()) {
                it = m_slot.insert(exec, m_counts.size());
                m_counts.append(LogHitCount {exec, 0, id});
            }
            m_last = *it;
        }
        ++m_counts[m_last].hits;
    }
    // Another tally of later ids: its executions come after this one's.
    void append(const QList<LogHitCount> &later)
    {
        for (const LogHitCount &n : later) {
            auto it = m_slot.find(n.executionId);
            if (it == m_slot.end()) {
                m_slot.insert(n.executionId, m_counts.size());
                m_counts.append(n);
            } else {
                m_counts[*it].hits += n.hits;
            }
        }
        m_last = -1;
    }
    QList<LogHitCount> take() { return std::move(m_counts); }

private:
    QList<LogHitCount> m_counts;
    QHash<QUuid, qsizetype> m_slot;
    QByteArray m_lastExec;
    qsizetype m_last = -1;
};

// Walks log_id_runs (store version 6) forward to the run holding an id: a few steps while the
// ids come close together, a seek where they jump (a rare token, or one execution's hits).
class RunCursor
{
public:
    static Result<RunCursor> open(const SqliteConnection &db)
    {
        RunCursor c;
        auto walk = db.prepare("SELECT first_id, last_id, execution_id, ascii FROM log_id_runs "
                               "WHERE first_id >= ?1 ORDER BY first_id");
        if (!walk)
            return walk.error();
        auto seek
            = db.prepare("SELECT coalesce(max(first_id), 0) FROM log_id_runs WHERE first_id <= ?1");
        if (!seek)
            return seek.error();
        c.m_walk = std::move(walk).value();
        c.m_seek = std::move(seek).value();
        return c;
    }

    // false: no run holds `id` (ids must not go down between calls).
    Result<bool> moveTo(qint64 id)
    {
        bool sought = false;
        for (int steps = 0;; ++steps) {
            if (m_valid && id <= m_last)
                return id >= m_first;
            if (!sought && (!m_started || !m_valid || steps >= 8)) {
                m_seek.bindInt(1, id);
                if (auto r = m_seek.step(); !r)
                    return r.error();
                const qint64 from = m_seek.columnInt(0);
                m_seek.reset();
                m_walk.reset();
                m_walk.bindInt(1, from);
                m_started = true;
                sought = true;
            }
            const auto row = m_walk.step();
            if (!row)
                return row.error();
            m_valid = row.value();
            if (!m_valid)
                return false;
            m_first = m_walk.columnInt(0);
            m_last = m_walk.columnInt(1);
        }
    }
    std::string_view execution() const { return m_walk.columnBytes(2); }
    bool ascii() const { return m_walk.columnInt(3) != 0; }

private:
    SqliteStatement m_walk;
    SqliteStatement m_seek;
    bool m_started = false;
    bool m_valid = false;
    qint64 m_first = 0;
    qint64 m_last = 0;
};

// The count's fast part (ids up to c.fastTo): the index's hits alone, no join to their lines;
// each is given its execution by the run map, and only a hit in a run that is not all ASCII is
// read and rechecked (there Qt's case folding and FTS5's can differ).
// Only the hits with from < id <= to.
Result<void> countFromRuns(const SqliteConnection &db, const LogSearchQuery &query,
                           const LogSearchCandidates &c, const LogLineMatcher &matcher, qint64 from,
                           qint64 to, HitTally &tally)
{
    QString sql = QStringLiteral("SELECT rowid FROM log_entries_fts WHERE log_entries_fts MATCH "
                                 "?1 AND rowid <= ?2 AND rowid > ?3");
    if (query.beforeId > 0)
        sql += QStringLiteral(" AND rowid < ?4");
    sql += QStringLiteral(" ORDER BY rowid");
    auto hits = db.prepare(sql.toStdString());
    if (!hits)
        return hits.error();
    auto line = db.prepare("SELECT execution_id, content FROM log_entries WHERE id = ?1");
    if (!line)
        return line.error();
    auto runs = RunCursor::open(db);
    if (!runs)
        return runs.error();
    hits->bindText(1, c.indexText).bindInt(2, to).bindInt(3, std::max(from, query.afterId));
    if (query.beforeId > 0)
        hits->bindInt(4, query.beforeId);
    const QByteArray wanted = query.executionId ? query.executionId->toRfc4122() : QByteArray();
    const std::string_view only(wanted.constData(), size_t(wanted.size()));
    for (;;) {
        const auto row = hits->step();
        if (!row)
            return row.error();
        if (!row.value())
            break;
        const qint64 id = hits->columnInt(0);
        const auto held = runs->moveTo(id);
        if (!held)
            return held.error();
        if (held.value() && runs->ascii()) {
            if (only.empty() || runs->execution() == only)
                tally.add(runs->execution(), id);
            continue;
        }
        line->bindInt(1, id);
        const auto found = line->step();
        if (!found)
            return found.error();
        if (found.value() && (only.empty() || line->columnBytes(0) == only)
            && matcher.matchesUtf8(line->columnBytes(1)))
            tally.add(line->columnBytes(0), id);
        line->reset();
    }
    return {};
}

// The ids above the count's fast part: each hit joined to its line (the index up to the mark),
// then the unindexed tail scanned.
Result<void> countRest(const SqliteConnection &db, const LogSearchQuery &query,
                       const LogSearchCandidates &c, const LogLineMatcher &matcher, HitTally &tally)
{
    const QByteArray execution = query.executionId ? query.executionId->toRfc4122() : QByteArray();
    for (const QString *sql : {&c.indexSql, &c.scanSql}) {
        if (sql->isEmpty())
            continue;
        const bool byStream = !query.streams.outputTypes.isEmpty();
        auto q
            = db.prepare(QString(*sql)
                             .replace(QLatin1String(LogSearchCandidates::kColumns),
                                      QLatin1String(byStream ? kCountStreamColumns : kCountColumns))
                             .toStdString());
        if (!q)
            return q.error();
        const bool fromIndex = sql == &c.indexSql;
        c.bind(*q, query, fromIndex, execution);
        const bool textKnown = fromIndex && matcher.indexAnswersText();
        for (;;) {
            const auto row = q->step();
            if (!row)
                return row.error();
            if (!row.value())
                break;
            if (!matcher.matchesUtf8(q->columnBytes(3), textKnown)
                || (byStream && !inStreams(query.streams, q->columnText(2))))
                continue;
            tally.add(q->columnBytes(1), q->columnInt(0));
        }
    }
    return {};
}

// The upper half of a count's fast part, on a read-only connection and thread of its own.
class CountHalf
{
public:
    CountHalf(const QString &path, const LogSearchQuery &query, const LogSearchCandidates &c,
              const LogLineMatcher &matcher, qint64 from)
        : m_path(path)
        , m_query(query)
        , m_candidates(c)
        , m_matcher(matcher)
        , m_from(from)
        , m_done(m_promise.get_future())
    {
        m_thread = std::thread([this] { run(); });
    }
    ~CountHalf() { cancel(); }
    CountHalf(const CountHalf &) = delete;
    CountHalf &operator=(const CountHalf &) = delete;

    void cancel()
    {
        m_stop.store(true);
        if (m_thread.joinable())
            m_thread.join();
    }

    // Waits for the half's counts, and stays cancellable meanwhile: `db` (the caller's
    // connection, kept busy by the caller's guard statement so an interrupt() is not forgotten)
    // runs a short statement every 2 ms, which fails once it is interrupted or its progress
    // handler (SQLite counts the steps across runs) says the search is stale.
    Result<QList<LogHitCount>> wait(const SqliteConnection &db)
    {
        auto watch = db.prepare("WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r "
                                "WHERE i < 100) SELECT count(*) FROM r");
        if (!watch) {
            cancel();
            return watch.error();
        }
        while (m_done.wait_for(std::chrono::milliseconds(2)) != std::future_status::ready) {
            if (auto r = watch->step(); !r) {
                cancel();
                return r.error();
            }
            watch->reset();
        }
        m_thread.join();
        return m_done.get();
    }

private:
    void run()
    {
        auto db = SqliteConnection::open(m_path, SqliteConnection::Mode::ReadOnly);
        if (!db) {
            m_promise.set_value(db.error());
            return;
        }
        const SqliteCancelCheck check(
            db.value(), [this] { return m_stop.load(); }, 1000);
        HitTally tally;
        if (auto r = countFromRuns(db.value(), m_query, m_candidates, m_matcher, m_from,
                                   m_candidates.fastTo, tally);
            !r)
            m_promise.set_value(r.error());
        else
            m_promise.set_value(tally.take());
    }

    QString m_path;
    LogSearchQuery m_query;
    LogSearchCandidates m_candidates;
    LogLineMatcher m_matcher;
    qint64 m_from;
    std::atomic<bool> m_stop {false};
    std::promise<Result<QList<LogHitCount>>> m_promise;
    std::future<Result<QList<LogHitCount>>> m_done;
    std::thread m_thread;
};

} // namespace

Result<QList<LogHitCount>> LogHitCounter::count(const SqliteConnection &db,
                                                const LogSearchQuery &query, LogSearchCandidates c,
                                                const LogLineMatcher &matcher)
{
    HitTally tally;
    HitTally later; // the ids above the fast part, counted while the upper half runs
    std::optional<CountHalf> upper;
    // Kept stepped (a row held) while the halves run: the connection stays busy, so an
    // interrupt() that comes while no other statement runs on it is not forgotten.
    auto guard = db.prepare("SELECT 1 UNION ALL SELECT 2");
    if (!guard)
        return guard.error();
    if (auto r = guard->step(); !r)
        return r.error();
    if (c.fastTo > 0) {
        // The fast part is the bulk of a count over a big store: its upper half runs on a
        // connection and thread of its own (the second core; the counts must be out in 500 ms).
        qint64 split = c.fastTo;
        if (c.fastTo - query.afterId >= kSplitIds) {
            split = query.afterId + (c.fastTo - query.afterId) / 2;
            upper.emplace(db.path(), query, c, matcher, split);
        }
        if (auto r = countFromRuns(db, query, c, matcher, 0, split, tally); !r) {
            if (upper)
                upper->cancel();
            return r.error();
        }
        c.indexFrom = c.fastTo;
    }
    if (auto r = countRest(db, query, c, matcher, later); !r) {
        if (upper)
            upper->cancel();
        return r.error();
    }
    if (upper) {
        auto counts = upper->wait(db);
        if (!counts)
            return counts.error();
        tally.append(counts.value());
    }
    tally.append(later.take());
    return tally.take();
}

} // namespace hivewatch
