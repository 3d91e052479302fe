#pragma once

#include "domain/Result.h"
#include "sync/shape/ShapeMessage.h"
#include "sync/shape/ShapeRow.h"
#include "sync/shape/ShapeSchema.h"

#include <QByteArray>
#include <QStringList>
#include <QVariant>

namespace hivewatch {

// Typing of Electric's text values by electric-schema (docs/electric-protocol.md §2.6–2.8; issue 4
// item 2): int2/int4/int8 -> qlonglong (exact, never through a double); float4/float8 -> double
// including NaN/±Infinity; bool from t/true/f/false; json/jsonb -> QJsonValue; Postgres array
// literals -> nested QVariantList typed per element (unquoted NULL -> null QVariant, "NULL" ->
// the string); every other type -> QString. SQL NULL is a null QVariant, distinct from "".
namespace ShapeValue {

// Types one value. A column missing from the schema (or no schema) stays a QString. Errors name
// the column's type and the text, e.g. an int8 that does not fit or a malformed array literal.
Result<QVariant> typed(const ColumnType *type, const RawField &field);
// Types a whole row; problems (bad values, NULL in a not_null column) are appended to
// `problems` and the affected value is kept as its text (or null), so nothing is lost.
QVariantHash typedRow(const ShapeSchema &schema, const RawRow &row,
                      QStringList *problems = nullptr);
// The same into the form batches carry. `columns` is the column list of the shape's previous
// row: reused when this row has the same columns in the same order (it almost always has),
// replaced otherwise, so the rows of a batch share one list.
ShapeRow typedShapeRow(const ShapeSchema &schema, const RawRow &row, ShapeRow::Columns &columns,
                       QStringList *problems = nullptr);
// Reports NULLs in not_null columns: "column `x` is declared NOT NULL but the row <key> has
// NULL". Empty when the row is fine.
QStringList notNullViolations(const ShapeSchema &schema, const QString &key, const RawRow &row);

// A Postgres array literal ({…}, nested, quoted elements, backslash escapes) to nested lists of
// raw elements: each leaf is a QByteArray, or a null QVariant for an unquoted NULL.
Result<QVariantList> parseArrayLiteral(QByteArrayView literal);

// JSON text for the hivectl --dump format: objects with keys sorted, separators ", " and ": ",
// numbers formatted as JavaScript does (shortest round-trip; NaN/±Infinity become the strings
// "NaN", "Infinity", "-Infinity"), qlonglong exact, non-ASCII kept as UTF-8.
QByteArray toDumpJson(const QVariant &value);
// JavaScript's Number.prototype.toString for finite doubles.
QByteArray jsNumber(double value);

} // namespace ShapeValue

} // namespace hivewatch
