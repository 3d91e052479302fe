#include "sync/shape/ShapeRowTable.h"

#include "sync/shape/SyncLog.h"
#include "sync/sqlite/SqliteTransaction.h"

#include <sqlite3.h>

#include <string>

namespace hivewatch {

namespace {

constexpr char kEscape = '\x01';

// Whether `key` is stored as its rest after `prefix` (else escaped whole, see the header).
bool sliceable(QByteArrayView prefix, QByteArrayView key)
{
    return key.startsWith(prefix) && !key.sliced(prefix.size()).startsWith(kEscape);
}

const char *const kTables = R"(
    CREATE TABLE IF NOT EXISTS shape_ids (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        key_prefix TEXT);
    CREATE TABLE IF NOT EXISTS shape_row_data (
        shape INTEGER NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL);
    CREATE UNIQUE INDEX IF NOT EXISTS shape_row_data_key ON shape_row_data (shape, key);)";

const char *const kView = R"(
    CREATE VIEW IF NOT EXISTS shape_rows (shape, key, value) AS
        SELECT i.name,
               CASE WHEN substr(d.key, 1, 1) = char(1) THEN substr(d.key, 2)
                    ELSE coalesce(i.key_prefix, '') || d.key END,
               d.value
        FROM shape_row_data d JOIN shape_ids i ON i.id = d.shape;)";

// The older layout's rows keep their whole key under an empty prefix (escaped should one start
// with \x01); the shape's next snapshot picks a prefix.
const char *const kMoveOldRows = R"(
    INSERT OR IGNORE INTO shape_ids (name, key_prefix) SELECT DISTINCT shape, '' FROM shape_rows;
    INSERT INTO shape_row_data (shape, key, value)
        SELECT i.id, CASE WHEN substr(r.key, 1, 1) = char(1) THEN char(1) || r.key ELSE r.key END,
               r.value
        FROM shape_rows r JOIN shape_ids i ON i.name = r.shape;
    DROP TABLE shape_rows;)";

} // namespace

Result<void> ShapeRowTable::migrate(const SqliteConnection &db)
{
    const auto failed = [&](const QString &what) {
        return db.error(QStringLiteral("the local store could not %1").arg(what));
    };
    auto old = db.prepare("SELECT type FROM sqlite_schema WHERE name = 'shape_rows'");
    if (!old)
        return old.error();
    const auto layout = [&]() -> Result<std::string> {
        auto found = old->step();
        if (!found)
            return failed(QStringLiteral("read its shape tables"));
        std::string type(found.value() ? old->columnBytes(0) : std::string_view());
        old->reset();
        return type;
    };
    auto before = layout();
    if (!before)
        return before.error();
    if (before.value() == "view")
        return {}; // the view comes last: this layout is complete
    auto begun = SqliteTransaction::begin(db);
    if (!begun)
        return begun.error();
    // Another process may have moved the rows while this one waited for the write lock.
    auto now = layout();
    if (!now)
        return now.error();
    if (now.value() == "view")
        return {};
    const bool oldTable = now.value() == "table";
    if (!db.exec(kTables))
        return failed(QStringLiteral("create the shape tables"));
    if (oldTable) {
        if (!db.exec(kMoveOldRows))
            return failed(QStringLiteral("move its shape rows to the new layout"));
        qCInfo(lcSync) << "moved the stored shape rows of" << db.path() << "to the keyed layout";
    }
    if (!db.exec(kView))
        return failed(QStringLiteral("create the shape tables"));
    return begun->commit();
}

Result<std::unique_ptr<ShapeRowTable>> ShapeRowTable::prepare(const SqliteConnection &db)
{
    std::unique_ptr<ShapeRowTable> table(new ShapeRowTable(db));
    for (auto [sql, slot] : {
             std::pair {"SELECT id, key_prefix FROM shape_ids WHERE name = ?", &table->m_findShape},
             std::pair {"INSERT INTO shape_ids (name) VALUES (?)", &table->m_addShape},
             std::pair {"UPDATE shape_ids SET key_prefix = ? WHERE id = ?", &table->m_setPrefix},
             std::pair {"DELETE FROM shape_row_data WHERE shape = ?", &table->m_clear},
             std::pair {"INSERT INTO shape_row_data (shape, key, value) VALUES (?, ?, ?)",
                        &table->m_insert},
             std::pair {
                 "INSERT OR REPLACE INTO shape_row_data (shape, key, value) VALUES (?, ?, ?)",
                 &table->m_replace},
             std::pair {"SELECT value FROM shape_row_data WHERE shape = ? AND key = ?",
                        &table->m_select},
             std::pair {"DELETE FROM shape_row_data WHERE shape = ? AND key = ?", &table->m_erase},
             std::pair {"SELECT EXISTS (SELECT 1 FROM shape_row_data WHERE shape = ?)",
                        &table->m_any},
             std::pair {"SELECT count(*) FROM shape_row_data WHERE shape = ?", &table->m_count},
         }) {
        auto prepared = db.prepare(sql, true);
        if (!prepared)
            return Error(QStringLiteral("the local store could not prepare its shape statements"),
                         prepared.error().detail);
        *slot = std::move(prepared).value();
    }
    return table;
}

