#pragma once

#include "tools/shape-server/ChangeConverter.h"
#include "tools/shape-server/ShapeDefinition.h"
#include "tools/shape-server/SnapshotWriter.h"
#include "tools/shape-server/TableInfo.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <memory>
#include <vector>

// One server-side shape: its handle, its snapshot chunks (on disk, see SnapshotWriter) and its
// log of replicated changes (in memory). Lives on the server thread.
class Shape
{
public:
    Shape(QString handle, ShapeDefinition definition, TableInfo table, QList<int> selectedColumns,
          std::shared_ptr<SnapshotStore> snapshot);
    Shape(const Shape &) = delete;
    Shape &operator=(const Shape &) = delete;

    const QString &handle() const { return m_handle; }
    const ShapeDefinition &definition() const { return m_definition; }
    const TableInfo &table() const { return m_table; }
    const QList<int> &selectedColumns() const { return m_selected; }
    const QByteArray &schemaHeader() const { return m_schemaHeader; }
    // Whether the table (as Postgres describes it now) still has the columns this shape was built
    // on; a column added, dropped, renamed or retyped invalidates it, as in Electric.
    bool schemaMatches(const TableInfo &current) const;
    SnapshotStore &snapshot() const { return *m_snapshot; }
    std::shared_ptr<SnapshotStore> snapshotStore() const { return m_snapshot; }

    bool touches(const ReplicationTransaction &tx) const;

    enum class Applied { Nothing, Appended, MustRotate };
    // Applies a transaction once the snapshot's visibility is known; until then it is queued.
    Applied apply(const ReplicationTransaction &tx, WhereEvaluator &where);
    // Applies the queued transactions after the snapshot reported its visibility.
    Applied applyQueued(WhereEvaluator &where);

    // The log's end: the last change's offset, or 0_inf when nothing was replicated yet.
    LogOffset endOffset() const;

    struct LogSlice
    {
        QByteArray messages; // comma-separated JSON messages
        LogOffset last; // offset of the last message in the slice
        int count = 0;
        bool reachesEnd = true;
        quint64 lastLsn = 0;
    };
    // The changes strictly after `after`, up to about `maxBytes` (at least one message).
    LogSlice readAfter(const LogOffset &after, qint64 maxBytes) const;

private:
    QString m_handle;
    ShapeDefinition m_definition;
    TableInfo m_table;
    QList<int> m_selected;
    QByteArray m_schemaHeader;
    QString m_columnSignature;
    std::shared_ptr<SnapshotStore> m_snapshot;
    ChangeConverter m_converter;
    QList<ReplicationTransaction> m_queued;
    std::vector<LogEntry> m_log;
};
