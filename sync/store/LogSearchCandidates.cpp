#include "sync/store/LogSearchCandidates.h"

#include "sync/sqlite/SqliteConnection.h"
#include "sync/store/LogLineMatcher.h"

#include <algorithm>

namespace hivewatch {

namespace {

QString likePattern(QString text)
{
    text.replace(u'\\', QStringLiteral("\\\\"))
        .replace(u'%', QStringLiteral("\\%"))
        .replace(u'_', QStringLiteral("\\_"));
    return u'%' + text + u'%';
}

} // namespace

LogSearchCandidates LogSearchCandidates::of(const LogSearchQuery &query,
                                            const LogIndexProgress &index,
                                            const LogLineMatcher &matcher)
{
    LogSearchCandidates c;
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
        } else if (LogLineMatcher::isAscii(query.text)) {
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

void LogSearchCandidates::bind(SqliteStatement &q, const LogSearchQuery &query, bool fromIndex,
                               const QByteArray &execution) const
{
    const QString &text = fromIndex ? indexText : scanText;
    if (!text.isNull())
        q.bindText(1, text);
    if (query.executionId)
        q.bindBlob(2, execution);
    q.bindInt(3, mark);
    if (fromIndex)
        q.bindInt(6, indexFrom);
    if (query.afterId > 0)
        q.bindInt(4, query.afterId);
    if (query.beforeId > 0)
        q.bindInt(5, query.beforeId);
}

bool inStreams(const LogFilter &streams, const QString &outputType)
{
    return streams.outputTypes.isEmpty()
        || streams.outputTypes.contains(outputType) != streams.excludeOutputTypes;
}

} // namespace hivewatch
