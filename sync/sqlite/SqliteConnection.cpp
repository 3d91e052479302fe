#include "sync/sqlite/SqliteConnection.h"

#include "sync/common/HugePages.h"

#include <sqlite3.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <utility>

namespace hivewatch {

namespace {

QString messageOf(sqlite3 *db)
{
    return db ? QString::fromUtf8(sqlite3_errmsg(db)) : QStringLiteral("out of memory");
}

} // namespace

SqliteConnection::SqliteConnection(sqlite3 *db, QString path, bool owned)
    : m_db(db)
    , m_path(std::move(path))
    , m_owned(owned)
{
}

SqliteConnection::~SqliteConnection()
{
    if (m_owned)
        sqlite3_close_v2(m_db);
}

SqliteConnection::SqliteConnection(SqliteConnection &&other) noexcept
    : m_db(std::exchange(other.m_db, nullptr))
    , m_path(std::move(other.m_path))
    , m_owned(std::exchange(other.m_owned, false))
{
}

SqliteConnection &SqliteConnection::operator=(SqliteConnection &&other) noexcept
{
    if (this != &other) {
        if (m_owned)
            sqlite3_close_v2(m_db);
        m_db = std::exchange(other.m_db, nullptr);
        m_path = std::move(other.m_path);
        m_owned = std::exchange(other.m_owned, false);
    }
    return *this;
}

namespace {

constexpr int kFastPolls = 50; // tries 0.1 ms apart (about the first 5 ms), then 1 ms
std::atomic<qint64> g_busyPolls {0};

int pollingBusyHandler(void *timeoutMs, int count)
{
    // SQLite calls the handler on the thread that waits, with count 0 on a new wait: the wall
    // time since then, not the sum of nominal sleeps, which a loaded machine overshoots.
    thread_local std::chrono::steady_clock::time_point waitingSince;
    const auto now = std::chrono::steady_clock::now();
    if (count == 0)
        waitingSince = now;
    const auto limit = std::chrono::milliseconds(qint64(reinterpret_cast<quintptr>(timeoutMs)));
    if (now - waitingSince >= limit)
        return 0;
    g_busyPolls.fetch_add(1, std::memory_order_relaxed);
    std::this_thread::sleep_for(std::chrono::microseconds(count < kFastPolls ? 100 : 1000));
    return 1;
}

} // namespace

void SqliteConnection::setPollingBusyTimeout(int timeoutMs) const
{
    if (m_db)
        sqlite3_busy_handler(m_db, pollingBusyHandler,
                             reinterpret_cast<void *>(quintptr(std::max(0, timeoutMs))));
}

qint64 SqliteConnection::busyPolls()
{
    return g_busyPolls.load();
}

void SqliteConnection::skipMemoryStatistics()
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

void SqliteConnection::usePageCacheBuffer(std::size_t bytes)
{
    // One line per page: the stores' page size (LogStore's 16 KiB) plus SQLite's header. A
    // smaller page would take a whole line; none of our files has one larger.
    int header = 0;
    if (sqlite3_config(SQLITE_CONFIG_PCACHE_HDRSZ, &header) != SQLITE_OK)
        return;
    const std::size_t line = (16384 + std::size_t(header) + 7) & ~std::size_t(7);
    const std::size_t lines = bytes / line;
    if (lines == 0)
        return;
    // Never freed: SQLite uses it until the process ends. Anonymous memory counts in the RSS
    // only where a page is touched.
    void *buffer
        = mmap(nullptr, line * lines, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buffer == MAP_FAILED)
        return;
    adviseHugePages(buffer, line * lines);
    if (sqlite3_config(SQLITE_CONFIG_PAGECACHE, buffer, int(line), int(lines)) != SQLITE_OK)
        munmap(buffer, line * lines);
}

Result<SqliteConnection> SqliteConnection::open(const QString &path, Mode mode, int busyTimeoutMs)
{
    sqlite3 *db = nullptr;
    int flags = mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (mode == Mode::ReadWriteCreate)
        flags |= SQLITE_OPEN_CREATE;
    const int rc = sqlite3_open_v2(path.toUtf8().constData(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
        const QString detail = messageOf(db);
        sqlite3_close_v2(db);
        return Error(QStringLiteral("Cannot open the SQLite database %1 for %2")
                         .arg(path,
                              mode == Mode::ReadOnly ? QStringLiteral("reading")
                                                     : QStringLiteral("writing")),
                     detail);
    }
    sqlite3_busy_timeout(db, busyTimeoutMs);
    // sqlite3_open_v2 reads nothing yet: look at the schema now so a file that is not a
    // database is named as such rather than failing in the first query.
    if (sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr)
        == SQLITE_NOTADB) {
        sqlite3_close_v2(db);
        return Error(QStringLiteral("%1 is not an SQLite database").arg(path));
    }
    return SqliteConnection(db, path, true);
}

SqliteConnection SqliteConnection::borrow(sqlite3 *db, const QString &path)
{
    return SqliteConnection(db, path, false);
}

QString SqliteConnection::lastError() const
{
    return messageOf(m_db);
}

Error SqliteConnection::error(const QString &what) const
{
    const int code = m_db ? sqlite3_extended_errcode(m_db) & 0xff : SQLITE_NOMEM;
    const QString detail = lastError();
    // What a user can act on: a store another program holds, a full disk or a read-only file is
    // healthy and must not read like damage (a user might delete it).
    switch (code) {
    case SQLITE_READONLY:
        return Error(QStringLiteral("%1: %2 cannot be written (read-only); the store itself is not "
                                    "damaged")
                         .arg(what, m_path),
                     detail);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return Error(
            QStringLiteral("%1: %2 is corrupted or not an SQLite database").arg(what, m_path),
            detail);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return Error(QStringLiteral("%1: %2 is in use by another process; nothing was changed")
                         .arg(what, m_path),
                     detail
                         + QStringLiteral("; close the other program using it, or use another "
                                          "store"));
    case SQLITE_INTERRUPT:
        return Error(QStringLiteral("%1: cancelled").arg(what), detail);
    case SQLITE_FULL:
        return Error(QStringLiteral("%1: the disk holding %2 is full; what was stored before is "
                                    "kept")
                         .arg(what, m_path),
                     detail);
    default:
        return Error(QStringLiteral("%1 (%2)").arg(what, m_path), detail);
    }
}

Result<SqliteStatement> SqliteConnection::prepare(std::string_view sql, bool persistent) const
{
    sqlite3_stmt *stmt = nullptr;
    const int rc = sqlite3_prepare_v3(m_db, sql.data(), int(sql.size()),
                                      persistent ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(stmt);
        return Error(QStringLiteral("Cannot prepare a query on %1").arg(m_path),
                     lastError() + QStringLiteral(" in: ")
                         + QString::fromUtf8(sql.data(), qsizetype(sql.size())));
    }
    return SqliteStatement(stmt, m_db);
}

Result<void> SqliteConnection::exec(std::string_view sql) const
{
    // sqlite3_exec needs a terminated string and runs every statement in it.
    const QByteArray text(sql.data(), qsizetype(sql.size()));
    char *message = nullptr;
    if (sqlite3_exec(m_db, text.constData(), nullptr, nullptr, &message) != SQLITE_OK) {
        const QString detail = message ? QString::fromUtf8(message) : lastError();
        sqlite3_free(message);
        Error failed = error(QStringLiteral("SQLite statement failed"));
        failed.detail = detail + QStringLiteral(" in: ") + QString::fromUtf8(text);
        return failed;
    }
    return {};
}

Result<bool> SqliteConnection::hasTable(std::string_view table) const
{
    auto stmt = prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
    if (!stmt)
        return stmt.error();
    stmt->bindText(1, table);
    return stmt->step();
}

qint64 SqliteConnection::lastInsertRowId() const
{
    return sqlite3_last_insert_rowid(m_db);
}

qint64 SqliteConnection::changes() const
{
    return sqlite3_changes64(m_db);
}

bool SqliteConnection::isAutocommit() const
{
    return sqlite3_get_autocommit(m_db) != 0;
}

void SqliteConnection::interrupt() const
{
    if (m_db)
        sqlite3_interrupt(m_db);
}

} // namespace hivewatch
