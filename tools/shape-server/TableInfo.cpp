#include "tools/shape-server/TableInfo.h"

#include "sync/pg/PgConnection.h"
#include "tools/shape-server/JsonText.h"

#include <algorithm>

using namespace hivewatch;

int TableInfo::indexOf(const QString &column) const
{
    for (qsizetype i = 0; i < columns.size(); ++i)
        if (columns[i].name == column)
            return int(i);
    return -1;
}

namespace {

QString sqlIdentifier(const QString &name)
{
    QString s = name;
    s.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + s + QLatin1Char('"');
}

// Doubling '.' and '/' keeps the "schema"."table"/"pk" key unambiguous (electric-protocol §2.5).
QString keyIdentifier(const QString &name)
{
    QString s = name;
    s.replace(QLatin1Char('.'), QStringLiteral(".."));
    s.replace(QLatin1Char('/'), QStringLiteral("//"));
    return QLatin1Char('"') + s + QLatin1Char('"');
}

// The electric-schema entry: type, dims, pk_index, not_null and the modifiers of §2.7.
QByteArray columnSchemaJson(const ColumnInfo &c)
{
    QByteArray out("{\"type\":");
    JsonText::appendString(out, c.typeName);
    if (c.dims > 0)
        out += ",\"dims\":" + QByteArray::number(c.dims);
    if (c.pkIndex >= 0)
        out += ",\"pk_index\":" + QByteArray::number(c.pkIndex);
    if (c.notNull)
        out += ",\"not_null\":true";
    if (c.typmod >= 0) {
        const QString t = c.typeName;
        if (t == QLatin1String("varchar"))
            out += ",\"max_length\":" + QByteArray::number(c.typmod - 4);
        else if (t == QLatin1String("bpchar") || t == QLatin1String("bit")
                 || t == QLatin1String("varbit"))
            out += ",\"length\":"
                + QByteArray::number(t == QLatin1String("bpchar") ? c.typmod - 4 : c.typmod);
        else if (t == QLatin1String("numeric"))
            out += ",\"precision\":" + QByteArray::number(((c.typmod - 4) >> 16) & 0xffff)
                + ",\"scale\":" + QByteArray::number((c.typmod - 4) & 0xffff);
        else if (t == QLatin1String("time") || t == QLatin1String("timetz")
                 || t == QLatin1String("timestamp") || t == QLatin1String("timestamptz"))
            out += ",\"precision\":" + QByteArray::number(c.typmod);
        else if (t == QLatin1String("interval"))
            out += ",\"precision\":" + QByteArray::number(c.typmod & 0xffff);
        else
            out += ",\"type_mod\":" + QByteArray::number(c.typmod);
    }
    out += '}';
    return out;
}

} // namespace

QString TableInfo::qualifiedSql() const
{
    return sqlIdentifier(schema) + QLatin1Char('.') + sqlIdentifier(name);
}

QByteArray TableInfo::keyPrefix() const
{
    return (keyIdentifier(schema) + QLatin1Char('.') + keyIdentifier(name)).toUtf8();
}

Result<QPair<QString, QString>> parseTableName(const QString &text)
{
    QStringList parts;
    QString current;
    bool quoted = false;
    bool wasQuoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == QLatin1Char('"')) {
                if (i + 1 < text.size() && text[i + 1] == QLatin1Char('"')) {
                    current += c;
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                current += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
            wasQuoted = true;
        } else if (c == QLatin1Char('.')) {
            if (current.isEmpty())
                return Error(QStringLiteral("Invalid zero-length delimited identifier"));
            parts.append(current);
            current.clear();
            wasQuoted = false;
        } else {
            current += wasQuoted ? c : c.toLower();
        }
    }
    if (quoted)
        return Error(QStringLiteral("Invalid unterminated quoted identifier"));
    if (current.isEmpty())
        return Error(QStringLiteral("Invalid zero-length delimited identifier"));
    parts.append(current);
    if (parts.size() > 2)
        return Error(QStringLiteral("Invalid table name: too many dots"));
    if (parts.size() == 1)
        return qMakePair(QStringLiteral("public"), parts[0]);
    return qMakePair(parts[0], parts[1]);
}

Result<TableInfo> loadTableInfo(PgConnection &conn, const QString &schema, const QString &name)
{
    const QString notFound
        = QStringLiteral("Table %1.%2 does not exist. If the table name contains "
                         "capitals or special characters you must quote it.")
              .arg(sqlIdentifier(schema), sqlIdentifier(name));
    auto rel = conn.exec(
        QStringLiteral("SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')"),
        {schema, name});
    if (!rel)
        return rel.error();
    if (rel->rows() == 0)
        return Error(notFound);
    TableInfo t;
    t.schema = schema;
    t.name = name;
    t.oid = rel->text(0, 0).toUInt();
    auto cols = conn.exec(
        QStringLiteral(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod), "
            "  CASE WHEN et.oid IS NOT NULL THEN et.typname ELSE t.typname END, "
            "  CASE WHEN et.oid IS NOT NULL THEN greatest(a.attndims, 1) ELSE 0 END, "
            "  a.atttypmod, a.attnotnull, a.atttypid, "
            "  coalesce((SELECT k.n - 1 FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(att, n) "
            "            WHERE k.att = a.attnum), -1) "
            "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
            "LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A' "
            "LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary "
            "WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum"),
        {QString::number(t.oid)});
    if (!cols)
        return cols.error();
    QList<QPair<int, int>> pk; // (pk position, column index)
    for (int r = 0; r < cols->rows(); ++r) {
        ColumnInfo c;
        c.name = cols->text(r, 0);
        c.sqlType = cols->text(r, 1);
        c.typeName = cols->text(r, 2);
        c.dims = cols->text(r, 3).toInt();
        c.typmod = cols->text(r, 4).toInt();
        c.notNull = cols->boolean(r, 5);
        c.typeOid = cols->text(r, 6).toUInt();
        c.pkIndex = cols->text(r, 7).toInt();
        if (c.pkIndex >= 0)
            pk.append({c.pkIndex, r});
        c.schemaJson = columnSchemaJson(c);
        t.columns.append(c);
    }
    std::sort(pk.begin(), pk.end());
    for (const auto &p : pk)
        t.keyColumns.append(p.second);
    t.hasPrimaryKey = !pk.isEmpty();
    if (!t.hasPrimaryKey) {
        // Electric's rule for PK-less tables: every column, sorted by name, is the identity.
        for (int i = 0; i < t.columns.size(); ++i)
            t.keyColumns.append(i);
        std::sort(t.keyColumns.begin(), t.keyColumns.end(),
                  [&t](int a, int b) { return t.columns[a].name < t.columns[b].name; });
    }
    return t;
}

QString TableInfo::columnSignature() const
{
    QStringList parts;
    for (const ColumnInfo &c : columns)
        parts.append(QStringLiteral("%1:%2:%3").arg(c.name).arg(c.typeOid).arg(c.typmod));
    return parts.join(QLatin1Char(','));
}
