#include "tools/shape-server/Shape.h"

#include "tools/shape-server/JsonText.h"

#include <algorithm>

Shape::Shape(QString handle, ShapeDefinition definition, TableInfo table,
             QList<int> selectedColumns, std::shared_ptr<SnapshotStore> snapshot)
    : m_handle(std::move(handle))
    , m_definition(std::move(definition))
    , m_table(std::move(table))
    , m_selected(std::move(selectedColumns))
    , m_snapshot(std::move(snapshot))
    , m_converter(m_table, m_definition, m_selected)
{
    m_schemaHeader = "{";
    for (qsizetype i = 0; i < m_selected.size(); ++i) {
        if (i)
            m_schemaHeader += ',';
        const ColumnInfo &c = m_table.columns[m_selected[i]];
        JsonText::appendString(m_schemaHeader, c.name);
        m_schemaHeader += ':' + c.schemaJson;
    }
    m_schemaHeader += '}';
    m_columnSignature = m_table.columnSignature();
}

bool Shape::schemaMatches(const TableInfo &current) const
{
    return current.oid == m_table.oid && current.columnSignature() == m_columnSignature;
}

bool Shape::touches(const ReplicationTransaction &tx) const
{
    for (const auto &t : tx.truncated)
        if (t.first == m_table.schema && t.second == m_table.name)
            return true;
    for (const auto &c : tx.changes)
        if (c.second.schema == m_table.schema && c.second.table == m_table.name)
            return true;
    return false;
}

Shape::Applied Shape::apply(const ReplicationTransaction &tx, WhereEvaluator &where)
{
    const auto visibility = m_snapshot->visibility();
    if (!visibility) {
        m_queued.append(tx);
        return Applied::Nothing;
    }
    // Already inside the snapshot (committed before it was taken): applying it again would
    // duplicate rows. Everything not visible committed after the snapshot and must be applied.
    if (visibility->isVisible(tx.xid))
        return Applied::Nothing;
    for (const auto &t : tx.truncated)
        if (t.first == m_table.schema && t.second == m_table.name)
            return Applied::MustRotate;
    // A changed column list or column type (ALTER TABLE, seen in pgoutput's Relation message)
    // invalidates the shape like Electric's schema-change handling: clients refetch.
    for (const auto &c : tx.changes) {
        if (c.second.schema == m_table.schema && c.second.table == m_table.name
            && c.second.columnSignature != m_columnSignature)
            return Applied::MustRotate;
    }
    const QList<LogEntry> entries = m_converter.convert(tx, where);
    for (const LogEntry &e : entries)
        m_log.push_back(e);
    return entries.isEmpty() ? Applied::Nothing : Applied::Appended;
}

Shape::Applied Shape::applyQueued(WhereEvaluator &where)
{
    if (!m_snapshot->visibility())
        return Applied::Nothing;
    Applied result = Applied::Nothing;
    const QList<ReplicationTransaction> queued = std::exchange(m_queued, {});
    for (const auto &tx : queued) {
        const Applied a = apply(tx, where);
        if (a == Applied::MustRotate)
            return a;
        if (a == Applied::Appended)
            result = a;
    }
    return result;
}

LogOffset Shape::endOffset() const
{
    return m_log.empty() ? LogOffset::snapshotEnd() : m_log.back().offset;
}

Shape::LogSlice Shape::readAfter(const LogOffset &after, qint64 maxBytes) const
{
    LogSlice slice;
    auto it = std::upper_bound(m_log.begin(), m_log.end(), after,
                               [](const LogOffset &o, const LogEntry &e) { return o < e.offset; });
    for (; it != m_log.end(); ++it) {
        if (slice.count > 0 && slice.messages.size() + it->json.size() + 1 > maxBytes) {
            slice.reachesEnd = false;
            break;
        }
        if (slice.count)
            slice.messages += ',';
        slice.messages += it->json;
        slice.last = it->offset;
        slice.lastLsn = it->offset.tx;
        ++slice.count;
    }
    return slice;
}
