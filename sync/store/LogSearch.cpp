#include "sync/store/LogSearch.h"

#include "sync/sqlite/SqliteConnection.h"
#include "sync/store/LogHitCounter.h"
#include "sync/store/LogLineMatcher.h"
#include "sync/store/LogSearchCandidates.h"
#include "sync/store/LogSearchCountCache.h"

#include <QHash>
#include <QMap>
#include <QRegularExpression>
#include <QSaveFile>
#include <QTextStream>

#include <deque>

#include <algorithm>
#include <limits>

namespace hivewatch {

namespace {

// An unindexed tail up to this long is the builder's normal lag, not worth a note.
constexpr qint64 kQuietTail = 50000;

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
    const LogSearchCandidates c = LogSearchCandidates::of(query, index.value(), matcher.value());
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
        c.bind(*q, query, sql == &c.indexSql, execution);
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
            auto fresh = LogHitCounter::count(db, query, c, matcher.value());
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
                         .arg(QLatin1String(LogSearchCandidates::kColumns))
                         .toStdString());
    auto after = db.prepare(QStringLiteral("SELECT %1 FROM log_entries l WHERE l.execution_id = ?1 "
                                           "AND l.id > ?2 ORDER BY l.id LIMIT ?3")
                                .arg(QLatin1String(LogSearchCandidates::kColumns))
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
            .arg(QLatin1String(LogSearchCandidates::kColumns), streamSql(query.streams, 2))
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
