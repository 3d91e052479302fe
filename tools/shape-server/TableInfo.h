#pragma once

#include "domain/Result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

namespace hivewatch {
class PgConnection;
} // namespace hivewatch
using namespace hivewatch;

struct ColumnInfo
{
    QString name;
    QString sqlType; // format_type(): what a value is cast to when Postgres evaluates a where
    QString typeName; // pg_type.typname, the element type for arrays (electric-schema "type")
    int dims = 0;
    int typmod = -1;
    quint32 typeOid = 0; // pg_attribute.atttypid, as pgoutput's Relation message names it
    int pkIndex = -1;
    bool notNull = false;
    QByteArray schemaJson; // this column's electric-schema entry
};

// A table as Postgres describes it, identified by schema and name.
struct TableInfo
{
    QString schema;
    QString name;
    unsigned int oid = 0;
    QList<ColumnInfo> columns; // by attnum
    QList<int> keyColumns; // PK columns in PK order; every column sorted by name if no PK
    bool hasPrimaryKey = false;

    int indexOf(const QString &column) const;
    // "name:typeoid:typmod,…" by attnum: what a schema change (ALTER TABLE, pgoutput Relation
    // message) alters, so that a shape notices it (docs/electric-protocol.md §4.6).
    QString columnSignature() const;
    QString qualifiedSql() const; // "schema"."name" for SQL text
    QByteArray keyPrefix() const; // "schema"."name" as used in message keys
};

// Splits `table`, `schema.table` or quoted forms like Postgres does (unquoted parts lower-cased).
// Errors are Electric's 400 messages for the `table` field.
Result<QPair<QString, QString>> parseTableName(const QString &text);

// Loads a table's columns and key. The error message is Electric's, for the `table` field.
Result<TableInfo> loadTableInfo(PgConnection &conn, const QString &schema, const QString &name);
