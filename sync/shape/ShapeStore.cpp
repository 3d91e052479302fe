#include "ShapeStore.h"

#include "LogStore.h"
#include "ShapeStream.h"

#include <QSqlDriver>
#include <QUuid>

#include <sqlite3.h>

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

Error sqlError(const QString &what, sqlite3 *db)
{
    return Error(QStringLiteral("the local store could not %1").arg(what),
                 QString::fromUtf8(sqlite3_errmsg(db)));
}

// Postgres timestamptz text as Electric sends it (UTC, "2025-12-02 10:11:12.123456+00") to the
// store's "YYYY-MM-DD HH:MM:SS.sss".
QString logTimestamp(QByteArrayView text)
{
    if (text.size() < 19)
        return QString::fromUtf8(text);
    QByteArray out = text.first(19).toByteArray();
    out[10] = ' ';
    QByteArray fraction;
    if (text.size() > 20 && text[19] == '.') {
        for (qsizetype i = 20;
             i < text.size() && fraction.size() < 3 && text[i] >= '0' && text[i] <= '9'; ++i)
            fraction.append(text[i]);
    }
    while (fraction.size() < 3)
        fraction.append('0');
    return QString::fromLatin1(out + '.' + fraction);
}

std::optional<NewLogEntry> logEntryFrom(const RawRow &row)
{
    const RawField *id = findField(row, "id");
    const RawField *execution = findField(row, "execution_process_id");
    if (!execution || execution->isNull)
        execution = findField(row, "assignment_id");
    if (!id || id->isNull || !execution || execution->isNull)
        return std::nullopt;
    qint64 sourceId = 0;
    const auto [end, ec] = std::from_chars(id->text.cbegin(), id->text.cend(), sourceId);
    if (ec != std::errc() || end != id->text.cend())
        return std::nullopt;
    NewLogEntry entry;
    entry.executionId = QUuid::fromString(QLatin1String(execution->text));
    if (entry.executionId.isNull())
        return std::nullopt;
    entry.sourceId = sourceId;
    const RawField *type = findField(row, "output_type");
    const RawField *content = findField(row, "content");
    const RawField *timestamp = findField(row, "timestamp");
    entry.outputType = type && !type->isNull ? QString::fromUtf8(type->text) : QString();
    // log_entries keeps the node's CHECK on output_type. Like the node's from_remote_str, an
    // unknown type becomes `system` so one odd row cannot stall the whole log shape; the raw
    // value stays in the shape's materialized row.
    static const QStringList kNodeOutputTypes = {
        QStringLiteral("stdout"),          QStringLiteral("stderr"),     QStringLiteral("system"),
        QStringLiteral("json_patch"),      QStringLiteral("session_id"), QStringLiteral("finished"),
        QStringLiteral("refresh_required")};
    if (!kNodeOutputTypes.contains(entry.outputType))
        entry.outputType = QStringLiteral("system");
    entry.content = content && !content->isNull ? QString::fromUtf8(content->text) : QString();
    entry.timestamp = timestamp && !timestamp->isNull ? logTimestamp(timestamp->text) : QString();
    return entry;
}

} // namespace

ShapeStore::ShapeStore(LogStore &logStore)
    : m_logStore(logStore)
{
}

Result<void> ShapeStore::migrate()
{
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
        const QString detail = QString::fromUtf8(message);
        sqlite3_free(message);
        return Error(QStringLiteral("the local store could not create the shape tables"), detail);
    }
    return {};
}

