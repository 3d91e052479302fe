#pragma once

#include "tools/shape-server/LogOffset.h"
#include "tools/shape-server/PgOutputDecoder.h"
#include "tools/shape-server/ShapeDefinition.h"
#include "tools/shape-server/TableInfo.h"

#include <QByteArray>
#include <QList>

#include <optional>

namespace hivewatch {
class PgConnection;
class PgResult;
} // namespace hivewatch
using namespace hivewatch;

// A row as text values indexed by table column; `present` is false for a value the stream did
// not carry (a key-only old tuple, an unchanged TOAST value without an old row).
struct RowValues
{
    QList<std::optional<QByteArray>> values;
    QList<bool> present;
};

// Builds the `key` and `value` parts of change messages (docs/electric-protocol.md §2.5).
class RowEncoder
{
public:
    RowEncoder(const TableInfo &table, QList<int> selectedColumns);

    // A snapshot row: key columns first, then the selected columns, all as `col::text`.
    void appendSnapshotRow(QByteArray &out, const PgResult &rows, int row, int keyCount) const;

    QByteArray key(const RowValues &row) const; // JSON-escaped string literal, quotes included
    void appendObject(QByteArray &out, const RowValues &row, const QList<int> &columns) const;

    const TableInfo &table() const { return m_table; }
    const QList<int> &selectedColumns() const { return m_selected; }

private:
    const TableInfo &m_table;
    QList<int> m_selected;
    QByteArray m_relationHeader; // "relation":["schema","table"]
    friend class ChangeConverter;
};

// Asks Postgres whether a row satisfies a shape's where clause, binding the row's values with
// their column types and the shape's params: Postgres is the only SQL evaluator here.
class WhereEvaluator
{
public:
    explicit WhereEvaluator(PgConnection &conn)
        : m_conn(conn)
    {
    }
    bool matches(const TableInfo &table, const ShapeDefinition &definition, const RowValues &row);

private:
    PgConnection &m_conn;
};

struct LogEntry
{
    LogOffset offset;
    QByteArray json;
};

// Turns one replicated transaction into one shape's log entries: where move-in/out, replica
// default/full, PK changes split into delete + insert, `last` on the final entry.
class ChangeConverter
{
public:
    ChangeConverter(const TableInfo &table, const ShapeDefinition &definition,
                    QList<int> selectedColumns);

    QList<LogEntry> convert(const ReplicationTransaction &tx, WhereEvaluator &where) const;

private:
    RowValues toRow(const RowChange &change, const Tuple &tuple, const RowValues *old) const;
    bool rowMatches(WhereEvaluator &where, const RowValues &row) const;

    const TableInfo &m_table;
    const ShapeDefinition &m_definition;
    RowEncoder m_encoder;
};
