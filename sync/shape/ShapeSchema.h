#pragma once

#include "domain/Result.h"

#include <QByteArray>
#include <QHash>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace hivewatch {

// One column of the electric-schema header (docs/electric-protocol.md §2.7).
struct ColumnType
{
    QString type; // Postgres typname; for arrays the element type
    int dims = 0; // array dimensions; 0 for scalars
    bool notNull = false;
    int pkIndex = -1; // position in the primary key, -1 when not part of it
};

// The electric-schema header of a shape: column name -> type. Kept verbatim too, so it can be
// stored and re-read exactly.
class ShapeSchema
{
public:
    // Parses the header value; an error names what is wrong with it.
    static Result<ShapeSchema> parse(const QByteArray &headerJson);

    bool isEmpty() const { return m_columns.isEmpty(); }
    const ColumnType *column(const QString &name) const;
    QStringList columnNames() const; // sorted
    QStringList primaryKey() const; // in pk_index order
    const QByteArray &json() const { return m_json; }

private:
    QHash<QString, ColumnType> m_columns;
    QByteArray m_json;
};

} // namespace hivewatch

Q_DECLARE_METATYPE(hivewatch::ShapeSchema)
