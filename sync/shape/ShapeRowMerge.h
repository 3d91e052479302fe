#pragma once

#include "domain/Result.h"
#include "sync/shape/ShapeMessage.h"

#include <QByteArray>
#include <QString>

#include <functional>
#include <optional>

namespace hivewatch {

class ShapeRows;

// How a change meets the row already stored under its key, for ShapeStore's shape_rows and for
// every sink that keeps rows of its own (sync/hive/LogShapeSink): one rule, one error text.
namespace ShapeRowMerge {

// The stored row, or nullopt when the key has none.
using StoredRow = std::function<Result<std::optional<RawRow>>()>;

// The row an insert or update leaves under its key. replica=default sends only the changed
// columns of an update: they are merged into the stored row when there is one (asked only then).
Result<RawRow> rowAfter(const ShapeMessage &change, const StoredRow &stored);

// The row `rows` keeps under `key` (nullopt: none); one that does not parse is damaged.
Result<std::optional<RawRow>> storedRow(ShapeRows &rows, const QByteArray &key,
                                        const QString &keyText, const QString &shape);

// A stored row of `shape` that cannot be read back, named so it can be found.
Error damaged(const QString &keyText, const QString &shape, const Error &why);

} // namespace ShapeRowMerge

} // namespace hivewatch
