#include "sync/shape/ShapeStore.h"

#include "sync/shape/ShapeRowMerge.h"
#include "sync/shape/ShapeRowTable.h"
#include "sync/shape/SyncLog.h"
#include "sync/sqlite/SqliteTransaction.h"
#include "sync/store/LogStore.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <vector>

namespace hivewatch {

namespace {

// The page cache while a sink writes its table (useCacheFor).
constexpr const char *kSinkCachePragma = "PRAGMA cache_size = -32768";

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

void keepWalOnClose(sqlite3 *db)
{
    if (db)
        sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
}

} // namespace

// shape_rows of one shape, for its sink: the rows the sink does not keep itself.
class ShapeStore::Rows final : public ShapeRows
{
public:
    Rows(ShapeStore &store, ShapeRowTable &table, const QString &name)
        : m_store(store)
        , m_table(table)
        , m_name(name)
        , m_shape(name.toUtf8())
    {
    }
    Result<std::optional<QByteArray>> find(const QByteArray &key) override
    {
        auto row = m_table.get(m_shape, key);
        if (!row)
            return failed(QStringLiteral("read the rows of shape %1"));
        return row;
    }
    Result<void> put(const QByteArray &key, const QByteArray &json) override
    {
        if (!m_table.put(m_shape, key, json))
            return failed(QStringLiteral("store a row of shape %1"));
        return {};
    }
    Result<void> erase(const QByteArray &key) override
    {
        if (!m_table.erase(m_shape, key))
            return failed(QStringLiteral("delete a row of shape %1"));
        return {};
    }
    Result<bool> any() override
    {
        auto found = m_table.hasRows(m_shape);
        if (!found)
            return failed(QStringLiteral("read the rows of shape %1"));
        return found;
    }

private:
    Error failed(const QString &what) const { return m_store.sqlError(what.arg(m_name)); }

    ShapeStore &m_store;
    ShapeRowTable &m_table;
    const QString &m_name;
    QByteArray m_shape;
};

ShapeStore::ShapeStore(LogStore &logStore)
    : m_logStore(logStore)
    , m_writer(QStringLiteral("shape-store"))
    , m_walWriteback(logStore.path())
{
    // Whichever connection to the file closes last checkpoints on close; this store's own does
    // not (connect()), so neither may the LogStore's it is closed before.
    keepWalOnClose(logStore.connection().handle());
    m_writer.start();
}

ShapeStore::~ShapeStore()
{
    // hivectl exits once its last commit is on disk: a checkpoint still queued (copying a whole
    // snapshot back into the store file, a quarter of a 200k-row sync) is left to the next open.
    leaveCheckpoints();
    rollback();
    // The connection and its statements end on the thread that used them.
    m_writer.call([this] {
        syncWal();
        for (auto &[name, sink] : m_sinks)
            sink->close();
        m_sinks.clear();
        for (auto &[name, recorder] : m_recorders)
            recorder->close();
        m_recorders.clear();
        m_rows.reset();
        m_db = SqliteConnection();
    });
    m_writer.shutdown();
}

void ShapeStore::leaveCheckpoints()
{
    m_closing = true;
    // A checkpoint already copying is stopped too: copying a 200k-row snapshot back took longer
    // than the sync's last chunk (0.6-1.5 s before hivectl could exit, with every call to the
    // writer queued behind it). An interrupted checkpoint leaves the WAL as it was (SQLite moves
    // its backfill mark only when done); the destructor's syncWal() makes it durable.
    if (m_checkpointing)
        sqlite3_interrupt(m_db.handle());
}

Error ShapeStore::sqlError(const QString &what) const
{
    return m_db.error(QStringLiteral("the local store could not %1").arg(what));
}

Result<void> ShapeStore::connect()
{
    if (m_db.isOpen())
        return {};
    auto opened
        = SqliteConnection::open(m_logStore.path(),
                                 m_logStore.isReadOnly() ? SqliteConnection::Mode::ReadOnly
                                                         : SqliteConnection::Mode::ReadWrite);
    if (!opened)
        return opened.error();
    m_db = std::move(opened).value();
    // As LogStore's connection (the file is in WAL mode already). A snapshot is applied as one
    // transaction, which spills pages to the WAL once the cache is full; the cache's size
    // depends on the table written (useCacheFor).
    // No mmap: the mapped store file's pages count in the process's RSS (~110 MiB of the
    // dashboard's 700 at 100k tasks and 1M log lines) and bought no measurable speed.
    // CHECK constraints stay off on this connection for good: the only one it could trip is
    // log_entries' output type, which the log sink's LogRowWriter checks itself; switching the
    // pragma per call would expire every prepared statement of the connection each time.
    for (const char *pragma :
         {"PRAGMA synchronous = NORMAL", "PRAGMA temp_store = MEMORY", "PRAGMA mmap_size = 0",
          kSinkCachePragma, "PRAGMA ignore_check_constraints = ON"}) {
        if (auto set = m_db.exec(pragma); !set)
            return set.error();
    }
    // Replaces SQLite's automatic checkpoint, which would run inside COMMIT and copy a whole
    // snapshot's pages back into the file while the caller of commit() waits: the hook only
    // notes the WAL's size, and checkpointLater() copies on the writer thread afterwards.
    sqlite3_wal_hook(
        m_db.handle(),
        [](void *store, sqlite3 *, const char *, int pages) {
            static_cast<ShapeStore *>(store)->m_walPages = pages;
            return SQLITE_OK;
        },
        this);
    keepWalOnClose(m_db.handle());
    // What the last run left in the WAL (it does not checkpoint on close) is copied back now,
    // before this run's writes; PASSIVE, so no reader waits for it.
    if (!m_logStore.isReadOnly())
        sqlite3_wal_checkpoint_v2(m_db.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                  nullptr);
    return {};
}

void ShapeStore::syncWal()
{
    // synchronous = NORMAL syncs the WAL only when checkpointing: without a checkpoint at close,
    // the commits since the last one are synced here, so what hivectl reported is on disk.
    if (m_walPages == 0 || !m_db.isOpen())
        return;
    sqlite3_file *wal = nullptr;
    if (sqlite3_file_control(m_db.handle(), "main", SQLITE_FCNTL_JOURNAL_POINTER, &wal) != SQLITE_OK
        || !wal || !wal->pMethods)
        return;
    if (wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL) != SQLITE_OK)
        qCWarning(lcSync) << "the local store could not sync its WAL to disk";
}

