#include "sync/store/LogStore.h"

#include "sync/sqlite/SqliteTransaction.h"
#include "sync/store/LogStorePrivate.h"
#include "sync/store/LogStoreSchema.h"
#include "sync/store/StoreLog.h"

#include <QAtomicInteger>
#include <QFile>
#include <QFileInfo>
#include <QSqlDriver>
#include <QSqlError>
#include <QSqlQuery>

#include <QThread>

#include <sqlite3.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>
#include <optional>

#include <unistd.h>

namespace hivewatch {

namespace {

// The node's pragmas (docs/hive-schema.md §3.5), applied to every connection this class opens.
// busy_timeout first, so the others wait for a writer instead of failing.
const char *const kConnectionPragmas[] = {
    "PRAGMA busy_timeout = 30000", "PRAGMA page_size = 16384",   "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL", "PRAGMA temp_store = MEMORY", "PRAGMA mmap_size = 268435456",
    "PRAGMA cache_size = -64000",
};
const char *const kReaderPragmas[] = {"PRAGMA mmap_size = 0", "PRAGMA cache_size = -8192"};

bool looksLikeSqlite(const QString &path, qint64 size)
{
    if (size == 0)
        return true; // SQLite treats an empty file as an empty database
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return true; // let SQLite report the permission problem
    return f.read(16) == QByteArray("SQLite format 3", 16);
}

// A new store's directory is created (a fresh account has no data directory yet), and the file
// too, so that a directory that cannot take it is named, not left to SQLite's "unable to open
// database file". SQLite takes an empty file for an empty database.
Result<void> createFile(const QFileInfo &info)
{
    const QString directory = info.absolutePath();
    std::error_code error;
    std::filesystem::create_directories(QFile::encodeName(directory).toStdString(), error);
    if (error)
        return Error(QStringLiteral("Could not create the directory %1 for the store %2")
                         .arg(directory, info.fileName()),
                     QString::fromStdString(error.message()));
    QFile file(info.absoluteFilePath());
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append))
        return Error(QStringLiteral("Could not create the store %1 in the directory %2")
                         .arg(info.fileName(), directory),
                     file.errorString());
    return {};
}

// A store that cannot be written is healthy: calling it corrupted could make a user delete it.
Error readOnlyError(const QString &path, const QString &why)
{
    return Error(QStringLiteral("%1 cannot be written (read-only file, directory or file system); "
                                "the store itself is not damaged")
                     .arg(path),
                 why
                     + QStringLiteral("; make the file and its directory writable, or open the "
                                      "store read-only"));
}

// Checked before SQLite, which silently falls back to read-only and fails later with less to
// say. access() reports a read-only file system (EROFS) even to root.
std::optional<Error> notWritable(const QFileInfo &info)
{
    for (const QString &target : {info.absoluteFilePath(), info.absolutePath()}) {
        if (::access(QFile::encodeName(target).constData(), W_OK) != 0) {
            const int err = errno;
            return readOnlyError(
                info.absoluteFilePath(),
                QStringLiteral("%1: %2").arg(target, QString::fromLocal8Bit(std::strerror(err))));
        }
    }
    return std::nullopt;
}

// Why SQLite failed on `path`, told apart: a read-only location is not a corrupt file.
Error openError(const QString &path, sqlite3 *handle, const QString &detail)
{
    const int code = handle ? sqlite3_extended_errcode(handle) & 0xff : SQLITE_ERROR;
    if (code == SQLITE_READONLY || code == SQLITE_CANTOPEN) {
        if (auto refused = notWritable(QFileInfo(path)))
            return *refused;
        if (code == SQLITE_READONLY)
            return readOnlyError(path, detail);
    }
    if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB)
        return Error(QStringLiteral("%1 is corrupted or not an SQLite database").arg(path), detail);
    return Error(QStringLiteral("Could not open %1").arg(path), detail);
}

