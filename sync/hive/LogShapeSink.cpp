#include "sync/hive/LogShapeSink.h"

#include "sync/hive/ShapeLogLine.h"
#include "sync/shape/ShapeRowMerge.h"
#include "sync/shape/SyncLog.h"
#include "sync/sqlite/SqliteConnection.h"
#include "sync/store/LogRowWriter.h"

#include <QUuid>

namespace hivewatch {

// What a change needs that can be worked out without the store (on the caller's thread).
struct LogShapeSink::Part final : ShapeSinkPart
{
    struct Change
    {
        QByteArray key; // UTF-8
        std::optional<SyncedLogLine> line; // an insert that is a log line
        QByteArray json; // any other insert: the row in wire form, for shape_rows
    };
    QByteArray keyPrefix; // as known when the update was prepared
    // Each part is applied once: apply() moves the lines out.
    mutable QList<Change> changes;
};

LogShapeSink::LogShapeSink() = default;

LogShapeSink::~LogShapeSink() = default;

Error LogShapeSink::sqlError(const QString &what) const
{
    return m_db->error(QStringLiteral("the local store could not %1").arg(what));
}

Result<void> LogShapeSink::open(const SqliteConnection &db)
{
    m_db = &db;
    return {};
}

void LogShapeSink::close()
{
    m_writer.reset();
    m_db = nullptr;
}

Result<LogRowWriter *> LogShapeSink::writer()
{
    if (!m_writer) {
        // A Hivewatch store (ShapeStore refuses a node's database), whose connection runs with
        // CHECK constraints off for good.
        auto prepared = LogRowWriter::prepare(*m_db, true, true);
        if (!prepared)
            return prepared.error();
        m_writer = std::move(prepared).value();
    }
    return m_writer.get();
}

Result<bool> LogShapeSink::resume(const QString &name, const QByteArray &state, bool checked)
{
    m_keyPrefix = state;
    if (checked)
        return true;
    // Before rows were resolved by key, a log line could stand for a key other than
    // key_prefix + its id (shape_key set). Such a store starts the shape over, once.
    const QString checking = QStringLiteral("check the rows of shape %1").arg(name);
    auto stray = m_db->prepare("SELECT EXISTS (SELECT 1 FROM log_entries "
                               "WHERE shape_key IS NOT NULL AND shape_derived IS NOT NULL)");
    if (!stray)
        return Error(QStringLiteral("the local store could not %1").arg(checking),
                     stray.error().detail);
    if (auto row = stray->step(); !row || !row.value())
        return sqlError(checking);
    if (stray->columnInt(0) == 0)
        return true;
    qCInfo(lcSync) << name << "has log lines stored under another key; resyncing it once";
    return false;
}

std::shared_ptr<const ShapeSinkPart> LogShapeSink::prepare(const ShapeUpdate &update)
{
    if (m_keyPrefix.isEmpty()) {
        for (const ShapeMessage &change : update.changes) {
            if (change.operation == RowChange::Operation::Insert) {
                m_keyPrefix = shapeLogKeyPrefix(change.key, change.value);
                if (!m_keyPrefix.isEmpty())
                    break;
            }
        }
    }
    auto part = std::make_shared<Part>();
    part->keyPrefix = m_keyPrefix;
    part->changes.reserve(update.changes.size());
    for (const ShapeMessage &change : update.changes) {
        Part::Change p;
        p.key = change.key.toUtf8();
        if (change.operation == RowChange::Operation::Insert) {
            p.line = shapeLogLine(change.key, change.value, m_keyPrefix);
            // Only a row whose key is the prefix + its own id goes to log_entries, where the
            // id (source_id) stands for the key: any other would let one key's change replace or
            // delete another key's row. It is kept under its key in shape_rows instead.
            if (p.line && !p.line->shapeKey.isEmpty())
                p.line.reset();
            if (!p.line)
                p.json = rawRowToJson(change.value);
        }
        part->changes.append(std::move(p));
    }
    return part;
}

Result<qint64> LogShapeSink::apply(const QString &name, const ShapeUpdate &update,
                                   const ShapeSinkPart *sinkPart, ShapeRows &rows,
                                   QList<AppliedChange> *applied)
{
    const auto *part = static_cast<const Part *>(sinkPart);
    const QByteArray &keyPrefix = part->keyPrefix;
    auto log = writer();
    if (!log)
        return log.error();
    LogRowWriter *logLines = log.value();
    // Whether this shape has rows in shape_rows: only then can a log line's key also be there.
    // Asked once per update, so the common insert of a log line costs no extra statement.
    auto any = rows.any();
    if (!any)
        return any.error();
    bool hasGeneric = any.value();

    qint64 attached = 0; // lines attached to the shape by this update, less those detached
    QList<SyncedLogLine> lines;
    lines.reserve(part->changes.size());
    const auto flushLines = [&]() -> Result<void> {
        if (lines.isEmpty())
            return {};
        auto added = logLines->upsertSynced(lines);
        if (!added)
            return added.error();
        attached += added.value();
        lines.clear();
        return {};
    };
    // A key of the form prefix + "N" may be stored as log line N: a row stored elsewhere under
    // that key (or deleted) must take the line off the shape, so the key is never held twice.
    const auto detachKey = [&](const QByteArray &key) -> Result<void> {
        const auto id = shapeLogKeyId(key, keyPrefix);
        if (!id)
            return {};
        if (auto flushed = flushLines(); !flushed)
            return flushed;
        auto detached = logLines->detachSynced(*id);
        if (!detached)
            return detached.error();
        attached -= detached.value() ? 1 : 0;
        return {};
    };
    // Finds the stored row a partial update merges into: log_entries, then shape_rows.
    const auto storedRow
        = [&](const ShapeMessage &change, const QByteArray &key) -> Result<std::optional<RawRow>> {
        if (auto flushed = flushLines(); !flushed)
            return flushed.error();
        if (const auto id = shapeLogKeyId(key, keyPrefix)) {
            auto line = logLines->syncedLine(*id);
            if (!line)
                return line.error();
            if (line.value()) {
                auto row = shapeLogRow(*line.value());
                if (!row)
                    return ShapeRowMerge::damaged(change.key, name, row.error());
                return std::optional<RawRow>(std::move(row).value());
            }
        }
        return ShapeRowMerge::storedRow(rows, key, change.key, name);
    };

    if (applied)
        applied->reserve(applied->size() + update.changes.size());
    for (qsizetype i = 0; i < update.changes.size(); ++i) {
        const ShapeMessage &change = update.changes[i];
        Part::Change &ready = part->changes[i];
        const QByteArray &key = ready.key;
        if (change.operation == RowChange::Operation::Insert) {
            if (ready.line) {
                if (hasGeneric) {
                    if (auto erased = rows.erase(key); !erased)
                        return erased.error();
                }
                lines.append(std::move(*ready.line)); // each part is applied once
            } else {
                if (auto detached = detachKey(key); !detached)
                    return detached.error();
                if (auto put = rows.put(key, ready.json); !put)
                    return put.error();
                hasGeneric = true;
            }
            if (applied)
                applied->append({change.operation, change.key, change.value});
            continue;
        }
        auto after = ShapeRowMerge::rowAfter(change, [&] { return storedRow(change, key); });
        if (!after)
            return after.error();
        RawRow row = std::move(after).value();
        if (change.operation == RowChange::Operation::Delete) {
            // By its key alone: the id a delete carries must not pick another key's line.
            if (auto detached = detachKey(key); !detached)
                return detached.error();
            if (auto erased = rows.erase(key); !erased)
                return erased.error();
        } else if (auto line = shapeLogLine(change.key, row, keyPrefix);
                   line && line->shapeKey.isEmpty()) {
            lines.append(std::move(*line));
            if (auto erased = rows.erase(key); !erased)
                return erased.error();
        } else {
            if (auto detached = detachKey(key); !detached)
                return detached.error();
            if (auto put = rows.put(key, rawRowToJson(row)); !put)
                return put.error();
            hasGeneric = true;
        }
        if (applied)
            applied->append({change.operation, change.key, std::move(row)});
    }
    if (auto flushed = flushLines(); !flushed)
        return flushed.error();
    return attached;
}

Result<void> LogShapeSink::reset(const QString &)
{
    // One log shape per store: its rows are log_entries' attached lines, which stay as lines of
    // the local log history.
    auto log = writer();
    if (!log)
        return log.error();
    return log.value()->detachAllSynced();
}

Result<void> LogShapeSink::dropPartial(const QString &name)
{
    return reset(name);
}

Result<void> LogShapeSink::forEachRow(
    const QString &name, const QByteArray &state,
    const std::function<Result<void>(const QByteArray &key, const RawRow &row)> &visit)
{
    const QString reading = QStringLiteral("read the rows of shape %1").arg(name);
    auto select = m_db->prepare(
        R"(SELECT coalesce(shape_key, ?1 || '"' || source_id || '"'), shape_row, shape_derived,
                  source_id, execution_id, output_type, content, timestamp
           FROM log_entries WHERE shape_derived IS NOT NULL ORDER BY 1)");
    if (!select)
        return Error(QStringLiteral("the local store could not %1").arg(reading),
                     select.error().detail);
    select->bindTextOrNull(1, state);
    for (;;) {
        auto next = select->step();
        if (!next)
            return sqlError(reading);
        if (!next.value())
            return {};
        const QByteArray key = select->columnByteArray(0);
        SyncedLogLine line;
        line.shapeRow = select->columnByteArray(1);
        line.derivedColumns = int(select->columnInt(2));
        line.sourceId = select->columnInt(3);
        line.executionId = QUuid::fromRfc4122(select->columnByteArray(4));
        line.outputType = select->columnByteArray(5);
        line.content = select->columnByteArray(6);
        line.timestamp = select->columnByteArray(7);
        auto row = shapeLogRow(line);
        if (!row)
            return ShapeRowMerge::damaged(QString::fromUtf8(key), name, row.error());
        if (auto visited = visit(key, row.value()); !visited)
            return visited;
    }
}

} // namespace hivewatch