Result<void> ShapeStore::useCacheFor(bool sinkRows)
{
    if (m_sinkCache == sinkRows)
        return {};
    // A sink's table may be revisited all over a large snapshot (log_entries' indexes: 16 MB
    // cost a 300k-line log shape half again its CPU time; 32 MB syncs a million lines as fast
    // as 64 MB did, and took ~20 MiB off the dashboard's peak RSS: docs/benchmarks.md,
    // "Allocator decay and the log sink's page cache"). Shape rows are appended in arrival
    // order (ShapeRowTable), so only their index is revisited: 16 MB holds a 200k-row shape's,
    // costs no CPU against 64 MB (which was a quarter of hivectl's peak RSS) and spills on the
    // writer thread what the final COMMIT would write anyway.
    if (auto set = m_db.exec(sinkRows ? kSinkCachePragma : "PRAGMA cache_size = -16384"); !set)
        return set;
    m_sinkCache = sinkRows;
    return {};
}

ShapeRowSink *ShapeStore::sinkOf(const QString &name) const
{
    const auto it = m_sinks.find(name);
    return it == m_sinks.end() ? nullptr : it->second.get();
}

Result<SqliteStatement> ShapeStore::statement(std::string_view sql, const QString &what) const
{
    auto prepared = m_db.prepare(sql);
    if (!prepared)
        return sqlError(what); // names the file, and a locked or damaged one as such
    return prepared;
}

Result<ShapeRowTable *> ShapeStore::rows()
{
    if (!m_rows) {
        auto prepared = ShapeRowTable::prepare(m_db);
        if (!prepared)
            return prepared.error();
        m_rows = std::move(prepared).value();
    }
    return m_rows.get();
}

Result<ShapeRowTable *> ShapeStore::rowsForWrites()
{
    if (auto sized = useCacheFor(false); !sized)
        return sized.error();
    return rows();
}

ShapeChangeRecorder *ShapeStore::recorderOf(const QString &name) const
{
    const auto it = m_recorders.find(name);
    return it == m_recorders.end() ? nullptr : it->second.get();
}

Result<void> ShapeStore::setRecorder(const QString &name,
                                     std::unique_ptr<ShapeChangeRecorder> recorder)
{
    return m_writer.call([&]() -> Result<void> {
        if (auto previous = join(); !previous)
            return previous;
        if (auto connected = connect(); !connected)
            return connected;
        if (auto old = m_recorders.find(name); old != m_recorders.end()) {
            old->second->close();
            m_recorders.erase(old);
        }
        forgetRecordedReset(name);
        if (!recorder)
            return {};
        if (auto opened = recorder->open(m_db); !opened)
            return opened;
        m_recorders.emplace(name, std::move(recorder));
        return {};
    });
}

void ShapeStore::forgetRecordedReset(const QString &name)
{
    m_resetBefore.remove(name);
    m_firstSnapshot.remove(name);
}

Result<void> ShapeStore::startRecordedReset(const QString &name, ShapeChangeRecorder &)
{
    forgetRecordedReset(name);
    const QString reading = QStringLiteral("read the rows of shape %1").arg(name);
    auto select = statement("SELECT key, value FROM shape_rows WHERE shape = ?", reading);
    if (!select)
        return select.error();
    select->bindText(1, name);
    QHash<QByteArray, QByteArray> before;
    for (;;) {
        auto next = select->step();
        if (!next)
            return sqlError(reading);
        if (!next.value())
            break;
        before.insert(select->columnByteArray(0), select->columnByteArray(1));
    }
    if (before.isEmpty())
        m_firstSnapshot.insert(name);
    else
        m_resetBefore.insert(name, std::move(before));
    return {};
}

Result<void> ShapeStore::recordResyncDiff(const QString &name, const ShapeUpdate &update,
                                          ShapeChangeRecorder &recorder)
{
    // Only what the resync changed is history: a row the new snapshot has as it was is not a
    // change, one it lacks was deleted.
    QHash<QByteArray, QByteArray> before = m_resetBefore.take(name);
    const QString reading = QStringLiteral("read the rows of shape %1").arg(name);
    auto select
        = statement("SELECT key, value FROM shape_rows WHERE shape = ? ORDER BY key", reading);
    if (!select)
        return select.error();
    select->bindText(1, name);
    const auto parsed = [&](const QByteArray &key, const QByteArray &json) -> Result<RawRow> {
        auto row = parseRawRow(json);
        if (!row)
            return Error(QStringLiteral("the stored row %1 of shape %2 is damaged")
                             .arg(QString::fromUtf8(key), name),
                         row.error().toString());
        return row;
    };
    for (;;) {
        auto next = select->step();
        if (!next)
            return sqlError(reading);
        if (!next.value())
            break;
        const QByteArray key = select->columnByteArray(0);
        const QByteArray json = select->columnByteArray(1);
        const auto was = before.constFind(key);
        RecordedChange change;
        change.origin = ChangeOrigin::Resync;
        change.key = key;
        if (was == before.constEnd()) {
            change.operation = RowChange::Operation::Insert;
            change.afterJson = json;
            if (auto recorded = recorder.record(name, update, change); !recorded)
                return recorded;
            continue;
        }
        const QByteArray oldJson = *was;
        before.erase(was);
        if (oldJson == json)
            continue;
        auto oldRow = parsed(key, oldJson);
        auto newRow = parsed(key, json);
        if (!oldRow || !newRow)
            return oldRow ? newRow.error() : oldRow.error();
        change.operation = RowChange::Operation::Update;
        change.before = &oldRow.value();
        change.after = &newRow.value();
        if (auto recorded = recorder.record(name, update, change); !recorded)
            return recorded;
    }
    select->reset();
    QList<QByteArray> gone = before.keys();
    std::sort(gone.begin(), gone.end());
    for (const QByteArray &key : gone) {
        auto oldRow = parsed(key, before.value(key));
        if (!oldRow)
            return oldRow.error();
        RecordedChange change;
        change.operation = RowChange::Operation::Delete;
        change.origin = ChangeOrigin::Resync;
        change.key = key;
        change.before = &oldRow.value();
        if (auto recorded = recorder.record(name, update, change); !recorded)
            return recorded;
    }
    return {};
}

