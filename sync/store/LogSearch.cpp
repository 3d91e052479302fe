#include "sync/store/LogSearch.h"

#include "sync/sqlite/SqliteCancelCheck.h"
#include "sync/sqlite/SqliteConnection.h"
#include "sync/store/LogLineMatcher.h"
#include "sync/store/LogSearchCountCache.h"

#include <QHash>
#include <QMap>
#include <QRegularExpression>
#include <QSaveFile>
#include <QTextStream>

#include <atomic>
#include <chrono>
#include <deque>
#include <future>
#include <thread>

#include <algorithm>
#include <limits>

namespace hivewatch {

namespace {

const char kColumns[] = "l.id, l.execution_id, l.output_type, l.content, l.timestamp";
// The same positions for counting: SQLite reads every selected column of every row.
const char kCountColumns[] = "l.id, l.execution_id, NULL, l.content, NULL";
const char kCountStreamColumns[] = "l.id, l.execution_id, l.output_type, l.content, NULL";

// An unindexed tail up to this long is the builder's normal lag, not worth a note.
constexpr qint64 kQuietTail = 50000;

// A count's fast part over at least this many ids is split in two halves counted at once.
constexpr qint64 kSplitIds = 200000;

// Lines before a time jump's boundary read to find timestamps out of line order.
constexpr qint64 kJumpWindow = 1024;

LogEntry rowFrom(const SqliteStatement &q)
{
    LogEntry e;
    e.id = q.columnInt(0);
    e.executionId = QUuid::fromRfc4122(q.columnByteArray(1));
    e.outputType = q.columnText(2);
    e.content = q.columnText(3);
    e.timestamp = q.columnText(4);
    return e;
}

bool isAscii(const QString &s)
{
    for (QChar c : s) {
        if (c.unicode() >= 0x80)
            return false;
    }
    return true;
}

QString likePattern(QString text)
{
    text.replace(u'\\', QStringLiteral("\\\\"))
        .replace(u'%', QStringLiteral("\\%"))
        .replace(u'_', QStringLiteral("\\_"));
    return u'%' + text + u'%';
}

// Candidates in id order, in one or two statements: the trigram index answers the ids up to its
// mark when the query has a literal of at least three characters (the shortest trigram); the
// lines above the mark (the tail the builder has not reached, normally a few thousand) and every
// query the index cannot answer are scanned, narrowed by SQL where SQL can say it exactly enough
// (instr is exact; LIKE folds ASCII only, so only ASCII terms). The mark is bound, not read in
// the statements, so the two parts cover every id exactly once even while the builder moves it.
struct Candidates
{
    QString indexSql; // empty: no index part
    QString scanSql;
    QString indexText; // ?1 of indexSql
    QString scanText; // ?1 of scanSql, when it uses it
    qint64 mark = 0; // ?3 of both
    qint64 indexFrom = 0; // ?6 of indexSql: its ids start above it (the count's fast part below)
    // The count's fast part: ids up to here are counted from the index and the run map alone
    // (0: none). Only where an index hit is a hit on an ASCII line: a case-insensitive ASCII
    // text, no exclude terms, every stream.
    qint64 fastTo = 0;
};

Candidates candidates(const LogSearchQuery &query, const LogIndexProgress &index,
                      const LogLineMatcher &matcher)
{
    Candidates c;
    const QString execution
        = query.executionId ? QStringLiteral(" AND l.execution_id = ?2") : QString();
    // An id range (a page of hits), on the index's rowid where the index answers.
    QString range;
    if (query.afterId > 0)
        range += QStringLiteral(" AND %1 > ?4");
    if (query.beforeId > 0)
        range += QStringLiteral(" AND %1 < ?5");
    if (index.available && index.indexedTo > 0 && !query.regex && query.text.toUcs4().size() >= 3) {
        c.mark = index.indexedTo;
        c.indexText = u'"' + QString(query.text).replace(u'"', QStringLiteral("\"\"")) + u'"';
        c.indexSql
            = QStringLiteral("SELECT %1 FROM log_entries_fts f JOIN log_entries l ON l.id = "
                             "f.rowid WHERE log_entries_fts MATCH ?1 AND f.rowid <= ?3 AND "
                             "f.rowid > ?6%2 ORDER BY f.rowid")
                  .arg(QLatin1String(kColumns),
                       execution
                           + QString(range).replace(QLatin1String("%1"), QLatin1String("f.rowid")));
        if (matcher.indexAnswersText() && matcher.textOnly() && query.streams.outputTypes.isEmpty())
            c.fastTo = std::min(index.mappedTo, c.mark);
    }
    QString where = QStringLiteral("l.id > ?3");
    if (!query.regex && !query.text.isEmpty()) {
        if (query.caseSensitive) {
            where += QStringLiteral(" AND instr(l.content, ?1) > 0");
            c.scanText = query.text;
        } else if (isAscii(query.text)) {
            // LIKE folds ASCII alone; the Kelvin sign and the long s fold to k and s (Qt and
            // FTS5 alike), so lines holding them stay candidates for a text with a k or an s.
            const QString lower = query.text.toLower();
            QString folded;
            if (lower.contains(u'k'))
                folded += QStringLiteral(" OR instr(l.content, char(8490)) > 0");
            if (lower.contains(u's'))
                folded += QStringLiteral(" OR instr(l.content, char(383)) > 0");
            where += folded.isEmpty()
                ? QStringLiteral(" AND l.content LIKE ?1 ESCAPE '\\'")
                : QStringLiteral(" AND (l.content LIKE ?1 ESCAPE '\\'%1)").arg(folded);
            c.scanText = likePattern(query.text);
        }
    }
    c.scanSql
        = QStringLiteral("SELECT %1 FROM log_entries l WHERE %2%3 ORDER BY l.id")
              .arg(QLatin1String(kColumns), where,
                   execution + QString(range).replace(QLatin1String("%1"), QLatin1String("l.id")));
    return c;
}

// The parameters of one of the candidates' statements: ?1 its text, ?2 the execution, ?3 the
// index's mark, ?4 and ?5 the id range. `execution` must outlive the statement's run.
void bindCandidates(SqliteStatement &q, const LogSearchQuery &query, const Candidates &c,
                    bool fromIndex, const QByteArray &execution)
{
    const QString &text = fromIndex ? c.indexText : c.scanText;
    if (!text.isNull())
        q.bindText(1, text);
    if (query.executionId)
        q.bindBlob(2, execution);
    q.bindInt(3, c.mark);
    if (fromIndex)
        q.bindInt(6, c.indexFrom);
    if (query.afterId > 0)
        q.bindInt(4, query.afterId);
    if (query.beforeId > 0)
        q.bindInt(5, query.beforeId);
}

// " AND output_type [NOT] IN (?n, …)" for a stream filter, its values bound from `first` on.
QString streamSql(const LogFilter &streams, int first)
{
    if (streams.outputTypes.isEmpty())
        return {};
    QStringList marks;
    for (int i = 0; i < streams.outputTypes.size(); ++i)
        marks << QStringLiteral("?%1").arg(first + i);
    return (streams.excludeOutputTypes ? QStringLiteral(" AND output_type NOT IN (")
                                       : QStringLiteral(" AND output_type IN ("))
        + marks.join(u',') + u')';
}

void bindStreams(SqliteStatement &q, const LogFilter &streams, int first)
{
    for (int i = 0; i < streams.outputTypes.size(); ++i)
        q.bindText(first + i, streams.outputTypes.at(i));
}

bool inStreams(const LogFilter &streams, const QString &outputType)
{
    return streams.outputTypes.isEmpty()
        || streams.outputTypes.contains(outputType) != streams.excludeOutputTypes;
}

QString countKey(const LogSearchQuery &query)
{
    QStringList exclude = query.exclude;
    exclude.removeAll(QString());
    return QStringList {query.executionId ? query.executionId->toString() : QString(),
                        QString::number(query.regex),
                        QString::number(query.caseSensitive),
                        query.text,
                        exclude.join(QChar(1)),
                        QString::number(query.streams.excludeOutputTypes),
                        query.streams.outputTypes.join(QChar(1)),
                        QString::number(query.afterId),
                        QString::number(query.beforeId)}
        .join(QChar(0));
}

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
                           const Candidates &c, const LogLineMatcher &matcher, qint64 from,
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
Result<void> countRest(const SqliteConnection &db, const LogSearchQuery &query, const Candidates &c,
                       const LogLineMatcher &matcher, HitTally &tally)
{
    const QByteArray execution = query.executionId ? query.executionId->toRfc4122() : QByteArray();
    for (const QString *sql : {&c.indexSql, &c.scanSql}) {
        if (sql->isEmpty())
            continue;
        const bool byStream = !query.streams.outputTypes.isEmpty();
        auto q
            = db.prepare(QString(*sql)
                             .replace(QLatin1String(kColumns),
                                      QLatin1String(byStream ? kCountStreamColumns : kCountColumns))
                             .toStdString());
        if (!q)
            return q.error();
        const bool fromIndex = sql == &c.indexSql;
        bindCandidates(*q, query, c, fromIndex, execution);
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
    CountHalf(const QString &path, const LogSearchQuery &query, const Candidates &c,
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
    Candidates m_candidates;
    LogLineMatcher m_matcher;
    qint64 m_from;
    std::atomic<bool> m_stop {false};
    std::promise<Result<QList<LogHitCount>>> m_promise;
    std::future<Result<QList<LogHitCount>>> m_done;
    std::thread m_thread;
};

// Every hit counted per execution in one pass over the candidates, on the stored bytes: no
// QString, no LogEntry per hit, and no recheck of the text for an index hit on an ASCII line
// when the trigram phrase is exactly the query (LogLineMatcher::indexAnswersText()); up to
// c.fastTo not even the line is read (countFromRuns).
Result<QList<LogHitCount>> countHits(const SqliteConnection &db, const LogSearchQuery &query,
                                     Candidates c, const LogLineMatcher &matcher)
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

} // namespace

LogSearch::LogSearch(LogStore &store)
    : m_store(store)
{
}

Result<LogSearchResult> LogSearch::search(const LogSearchQuery &query)
{
    const auto matcher = LogLineMatcher::make(query);
    if (!matcher)
        return matcher.error();
    const auto index = m_store.indexProgress();
    if (!index)
        return index.error();
    const Candidates c = candidates(query, index.value(), matcher.value());
    const SqliteConnection &db = m_store.connection();
    const QByteArray execution = query.executionId ? query.executionId->toRfc4122() : QByteArray();

    LogSearchResult result;
    result.usedIndex = !c.indexSql.isEmpty();
    if (!index->available)
        result.note = m_store.isNodeDatabase()
            ? QStringLiteral("no full-text index (a node's database): lines scanned")
            : QStringLiteral("no full-text index yet (open the store read-write once to "
                             "migrate it): lines scanned");
    else if (index->tail() > kQuietTail)
        result.note = QStringLiteral("index building, %1%: %2 newest lines scanned")
                          .arg(index->percent())
                          .arg(index->tail());

    // A first page with full counts: the page stops reading at maxLines, and the counts come
    // from one tight pass (or the store's cache), so the page does not wait for every hit's line.
    const bool countApart = query.fullCounts && query.maxLines > 0;
    QHash<QUuid, int> groupOf;
    qint64 materialized = 0;
    bool stopped = false;
    for (const QString *sql : {&c.indexSql, &c.scanSql}) {
        if (sql->isEmpty() || stopped)
            continue;
        auto q = db.prepare(sql->toStdString());
        if (!q)
            return q.error();
        bindCandidates(*q, query, c, sql == &c.indexSql, execution);
        for (;;) {
            const auto row = q->step();
            if (!row)
                return row.error();
            if (!row.value())
                break;
            if (!matcher->matchesUtf8(q->columnBytes(3),
                                      sql == &c.indexSql && matcher->indexAnswersText())
                || (!query.streams.outputTypes.isEmpty()
                    && !inStreams(query.streams, q->columnText(2))))
                continue;
            const QUuid exec = QUuid::fromRfc4122(q->columnByteArray(1));
            auto it = groupOf.find(exec);
            if (it == groupOf.end()) {
                it = groupOf.insert(exec, int(result.groups.size()));
                result.groups.append(LogSearchGroup {exec, 0, {}});
            }
            LogSearchGroup &group = result.groups[*it];
            ++group.hits;
            ++result.totalHits;
            if (query.maxLines > 0 && materialized >= query.maxLines) {
                if (!query.fullCounts || countApart) {
                    // The first page is all that was asked for: the rest is not read.
                    result.countsComplete = false;
                    stopped = true;
                    break;
                }
                continue;
            }
            ++materialized;
            group.lines.append(LogSearchLine {rowFrom(*q), 0, true});
        }
        q->reset();
    }
    if (countApart && stopped) {
        LogSearchCountCache &cache = m_store.searchCounts();
        if (auto v = cache.validate(db); !v)
            return v.error();
        const QString key = countKey(query);
        const QList<LogHitCount> *counts = cache.find(key);
        if (!counts) {
            auto fresh = countHits(db, query, c, matcher.value());
            if (!fresh)
                return fresh.error();
            cache.insert(key, std::move(fresh.value()));
            counts = cache.find(key);
        }
        result.totalHits = 0;
        result.countsComplete = true;
        QHash<QUuid, qint64> firstId;
        for (const LogHitCount &n : *counts) {
            auto it = groupOf.find(n.executionId);
            if (it == groupOf.end()) {
                it = groupOf.insert(n.executionId, int(result.groups.size()));
                result.groups.append(LogSearchGroup {n.executionId, 0, {}});
            }
            result.groups[*it].hits = n.hits;
            result.totalHits += n.hits;
            firstId.insert(n.executionId, n.firstId);
        }
        std::stable_sort(result.groups.begin(), result.groups.end(),
                         [&firstId](const LogSearchGroup &a, const LogSearchGroup &b) {
                             return firstId.value(a.executionId) < firstId.value(b.executionId);
                         });
    }

    // Line numbers counted forward from hit to hit: one pass over each execution's id index.
    auto between
        = db.prepare("SELECT count(*) FROM log_entries WHERE execution_id = ?1 AND id > ?2 "
                     "AND id <= ?3");
    if (!between)
        return between.error();
    for (LogSearchGroup &group : result.groups) {
        const QByteArray exec = group.executionId.toRfc4122();
        qint64 lastId = 0;
        qint64 lastLine = 0;
        for (LogSearchLine &line : group.lines) {
            between->bindBlob(1, exec).bindInt(2, lastId).bindInt(3, line.entry.id);
            if (auto r = between->step(); !r)
                return r.error();
            lastLine += between->columnInt(0);
            between->reset();
            lastId = line.entry.id;
            line.lineNumber = lastLine;
        }
    }
    if (query.context <= 0)
        return result;

    auto before
        = db.prepare(QStringLiteral("SELECT %1 FROM log_entries l WHERE l.execution_id = ?1 "
                                    "AND l.id < ?2 ORDER BY l.id DESC LIMIT ?3")
                         .arg(QLatin1String(kColumns))
                         .toStdString());
    auto after = db.prepare(QStringLiteral("SELECT %1 FROM log_entries l WHERE l.execution_id = ?1 "
                                           "AND l.id > ?2 ORDER BY l.id LIMIT ?3")
                                .arg(QLatin1String(kColumns))
                                .toStdString());
    if (!before)
        return before.error();
    if (!after)
        return after.error();
    for (LogSearchGroup &group : result.groups) {
        const QByteArray exec = group.executionId.toRfc4122();
        QMap<qint64, LogSearchLine> lines;
        for (const LogSearchLine &hit : std::as_const(group.lines))
            lines.insert(hit.entry.id, hit);
        for (const LogSearchLine &hit : std::as_const(group.lines)) {
            for (SqliteStatement *s : {&before.value(), &after.value()}) {
                const int sign = s == &before.value() ? -1 : 1;
                s->bindBlob(1, exec).bindInt(2, hit.entry.id).bindInt(3, query.context);
                for (qint64 k = 1;; ++k) {
                    const auto row = s->step();
                    if (!row)
                        return row.error();
                    if (!row.value())
                        break;
                    const qint64 id = s->columnInt(0);
                    if (!lines.contains(id) && inStreams(query.streams, s->columnText(2)))
                        lines.insert(id,
                                     LogSearchLine {rowFrom(*s), hit.lineNumber + sign * k, false});
                }
                s->reset();
            }
        }
        group.lines = lines.values();
    }
    return result;
}

Result<QList<qint64>> LogSearch::hitIds(const QUuid &executionId, const LogSearchQuery &query)
{
    LogSearchQuery one = query;
    one.executionId = executionId;
    one.context = 0;
    one.maxLines = 0;
    const auto r = search(one);
    if (!r)
        return r.error();
    QList<qint64> ids;
    for (const LogSearchGroup &g : r->groups) {
        for (const LogSearchLine &line : g.lines)
            ids.append(line.entry.id);
    }
    return ids;
}

Result<qint64> LogSearch::lineNumber(const QUuid &executionId, qint64 id)
{
    auto q = m_store.connection().prepare(
        "SELECT count(*) FROM log_entries WHERE execution_id = ?1 AND id <= ?2");
    if (!q)
        return q.error();
    const QByteArray exec = executionId.toRfc4122();
    q->bindBlob(1, exec).bindInt(2, id);
    if (auto r = q->step(); !r)
        return r.error();
    return q->columnInt(0);
}

Result<std::optional<qint64>> LogSearch::lineAt(const QUuid &executionId, qint64 lineNumber)
{
    if (lineNumber < 1)
        return Error(QStringLiteral("Invalid line number %1: lines start at 1").arg(lineNumber));
    auto q = m_store.connection().prepare(
        "SELECT id FROM log_entries WHERE execution_id = ?1 ORDER BY id LIMIT 1 OFFSET ?2");
    if (!q)
        return q.error();
    const QByteArray exec = executionId.toRfc4122();
    q->bindBlob(1, exec).bindInt(2, lineNumber - 1);
    const auto row = q->step();
    if (!row)
        return row.error();
    return row.value() ? std::optional<qint64>(q->columnInt(0)) : std::nullopt;
}

Result<std::optional<qint64>> LogSearch::lineAt(const QUuid &executionId, qint64 position,
                                                const LogFilter &streams)
{
    if (streams.outputTypes.isEmpty())
        return lineAt(executionId, position);
    if (position < 1)
        return Error(QStringLiteral("Invalid line position %1: lines start at 1").arg(position));
    auto q = m_store.connection().prepare(
        QStringLiteral("SELECT id FROM log_entries WHERE execution_id = ?1%1 ORDER BY id "
                       "LIMIT 1 OFFSET ?2")
            .arg(streamSql(streams, 3))
            .toStdString());
    if (!q)
        return q.error();
    const QByteArray exec = executionId.toRfc4122();
    q->bindBlob(1, exec).bindInt(2, position - 1);
    bindStreams(*q, streams, 3);
    const auto row = q->step();
    if (!row)
        return row.error();
    return row.value() ? std::optional<qint64>(q->columnInt(0)) : std::nullopt;
}

Result<QList<qint64>> LogSearch::positions(const QUuid &executionId,
                                           const QList<qint64> &ascendingIds,
                                           const LogFilter &streams)
{
    auto between = m_store.connection().prepare(
        QStringLiteral("SELECT count(*) FROM log_entries WHERE execution_id = ?1 AND id > ?2 "
                       "AND id <= ?3%1")
            .arg(streamSql(streams, 4))
            .toStdString());
    if (!between)
        return between.error();
    const QByteArray exec = executionId.toRfc4122();
    bindStreams(*between, streams, 4);
    QList<qint64> result;
    result.reserve(ascendingIds.size());
    qint64 lastId = std::numeric_limits<qint64>::min();
    qint64 counted = 0;
    for (qint64 id : ascendingIds) {
        if (id < lastId)
            return Error(QStringLiteral("Line ids out of order: %1 after %2").arg(id).arg(lastId));
        between->bindBlob(1, exec).bindInt(2, lastId).bindInt(3, id);
        if (auto r = between->step(); !r)
            return r.error();
        counted += between->columnInt(0);
        between->reset();
        lastId = id;
        result.append(counted);
    }
    return result;
}

Result<std::optional<qint64>> LogSearch::firstAtOrAfter(const QUuid &executionId,
                                                        const QString &timestamp)
{
    // In line order, not time order: lines can arrive out of timestamp order, and the view
    // shows them by line. Reading every line up to the answer took 100+ ms in a million-line
    // execution, and an (execution_id, timestamp) index costs a fifth of the ingest rate (store
    // version 2 dropped it), so: a binary search over the execution's ids (one (execution_id, id)
    // index probe per step), then the kJumpWindow lines before the boundary are read; a line
    // there stamped at or after the time means the order is broken near it, and the lines are
    // read in order from the start instead (exact). A single line stamped out of order further
    // back than the window is not found: the jump lands where the ordered lines cross the time.
    const SqliteConnection &db = m_store.connection();
    const QByteArray exec = executionId.toRfc4122();
    // min() and max() in one SELECT would read the whole range; each alone is one index probe.
    auto range = db.prepare("SELECT (SELECT min(id) FROM log_entries WHERE execution_id = ?1), "
                            "(SELECT max(id) FROM log_entries WHERE execution_id = ?1)");
    auto probe = db.prepare("SELECT id, timestamp >= ?3 FROM log_entries WHERE execution_id = ?1 "
                            "AND id >= ?2 ORDER BY id LIMIT 1");
    auto window = db.prepare("SELECT count(*) FROM (SELECT timestamp FROM log_entries WHERE "
                             "execution_id = ?1 AND id < ?2 ORDER BY id DESC LIMIT ?4) "
                             "WHERE timestamp >= ?3");
    auto scan = db.prepare("SELECT id FROM log_entries WHERE execution_id = ?1 AND "
                           "timestamp >= ?3 ORDER BY id LIMIT 1");
    for (auto *q : {&range, &probe, &window, &scan}) {
        if (!*q)
            return q->error();
    }
    range->bindBlob(1, exec);
    if (auto r = range->step(); !r)
        return r.error();
    if (range->columnIsNull(0))
        return std::optional<qint64>();
    qint64 lo = range->columnInt(0);
    qint64 hi = range->columnInt(1) + 1; // past the last line: "no line at or after the time"
    std::optional<qint64> found;
    while (lo < hi) {
        const qint64 mid = lo + (hi - lo) / 2;
        probe->bindBlob(1, exec).bindInt(2, mid).bindText(3, timestamp);
        const auto row = probe->step();
        if (!row)
            return row.error();
        const bool atOrAfter = !row.value() || probe->columnInt(1) != 0;
        const qint64 id = row.value() ? probe->columnInt(0) : hi;
        probe->reset();
        if (atOrAfter) {
            hi = mid;
            if (row.value())
                found = id;
        } else {
            lo = id + 1;
        }
    }
    window->bindBlob(1, exec)
        .bindInt(2, found ? *found : std::numeric_limits<qint64>::max())
        .bindText(3, timestamp)
        .bindInt(4, kJumpWindow);
    if (auto r = window->step(); !r)
        return r.error();
    if (window->columnInt(0) == 0)
        return found;
    scan->bindBlob(1, exec).bindText(3, timestamp);
    const auto row = scan->step();
    if (!row)
        return row.error();
    return row.value() ? std::optional<qint64>(scan->columnInt(0)) : std::nullopt;
}

Result<QList<LogHistogramBucket>> LogSearch::histogram(const QUuid &executionId)
{
    auto q = m_store.connection().prepare(
        "SELECT substr(timestamp, 1, 16) AS minute, count(*), sum(output_type = 'stderr') "
        "FROM log_entries WHERE execution_id = ?1 GROUP BY minute ORDER BY minute");
    if (!q)
        return q.error();
    const QByteArray exec = executionId.toRfc4122();
    q->bindBlob(1, exec);
    QList<LogHistogramBucket> buckets;
    for (;;) {
        const auto row = q->step();
        if (!row)
            return row.error();
        if (!row.value())
            break;
        buckets.append(LogHistogramBucket {q->columnText(0), q->columnInt(1), q->columnInt(2)});
    }
    return buckets;
}

Result<qint64> LogSearch::exportMatches(const LogSearchQuery &query, const QString &filePath,
                                        const std::function<bool(qint64)> &progress)
{
    if (!query.executionId)
        return Error(QStringLiteral("Export of matches needs an execution"));
    const auto matcher = LogLineMatcher::make(query);
    if (!matcher)
        return matcher.error();
    auto q = m_store.connection().prepare(
        QStringLiteral("SELECT %1 FROM log_entries l WHERE l.execution_id = ?1%2 ORDER BY l.id")
            .arg(QLatin1String(kColumns), streamSql(query.streams, 2))
            .toStdString());
    if (!q)
        return q.error();
    const QByteArray exec = query.executionId->toRfc4122();
    q->bindBlob(1, exec);
    bindStreams(*q, query.streams, 2);
    QSaveFile file(filePath);
    if (!file.open(QIODevice::WriteOnly))
        return Error(QStringLiteral("Could not write %1").arg(filePath), file.errorString());
    QTextStream out(&file);
    qint64 written = 0;
    const auto write = [&](const LogEntry &e) {
        out << e.timestamp << " [" << e.outputType << "] " << e.content;
        if (!e.content.endsWith(u'\n'))
            out << '\n';
        ++written;
        return !progress || written % 10000 != 0 || progress(written);
    };
    // One pass: the last `context` lines wait in case a hit follows; after a hit, the next
    // `context` lines are written as they come.
    const int context = qMax(0, query.context);
    std::deque<LogEntry> before;
    int afterLeft = 0;
    for (;;) {
        const auto row = q->step();
        if (!row)
            return row.error();
        if (!row.value())
            break;
        LogEntry e = rowFrom(*q);
        bool keepGoing = true;
        if (matcher->matches(e.content)) {
            for (const LogEntry &waiting : before)
                keepGoing = keepGoing && write(waiting);
            before.clear();
            keepGoing = keepGoing && write(e);
            afterLeft = context;
        } else if (afterLeft > 0) {
            --afterLeft;
            keepGoing = write(e);
        } else if (context > 0) {
            before.push_back(std::move(e));
            if (int(before.size()) > context)
                before.pop_front();
        }
        if (!keepGoing) {
            file.cancelWriting();
            return Error(QStringLiteral("Export to %1 cancelled").arg(filePath));
        }
    }
    out.flush();
    if (out.status() != QTextStream::Ok || !file.commit())
        return Error(QStringLiteral("Could not write %1").arg(filePath), file.errorString());
    if (progress)
        progress(written);
    return written;
}

} // namespace hivewatch