Result<ShapeRowTable::Shape *> ShapeRowTable::shape(QByteArrayView name, bool create)
{
    const QByteArray key = name.toByteArray();
    if (auto it = m_shapes.find(key); it != m_shapes.end())
        return &*it;
    Shape found;
    auto row = m_findShape.bindText(1, name).step();
    if (!row)
        return row.error();
    if (row.value()) {
        found.id = m_findShape.columnInt(0);
        if (!m_findShape.columnIsNull(1))
            found.prefix = m_findShape.columnByteArray(1);
        m_findShape.reset();
    } else {
        m_findShape.reset();
        if (!create)
            return nullptr;
        if (auto added = m_addShape.bindText(1, name).run(); !added)
            return added.error();
        found.id = m_db.lastInsertRowId();
    }
    return &*m_shapes.insert(key, found);
}

QByteArray ShapeRowTable::storedKey(Shape &shape, QByteArrayView key)
{
    const QByteArray &prefix = shape.prefix ? *shape.prefix : QByteArray();
    if (sliceable(prefix, key))
        return key.sliced(prefix.size()).toByteArray();
    QByteArray escaped;
    escaped.reserve(key.size() + 1);
    escaped.append(kEscape).append(key);
    return escaped;
}

Result<void> ShapeRowTable::write(SqliteStatement &statement, Shape &shape, QByteArrayView key,
                                  QByteArrayView json)
{
    if (!shape.prefix) {
        // The shape has no rows: its first key gives the prefix every key of a table shares.
        const qsizetype slash = key.indexOf('/');
        shape.prefix = slash < 0 ? QByteArray() : key.first(slash + 1).toByteArray();
        if (auto set = m_setPrefix.bindText(1, *shape.prefix).bindInt(2, shape.id).run(); !set)
            return set;
    }
    // Most keys are stored as a slice of themselves: bound without a copy.
    const QByteArray &prefix = *shape.prefix;
    if (sliceable(prefix, key)) {
        return statement.bindInt(1, shape.id)
            .bindText(2, key.sliced(prefix.size()))
            .bindText(3, json)
            .run();
    }
    const QByteArray stored = storedKey(shape, key);
    return statement.bindInt(1, shape.id).bindText(2, stored).bindText(3, json).run();
}

Result<void> ShapeRowTable::clear(QByteArrayView name)
{
    auto found = shape(name, false);
    if (!found)
        return found.error();
    Shape *s = found.value();
    if (!s)
        return {};
    if (auto cleared = m_clear.bindInt(1, s->id).run(); !cleared)
        return cleared;
    if (s->prefix) {
        if (auto unset = m_setPrefix.bindNull(1).bindInt(2, s->id).run(); !unset)
            return unset;
        s->prefix.reset();
    }
    return {};
}

Result<void> ShapeRowTable::insert(QByteArrayView name, QByteArrayView key, QByteArrayView json)
{
    auto found = shape(name, true);
    if (!found)
        return found.error();
    auto inserted = write(m_insert, *found.value(), key, json);
    // Taken: a server may send a key twice; the later row wins, as with put().
    if (inserted || sqlite3_extended_errcode(m_db.handle()) != SQLITE_CONSTRAINT_UNIQUE)
        return inserted;
    return write(m_replace, *found.value(), key, json);
}

Result<void> ShapeRowTable::put(QByteArrayView name, QByteArrayView key, QByteArrayView json)
{
    auto found = shape(name, true);
    if (!found)
        return found.error();
    return write(m_replace, *found.value(), key, json);
}

Result<std::optional<QByteArray>> ShapeRowTable::get(QByteArrayView name, QByteArrayView key)
{
    auto found = shape(name, false);
    if (!found)
        return found.error();
    if (!found.value())
        return std::optional<QByteArray>();
    const QByteArray stored = storedKey(*found.value(), key);
    auto row = m_select.bindInt(1, found.value()->id).bindText(2, stored).step();
    if (!row)
        return row.error();
    std::optional<QByteArray> json;
    if (row.value())
        json = m_select.columnByteArray(0);
    m_select.reset();
    return json;
}

Result<void> ShapeRowTable::erase(QByteArrayView name, QByteArrayView key)
{
    auto found = shape(name, false);
    if (!found)
        return found.error();
    if (!found.value())
        return {};
    const QByteArray stored = storedKey(*found.value(), key);
    return m_erase.bindInt(1, found.value()->id).bindText(2, stored).run();
}

Result<bool> ShapeRowTable::hasRows(QByteArrayView name)
{
    auto found = shape(name, false);
    if (!found)
        return found.error();
    if (!found.value())
        return false;
    auto row = m_any.bindInt(1, found.value()->id).step();
    if (!row)
        return row.error();
    const bool any = row.value() && m_any.columnInt(0) != 0;
    m_any.reset();
    return any;
}

Result<qint64> ShapeRowTable::count(QByteArrayView name)
{
    auto found = shape(name, false);
    if (!found)
        return found.error();
    if (!found.value())
        return qint64(0);
    auto row = m_count.bindInt(1, found.value()->id).step();
    if (!row)
        return row.error();
    const qint64 rows = row.value() ? m_count.columnInt(0) : 0;
    m_count.reset();
    return rows;
}

} // namespace hivewatch