bool ShapeStore::isPartial(const QString &name)
{
    return m_writer.call([&] { return m_partial.contains(name); });
}

Result<void> ShapeStore::migrate()
{
    return m_writer.call([&] { return migrateHere(); });
}

Result<void> ShapeStore::migrateHere()
{
    if (auto refused = refuseNodeDatabase(m_logStore))
        return *refused;
    if (auto connected = connect(); !connected)
        return connected;
    const char *schema = R"(
        CREATE TABLE IF NOT EXISTS shape_state (
            name TEXT PRIMARY KEY,
            shape_key TEXT NOT NULL,
            handle TEXT,
            "offset" TEXT NOT NULL,
            schema TEXT,
            row_count INTEGER NOT NULL DEFAULT 0,
            last_synced_at TEXT);)";
    if (auto created = m_db.exec(schema); !created)
        return sqlError(QStringLiteral("create the shape tables"));
    if (auto rowTable = ShapeRowTable::migrate(m_db); !rowTable)
        return rowTable;
    // log_rows: the kind of the shape's sink (ShapeRowSink::kind; 0: none, 1: the log sink, as
    // it was named when that was the only one); key_prefix: the sink's state(); keyed_rows = 1:
    // the sink's resume() accepted the rows. Stores written before these columns existed get
    // them here; their log shape resyncs once if it must.
    for (const char *column : {"log_rows INTEGER NOT NULL DEFAULT 0", "key_prefix TEXT",
                               "keyed_rows INTEGER NOT NULL DEFAULT 0"}) {
        const QByteArray name = QByteArray(column).split(' ').constFirst();
        auto exists = statement("SELECT count(*) FROM pragma_table_info('shape_state') "
                                "WHERE name = ?",
                                QStringLiteral("read its shape tables"));
        if (!exists)
            return exists.error();
        auto found = exists->bindText(1, name).step();
        if (!found || !found.value())
            return sqlError(QStringLiteral("read its shape tables"));
        const bool has = exists->columnInt(0) > 0;
        exists->reset();
        const std::string alter = std::string("ALTER TABLE shape_state ADD COLUMN ") + column;
        if (!has && !m_db.exec(alter))
            return sqlError(QStringLiteral("update its shape tables"));
    }
    return {};
}

Result<std::optional<StoredShape>> ShapeStore::load(const QString &name, const QString &shapeKey,
                                                    std::unique_ptr<ShapeRowSink> sink)
{
    return m_writer.call([&] { return loadHere(name, shapeKey, std::move(sink)); });
}

Result<void> ShapeStore::attach(const QString &name, std::unique_ptr<ShapeRowSink> sink)
{
    return m_writer.call([&]() -> Result<void> {
        if (auto previous = join(); !previous)
            return previous;
        if (auto connected = connect(); !connected)
            return connected;
        return attachHere(name, std::move(sink));
    });
}

Result<void> ShapeStore::attachHere(const QString &name, std::unique_ptr<ShapeRowSink> sink)
{
    if (auto old = m_sinks.find(name); old != m_sinks.end()) {
        old->second->close();
        m_sinks.erase(old);
    }
    m_sinkRows.remove(name);
    if (!sink)
        return {};
    if (auto opened = sink->open(m_db); !opened)
        return opened;
    m_sinks.emplace(name, std::move(sink));
    return {};
}

