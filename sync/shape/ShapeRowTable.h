#pragma once

#include "domain/Result.h"
#include "sync/sqlite/SqliteConnection.h"
#include "sync/sqlite/SqliteStatement.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>

#include <memory>
#include <optional>

namespace hivewatch {

// The generic rows of every shape in the local store (ShapeStore's shape_rows), in wire form by
// Electric key. Laid out for a snapshot's bulk insert (docs/benchmarks.md, "A task-shaped
// shape"): each shape has a small integer id (shape_ids), and a row's key is stored without its
// shape's common prefix (`"schema"."table"/`), so the unique index on (shape id, key) compares a
// few bytes instead of the shape's name and ~25 shared bytes per row. The rows themselves go to
// a rowid table in arrival order; only the small index entry lands at its key's place.
//
// A stored key is the key without the prefix when it starts with it (and the rest does not start
// with \x01), else \x01 + the whole key: unambiguous whatever keys a server sends. A shape's
// prefix is taken from its first key after it was cleared (or created), when it has no rows.
// The view shape_rows gives (shape name, key, value) with the keys whole, for readers.
//
// Everything runs on the connection's thread; statements are prepared once per connection.
class ShapeRowTable
{
public:
    // Creates the tables; a store written with the older layout (shape_rows as one table keyed
    // by name and whole key, up to store version 3) has its rows moved over in one transaction.
    static Result<void> migrate(const SqliteConnection &db);
    static Result<std::unique_ptr<ShapeRowTable>> prepare(const SqliteConnection &db);

    // Drops the rows of `shape`; the next inserts expect no conflict (a snapshot).
    Result<void> clear(QByteArrayView shape);
    // A row expected to be new (an insert): a plain INSERT, replacing only if the key is taken.
    Result<void> insert(QByteArrayView shape, QByteArrayView key, QByteArrayView json);
    // A row that may replace a stored one (a merged update).
    Result<void> put(QByteArrayView shape, QByteArrayView key, QByteArrayView json);
    Result<std::optional<QByteArray>> get(QByteArrayView shape, QByteArrayView key);
    Result<void> erase(QByteArrayView shape, QByteArrayView key);
    Result<bool> hasRows(QByteArrayView shape);
    Result<qint64> count(QByteArrayView shape);
    // After a rollback: the shape ids and prefixes cached here may not exist any more.
    void forget() { m_shapes.clear(); }

private:
    struct Shape
    {
        qint64 id = 0;
        std::optional<QByteArray> prefix; // none: not chosen yet (no rows)
    };
    explicit ShapeRowTable(const SqliteConnection &db)
        : m_db(db)
    {
    }
    // The shape's id, created if `create`; nullptr when it has none (so no rows).
    Result<Shape *> shape(QByteArrayView name, bool create);
    QByteArray storedKey(Shape &shape, QByteArrayView key);
    Result<void> write(SqliteStatement &statement, Shape &shape, QByteArrayView key,
                       QByteArrayView json);

    const SqliteConnection &m_db;
    QHash<QByteArray, Shape> m_shapes;
    SqliteStatement m_findShape;
    SqliteStatement m_addShape;
    SqliteStatement m_setPrefix;
    SqliteStatement m_clear;
    SqliteStatement m_insert;
    SqliteStatement m_replace;
    SqliteStatement m_select;
    SqliteStatement m_erase;
    SqliteStatement m_any;
    SqliteStatement m_count;
};

} // namespace hivewatch
