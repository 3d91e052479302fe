#pragma once

#include "domain/Result.h"

#include <QList>
#include <QMetaType>
#include <QString>

namespace hivewatch {

// A table as Postgres stores it in its catalog: schema and name exactly, case and spaces kept.
// SQL text is never built from it here; PgConnection::quoteIdentifier does that.
struct PgTableName
{
    QString schema = QStringLiteral("public");
    QString name;

    // How users write it: `shared_tasks`, `audit.events`, `"My Schema"."Odd.Name"`. Unquoted
    // parts are taken exactly as written (no case folding: these are catalog names, not SQL);
    // double quotes (with "" for a quote) are needed only around a part holding a dot or comma.
    static Result<PgTableName> parse(const QString &text);
    // A comma separated list of the above (the CLI's --tables).
    static Result<QList<PgTableName>> parseList(const QString &text);
    // The seven tables the Electric migration publishes (docs/hive-schema.md §1.11), in its order.
    static QList<PgTableName> hiveTables();

    // Inverse of parse(): `schema.name`, quoting a part only when parse() would need it.
    QString display() const;

    friend bool operator==(const PgTableName &, const PgTableName &) = default;
    friend bool operator<(const PgTableName &a, const PgTableName &b)
    {
        return a.schema != b.schema ? a.schema < b.schema : a.name < b.name;
    }
};

} // namespace hivewatch

Q_DECLARE_METATYPE(hivewatch::PgTableName)