Result<std::optional<StoredShape>> ShapeStore::loadHere(const QString &name,
                                                        const QString &shapeKey,
                                                        std::unique_ptr<ShapeRowSink> sink)
{
    if (auto previous = join(); !previous)
        return previous.error();
    if (auto refused = refuseNodeDatabase(m_logStore))
        return *refused;
    if (auto connected = connect(); !connected)
        return connected.error();
    const int kind = sink ? sink->kind() : 0;
    if (auto attached = attachHere(name, std::move(sink)); !attached)
        return attached.error();
    const QString reading = QStringLiteral("read the saved shapes");
    auto select = statement(R"(SELECT shape_key, handle, "offset", schema, row_count,
                                      last_synced_at, log_rows, key_prefix, keyed_rows
                               FROM shape_state WHERE name = ?)",
                            reading);
    if (!select)
        return select.error();
    auto found = select->bindText(1, name).step();
    if (!found)
        return sqlError(reading);
    if (!found.value())
        return std::optional<StoredShape>();
    // Rows saved by another sink (a log shape saved before its rows moved to log_entries) are
    // not where this one looks: start over.
    if (select->columnText(0) != shapeKey || select->columnInt(6) != kind) {
        select->reset();
        if (auto removed = removeHere(name); !removed)
            return removed.error();
        return std::optional<StoredShape>();
    }
    StoredShape stored;
    stored.handle = select->columnText(1);
    stored.offset = select->columnText(2);
    if (!select->columnIsNull(3)) {
        auto schema = ShapeSchema::parse(select->columnByteArray(3));
        if (schema)
            stored.schema = std::move(schema).value();
    }
    stored.rowCount = select->columnInt(4);
    const QByteArray sinkState = select->columnByteArray(7);
    const bool checked = select->columnInt(8) == 1;
    stored.lastSyncedAt = QDateTime::fromString(select->columnText(5), Qt::ISODateWithMs);
    select->reset();
    if (ShapeRowSink *shapeSink = sinkOf(name)) {
        auto resumed = shapeSink->resume(name, sinkState, checked);
        if (!resumed)
            return resumed.error();
        if (!resumed.value()) {
            if (auto removed = removeHere(name); !removed)
                return removed.error();
            return std::optional<StoredShape>();
        }
        if (!checked) {
            // So that the sink's check is not repeated at every start.
            const QString saving = QStringLiteral("save shape %1").arg(name);
            auto mark = statement("UPDATE shape_state SET keyed_rows = 1 WHERE name = ?", saving);
            if (!mark)
                return mark.error();
            if (!mark->bindText(1, name).run())
                return sqlError(saving);
        }
    }
    // A position without its schema cannot type values: start over rather than guess.
    if (stored.schema.isEmpty() && stored.offset != QLatin1String("-1"))
        return std::optional<StoredShape>();
    return std::optional<StoredShape>(stored);
}

Result<void> ShapeStore::begin()
{
    if (m_transaction)
        return {};
    if (auto connected = connect(); !connected)
        return connected;
    auto begun = SqliteTransaction::begin(m_db);
    if (!begun)
        return begun.error();
    m_transaction = std::move(begun).value();
    return {};
}

Result<void> ShapeStore::finish()
{
    if (!m_transaction)
        return {};
    // The rows of shapes half-way through a snapshot go to disk with this commit, so their saved
    // position must say "resync" first: a restart must never take partial rows for a shape's
    // data. Once per snapshot, not per commit: their own commit() replaces the -1.
    if (std::any_of(m_partial.begin(), m_partial.end(),
                    [this](const QString &name) { return !m_resyncSaved.contains(name); })) {
        auto resync = m_db.prepare(
            R"(UPDATE shape_state SET "offset" = '-1', handle = NULL WHERE name = ?)");
        for (auto it = m_partial.begin(); it != m_partial.end(); ++it) {
            if (m_resyncSaved.contains(*it))
                continue;
            if (!resync || !resync->bindText(1, *it).run()) {
                const Error error
                    = sqlError(QStringLiteral("save shape %1 as a snapshot in progress").arg(*it));
                rollbackHere();
                return error;
            }
            m_resyncSaved.insert(*it);
        }
    }
    if (auto committed = m_transaction->commit(); !committed) {
        const Error error(QStringLiteral("the local store could not commit the synced rows"),
                          committed.error().toString());
        rollbackHere();
        return error;
    }
    m_transaction.reset();
    return {};
}