bool isLockError(const QSqlError &error)
{
    const QString code = error.nativeErrorCode();
    return code == QLatin1String("5") || code == QLatin1String("6") // SQLITE_BUSY, SQLITE_LOCKED
        || error.databaseText().contains(QLatin1String("locked"));
}

} // namespace

LogStore::LogStore()
    : d(std::make_unique<Private>())
{
}

LogStore::~LogStore()
{
    d->writer.reset();
    d->forwardQuery.reset();
    d->backwardQuery.reset();
    d->countQuery.reset();
    d->db.close();
    d->db = QSqlDatabase();
    QSqlDatabase::removeDatabase(d->connectionName);
}

Result<std::unique_ptr<LogStore>> LogStore::open(const QString &path, Access access)
{
    static QAtomicInteger<quint64> counter;
    const QFileInfo info(path);
    if (path.isEmpty())
        return Error(QStringLiteral("No log store file given"));
    if (info.exists() && info.isDir())
        return Error(QStringLiteral("%1 is a directory, not a log store file").arg(path));
    if (!info.exists() && access == Access::ReadOnly)
        return Error(QStringLiteral("%1 does not exist").arg(path));
    if (info.exists() && !looksLikeSqlite(path, info.size()))
        return Error(QStringLiteral("%1 is not an SQLite database").arg(path));
    if (!info.exists() && access == Access::ReadWrite) {
        if (auto created = createFile(info); !created)
            return created.error();
    } else if (access == Access::ReadWrite) {
        if (auto refused = notWritable(info))
            return *refused;
    }

    std::unique_ptr<LogStore> store(new LogStore);
    Private &d = *store->d;
    d.path = path;
    d.readOnly = access == Access::ReadOnly;
    d.connectionName = QStringLiteral("hivewatch-logstore-%1").arg(counter.fetchAndAddRelaxed(1));
    d.db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), d.connectionName);
    if (!d.db.isValid())
        return Error(QStringLiteral("The Qt SQLite driver (QSQLITE) is not installed"),
                     QStringLiteral("install libqt6sql6-sqlite"));
    d.db.setDatabaseName(path);
    if (d.readOnly)
        d.db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
    if (!d.db.open())
        return Private::sqlError(QStringLiteral("Could not open %1").arg(path), d.db.lastError());
    const QVariant handle = d.db.driver()->handle();
    if (handle.isValid() && qstrcmp(handle.typeName(), "sqlite3*") == 0)
        d.handle = *static_cast<sqlite3 *const *>(handle.constData());
    if (!d.handle)
        return Error(QStringLiteral("The Qt SQLite driver did not expose its sqlite3 handle"));
    d.connection = SqliteConnection::borrow(d.handle, path);

    QSqlQuery q(d.db);
    auto pragma = [&](const QString &sql) -> std::optional<Error> {
        // Switching a brand-new file to WAL takes an exclusive lock that busy_timeout does not
        // wait for, so two processes creating the same store at once must retry here.
        bool done = q.exec(sql);
        for (int attempt = 0; !done && isLockError(q.lastError()) && attempt < 200; ++attempt) {
            QThread::msleep(25);
            done = q.exec(sql);
        }
        if (!done && isLockError(q.lastError()))
            return Private::sqlError(QStringLiteral("%1 is locked by another process").arg(path),
                                     q.lastError());
        if (!done)
            return openError(path, d.handle, q.lastError().text());
        q.finish();
        return std::nullopt;
    };
    const char *journalMode = nullptr;
    for (const char *setting : kConnectionPragmas) {
        // The journal mode is a setting of the file, not of the connection: it waits until the
        // file is known to be ours (a node's db.sqlite or a foreign file is left as it is). A
        // read-only connection cannot switch it anyway.
        if (qstrncmp(setting, "PRAGMA journal_mode", 19) == 0) {
            journalMode = setting;
            continue;
        }
        if (auto failed = pragma(QString::fromLatin1(setting)))
            return *failed;
    }
    // Short polls instead of SQLite's back-off to 100 ms sleeps: the sync writer and the index
    // builder take turns with the write lock many times a second.
    d.connection.setPollingBusyTimeout(30000);
    // A reader maps nothing and keeps a small cache: the dashboard holds several (log pages, the
    // log view's lines and search, the stderr counter), and every page one of them touched in
    // its 256 MiB mapping or 64 MB cache counted in the process's RSS (190 MiB of mapped store
    // at 100k tasks and 1M log lines; docs/benchmarks.md, "Where the dashboard's extra 300 MiB
    // went"). The kernel's page cache still serves re-reads; node compatibility concerns the
    // file, not a reader's memory.
    if (d.readOnly) {
        for (const char *setting : kReaderPragmas) {
            if (auto failed = pragma(QString::fromLatin1(setting)))
                return *failed;
        }
    }

    const auto kind = LogStoreSchema::detect(d.db);
    if (!kind)
        return openError(path, d.handle, kind.error().detail);
    const bool ours = kind.value() == LogStoreSchema::Kind::Empty
        || kind.value() == LogStoreSchema::Kind::Hivewatch;
    if (journalMode && ours && !d.readOnly) {
        if (auto failed = pragma(QString::fromLatin1(journalMode)))
            return *failed;
    }
    switch (kind.value()) {
    case LogStoreSchema::Kind::Foreign:
        return Error(QStringLiteral("%1 is an SQLite database without a log_entries table (neither "
                                    "a Hivewatch log store nor a node's db.sqlite)")
                         .arg(path));
    case LogStoreSchema::Kind::Empty:
        if (d.readOnly)
            return Error(
                QStringLiteral("%1 is an empty database without a log_entries table").arg(path));
        [[fallthrough]];
    case LogStoreSchema::Kind::Hivewatch:
        if (!d.readOnly) {
            if (auto migrated = LogStoreSchema::migrate(d.db, path); !migrated)
                return migrated.error();
        }
        break;
    case LogStoreSchema::Kind::NodeDatabase:
        d.nodeDatabase = true; // a node's own file: read as it is, never migrated
        break;
    }
    const auto sourceId = LogStoreSchema::hasSourceId(d.db);
    if (!sourceId)
        return sourceId.error();
    d.hasSourceId = sourceId.value();
    qCDebug(lcStore) << "opened" << path << (d.readOnly ? "read-only" : "read-write")
                     << (d.nodeDatabase ? "(node database)" : "");
    return store;
}

