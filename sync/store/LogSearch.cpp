#include "sync/store/LogSearch.h"

#include "sync/sqlite/SqliteConnection.h"

#include <QHash>
#include <QMap>
#include <QRegularExpression>

namespace hivewatch {

namespace {

const char kColumns[] = "l.id, l.execution_id, l.output_type, l.content, l.timestamp";

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

// The exact rule a line must meet; the SQL in front of it only narrows the candidates.
class Matcher
{
public:
    static Result<Matcher> make(const LogSearchQuery &query)
    {
        Matcher m;
        m.m_text = query.text;
        m.m_exclude = query.exclude;
        m.m_exclude.removeAll(QString());
        m.m_case = query.caseSensitive ? Qt::CaseSensitive : Qt::CaseInsensitive;
        if (query.regex) {
            m.m_regex.setPattern(query.text);
            m.m_regex.setPatternOptions(query.caseSensitive
                                            ? QRegularExpression::NoPatternOption
                                            : QRegularExpression::CaseInsensitiveOption);
            if (!m.m_regex.isValid())
                return Error(QStringLiteral("Invalid regular expression \"%1\": %2 at offset %3")
                                 .arg(query.text, m.m_regex.errorString())
                                 .arg(m.m_regex.patternErrorOffset()));
            m.m_useRegex = true;
            m.m_regex.optimize();
        }
        return m;
    }

    bool matches(const QString &content) const
    {
        if (m_useRegex ? !m_regex.match(content).hasMatch() : !content.contains(m_text, m_case))
            return false;
        for (const QString &term : m_exclude) {
            if (content.contains(term, m_case))
                return false;
        }
        return true;
    }

private:
    QString m_text;
    QStringList m_exclude;
    Qt::CaseSensitivity m_case = Qt::CaseInsensitive;
    QRegularExpression m_regex;
    bool m_useRegex = false;
};

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

// Candidates in id order: from the trigram index when it covers the store and the query has a
// literal of at least three characters (the shortest trigram), else a scan narrowed by SQL where
// SQL can say it exactly enough (instr is exact; LIKE folds ASCII only, so only ASCII terms).
struct Candidates
{
    QString sql;
    QString bindText; // ?1, when the SQL uses it
    bool usedIndex = false;
};

Candidates candidates(const LogSearchQuery &query, const LogIndexProgress &index)
{
    Candidates c;
    const QString execution
        = query.executionId ? QStringLiteral(" AND l.execution_id = ?2") : QString();
    if (index.ready() && !query.regex && query.text.toUcs4().size() >= 3) {
        c.usedIndex = true;
        c.bindText = u'"' + QString(query.text).replace(u'"', QStringLiteral("\"\"")) + u'"';
        c.sql = QStringLiteral("SELECT %1 FROM log_entries_fts f JOIN log_entries l ON l.id = "
                               "f.rowid WHERE log_entries_fts MATCH ?1%2 ORDER BY f.rowid")
                    .arg(QLatin1String(kColumns), execution);
        return c;
    }
    QString where = QStringLiteral("1");
    if (!query.regex && !query.text.isEmpty()) {
        if (query.caseSensitive) {
            where = QStringLiteral("instr(l.content, ?1) > 0");
            c.bindText = query.text;
        } else if (isAscii(query.text)) {
            where = QStringLiteral("l.content LIKE ?1 ESCAPE '\\'");
            c.bindText = likePattern(query.text);
        }
    }
    c.sql = QStringLiteral("SELECT %1 FROM log_entries l WHERE %2%3 ORDER BY l.id")
                .arg(QLatin1String(kColumns), where, execution);
    return c;
}

} // namespace

LogSearch::LogSearch(LogStore &store)
    : m_store(store)
{
}

Result<LogSearchResult> LogSearch::search(const LogSearchQuery &query)
{
    const auto matcher = Matcher::make(query);
    if (!matcher)
        return matcher.error();
    const auto index = m_store.indexProgress();
    if (!index)
        return index.error();
    const Candidates c = candidates(query, index.value());
    const SqliteConnection &db = m_store.connection();
    auto q = db.prepare(c.sql.toStdString());
    if (!q)
        return q.error();
    if (!c.bindText.isNull())
        q->bindText(1, c.bindText);
    const QByteArray execution = query.executionId ? query.executionId->toRfc4122() : QByteArray();
    if (query.executionId)
        q->bindBlob(2, execution);

    LogSearchResult result;
    result.usedIndex = c.usedIndex;
    if (!index->available)
        result.note = m_store.isNodeDatabase()
            ? QStringLiteral("no full-text index (a node's database): lines scanned")
            : QStringLiteral("no full-text index yet (open the store read-write once to "
                             "migrate it): lines scanned");
    else if (!index->ready())
        result.note = QStringLiteral("index building, %1%: lines scanned").arg(index->percent());

    QHash<QUuid, int> groupOf;
    qint64 materialized = 0;
    for (;;) {
        const auto row = q->step();
        if (!row)
            return row.error();
        if (!row.value())
            break;
        const QString content = q->columnText(3);
        if (!matcher->matches(content))
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
        if (query.maxLines > 0 && materialized >= query.maxLines)
            continue;
        ++materialized;
        group.lines.append(LogSearchLine {rowFrom(*q), 0, true});
    }
    q->reset();

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
                    if (!lines.contains(id))
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

Result<std::optional<qint64>> LogSearch::firstAtOrAfter(const QUuid &executionId,
                                                        const QString &timestamp)
{
    // In line order, not time order: lines can arrive out of timestamp order, and the view
    // shows them by line.
    auto q = m_store.connection().prepare("SELECT id FROM log_entries WHERE execution_id = ?1 AND "
                                          "timestamp >= ?2 ORDER BY id LIMIT 1");
    if (!q)
        return q.error();
    const QByteArray exec = executionId.toRfc4122();
    q->bindBlob(1, exec).bindText(2, timestamp);
    const auto row = q->step();
    if (!row)
        return row.error();
    return row.value() ? std::optional<qint64>(q->columnInt(0)) : std::nullopt;
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

} // namespace hivewatch
