#include "tools/shape-server/SnapshotWriter.h"

#include "sync/pg/PgConnection.h"
#include "tools/shape-server/ChangeConverter.h"
#include "tools/shape-server/JsonText.h"
#include "tools/shape-server/ServerLog.h"

#include <QFile>
#include <QMutexLocker>

using namespace hivewatch;

std::optional<SnapshotVisibility> SnapshotVisibility::parse(const QString &pgSnapshot)
{
    const QStringList parts = pgSnapshot.split(QLatin1Char(':'));
    if (parts.size() != 3)
        return std::nullopt;
    SnapshotVisibility v;
    v.xmin = parts[0].toULongLong();
    v.xmax = parts[1].toULongLong();
    for (const QString &x : parts[2].split(QLatin1Char(','), Qt::SkipEmptyParts))
        v.xip.append(x.toULongLong());
    return v;
}

bool SnapshotVisibility::isVisible(quint32 xid) const
{
    // pgoutput gives 32-bit xids; widen them into xmax's epoch (xid8 = epoch << 32 | xid).
    quint64 full = (xmax & ~quint64(0xffffffff)) | xid;
    if (full > xmax && full >= (quint64(1) << 32))
        full -= quint64(1) << 32;
    if (full < xmin)
        return true;
    return full < xmax && !xip.contains(full);
}

QByteArray SnapshotVisibility::snapshotEndMessage() const
{
    QByteArray out("{\"headers\":{\"control\":\"snapshot-end\",\"xmin\":\""
                   + QByteArray::number(xmin) + "\",\"xmax\":\"" + QByteArray::number(xmax)
                   + "\",\"xip_list\":[");
    for (qsizetype i = 0; i < xip.size(); ++i)
        out += (i ? ",\"" : "\"") + QByteArray::number(xip[i]) + '"';
    out += "]}}";
    return out;
}

void SnapshotStore::setVisibility(const SnapshotVisibility &v)
{
    QMutexLocker lock(&m_mutex);
    m_visibility = v;
}

std::optional<SnapshotVisibility> SnapshotStore::visibility() const
{
    QMutexLocker lock(&m_mutex);
    return m_visibility;
}

void SnapshotStore::addChunk(qint64 position, qint64 length)
{
    QMutexLocker lock(&m_mutex);
    m_chunks.append({position, length});
}

void SnapshotStore::finish()
{
    QMutexLocker lock(&m_mutex);
    m_finished = true;
}

void SnapshotStore::fail(const QString &error)
{
    QMutexLocker lock(&m_mutex);
    m_error = error;
    m_finished = true;
}

int SnapshotStore::chunkCount() const
{
    QMutexLocker lock(&m_mutex);
    return int(m_chunks.size());
}

bool SnapshotStore::isFinished() const
{
    QMutexLocker lock(&m_mutex);
    return m_finished;
}

QString SnapshotStore::error() const
{
    QMutexLocker lock(&m_mutex);
    return m_error;
}

QByteArray SnapshotStore::readChunk(int index) const
{
    QPair<qint64, qint64> range;
    {
        QMutexLocker lock(&m_mutex);
        if (index < 0 || index >= m_chunks.size())
            return {};
        range = m_chunks[index];
    }
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly) || !file.seek(range.first))
        return {};
    return file.read(range.second);
}

void SnapshotJob::run()
{
    auto failWith = [this](const QString &why) {
        qCWarning(lcShapeServer) << "snapshot of" << table.name << "failed:" << why;
        store->fail(why);
        notify();
    };
    QFile file(store->path());
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return failWith(
            QStringLiteral("cannot write %1: %2").arg(store->path(), file.errorString()));
    auto connected = PgConnection::connect(conninfo);
    if (!connected)
        return failWith(connected.error().toString());
    PgConnection &conn = **connected;
    auto begin = conn.exec(QStringLiteral("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    auto snap = begin ? conn.exec(QStringLiteral("SELECT pg_current_snapshot()::text")) : begin;
    if (!snap)
        return failWith(snap.error().toString());
    const auto visibility = SnapshotVisibility::parse(snap->text(0, 0));
    if (!visibility)
        return failWith(
            QStringLiteral("unexpected pg_current_snapshot() %1").arg(snap->text(0, 0)));
    store->setVisibility(*visibility);
    notify();

    QByteArray chunk;
    qint64 position = 0;
    auto closeChunk = [&]() {
        // Flushed before it is announced: the server reads chunks through its own file handle.
        if (file.write(chunk) != chunk.size() || !file.flush())
            return false;
        store->addChunk(position, chunk.size());
        position += chunk.size();
        chunk.clear();
        notify();
        return true;
    };
    if (!definition.changesOnly) {
        // col::text as Electric does, except that char(n) keeps its padding: the cast trims it,
        // the type's output function (used by format and by logical replication) does not.
        auto text = [&conn, this](int c) -> QString {
            const QString name = conn.quoteIdentifier(table.columns[c].name);
            if (table.columns[c].typeName == QLatin1String("bpchar") && table.columns[c].dims == 0)
                return QStringLiteral("CASE WHEN %1 IS NULL THEN NULL ELSE format('%s', %1) END")
                    .arg(name);
            return name + QStringLiteral("::text");
        };
        QStringList select;
        for (int k : table.keyColumns)
            select.append(text(k));
        for (int c : selectedColumns)
            select.append(text(c));
        QString sql = QStringLiteral("DECLARE shape_snapshot NO SCROLL CURSOR FOR SELECT ")
            + select.join(QLatin1Char(',')) + QStringLiteral(" FROM ") + table.qualifiedSql();
        if (!definition.where.isEmpty())
            sql += QStringLiteral(" WHERE (") + definition.where + QLatin1Char(')');
        auto declared = conn.exec(sql, definition.params);
        if (!declared)
            return failWith(declared.error().toString());
        const RowEncoder encoder(table, selectedColumns);
        const int keyCount = int(table.keyColumns.size());
        QByteArray message;
        for (;;) {
            if (store->cancelled)
                return failWith(QStringLiteral("cancelled"));
            auto rows = conn.exec(QStringLiteral("FETCH 2000 FROM shape_snapshot"));
            if (!rows)
                return failWith(rows.error().toString());
            if (rows->rows() == 0)
                break;
            for (int r = 0; r < rows->rows(); ++r) {
                message.clear();
                encoder.appendSnapshotRow(message, *rows, r, keyCount);
                if (!chunk.isEmpty())
                    chunk += ',';
                chunk += message;
                // Electric's rule: the row that crosses the threshold still belongs to the chunk.
                if (chunk.size() + 1 >= chunkBytes && !closeChunk())
                    return failWith(QStringLiteral("cannot write %1: %2")
                                        .arg(store->path(), file.errorString()));
            }
        }
    }
    (void)conn.exec(QStringLiteral("COMMIT"));
    if (!chunk.isEmpty())
        chunk += ',';
    chunk += visibility->snapshotEndMessage();
    if (!closeChunk())
        return failWith(
            QStringLiteral("cannot write %1: %2").arg(store->path(), file.errorString()));
    file.close();
    store->finish();
    notify();
}
