#include "sync/store/LogStorePrivate.h"

#include <QSaveFile>
#include <QTextStream>

#include <limits>
#include <optional>

namespace hivewatch {

namespace {

// "WHERE …" for a filter, with its bind values in order after the execution id.
struct FilterSql
{
    QString where;
    QVariantList values;
};

FilterSql filterSql(const LogFilter &filter)
{
    FilterSql f;
    f.where = QStringLiteral("execution_id = ?");
    if (!filter.outputTypes.isEmpty()) {
        QStringList marks;
        for (const QString &type : filter.outputTypes) {
            marks << QStringLiteral("?");
            f.values << type;
        }
        f.where += (filter.excludeOutputTypes ? QStringLiteral(" AND output_type NOT IN (")
                                              : QStringLiteral(" AND output_type IN ("))
            + marks.join(QLatin1Char(',')) + u')';
    }
    if (!filter.text.isEmpty()) {
        QString pattern = filter.text;
        pattern.replace(u'\\', QStringLiteral("\\\\"))
            .replace(u'%', QStringLiteral("\\%"))
            .replace(u'_', QStringLiteral("\\_"));
        f.where += QStringLiteral(" AND content LIKE ? ESCAPE '\\'");
        f.values << QVariant(QString(u'%' + pattern + u'%'));
    }
    return f;
}

} // namespace

// Paging a filtered execution asks for the same count with every page; it is computed once per
// (execution, filter) and kept while the file is unchanged: PRAGMA data_version moves with every
// commit of another connection, and this connection's own writes clear the cache (append paths).
// The count comes from the full-text index (and a scan of its unindexed tail) when the text has a
// trigram.
Result<qint64> LogStore::Private::filteredCount(const QUuid &executionId, const LogFilter &filter,
                                                const QString &where, const QVariantList &values)
{
    QSqlQuery version(db);
    if (!version.exec(QStringLiteral("PRAGMA data_version")) || !version.next())
        return readError(version);
    const qint64 dataVersion = version.value(0).toLongLong();
    version.finish();
    if (dataVersion != countCacheVersion) {
        countCache.clear();
        countCacheVersion = dataVersion;
    }
    const QString key = executionId.toString() + QChar(0) + filter.outputTypes.join(QChar(1))
        + QChar(0) + QString::number(filter.excludeOutputTypes) + QChar(0) + filter.text;
    if (auto it = countCache.constFind(key); it != countCache.cend())
        return it.value();

    QString sql = QStringLiteral("SELECT count(*) FROM log_entries WHERE ") + where;
    // The index answers the ids up to its mark; the tail above it (lines the builder has not
    // reached yet) is counted by the scan, so the count is complete either way.
    std::optional<qint64> mark;
    if (filter.text.toUcs4().size() >= 3 && !nodeDatabase) {
        QSqlQuery state(db);
        if (state.exec(QStringLiteral("SELECT indexed_to FROM log_fts_state")) && state.next())
            mark = state.value(0).toLongLong();
    }
    if (mark)
        sql = QStringLiteral("SELECT (%1 AND id <= ? AND id IN (SELECT rowid FROM log_entries_fts "
                             "WHERE log_entries_fts MATCH ?)) + (%1 AND id > ?)")
                  .arg(sql);
    QSqlQuery count(db);
    count.setForwardOnly(true);
    count.prepare(sql);
    const auto bindFilter = [&] {
        count.addBindValue(executionId.toRfc4122());
        for (const QVariant &v : values)
            count.addBindValue(v);
    };
    bindFilter();
    if (mark) {
        count.addBindValue(*mark);
        count.addBindValue(
            QString(u'"' + QString(filter.text).replace(u'"', QStringLiteral("\"\"")) + u'"'));
        bindFilter();
        count.addBindValue(*mark);
    }
    if (!count.exec() || !count.next())
        return readError(count);
    const qint64 n = count.value(0).toLongLong();
    if (countCache.size() > 256)
        countCache.clear();
    countCache.insert(key, n);
    return n;
}

Result<LogPage> LogStore::page(const QUuid &executionId, std::optional<qint64> cursor,
                               PageDirection direction, int limit, const LogFilter &filter)
{
    if (filter.isEmpty())
        return page(executionId, cursor, direction, limit);
    if (limit < 1)
        return Error(QStringLiteral("Invalid page size %1: it must be at least 1").arg(limit));
    const FilterSql f = filterSql(filter);
    const QByteArray id = executionId.toRfc4122();

    const auto counted = d->filteredCount(executionId, filter, f.where, f.values);
    if (!counted)
        return counted.error();
    LogPage page;
    page.totalCount = counted.value();
    if (page.totalCount == 0)
        return page;

    const bool forward = direction == PageDirection::Forward;
    QSqlQuery q(d->db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM log_entries WHERE %2 AND id %3 ? ORDER BY id %4 "
                             "LIMIT ?")
                  .arg(d->selectColumns(), f.where,
                       forward ? QStringLiteral(">") : QStringLiteral("<"),
                       forward ? QStringLiteral("ASC") : QStringLiteral("DESC")));
    q.addBindValue(id);
    for (const QVariant &v : f.values)
        q.addBindValue(v);
    q.addBindValue(cursor.value_or(forward ? std::numeric_limits<qint64>::min()
                                           : std::numeric_limits<qint64>::max()));
    q.addBindValue(qint64(limit) + 1);
    if (!q.exec())
        return d->readError(q);
    while (q.next())
        page.entries.append(Private::rowFrom(q));
    if (q.lastError().isValid())
        return d->readError(q);
    page.hasMore = page.entries.size() > limit;
    if (page.hasMore) {
        page.entries.resize(limit);
        page.nextCursor = page.entries.last().id;
    }
    return page;
}

Result<qint64> LogStore::exportExecution(const QUuid &executionId, const QString &filePath,
                                         const LogFilter &filter,
                                         const std::function<bool(qint64)> &progress)
{
    QSaveFile file(filePath);
    if (!file.open(QIODevice::WriteOnly))
        return Error(QStringLiteral("Could not write %1").arg(filePath), file.errorString());
    QTextStream out(&file);
    // One forward query: paging through it would run the filter (and its count) once per page.
    // Memory stays flat, as the rows stream.
    const FilterSql f = filterSql(filter);
    QSqlQuery q(d->db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM log_entries WHERE %2 ORDER BY id")
                  .arg(d->selectColumns(), f.where));
    q.addBindValue(executionId.toRfc4122());
    for (const QVariant &v : f.values)
        q.addBindValue(v);
    if (!q.exec())
        return d->readError(q);
    qint64 rows = 0;
    while (q.next()) {
        const LogEntry e = Private::rowFrom(q);
        out << e.timestamp << " [" << e.outputType << "] " << e.content;
        if (!e.content.endsWith(u'\n'))
            out << '\n';
        ++rows;
        if (progress && rows % 10000 == 0 && !progress(rows)) {
            file.cancelWriting();
            return Error(QStringLiteral("Export to %1 cancelled").arg(filePath));
        }
    }
    if (q.lastError().isValid())
        return d->readError(q);
    out.flush();
    if (out.status() != QTextStream::Ok || !file.commit())
        return Error(QStringLiteral("Could not write %1").arg(filePath), file.errorString());
    if (progress)
        progress(rows);
    return rows;
}

} // namespace hivewatch