QString LogStore::path() const
{
    return d->path;
}

bool LogStore::isReadOnly() const
{
    return d->readOnly;
}

bool LogStore::isNodeDatabase() const
{
    return d->nodeDatabase;
}

QSqlDatabase LogStore::database() const
{
    return d->db;
}

const SqliteConnection &LogStore::connection() const
{
    return d->connection;
}

LogSearchCountCache &LogStore::searchCounts()
{
    return d->searchCounts;
}

Result<void> LogStore::withTransaction(const std::function<Result<void>()> &body)
{
    if (d->readOnly)
        return Error(QStringLiteral("%1 is open read-only").arg(d->path));
    auto transaction = SqliteTransaction::begin(d->connection);
    if (!transaction)
        return transaction.error();
    if (auto result = body(); !result)
        return result; // the guard rolls back
    return transaction->commit();
}

Result<qint64> LogStore::append(const QList<NewLogEntry> &rows)
{
    qint64 written = 0;
    const auto r = withTransaction([&]() -> Result<void> {
        auto n = appendInCurrentTransaction(rows);
        if (!n)
            return n.error();
        written = n.value();
        return {};
    });
    if (!r)
        return r.error();
    return written;
}

Result<LogRowWriter *> LogStore::Private::rowWriter()
{
    countCache.clear(); // every write path comes here; data_version misses our own commits
    if (readOnly)
        return Error(QStringLiteral("%1 is open read-only").arg(path));
    if (connection.isAutocommit())
        return Error(QStringLiteral("Writing log lines needs an open transaction "
                                    "(use withTransaction())"));
    if (!writer) {
        auto prepared = LogRowWriter::prepare(connection, hasSourceId);
        // When another connection changed the schema since this one last read it, the first
        // attempt inside the write transaction fails with "no such table: log_entries" while
        // SQLite re-reads the schema (not reproduced with the same statements on a plain
        // table: the triggers and the full-text index are involved); the second sees the
        // current schema (tst_logstore).
        if (!prepared)
            prepared = LogRowWriter::prepare(connection, hasSourceId);
        if (!prepared)
            return prepared.error();
        writer = std::move(prepared).value();
    }
    return writer.get();
}

