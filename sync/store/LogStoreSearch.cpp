#include "sync/store/LogStorePrivate.h"

#include <QSaveFile>
#include <QTextStream>

#include <limits>

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

Result<LogPage> LogStore::page(const QUuid &executionId, std::optional<qint64> cursor,
                               PageDirection direction, int limit, const LogFilter &filter)
{
    if (filter.isEmpty())
        return page(executionId, cursor, direction, limit);
    if (limit < 1)
        return Error(QStringLiteral("Invalid page size %1: it must be at least 1").arg(limit));
    const FilterSql f = filterSql(filter);
    const QByteArray id = executionId.toRfc4122();

    QSqlQuery count(d->db);
    count.setForwardOnly(true);
    count.prepare(QStringLiteral("SELECT count(*) FROM log_entries WHERE ") + f.where);
    count.addBindValue(id);
    for (const QVariant &v : f.values)
        count.addBindValue(v);
    if (!count.exec() || !count.next())
        return d->readError(count);
    LogPage page;
    page.totalCount = count.value(0).toLongLong();
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
                                         const LogFilter &filter)
{
    QSaveFile file(filePath);
    if (!file.open(QIODevice::WriteOnly))
        return Error(QStringLiteral("Could not write %1").arg(filePath), file.errorString());
    QTextStream out(&file);
    qint64 rows = 0;
    std::optional<qint64> cursor;
    // Page through instead of one big query, so memory stays flat for millions of lines.
    for (;;) {
        const auto p = page(executionId, cursor, PageDirection::Forward, 5000, filter);
        if (!p)
            return p.error();
        for (const LogEntry &e : p->entries) {
            out << e.timestamp << " [" << e.outputType << "] " << e.content;
            if (!e.content.endsWith(u'\n'))
                out << '\n';
        }
        rows += p->entries.size();
        if (!p->hasMore)
            break;
        cursor = p->nextCursor;
    }
    out.flush();
    if (out.status() != QTextStream::Ok || !file.commit())
        return Error(QStringLiteral("Could not write %1").arg(filePath), file.errorString());
    return rows;
}

} // namespace hivewatch