void ShapeStore::checkpointLater()
{
    // As SQLite's own automatic checkpoint: once the WAL holds 1000 pages.
    if (m_walPages < 1000)
        return;
    m_writer.post([this] {
        // Not inside a transaction another shape opened meanwhile; its commit posts another.
        if (m_transaction || !m_db.isOpen() || m_closing)
            return;
        // PASSIVE: readers (LogStore's connection, the GUI's views) are never blocked; what it
        // cannot copy now the next one does.
        m_checkpointing = true;
        const int checkpointed = sqlite3_wal_checkpoint_v2(
            m_db.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
        m_checkpointing = false;
        if (checkpointed == SQLITE_OK)
            m_walPages = 0; // synced; otherwise syncWal() at close still has to
        else if (!(checkpointed == SQLITE_INTERRUPT && m_closing))
            qCWarning(lcSync) << "the local store could not checkpoint its WAL:"
                              << m_db.lastError();
    });
}

void ShapeStore::rollback()
{
    m_writer.call([this] { rollbackHere(); });
}

void ShapeStore::rollbackHere()
{
    (void)join(); // its error does not matter: everything it wrote is dropped
    m_transaction.reset(); // rolls back
    if (m_rows)
        m_rows->forget();
    m_partial.clear();
    m_resyncSaved.clear();
    m_sinkRows.clear();
    m_resetBefore.clear();
    m_firstSnapshot.clear();
}

Result<qint64> ShapeStore::genericRowCount(const QString &name)
{
    auto table = rows();
    if (!table)
        return table.error();
    if (auto counted = table.value()->count(name.toUtf8()); counted)
        return counted;
    return sqlError(QStringLiteral("count the rows of shape %1").arg(name));
}

Result<qint64> ShapeStore::sinkRowCount(const QString &name)
{
    if (const auto known = m_sinkRows.constFind(name); known != m_sinkRows.constEnd())
        return *known;
    // Nothing of this shape is uncommitted here (a rollback clears m_sinkRows), so its saved
    // row count minus its generic rows is what its sink holds.
    const QString reading = QStringLiteral("read the saved shapes");
    auto saved
        = statement("SELECT row_count FROM shape_state WHERE name = ? AND log_rows <> 0", reading);
    if (!saved)
        return saved.error();
    auto row = saved->bindText(1, name).step();
    if (!row)
        return sqlError(reading);
    const qint64 total = row.value() ? saved->columnInt(0) : 0;
    saved->reset();
    auto generic = genericRowCount(name);
    if (!generic)
        return generic.error();
    const qint64 count = std::max<qint64>(0, total - generic.value());
    m_sinkRows.insert(name, count);
    return count;
}

QList<ShapeStore::Prepared> ShapeStore::convert(const ShapeUpdate &update)
{
    QList<Prepared> prepared;
    prepared.reserve(update.changes.size());
    for (const ShapeMessage &change : update.changes) {
        Prepared p;
        p.key = change.keyUtf8.isNull() ? change.key.toUtf8() : change.keyUtf8;
        if (change.operation == RowChange::Operation::Insert)
            p.json = change.json.isEmpty() ? rawRowToJson(change.value) : change.json;
        prepared.append(std::move(p));
    }
    return prepared;
}

// The order to write a part of inserts only (a snapshot chunk) in: by key, so
// each lands next to the one before in the key index and finding its place reads pages, and
// CPU cache lines, just used instead of a random leaf (the index seek was a fifth of a 200k-row
// sync's CPU). The same key twice keeps its arrival order, so the later row still wins.
std::vector<qsizetype> ShapeStore::keyOrder(const QList<Prepared> &prepared)
{
    std::vector<qsizetype> order(size_t(prepared.size()));
    std::iota(order.begin(), order.end(), 0);
    if (order.size() < 3)
        return order;
    // Sorted by the 16 bytes after the key's shape prefix (`"schema"."table"/`, the same for
    // all), big-endian, so most comparisons never touch the keys themselves.
    struct Entry
    {
        quint64 high = 0;
        quint64 low = 0;
        qsizetype index = 0;
    };
    std::vector<Entry> entries(order.size());
    for (qsizetype i = 0; i < prepared.size(); ++i) {
        const QByteArray &key = prepared[i].key;
        const qsizetype start = key.indexOf('/') + 1;
        unsigned char bytes[16] = {};
        std::memcpy(bytes, key.constData() + start,
                    size_t(std::min<qsizetype>(16, key.size() - start)));
        Entry &entry = entries[size_t(i)];
        for (int b = 0; b < 8; ++b) {
            entry.high = entry.high << 8 | bytes[b];
            entry.low = entry.low << 8 | bytes[8 + b];
        }
        entry.index = i;
    }
    // The first change stays first: a cleared shape takes its key prefix from the first key
    // written (ShapeRowTable), which must not depend on this order.
    std::sort(entries.begin() + 1, entries.end(), [&](const Entry &a, const Entry &b) {
        if (a.high != b.high)
            return a.high < b.high;
        if (a.low != b.low)
            return a.low < b.low;
        if (const int c = prepared[a.index].key.compare(prepared[b.index].key); c != 0)
            return c < 0;
        return a.index < b.index;
    });
    for (size_t i = 0; i < entries.size(); ++i)
        order[i] = entries[i].index;
    return order;
}

Result<void> ShapeStore::join()
{
    // On the writer thread, after the writes in flight (jobs run in order): only their result.
    m_writeFailed.store(false);
    return std::exchange(m_pending, Result<void>());
}

std::vector<ShapeStore::Spent> ShapeStore::takeSpent()
{
    std::lock_guard lock(m_spentMutex);
    return std::exchange(m_spent, {});
}

Result<void> ShapeStore::write(const QString &name, const ShapeUpdate &given,
                               QList<AppliedChange> *applied)
{
    // The conversions need no store: done here while the previous write may still run. (The
    // sinks change only in load(), which waits for the writer thread.)
    ShapeRowSink *sink = sinkOf(name);
    // A sink and the applied rows read whole rows: inserts that came as their stored form only
    // (ShapeStream's insertsAsJson) are rebuilt for them.
    ShapeUpdate materialized;
    const bool rebuild = (sink || applied)
        && std::any_of(given.changes.cbegin(), given.changes.cend(),
                       [](const ShapeMessage &change) { return !change.json.isEmpty(); });
    if (rebuild) {
        materialized = given;
        for (ShapeMessage &change : materialized.changes) {
            if (auto rebuilt = materializeRow(change); !rebuilt)
                return Error(QStringLiteral("row %1 of shape %2 could not be read back")
                                 .arg(change.keyText(), name),
                             rebuilt.error().toString());
        }
    }
    const ShapeUpdate &update = rebuild ? materialized : given;
    std::shared_ptr<const ShapeSinkPart> part = sink ? sink->prepare(update) : nullptr;
    QList<Prepared> prepared = sink ? QList<Prepared>() : convert(update);
    // Freed when this function returns, on this thread, while the writer works on this part.
    std::vector<Spent> spent = takeSpent();
    if (applied) {
        return m_writer.call([&]() -> Result<void> {
            if (auto previous = join(); !previous)
                return previous;
            if (auto begun = begin(); !begun)
                return begun;
            m_partial.insert(name);
            return sink ? applyToSink(*sink, name, update, part.get(), applied)
                        : apply(name, update, prepared, applied);
        });
    }
    // An earlier write failed: its error now, rather than one more part behind it.
    if (m_writeFailed.load())
        return m_writer.call([this] { return join(); });
    // Nobody waits for the rows: the SQLite work runs on the writer thread while this thread
    // goes back to receiving and parsing the next response. Two writes may be queued: at the
    // end of a chunk this thread parses the next one whole before its first part exists, and
    // with one write in flight the writer sat idle for that (docs/benchmarks.md). The bound
    // also caps the memory. Every other call runs after them; an error surfaces there, or at
    // the next write().
    // A generic shape's insert is written from its prepared form alone: the part's parsed rows
    // are freed by the caller now, not held until the writer is done (a snapshot chunk's are
    // ~30 MB). Not a sink's: it may need them, and there the caller's thread is the busier one.
    // A snapshot part (inserts only, nothing recorded) needs none of its messages there: its
    // prepared rows are all the writer gets, so the writer starts without this thread copying
    // the part's 30k messages first (the writer idled for that before each first part).
    const bool insertsOnly = !sink && !recorderOf(name) && allInserts(update);
    // Sorted here too: this thread mostly waits for the writer (docs/benchmarks.md).
    std::vector<qsizetype> order = insertsOnly ? keyOrder(prepared) : std::vector<qsizetype>();
    ShapeUpdate slim;
    if (insertsOnly) {
        slim.reset = update.reset;
    } else {
        slim = update;
        if (!sink) {
            for (ShapeMessage &change : slim.changes) {
                if (change.operation == RowChange::Operation::Insert) {
                    change.value = RawRow();
                    change.json = QByteArray();
                }
            }
        }
    }
    // The parts written so far go to disk meanwhile (this thread has time to spare, the writer
    // none), so the sync at close has little left to wait for.
    m_walWriteback.start();
    // A sink's part takes both slots: it carries its parsed rows, and a second one held beside
    // it raised the dashboard's peak RSS by ~20 MiB (its log shape) for no speed it needs.
    const std::ptrdiff_t taken = sink ? kWriteSlots : 1;
    for (std::ptrdiff_t i = 0; i < taken; ++i)
        m_writeSlots.acquire();
    m_writer.post([this, name, update = std::move(slim), sink, part = std::move(part),
                   prepared = std::move(prepared), insertsOnly, order = std::move(order),
                   taken]() mutable {
        // After a failed write nothing more is written: its error waits for join().
        if (m_pending)
            m_pending = begin();
        if (m_pending) {
            m_partial.insert(name);
            m_pending = sink  ? applyToSink(*sink, name, update, part.get(), nullptr)
                : insertsOnly ? applyInserts(name, update.reset, prepared, order)
                              : apply(name, update, prepared, nullptr);
        }
        if (!m_pending)
            m_writeFailed.store(true);
        // The rows were allocated by the caller's thread: freed there too (the next call takes
        // them), not here, where each free contended for the caller's malloc arena.
        {
            std::lock_guard lock(m_spentMutex);
            m_spent.push_back(Spent {std::move(update), std::move(prepared)});
        }
        m_writeSlots.release(taken);
    });
    return {};
}

bool ShapeStore::allInserts(const ShapeUpdate &update)
{
    return std::all_of(update.changes.cbegin(), update.changes.cend(),
                       [](const ShapeMessage &change) {
                           return change.operation == RowChange::Operation::Insert;
                       });
}

Result<void> ShapeStore::applyInserts(const QString &name, bool reset,
                                      const QList<Prepared> &prepared,
                                      const std::vector<qsizetype> &order)
{
    const QByteArray shape = name.toUtf8();
    auto table = rowsForWrites();
    if (!table)
        return table.error();
    ShapeRowTable &generic = *table.value();
    if (reset && !generic.clear(shape))
        return sqlError(QStringLiteral("clear the rows of shape %1").arg(name));
    for (size_t k = 0; k < order.size(); ++k) {
        // In key order a part's rows are read all over the heap: what the next rows need is
        // fetched into the CPU cache while this one is written (waiting for it was a fifth of
        // the writer's time).
        constexpr size_t kAhead = 8;
        if (k + kAhead < order.size()) {
            const Prepared &next = prepared.at(order[k + kAhead]);
            __builtin_prefetch(next.key.constData());
            __builtin_prefetch(next.json.constData());
        }
        const Prepared &ready = prepared.at(order[k]);
        if (!generic.insert(shape, ready.key, ready.json))
            return sqlError(
                QStringLiteral("store row %1 of shape %2").arg(QString::fromUtf8(ready.key), name));
    }
    return {};
}

Result<void> ShapeStore::applyToSink(ShapeRowSink &sink, const QString &name,
                                     const ShapeUpdate &update, const ShapeSinkPart *part,
                                     QList<AppliedChange> *applied)
{
    if (auto sized = useCacheFor(true); !sized)
        return sized;
    auto table = rows();
    if (!table)
        return table.error();
    if (update.reset) {
        if (!table.value()->clear(name.toUtf8()))
            return sqlError(QStringLiteral("clear the rows of shape %1").arg(name));
        if (auto cleared = sink.reset(name); !cleared)
            return cleared;
        // The sink's rows are the store's one copy for its kind: another shape saved with
        // them loses them, so it must resync if it is ever used again.
        auto others = statement(R"(UPDATE shape_state SET "offset" = '-1', handle = NULL
                                   WHERE log_rows = ? AND name <> ?)",
                                QStringLiteral("prepare its shape statements"));
        if (!others)
            return others.error();
        if (!others->bindInt(1, sink.kind()).bindText(2, name).run())
            return sqlError(QStringLiteral("reset the other shapes kept like %1").arg(name));
        m_sinkRows.insert(name, 0);
    }
    // Counted before this update changes the shape's generic rows (see sinkRowCount()).
    auto count = sinkRowCount(name);
    if (!count)
        return count.error();
    Rows rows(*this, *table.value(), name);
    auto changed = sink.apply(name, update, part, rows, applied);
    if (!changed)
        return changed.error();
    m_sinkRows.insert(name, count.value() + changed.value());
    return {};
}

