#include "ShapeStore.h"

#include "LogStore.h"
#include "ShapeLogLine.h"
#include "ShapeStream.h"
#include "SyncLog.h"

#include <QSqlDriver>
#include <QUuid>

#include <sqlite3.h>

#include <algorithm>
#include <charconv>

namespace {

// One prepared statement on the raw handle behind LogStore's QSqlDatabase: QSqlQuery costs a
// QVariant per bound value, which matters at a million rows.
class Statement
{
public:
    Statement(sqlite3 *db, const char *sql)
        : m_db(db)
    {
        m_rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr);
    }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    bool ok() const { return m_rc == SQLITE_OK; }
    QString error() const { return QString::fromUtf8(sqlite3_errmsg(m_db)); }

    Statement &bind(int index, QByteArrayView text)
    {
        sqlite3_bind_text(m_stmt, index, text.data(), int(text.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Statement &bind(int index, const QByteArray &text) { return bind(index, QByteArrayView(text)); }
    Statement &bind(int index, const QString &text)
    {
        return bind(index, QByteArrayView(text.toUtf8()));
    }
    Statement &bindNull(int index)
    {
        sqlite3_bind_null(m_stmt, index);
        return *this;
    }
    Statement &bind(int index, qint64 value)
    {
        sqlite3_bind_int64(m_stmt, index, value);
        return *this;
    }
    // Runs a statement without result rows.
    bool exec()
    {
        const int rc = sqlite3_step(m_stmt);
        sqlite3_reset(m_stmt);
        return rc == SQLITE_DONE || rc == SQLITE_ROW;
    }
    bool next() { return sqlite3_step(m_stmt) == SQLITE_ROW; }
    void reset() { sqlite3_reset(m_stmt); }
    QByteArray column(int index) const
    {
        return QByteArray(static_cast<const char *>(sqlite3_column_blob(m_stmt, index)),
                          sqlite3_column_bytes(m_stmt, index));
    }
    qint64 columnInt(int index) const { return sqlite3_column_int64(m_stmt, index); }
    bool isNull(int index) const { return sqlite3_column_type(m_stmt, index) == SQLITE_NULL; }

private:
    sqlite3 *m_db;
    sqlite3_stmt *m_stmt = nullptr;
    int m_rc;
};

sqlite3 *rawHandle(LogStore &store)
{
    const QVariant handle = store.database().driver()->handle();
    if (!handle.isValid() || qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(handle.constData());
}

// A node's own db.sqlite opens as a LogStore (to read its logs), but shape tables and synced
// lines written into it would be another program's data in the node's file.
std::optional<Error> refuseNodeDatabase(const LogStore &store)
{
    if (!store.isNodeDatabase())
        return std::nullopt;
    return Error(QStringLiteral("%1 is a node's database (db.sqlite), not a Hivewatch store: "
                                "shapes are not synced into it")
                     .arg(store.path()),
                 QStringLiteral("give a Hivewatch store file of its own (or none, for the "
                                "default store); the node's logs can still be read from it"));
}

// Names the store file and, for what a user can act on, says what is wrong with it: a store
// another program holds or a full disk is healthy and must not look like damage.
Error sqlError(const QString &what, sqlite3 *db)
{
    const QString file = QString::fromUtf8(sqlite3_db_filename(db, "main"));
    const QString store = file.isEmpty() ? QStringLiteral("the local store")
                                         : QStringLiteral("the local store ") + file;
    const QString detail = QString::fromUtf8(sqlite3_errmsg(db));
    switch (sqlite3_errcode(db) & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return Error(QStringLiteral("%1 is in use by another process; could not %2, nothing was "
                                    "changed")
                         .arg(store, what),
                     detail
                         + QStringLiteral("; close the other program using it, or give "
                                          "another store with --db"));
    case SQLITE_FULL:
        return Error(QStringLiteral("the disk holding %1 is full; could not %2, what was stored "
                                    "before is kept")
                         .arg(store, what),
                     detail);
    case SQLITE_READONLY:
        return Error(QStringLiteral("%1 cannot be written; could not %2, the store itself is not "
                                    "damaged")
                         .arg(store, what),
                     detail);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return Error(QStringLiteral("%1 is corrupted; could not %2").arg(store, what), detail);
    default:
        return Error(QStringLiteral("%1 could not %2").arg(store, what), detail);
    }
}

} // namespace

ShapeStore::ShapeStore(LogStore &logStore)
    : m_logStore(logStore)
{
}

ShapeStore::~ShapeStore()
{
    rollback();
}

Result<void> ShapeStore::migrate()
{
    if (auto refused = refuseNodeDatabase(m_logStore))
        return *refused;
    sqlite3 *db = rawHandle(m_logStore);
    if (!db)
        return Error(QStringLiteral("the local store is not an SQLite database"));
    // A snapshot is applied as one transaction; with SQLite's default 2 MB page cache a large
    // one spills pages to the WAL again and again. 64 MB keeps a million-row snapshot in memory.
    const char *schema = R"(
        PRAGMA cache_size = -65536;
        CREATE TABLE IF NOT EXISTS shape_state (
            name TEXT PRIMARY KEY,
            shape_key TEXT NOT NULL,
            handle TEXT,
            "offset" TEXT NOT NULL,
            schema TEXT,
            row_count INTEGER NOT NULL DEFAULT 0,
            last_synced_at TEXT);
        CREATE TABLE IF NOT EXISTS shape_rows (
            shape TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (shape, key)) WITHOUT ROWID;)";
    char *message = nullptr;
    if (sqlite3_exec(db, schema, nullptr, nullptr, &message) != SQLITE_OK) {
        sqlite3_free(message); // sqlite3_errmsg() says the same
        return sqlError(QStringLiteral("create the shape tables"), db);
    }
    // log_rows = 1: the shape's rows live in log_entries (see write()); key_prefix: what its
    // keys hold before the quoted id, for the keys derived from it; keyed_rows = 1: its lines
    // were checked to be only those whose key is key_prefix + id (see load()). Stores written
    // before these columns existed get them here; their log shape resyncs once if it must.
    for (const char *column : {"log_rows INTEGER NOT NULL DEFAULT 0", "key_prefix TEXT",
                               "keyed_rows INTEGER NOT NULL DEFAULT 0"}) {
        const QByteArray name = QByteArray(column).split(' ').constFirst();
        Statement exists(db,
                         "SELECT count(*) FROM pragma_table_info('shape_state') "
                         "WHERE name = ?");
        if (!exists.ok() || !exists.bind(1, name).next())
            return sqlError(QStringLiteral("read its shape tables"), db);
        const bool has = exists.columnInt(0) > 0;
        exists.reset();
        if (!has
            && sqlite3_exec(db,
                            QByteArray("ALTER TABLE shape_state ADD COLUMN " + QByteArray(column))
                                .constData(),
                            nullptr, nullptr, nullptr)
                != SQLITE_OK)
            return sqlError(QStringLiteral("update its shape tables"), db);
    }
    return {};
}

Result<std::optional<StoredShape>> ShapeStore::load(const QString &name, const QString &shapeKey,
                                                    bool isLogTable)
{
    if (auto previous = join(); !previous)
        return previous.error();
    if (auto refused = refuseNodeDatabase(m_logStore))
        return *refused;
    sqlite3 *db = rawHandle(m_logStore);
    Statement select(db, R"(SELECT shape_key, handle, "offset", schema, row_count, last_synced_at,
                                   log_rows, key_prefix, keyed_rows FROM shape_state
                            WHERE name = ?)");
    if (!select.ok())
        return sqlError(QStringLiteral("read the saved shapes"), db);
    select.bind(1, name);
    if (!select.next())
        return std::optional<StoredShape>();
    // A log shape saved before its rows moved to log_entries starts over.
    if (QString::fromUtf8(select.column(0)) != shapeKey
        || (isLogTable && select.columnInt(6) == 0)) {
        select.reset();
        if (auto removed = remove(name); !removed)
            return removed.error();
        return std::optional<StoredShape>();
    }
    StoredShape stored;
    stored.handle = QString::fromUtf8(select.column(1));
    stored.offset = QString::fromUtf8(select.column(2));
    if (!select.isNull(3)) {
        auto schema = ShapeSchema::parse(select.column(3));
        if (schema)
            stored.schema = std::move(schema).value();
    }
    stored.rowCount = select.columnInt(4);
    if (isLogTable)
        m_keyPrefix = select.column(7);
    const bool keyed = select.columnInt(8) == 1;
    stored.lastSyncedAt
        = QDateTime::fromString(QString::fromUtf8(select.column(5)), Qt::ISODateWithMs);
    select.reset();
    if (isLogTable && !keyed) {
        auto checked = checkKeyedRows(name);
        if (!checked)
            return checked.error();
        if (!checked.value())
            return std::optional<StoredShape>();
    }
    // A position without its schema cannot type values: start over rather than guess.
    if (stored.schema.isEmpty() && stored.offset != QLatin1String("-1"))
        return std::optional<StoredShape>();
    return std::optional<StoredShape>(stored);
}

Result<bool> ShapeStore::checkKeyedRows(const QString &name)
{
    // Before rows were resolved by key, a log line could stand for a key other than
    // key_prefix + its id (shape_key set). Such a store starts the shape over, once; any other
    // is marked so that the scan of log_entries is not repeated.
    sqlite3 *db = rawHandle(m_logStore);
    Statement stray(db,
                    "SELECT EXISTS (SELECT 1 FROM log_entries "
                    "WHERE shape_key IS NOT NULL AND shape_derived IS NOT NULL)");
    if (!stray.ok() || !stray.next())
        return sqlError(QStringLiteral("check the rows of shape %1").arg(name), db);
    const bool found = stray.columnInt(0) != 0;
    stray.reset();
    if (found) {
        qCInfo(lcSync) << name << "has log lines stored under another key; resyncing it once";
        if (auto removed = remove(name); !removed)
            return removed.error();
        return false;
    }
    Statement mark(db, "UPDATE shape_state SET keyed_rows = 1 WHERE name = ?");
    if (!mark.ok() || !mark.bind(1, name).exec())
        return sqlError(QStringLiteral("save shape %1").arg(name), db);
    return true;
}

Result<void> ShapeStore::begin()
{
    if (m_open)
        return {};
    sqlite3 *db = rawHandle(m_logStore);
    if (!db)
        return Error(QStringLiteral("the local store is not an SQLite database"));
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK)
        return sqlError(QStringLiteral("start a transaction"), db);
    m_open = true;
    return {};
}

Result<void> ShapeStore::finish()
{
    if (!m_open)
        return {};
    sqlite3 *db = rawHandle(m_logStore);
    // The rows of shapes half-way through a snapshot go to disk with this commit, so their saved
    // position must say "resync" first: a restart must never take partial rows for a shape's
    // data. Once per snapshot, not per commit: their own commit() replaces the -1.
    if (std::any_of(m_partial.keyBegin(), m_partial.keyEnd(),
                    [this](const QString &name) { return !m_resyncSaved.contains(name); })) {
        Statement resync(db,
                         R"(UPDATE shape_state SET "offset" = '-1', handle = NULL WHERE name = ?)");
        for (auto it = m_partial.keyBegin(); it != m_partial.keyEnd(); ++it) {
            if (m_resyncSaved.contains(*it))
                continue;
            if (!resync.ok() || !resync.bind(1, *it).exec()) {
                const Error error = sqlError(
                    QStringLiteral("save shape %1 as a snapshot in progress").arg(*it), db);
                rollback();
                return error;
            }
            m_resyncSaved.insert(*it);
        }
    }
    if (sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
        const Error error = sqlError(QStringLiteral("commit the synced rows"), db);
        rollback();
        return error;
    }
    m_open = false;
    return {};
}

void ShapeStore::rollback()
{
    (void)join(); // its error does not matter: everything it wrote is dropped
    if (m_open)
        sqlite3_exec(rawHandle(m_logStore), "ROLLBACK", nullptr, nullptr, nullptr);
    m_open = false;
    m_partial.clear();
    m_resyncSaved.clear();
    m_attached.reset();
}

Result<qint64> ShapeStore::genericRowCount(const QString &name)
{
    sqlite3 *db = rawHandle(m_logStore);
    Statement count(db, "SELECT COUNT(*) FROM shape_rows WHERE shape = ?");
    if (!count.ok() || !count.bind(1, name).next())
        return sqlError(QStringLiteral("count the rows of shape %1").arg(name), db);
    return count.columnInt(0);
}

Result<qint64> ShapeStore::attachedRows(const QString &name)
{
    if (m_attached)
        return *m_attached;
    // Nothing of this shape is uncommitted here (a rollback clears m_attached), so its saved
    // row count minus its generic rows is what log_entries holds for it.
    sqlite3 *db = rawHandle(m_logStore);
    Statement saved(db, "SELECT row_count FROM shape_state WHERE name = ? AND log_rows = 1");
    if (!saved.ok())
        return sqlError(QStringLiteral("read the saved shapes"), db);
    const qint64 total = saved.bind(1, name).next() ? saved.columnInt(0) : 0;
    saved.reset();
    auto generic = genericRowCount(name);
    if (!generic)
        return generic.error();
    m_attached = std::max<qint64>(0, total - generic.value());
    return *m_attached;
}

QList<ShapeStore::Prepared> ShapeStore::prepare(const ShapeUpdate &update, bool isLogTable,
                                                const QByteArray &keyPrefix)
{
    QList<Prepared> prepared;
    prepared.reserve(update.changes.size());
    for (const ShapeMessage &change : update.changes) {
        Prepared p;
        p.key = change.key.toUtf8();
        if (change.operation == RowChange::Operation::Insert) {
            if (isLogTable)
                p.line = shapeLogLine(change.key, change.value, keyPrefix);
            // Only a row whose key is the prefix + its own id goes to log_entries, where the
            // id (source_id) stands for the key: any other would let one key's change replace or
            // delete another key's row. It is kept under its key in shape_rows instead.
            if (p.line && !p.line->shapeKey.isEmpty())
                p.line.reset();
            if (!p.line)
                p.json = rawRowToJson(change.value);
        }
        prepared.append(std::move(p));
    }
    return prepared;
}

Result<void> ShapeStore::join()
{
    if (!m_job.valid())
        return {};
    return m_job.get();
}

Result<void> ShapeStore::write(const QString &name, const ShapeUpdate &update, bool isLogTable,
                               QList<AppliedChange> *applied)
{
    // The conversions need no store: done here while the previous write may still run.
    if (isLogTable && m_keyPrefix.isEmpty()) {
        for (const ShapeMessage &change : update.changes) {
            if (change.operation == RowChange::Operation::Insert) {
                m_keyPrefix = shapeLogKeyPrefix(change.key, change.value);
                if (!m_keyPrefix.isEmpty())
                    break;
            }
        }
    }
    QList<Prepared> prepared = prepare(update, isLogTable, m_keyPrefix);
    if (auto previous = join(); !previous)
        return previous;
    if (auto begun = begin(); !begun)
        return begun;
    m_partial.insert(name, isLogTable);
    if (applied)
        return apply(name, update, isLogTable, m_keyPrefix, prepared, applied);
    // Nobody waits for the rows: the SQLite work runs on a thread of its own while this thread
    // goes back to receiving and parsing the next response (at most one write in flight, which
    // also bounds the memory). Every other call joins it first; its error surfaces there.
    m_job = std::async(
        std::launch::async,
        [this, name, update, isLogTable, keyPrefix = m_keyPrefix, prepared = std::move(prepared)] {
            return apply(name, update, isLogTable, keyPrefix, prepared, nullptr);
        });
    return {};
}

Result<void> ShapeStore::apply(const QString &name, const ShapeUpdate &update, bool isLogTable,
                               const QByteArray &keyPrefix, const QList<Prepared> &prepared,
                               QList<AppliedChange> *applied)
{
    sqlite3 *db = rawHandle(m_logStore);
    const QByteArray shape = name.toUtf8();
    Statement clear(db, "DELETE FROM shape_rows WHERE shape = ?");
    Statement upsert(db, "INSERT OR REPLACE INTO shape_rows (shape, key, value) VALUES (?, ?, ?)");
    Statement select(db, "SELECT value FROM shape_rows WHERE shape = ? AND key = ?");
    Statement erase(db, "DELETE FROM shape_rows WHERE shape = ? AND key = ?");
    Statement others(db, R"(UPDATE shape_state SET "offset" = '-1', handle = NULL
                            WHERE log_rows = 1 AND name <> ?)");
    for (const Statement *s : {&clear, &upsert, &select, &erase, &others}) {
        if (!s->ok())
            return sqlError(QStringLiteral("prepare its shape statements"), db);
    }
    if (update.reset) {
        if (!clear.bind(1, shape).exec())
            return sqlError(QStringLiteral("clear the rows of shape %1").arg(name), db);
        if (isLogTable) {
            // One log shape per store: its rows are log_entries' attached lines. Another log
            // shape saved here loses them, so it must resync if it is ever used again.
            if (auto detached = m_logStore.detachAllSynced(); !detached)
                return detached;
            if (!others.bind(1, shape).exec())
                return sqlError(QStringLiteral("reset the other log shapes"), db);
            m_attached = 0;
        }
    }
    // Whether this shape has rows in shape_rows: only then can a log line's key also be there.
    // Asked once per update, so the common insert of a log line costs no extra statement.
    bool hasGeneric = !isLogTable;
    if (isLogTable) {
        if (auto attached = attachedRows(name); !attached)
            return attached.error();
        Statement any(db, "SELECT EXISTS (SELECT 1 FROM shape_rows WHERE shape = ?)");
        if (!any.ok() || !any.bind(1, shape).next())
            return sqlError(QStringLiteral("read the rows of shape %1").arg(name), db);
        hasGeneric = any.columnInt(0) != 0;
    }

    QList<SyncedLogLine> lines;
    const auto flushLines = [&]() -> Result<void> {
        if (lines.isEmpty())
            return {};
        auto added = m_logStore.upsertSyncedInCurrentTransaction(lines);
        if (!added)
            return added.error();
        *m_attached += added.value();
        lines.clear();
        return {};
    };
    // A key of the form prefix + "N" may be stored as log line N: a row stored elsewhere under
    // that key (or deleted) must take the line off the shape, so the key is never held twice.
    const auto detachKey = [&](const QByteArray &key) -> Result<void> {
        const auto id = isLogTable ? shapeLogKeyId(key, keyPrefix) : std::nullopt;
        if (!id)
            return {};
        if (auto flushed = flushLines(); !flushed)
            return flushed;
        auto detached = m_logStore.detachSynced(*id);
        if (!detached)
            return detached.error();
        *m_attached -= detached.value() ? 1 : 0;
        return {};
    };
    // Finds the stored row a partial update merges into: log_entries, then shape_rows.
    const auto storedRow
        = [&](const ShapeMessage &change, const QByteArray &key) -> Result<std::optional<RawRow>> {
        std::optional<QByteArray> json;
        if (isLogTable) {
            if (auto flushed = flushLines(); !flushed)
                return flushed.error();
            if (const auto id = shapeLogKeyId(key, keyPrefix)) {
                auto line = m_logStore.syncedLine(*id);
                if (!line)
                    return line.error();
                if (line.value()) {
                    auto row = shapeLogRow(*line.value());
                    if (!row)
                        return Error(QStringLiteral("the stored row %1 of shape %2 is damaged")
                                         .arg(change.key, name),
                                     row.error().toString());
                    return std::optional<RawRow>(std::move(row).value());
                }
            }
        }
        if (!json) {
            select.bind(1, shape).bind(2, key);
            if (select.next())
                json = select.column(0);
            select.reset();
        }
        if (!json)
            return std::optional<RawRow>();
        auto parsed = parseRawRow(*json);
        if (!parsed)
            return Error(
                QStringLiteral("the stored row %1 of shape %2 is damaged").arg(change.key, name),
                parsed.error().toString());
        return std::optional<RawRow>(std::move(parsed).value());
    };

    if (applied)
        applied->reserve(applied->size() + update.changes.size());
    for (qsizetype i = 0; i < update.changes.size(); ++i) {
        const ShapeMessage &change = update.changes[i];
        const Prepared &ready = prepared[i];
        const QByteArray &key = ready.key;
        if (change.operation == RowChange::Operation::Insert) {
            if (ready.line) {
                if (hasGeneric && !erase.bind(1, shape).bind(2, key).exec())
                    return sqlError(QStringLiteral("move row %1 of shape %2").arg(change.key, name),
                                    db);
                lines.append(*ready.line);
            } else {
                if (auto detached = detachKey(key); !detached)
                    return detached;
                if (!upsert.bind(1, shape).bind(2, key).bind(3, ready.json).exec())
                    return sqlError(
                        QStringLiteral("store row %1 of shape %2").arg(change.key, name), db);
                hasGeneric = true;
            }
            if (applied)
                applied->append({change.operation, change.key, change.value});
            continue;
        }
        RawRow row = change.value;
        if (change.operation == RowChange::Operation::Update) {
            // replica=default sends only changed columns: merge into the stored row.
            auto stored = storedRow(change, key);
            if (!stored)
                return stored.error();
            if (stored.value()) {
                row = std::move(*stored.value());
                mergeRow(row, change.value);
            }
        }
        if (change.operation == RowChange::Operation::Delete) {
            // By its key alone: the id a delete carries must not pick another key's line.
            if (auto detached = detachKey(key); !detached)
                return detached;
            if (!erase.bind(1, shape).bind(2, key).exec())
                return sqlError(QStringLiteral("delete row %1 of shape %2").arg(change.key, name),
                                db);
        } else if (auto line = isLogTable ? shapeLogLine(change.key, row, keyPrefix) : std::nullopt;
                   line && line->shapeKey.isEmpty()) {
            lines.append(std::move(*line));
            if (!erase.bind(1, shape).bind(2, key).exec())
                return sqlError(QStringLiteral("move row %1 of shape %2").arg(change.key, name),
                                db);
        } else {
            if (auto detached = detachKey(key); !detached)
                return detached;
            if (!upsert.bind(1, shape)
                     .bind(2, key)
                     .bind(3, QByteArrayView(rawRowToJson(row)))
                     .exec())
                return sqlError(QStringLiteral("store row %1 of shape %2").arg(change.key, name),
                                db);
            hasGeneric = true;
        }
        if (applied)
            applied->append({change.operation, change.key, std::move(row)});
    }
    return flushLines();
}

Result<qint64> ShapeStore::commit(const QString &name, const QString &shapeKey,
                                  const ShapeUpdate &update, bool isLogTable)
{
    if (auto previous = join(); !previous)
        return previous.error();
    if (auto begun = begin(); !begun)
        return begun.error();
    sqlite3 *db = rawHandle(m_logStore);
    const QByteArray shape = name.toUtf8();
    auto generic = genericRowCount(name);
    if (!generic)
        return generic.error();
    qint64 rowCount = generic.value();
    if (isLogTable) {
        auto attached = attachedRows(name);
        if (!attached)
            return attached.error();
        rowCount += attached.value();
    }
    Statement save(db, R"(INSERT OR REPLACE INTO shape_state
                          (name, shape_key, handle, "offset", schema, row_count, last_synced_at,
                           log_rows, key_prefix, keyed_rows)
                          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1))");
    if (!save.ok())
        return sqlError(QStringLiteral("save the position of shape %1").arg(name), db);
    save.bind(1, shape).bind(2, shapeKey).bind(3, update.handle).bind(4, update.offset);
    if (update.schema.isEmpty())
        save.bindNull(5);
    else
        save.bind(5, QByteArrayView(update.schema.json()));
    save.bind(6, rowCount).bind(7, update.receivedAt.toString(Qt::ISODateWithMs));
    save.bind(8, qint64(isLogTable ? 1 : 0));
    if (isLogTable && !m_keyPrefix.isEmpty())
        save.bind(9, m_keyPrefix);
    else
        save.bindNull(9);
    if (!save.exec())
        return sqlError(QStringLiteral("save the position of shape %1").arg(name), db);
    m_partial.remove(name);
    m_resyncSaved.remove(name);
    if (auto finished = finish(); !finished)
        return finished.error();
    return rowCount;
}

