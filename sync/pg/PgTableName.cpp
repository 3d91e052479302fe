#include "sync/pg/PgTableName.h"

#include "domain/HiveTables.h"

namespace hivewatch {

namespace {

QString quotePart(const QString &part)
{
    const bool plain = !part.isEmpty() && !part.contains(QLatin1Char('.'))
        && !part.contains(QLatin1Char(',')) && !part.contains(QLatin1Char('"'))
        && part.trimmed() == part;
    if (plain)
        return part;
    QString quoted = part;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

// Splits `text` at `separator` outside double quotes, unquoting each part. Returns false on an
// unterminated quote.
bool splitQuoted(const QString &text, QChar separator, QStringList *parts)
{
    QString current;
    bool inQuotes = false;
    bool wasQuoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (inQuotes) {
            if (c == QLatin1Char('"')) {
                if (i + 1 < text.size() && text.at(i + 1) == QLatin1Char('"')) {
                    current += c;
                    ++i;
                } else {
                    inQuotes = false;
                }
            } else {
                current += c;
            }
        } else if (c == QLatin1Char('"')) {
            inQuotes = true;
            wasQuoted = true;
        } else if (c == separator) {
            parts->append(wasQuoted ? current : current.trimmed());
            current.clear();
            wasQuoted = false;
        } else {
            current += c;
        }
    }
    if (inQuotes)
        return false;
    parts->append(wasQuoted ? current : current.trimmed());
    return true;
}

} // namespace

Result<PgTableName> PgTableName::parse(const QString &text)
{
    QStringList parts;
    if (!splitQuoted(text.trimmed(), QLatin1Char('.'), &parts))
        return Error(QStringLiteral("Table name '%1' has an unterminated double quote").arg(text));
    if (parts.size() > 2)
        return Error(QStringLiteral("Table name '%1' has more than one dot; write schema.table and "
                                    "double-quote a part that contains a dot")
                         .arg(text));
    for (const QString &part : std::as_const(parts)) {
        if (part.isEmpty())
            return Error(QStringLiteral("Table name '%1' has an empty part").arg(text));
    }
    PgTableName table;
    if (parts.size() == 2)
        table.schema = parts[0];
    table.name = parts.last();
    return table;
}

Result<QList<PgTableName>> PgTableName::parseList(const QString &text)
{
    QStringList items;
    // Commas inside quotes belong to a name, so split with the quotes still in place.
    QString current;
    bool inQuotes = false;
    for (const QChar c : text) {
        if (c == QLatin1Char('"'))
            inQuotes = !inQuotes;
        if (c == QLatin1Char(',') && !inQuotes) {
            items.append(current);
            current.clear();
        } else {
            current += c;
        }
    }
    items.append(current);
    QList<PgTableName> tables;
    for (const QString &item : std::as_const(items)) {
        if (item.trimmed().isEmpty())
            continue;
        auto table = parse(item);
        if (!table)
            return table.error();
        if (!tables.contains(table.value()))
            tables.append(table.value());
    }
    if (tables.isEmpty())
        return Error(QStringLiteral("The table list '%1' names no table").arg(text));
    return tables;
}

QList<PgTableName> PgTableName::hiveTables()
{
    QList<PgTableName> tables;
    for (const QString &name : HiveTables::publishedTables())
        tables.append(PgTableName {QStringLiteral("public"), name});
    return tables;
}

QString PgTableName::display() const
{
    return quotePart(schema) + QLatin1Char('.') + quotePart(name);
}

} // namespace hivewatch