Result<void> ShapeStore::apply(const QString &name, const ShapeUpdate &update,
                               QList<Prepared> &prepared, QList<AppliedChange> *applied)
{
    ShapeChangeRecorder *recorder = recorderOf(name);
    if (!recorder && !applied && allInserts(update))
        return applyInserts(name, update.reset, prepared, keyOrder(prepared));
    const QByteArray shape = name.toUtf8();
    auto table = rowsForWrites();
    if (!table)
        return table.error();
    ShapeRowTable &generic = *table.value();
    if (update.reset && recorder) {
        if (auto started = startRecordedReset(name, *recorder); !started)
            return started;
    }
    // During a reset of a shape that had rows nothing is recorded until its commit diffs them.
    if (recorder && m_resetBefore.contains(name))
        recorder = nullptr;
    const ChangeOrigin origin
        = m_firstSnapshot.contains(name) ? ChangeOrigin::Snapshot : ChangeOrigin::Live;
    const auto record = [&](const ShapeMessage &change, const QByteArray &key, const RawRow *before,
                            const RawRow *after, QByteArrayView afterJson) -> Result<void> {
        RecordedChange recorded;
        recorded.operation = change.operation;
        recorded.origin = origin;
        recorded.key = key;
        recorded.before = before;
        recorded.after = after;
        recorded.afterJson = afterJson;
        return recorder->record(name, update, recorded);
    };
    if (update.reset) {
        if (!generic.clear(shape))
            return sqlError(QStringLiteral("clear the rows of shape %1").arg(name));
    }
    Rows stored(*this, generic, name);

    if (applied)
        applied->reserve(applied->size() + update.changes.size());
    // In log order: recorded and applied changes keep it, and merges need it.
    for (qsizetype i = 0; i < update.changes.size(); ++i) {
        const ShapeMessage &change = update.changes[i];
        Prepared &ready = prepared[i];
        const QByteArray &key = ready.key;
        if (change.operation == RowChange::Operation::Insert) {
            if (!generic.insert(shape, key, ready.json))
                return sqlError(
                    QStringLiteral("store row %1 of shape %2").arg(change.keyText(), name));
            if (recorder) {
                if (auto recorded = record(change, key, nullptr, nullptr, ready.json); !recorded)
                    return recorded;
            }
            if (applied)
                applied->append({change.operation, change.key, change.value});
            continue;
        }
        // The recorder also wants a deleted row's last values, so a delete reads it too then.
        std::optional<RawRow> before;
        if (change.operation == RowChange::Operation::Update
            || (recorder && change.operation == RowChange::Operation::Delete)) {
            auto loaded = ShapeRowMerge::storedRow(stored, key, change.key, name);
            if (!loaded)
                return loaded.error();
            before = std::move(loaded).value();
        }
        auto after = ShapeRowMerge::rowAfter(change, [&]() -> Result<std::optional<RawRow>> {
            if (recorder)
                return before;
            return std::move(before);
        });
        if (!after)
            return after.error();
        RawRow row = std::move(after).value();
        if (recorder) {
            const bool deleted = change.operation == RowChange::Operation::Delete;
            if (auto recorded
                = record(change, key, before ? &*before : nullptr, deleted ? nullptr : &row, {});
                !recorded)
                return recorded;
        }
        if (change.operation == RowChange::Operation::Delete) {
            if (!generic.erase(shape, key))
                return sqlError(QStringLiteral("delete row %1 of shape %2").arg(change.key, name));
        } else {
            const QByteArray json = rawRowToJson(row);
            if (!generic.put(shape, key, json))
                return sqlError(QStringLiteral("store row %1 of shape %2").arg(change.key, name));
        }
        if (applied)
            applied->append({change.operation, change.key, std::move(row)});
    }
    return {};
}