Result<std::optional<StoredShape>> ShapeStore::load(const QString &name, const QString &shapeKey)
{
    sqlite3 *db = rawHandle(m_logStore);
    Statement select(db, R"(SELECT shape_key, handle, "offset", schema, row_count, last_synced_at
                            FROM shape_state WHERE name = ?)");
    if (!select.ok())
        return sqlError(QStringLiteral("read the saved shapes"), db);
    select.bind(1, name);
    if (!select.next())
        return std::optional<StoredShape>();
    if (QString::fromUtf8(select.column(0)) != shapeKey) {
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
    stored.lastSyncedAt
        = QDateTime::fromString(QString::fromUtf8(select.column(5)), Qt::ISODateWithMs);
    select.reset();
    // A position without its schema cannot type values: start over rather than guess.
    if (stored.schema.isEmpty() && stored.offset != QLatin1String("-1"))
        return std::optional<StoredShape>();
    return std::optional<StoredShape>(stored);
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
    if (!m_open || !m_partial.isEmpty())
        return {};
    sqlite3 *db = rawHandle(m_logStore);
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
    if (m_open)
        sqlite3_exec(rawHandle(m_logStore), "ROLLBACK", nullptr, nullptr, nullptr);
    m_open = false;
    m_partial.clear();
}

Result<void> ShapeStore::write(const QString &name, const ShapeUpdate &update, bool isLogTable,
                               QList<AppliedChange> *applied)
{
    if (auto begun = begin(); !begun)
        return begun;
    sqlite3 *db = rawHandle(m_logStore);
    m_partial.insert(name);
    const QByteArray shape = name.toUtf8();
    Statement clear(db, "DELETE FROM shape_rows WHERE shape = ?");
    Statement upsert(db, "INSERT OR REPLACE INTO shape_rows (shape, key, value) VALUES (?, ?, ?)");
    Statement select(db, "SELECT value FROM shape_rows WHERE shape = ? AND key = ?");
    Statement erase(db, "DELETE FROM shape_rows WHERE shape = ? AND key = ?");
    for (const Statement *s : {&clear, &upsert, &select, &erase}) {
        if (!s->ok())
            return sqlError(QStringLiteral("prepare its shape statements"), db);
    }
    if (update.reset && !clear.bind(1, shape).exec())
        return sqlError(QStringLiteral("clear the rows of shape %1").arg(name), db);

    QList<NewLogEntry> logLines;
    if (applied)
        applied->reserve(applied->size() + update.changes.size());
    for (const ShapeMessage &change : update.changes) {
        const QByteArray key = change.key.toUtf8();
        RawRow row = change.value;
        if (change.operation == RowChange::Operation::Update) {
            // replica=default sends only changed columns: merge into the stored row.
            select.bind(1, shape).bind(2, key);
            if (select.next()) {
                auto stored = parseRawRow(select.column(0));
                select.reset();
                if (!stored)
                    return Error(QStringLiteral("the stored row %1 of shape %2 is damaged")
                                     .arg(change.key, name),
                                 stored.error().toString());
                row = std::move(stored).value();
                mergeRow(row, change.value);
            } else {
                select.reset();
            }
        }
        if (change.operation == RowChange::Operation::Delete) {
            if (!erase.bind(1, shape).bind(2, key).exec())
                return sqlError(QStringLiteral("delete row %1 of shape %2").arg(change.key, name),
                                db);
        } else {
            if (!upsert.bind(1, shape)
                     .bind(2, key)
                     .bind(3, QByteArrayView(rawRowToJson(row)))
                     .exec())
                return sqlError(QStringLiteral("store row %1 of shape %2").arg(change.key, name),
                                db);
            if (isLogTable) {
                if (auto entry = logEntryFrom(row))
                    logLines.append(std::move(*entry));
            }
        }
        if (applied)
            applied->append({change.operation, change.key, std::move(row)});
    }
    if (!logLines.isEmpty()) {
        if (auto appended = m_logStore.appendInCurrentTransaction(logLines); !appended)
            return appended.error();
    }
    return {};
}

Result<qint64> ShapeStore::commit(const QString &name, const QString &shapeKey,
                                  const ShapeUpdate &update)
{
    if (auto begun = begin(); !begun)
        return begun.error();
    sqlite3 *db = rawHandle(m_logStore);
    const QByteArray shape = name.toUtf8();
    Statement count(db, "SELECT COUNT(*) FROM shape_rows WHERE shape = ?");
    Statement save(db, R"(INSERT OR REPLACE INTO shape_state
                          (name, shape_key, handle, "offset", schema, row_count, last_synced_at)
                          VALUES (?, ?, ?, ?, ?, ?, ?))");
    if (!count.ok() || !save.ok() || !count.bind(1, shape).next())
        return sqlError(QStringLiteral("count the rows of shape %1").arg(name), db);
    const qint64 rowCount = count.columnInt(0);
    count.reset();
    save.bind(1, shape).bind(2, shapeKey).bind(3, update.handle).bind(4, update.offset);
    if (update.schema.isEmpty())
        save.bindNull(5);
    else
        save.bind(5, QByteArrayView(update.schema.json()));
    save.bind(6, rowCount).bind(7, update.receivedAt.toString(Qt::ISODateWithMs));
    if (!save.exec())
        return sqlError(QStringLiteral("save the position of shape %1").arg(name), db);
    m_partial.remove(name);
    if (auto finished = finish(); !finished)
        return finished.error();
    return rowCount;
}

Result<void> ShapeStore::abandon(const QString &name)
{
    if (!m_partial.remove(name) || !m_open)
        return {};
    sqlite3 *db = rawHandle(m_logStore);
    Statement restart(db,
                      R"(UPDATE shape_state SET "offset" = '-1', handle = NULL WHERE name = ?)");
    if (!restart.ok() || !restart.bind(1, name).exec())
        return sqlError(QStringLiteral("mark shape %1 for a resync").arg(name), db);
    return finish();
}

Result<void>
ShapeStore::forEachRow(const QString &name,
                       const std::function<void(const QString &, const RawRow &)> &visit)
{
    sqlite3 *db = rawHandle(m_logStore);
    Statement select(db, "SELECT key, value FROM shape_rows WHERE shape = ? ORDER BY key");
    if (!select.ok())
        return sqlError(QStringLiteral("read the rows of shape %1").arg(name), db);
    select.bind(1, name);
    while (select.next()) {
        const QString key = QString::fromUtf8(select.column(0));
        auto row = parseRawRow(select.column(1));
        if (!row)
            return Error(QStringLiteral("the stored row %1 of shape %2 is damaged").arg(key, name),
                         row.error().toString());
        visit(key, row.value());
    }
    return {};
}

Result<void> ShapeStore::remove(const QString &name)
{
    // Joins the open transaction when another shape is mid-snapshot, else runs in its own.
    const bool own = !m_open;
    if (auto begun = begin(); !begun)
        return begun;
    sqlite3 *db = rawHandle(m_logStore);
    Statement rows(db, "DELETE FROM shape_rows WHERE shape = ?");
    Statement state(db, "DELETE FROM shape_state WHERE name = ?");
    if (!rows.ok() || !state.ok() || !rows.bind(1, name).exec() || !state.bind(1, name).exec()) {
        const Error error = sqlError(QStringLiteral("forget shape %1").arg(name), db);
        if (own)
            rollback();
        return error;
    }
    m_partial.remove(name);
    return own ? finish() : Result<void>();
}