Result<void> ShapeStore::abandon(const QString &name)
{
    if (auto previous = join(); !previous)
        return previous;
    if (!m_partial.contains(name))
        return {};
    // The other shapes' work first, in a commit of its own, so that a failure below drops
    // nothing of theirs; `name` is saved as -1 by it already.
    if (auto committed = finish(); !committed)
        return committed;
    const bool isLogTable = m_partial.take(name);
    m_resyncSaved.remove(name);
    if (auto begun = begin(); !begun)
        return begun;
    sqlite3 *db = rawHandle(m_logStore);
    Statement rows(db, "DELETE FROM shape_rows WHERE shape = ?");
    Statement restart(db, R"(UPDATE shape_state SET "offset" = '-1', handle = NULL,
                             row_count = 0 WHERE name = ?)");
    Result<void> dropped;
    if (!rows.ok() || !restart.ok() || !rows.bind(1, name).exec())
        dropped = sqlError(QStringLiteral("drop the partial rows of shape %1").arg(name), db);
    if (dropped && isLogTable) {
        dropped = m_logStore.detachAllSynced();
        m_attached = 0;
    }
    if (dropped && !restart.bind(1, name).exec())
        dropped = sqlError(QStringLiteral("mark shape %1 for a resync").arg(name), db);
    if (!dropped) {
        rollback();
        return dropped;
    }
    return finish();
}