Result<qint64> ShapeStore::commit(const QString &name, const QString &shapeKey,
                                  const ShapeUpdate &update)
{
    std::vector<Spent> spent; // freed on this thread (see write())
    return m_writer.call([&]() -> Result<qint64> {
        spent = takeSpent();
        if (auto previous = join(); !previous)
            return previous.error();
        if (auto begun = begin(); !begun)
            return begun.error();
        const QByteArray shape = name.toUtf8();
        auto generic = genericRowCount(name);
        if (!generic)
            return generic.error();
        qint64 rowCount = generic.value();
        if (ShapeChangeRecorder *recorder = recorderOf(name); recorder) {
            if (m_resetBefore.contains(name)) {
                if (auto recorded = recordResyncDiff(name, update, *recorder); !recorded)
                    return recorded.error();
            }
            m_firstSnapshot.remove(name);
        }
        ShapeRowSink *sink = sinkOf(name);
        if (sink) {
            auto held = sinkRowCount(name);
            if (!held)
                return held.error();
            rowCount += held.value();
        }
        const QString saving = QStringLiteral("save the position of shape %1").arg(name);
        auto save = statement(R"(INSERT OR REPLACE INTO shape_state
                                 (name, shape_key, handle, "offset", schema, row_count,
                                  last_synced_at, log_rows, key_prefix, keyed_rows)
                                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1))",
                              saving);
        if (!save)
            return save.error();
        const QByteArray schema = update.schema.isEmpty() ? QByteArray() : update.schema.json();
        const QByteArray sinkState = sink ? sink->state() : QByteArray(); // bound, not copied
        save->bindText(1, shape)
            .bindText(2, shapeKey)
            .bindText(3, update.handle)
            .bindText(4, update.offset)
            .bindInt(6, rowCount)
            .bindText(7, update.receivedAt.toString(Qt::ISODateWithMs))
            .bindInt(8, sink ? sink->kind() : 0);
        if (update.schema.isEmpty())
            save->bindNull(5);
        else
            save->bindText(5, schema);
        if (!sinkState.isEmpty())
            save->bindText(9, sinkState);
        else
            save->bindNull(9);
        if (!save->run())
            return sqlError(saving);
        m_partial.remove(name);
        m_resyncSaved.remove(name);
        if (auto finished = finish(); !finished)
            return finished.error();
        checkpointLater();
        return rowCount;
    });
}