Result<qint64> LogStore::appendInCurrentTransaction(const QList<NewLogEntry> &rows)
{
    auto writer = d->rowWriter();
    if (!writer)
        return writer.error();
    return writer.value()->append(rows);
}

Result<qint64> LogStore::upsertSyncedInCurrentTransaction(const QList<SyncedLogLine> &rows)
{
    auto writer = d->rowWriter();
    if (!writer)
        return writer.error();
    return writer.value()->upsertSynced(rows);
}

Result<std::optional<SyncedLogLine>> LogStore::syncedLine(qint64 sourceId)
{
    auto writer = d->rowWriter();
    if (!writer)
        return writer.error();
    return writer.value()->syncedLine(sourceId);
}

Result<bool> LogStore::detachSynced(qint64 sourceId)
{
    auto writer = d->rowWriter();
    if (!writer)
        return writer.error();
    return writer.value()->detachSynced(sourceId);
}

Result<void> LogStore::detachAllSynced()
{
    auto writer = d->rowWriter();
    if (!writer)
        return writer.error();
    return writer.value()->detachAllSynced();
}

Result<std::optional<LogEntry>> LogStore::findById(qint64 id)
{
    QSqlQuery q(d->db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM log_entries WHERE id = ?").arg(d->selectColumns()));
    q.addBindValue(id);
    if (!q.exec())
        return d->readError(q);
    if (!q.next())
        return std::optional<LogEntry>();
    return std::optional<LogEntry>(Private::rowFrom(q));
}

Result<QList<LogEntry>> LogStore::listByExecution(const QUuid &executionId)
{
    QSqlQuery q(d->db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT %1 FROM log_entries WHERE execution_id = ? ORDER BY id ASC")
                  .arg(d->selectColumns()));
    q.addBindValue(executionId.toRfc4122());
    if (!q.exec())
        return d->readError(q);
    QList<LogEntry> rows;
    while (q.next())
        rows.append(Private::rowFrom(q));
    if (q.lastError().isValid())
        return d->readError(q);
    return rows;
}

Result<qint64> LogStore::deleteByExecution(const QUuid &executionId)
{
    d->countCache.clear();
    if (d->readOnly)
        return Error(QStringLiteral("%1 is open read-only").arg(d->path));
    qint64 deleted = 0;
    const auto r = withTransaction([&]() -> Result<void> {
        QSqlQuery q(d->db);
        q.prepare(QStringLiteral("DELETE FROM log_entries WHERE execution_id = ?"));
        q.addBindValue(executionId.toRfc4122());
        if (!q.exec())
            return Private::sqlError(QStringLiteral("Could not delete from %1").arg(d->path),
                                     q.lastError());
        deleted = q.numRowsAffected();
        return {};
    });
    if (!r)
        return r.error();
    return deleted;
}

Result<qint64> LogStore::countByExecution(const QUuid &executionId)
{
    // The Hivewatch schema keeps exact counts (triggers); a node's database has to count.
    const QString sql = d->nodeDatabase
        ? QStringLiteral("SELECT count(*) FROM log_entries WHERE execution_id = ?")
        : QStringLiteral("SELECT coalesce((SELECT row_count FROM log_execution_counts "
                         "WHERE execution_id = ?), 0)");
    auto q = d->prepared(d->countQuery, sql);
    if (!q)
        return q.error();
    QSqlQuery &query = *q.value();
    query.bindValue(0, executionId.toRfc4122());
    if (!query.exec() || !query.next())
        return d->readError(query);
    const qint64 n = query.value(0).toLongLong();
    query.finish();
    return n;
}

Result<LogPage> LogStore::page(const QUuid &executionId, std::optional<qint64> cursor,
                               PageDirection direction, int limit)
{
    if (limit < 1)
        return Error(QStringLiteral("Invalid page size %1: it must be at least 1").arg(limit));
    const auto total = countByExecution(executionId);
    if (!total)
        return total.error();
    LogPage page;
    page.totalCount = total.value();
    if (page.totalCount == 0)
        return page;

    const bool forward = direction == PageDirection::Forward;
    auto q = forward ? d->prepared(d->forwardQuery,
                                   QStringLiteral("SELECT %1 FROM log_entries WHERE "
                                                  "execution_id = ? AND id > ? ORDER BY id "
                                                  "ASC LIMIT ?")
                                       .arg(d->selectColumns()))
                     : d->prepared(d->backwardQuery,
                                   QStringLiteral("SELECT %1 FROM log_entries WHERE "
                                                  "execution_id = ? AND id < ? ORDER BY id "
                                                  "DESC LIMIT ?")
                                       .arg(d->selectColumns()));
    if (!q)
        return q.error();
    QSqlQuery &query = *q.value();
    const qint64 bound = cursor.value_or(forward ? std::numeric_limits<qint64>::min()
                                                 : std::numeric_limits<qint64>::max());
    query.bindValue(0, executionId.toRfc4122());
    query.bindValue(1, bound);
    query.bindValue(2, qint64(limit) + 1);
    if (!query.exec())
        return d->readError(query);
    page.entries.reserve(limit + 1);
    while (query.next())
        page.entries.append(Private::rowFrom(query));
    const bool failed = query.lastError().isValid();
    query.finish();
    if (failed)
        return d->readError(query);
    page.hasMore = page.entries.size() > limit;
    if (page.hasMore) {
        page.entries.resize(limit);
        page.nextCursor = page.entries.last().id;
    }
    return page;
}

Result<QList<ExecutionSummary>> LogStore::executions()
{
    const QString sql = d->nodeDatabase
        ? QStringLiteral("SELECT execution_id, count(*), min(timestamp), max(timestamp) "
                         "FROM log_entries GROUP BY execution_id ORDER BY 4 DESC")
        : QStringLiteral(
            // The first and the last line's times, found through (execution_id, id).
            "SELECT c.execution_id, c.row_count, "
            "(SELECT timestamp FROM log_entries WHERE execution_id = c.execution_id "
            " ORDER BY id LIMIT 1), "
            "(SELECT timestamp FROM log_entries WHERE execution_id = c.execution_id "
            " ORDER BY id DESC LIMIT 1) "
            "FROM log_execution_counts c ORDER BY 4 DESC");
    QSqlQuery q(d->db);
    q.setForwardOnly(true);
    if (!q.exec(sql))
        return d->readError(q);
    QList<ExecutionSummary> list;
    while (q.next()) {
        ExecutionSummary s;
        s.executionId = QUuid::fromRfc4122(q.value(0).toByteArray());
        s.rows = q.value(1).toLongLong();
        s.firstTimestamp = q.value(2).toString();
        s.lastTimestamp = q.value(3).toString();
        list.append(s);
    }
    if (q.lastError().isValid())
        return d->readError(q);
    return list;
}

Result<LogStoreStats> LogStore::stats()
{
    auto execs = executions();
    if (!execs)
        return execs.error();
    LogStoreStats s;
    s.executions = std::move(execs.value());
    QSqlQuery q(d->db);
    q.setForwardOnly(true);
    if (!q.exec(QStringLiteral("SELECT output_type, count(*) FROM log_entries GROUP BY 1")))
        return d->readError(q);
    while (q.next()) {
        const qint64 n = q.value(1).toLongLong();
        s.rowsByOutputType.insert(q.value(0).toString(), n);
        s.totalRows += n;
    }
    if (q.lastError().isValid())
        return d->readError(q);
    return s;
}

} // namespace hivewatch
