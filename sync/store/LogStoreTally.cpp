#include "sync/store/LogStorePrivate.h"

namespace hivewatch {

Result<LogTypeTally> LogStore::tallyStderr(const QUuid &executionId, qint64 afterId)
{
    // Walks only the (execution_id, id) index range past afterId, so a caller that keeps the
    // previous tally pays for the new lines alone.
    QSqlQuery q(d->db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral(
        "SELECT max(id), count(*), coalesce(sum(output_type = 'stderr'), 0) FROM log_entries "
        "WHERE execution_id = ? AND id > ?"));
    q.addBindValue(executionId.toRfc4122());
    q.addBindValue(afterId);
    if (!q.exec() || !q.next())
        return d->readError(q);
    LogTypeTally tally;
    tally.lastId = q.value(0).isNull() ? afterId : q.value(0).toLongLong();
    tally.lines = q.value(1).toLongLong();
    tally.stderrLines = q.value(2).toLongLong();
    q.finish();
    return tally;
}

} // namespace hivewatch