Result<void> ShapeStore::abandon(const QString &name)
{
    return m_writer.call([&]() -> Result<void> {
        if (auto previous = join(); !previous)
            return previous;
        if (!m_partial.contains(name))
            return {};
        // The other shapes' work first, in a commit of its own, so that a failure below drops
        // nothing of theirs; `name` is saved as -1 by it already.
        if (auto committed = finish(); !committed)
            return committed;
        m_partial.remove(name);
        m_resyncSaved.remove(name);
        forgetRecordedReset(name);
        if (auto begun = begin(); !begun)
            return begun;
        auto table = rows();
        auto restart = m_db.prepare(R"(UPDATE shape_state SET "offset" = '-1', handle = NULL,
                                       row_count = 0 WHERE name = ?)");
        Result<void> dropped;
        if (!table || !restart || !table.value()->clear(name.toUtf8()))
            dropped = sqlError(QStringLiteral("drop the partial rows of shape %1").arg(name));
        if (ShapeRowSink *sink = sinkOf(name); dropped && sink) {
            dropped = sink->dropPartial(name);
            m_sinkRows.insert(name, 0);
        }
        if (dropped && !restart->bindText(1, name).run())
            dropped = sqlError(QStringLiteral("mark shape %1 for a resync").arg(name));
        if (!dropped) {
            rollbackHere();
            return dropped;
        }
        return finish();
    });
}

Result<void>
ShapeStore::forEachRow(const QString &name,
                       const std::function<void(const QString &key, const RawRow &row)> &visit)
{
    // Streamed (a log shape may hold a million rows): `visit` runs on the writer thread while
    // the caller waits, so it may touch the caller's data but must not emit or use its objects'
    // thread affinity.
    return m_writer.call([&]() -> Result<void> {
        if (auto previous = join(); !previous)
            return previous;
        if (auto connected = connect(); !connected)
            return connected;
        // Rows of a shape without a saved up-to-date position are a snapshot in progress, not
        // its data.
        const QString reading = QStringLiteral("read the rows of shape %1").arg(name);
        auto select = statement(
            R"(SELECT key, value FROM shape_rows WHERE shape = ?1 AND EXISTS (
                   SELECT 1 FROM shape_state WHERE name = ?1 AND "offset" <> '-1')
               ORDER BY key)",
            reading);
        if (!select)
            return select.error();
        select->bindText(1, name);
        const auto damaged = [&](const QByteArray &key, const Error &error) {
            return ShapeRowMerge::damaged(QString::fromUtf8(key), name, error);
        };
        ShapeRowSink *sink = sinkOf(name);
        // Without a sink its rows are streamed as read. With one, the few rows the sink handed
        // back are read first and merged by key into the sink's (a log shape may hold a million).
        QList<std::pair<QByteArray, QByteArray>> generic;
        for (;;) {
            auto next = select->step();
            if (!next)
                return sqlError(reading);
            if (!next.value())
                break;
            const QByteArray key = select->columnByteArray(0);
            if (sink) {
                generic.append({key, select->columnByteArray(1)});
                continue;
            }
            auto row = parseRawRow(select->columnByteArray(1));
            if (!row)
                return damaged(key, row.error());
            visit(QString::fromUtf8(key), row.value());
        }
        select->reset();
        if (!sink)
            return {};
        auto saved = statement(
            R"(SELECT key_prefix FROM shape_state WHERE name = ? AND "offset" <> '-1')", reading);
        if (!saved)
            return saved.error();
        auto found = saved->bindText(1, name).step();
        if (!found)
            return sqlError(reading);
        if (!found.value())
            return {};
        const QByteArray sinkState = saved->columnByteArray(0);
        saved->reset();
        qsizetype next = 0;
        const auto visitGenericBefore = [&](const QByteArray *key) -> Result<void> {
            for (; next < generic.size() && (!key || generic[next].first < *key); ++next) {
                auto row = parseRawRow(generic[next].second);
                if (!row)
                    return damaged(generic[next].first, row.error());
                visit(QString::fromUtf8(generic[next].first), row.value());
            }
            return {};
        };
        auto visited = sink->forEachRow(
            name, sinkState, [&](const QByteArray &key, const RawRow &row) -> Result<void> {
                if (auto before = visitGenericBefore(&key); !before)
                    return before;
                visit(QString::fromUtf8(key), row);
                return {};
            });
        if (!visited)
            return visited;
        return visitGenericBefore(nullptr);
    });
}

Result<void> ShapeStore::remove(const QString &name)
{
    return m_writer.call([&] { return removeHere(name); });
}

Result<void> ShapeStore::removeHere(const QString &name)
{
    if (auto previous = join(); !previous)
        return previous;
    // In a transaction of its own (the others' work is committed first), so that a failure here
    // drops nothing of theirs.
    if (auto committed = finish(); !committed)
        return committed;
    if (auto begun = begin(); !begun)
        return begun;
    auto kind = m_db.prepare("SELECT log_rows FROM shape_state WHERE name = ?");
    auto table = rows();
    auto state = m_db.prepare("DELETE FROM shape_state WHERE name = ?");
    bool ok = kind && table && state;
    int savedKind = 0;
    if (ok) {
        auto found = kind->bindText(1, name).step();
        ok = found.ok();
        savedKind = ok && found.value() ? int(kind->columnInt(0)) : 0;
        kind->reset();
    }
    // The sink's rows go with the shape, when they are where this sink keeps them.
    Result<void> detached;
    if (ShapeRowSink *sink = sinkOf(name); ok && sink && savedKind == sink->kind()) {
        detached = sink->reset(name);
        m_sinkRows.remove(name);
    }
    ok = ok && detached.ok() && table.value()->clear(name.toUtf8())
        && state->bindText(1, name).run();
    if (!ok) {
        const Error error = detached.ok() ? sqlError(QStringLiteral("forget shape %1").arg(name))
                                          : detached.error();
        rollbackHere();
        return error;
    }
    m_partial.remove(name);
    m_resyncSaved.remove(name);
    forgetRecordedReset(name);
    return finish();
}

} // namespace hivewatch