Result<void>
ShapeStore::forEachRow(const QString &name,
                       const std::function<void(const QString &key, const RawRow &row)> &visit)
{
    if (auto previous = join(); !previous)
        return previous;
    sqlite3 *db = rawHandle(m_logStore);
    // A log shape's rows are log_entries' attached lines, plus any row that could not be a
    // log line (kept generically); both come back as one list sorted by key. Rows of a shape
    // without a saved up-to-date position are a snapshot in progress, not its data.
    Statement select(db, R"(SELECT key, value, NULL, NULL, NULL, NULL, NULL, NULL
                            FROM shape_rows WHERE shape = ?1 AND EXISTS (
                                SELECT 1 FROM shape_state WHERE name = ?1 AND "offset" <> '-1')
                            UNION ALL
                            SELECT coalesce(l.shape_key, s.key_prefix || '"' || l.source_id || '"'),
                                   l.shape_row, l.shape_derived, l.source_id, l.execution_id,
                                   l.output_type, l.content, l.timestamp
                            FROM log_entries l, shape_state s
                            WHERE l.shape_derived IS NOT NULL AND s.name = ?1 AND s.log_rows = 1
                                  AND s."offset" <> '-1'
                            ORDER BY 1)");
    if (!select.ok())
        return sqlError(QStringLiteral("read the rows of shape %1").arg(name), db);
    select.bind(1, name);
    while (select.next()) {
        const QString key = QString::fromUtf8(select.column(0));
        Result<RawRow> row = RawRow();
        if (select.isNull(2)) {
            row = parseRawRow(select.column(1));
        } else {
            SyncedLogLine line;
            line.shapeRow = select.column(1);
            line.derivedColumns = int(select.columnInt(2));
            line.sourceId = select.columnInt(3);
            line.executionId = QUuid::fromRfc4122(select.column(4));
            line.outputType = select.column(5);
            line.content = select.column(6);
            line.timestamp = select.column(7);
            row = shapeLogRow(line);
        }
        if (!row)
            return Error(QStringLiteral("the stored row %1 of shape %2 is damaged").arg(key, name),
                         row.error().toString());
        visit(key, row.value());
    }
    return {};
}

Result<void> ShapeStore::remove(const QString &name)
{
    if (auto previous = join(); !previous)
        return previous;
    // In a transaction of its own (the others' work is committed first), so that a failure here
    // drops nothing of theirs.
    if (auto committed = finish(); !committed)
        return committed;
    if (auto begun = begin(); !begun)
        return begun;
    sqlite3 *db = rawHandle(m_logStore);
    Statement isLog(db, "SELECT log_rows FROM shape_state WHERE name = ?");
    Statement rows(db, "DELETE FROM shape_rows WHERE shape = ?");
    Statement state(db, "DELETE FROM shape_state WHERE name = ?");
    bool ok = isLog.ok() && rows.ok() && state.ok();
    const bool logRows = ok && isLog.bind(1, name).next() && isLog.columnInt(0) == 1;
    isLog.reset();
    Result<void> detached;
    if (ok && logRows) {
        detached = m_logStore.detachAllSynced();
        m_attached.reset();
    }
    ok = ok && detached.ok() && rows.bind(1, name).exec() && state.bind(1, name).exec();
    if (!ok) {
        const Error error = detached.ok()
            ? sqlError(QStringLiteral("forget shape %1").arg(name), db)
            : detached.error();
        rollback();
        return error;
    }
    m_partial.remove(name);
    m_resyncSaved.remove(name);
    return finish();
}
