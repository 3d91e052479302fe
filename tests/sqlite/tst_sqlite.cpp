// The one SQLite wrapper and the one worker-thread owner, on real files: errors that name the
// file and tell read-only, corrupt and busy apart, the transaction guard, and cancellation.
#include "sync/common/ThreadPriority.h"
#include "sync/common/WorkerThread.h"
#include "sync/sqlite/SqliteConnection.h"
#include "sync/sqlite/SqliteTransaction.h"
#include "sync/sqlite/WalWriteback.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <cerrno>
#include <future>

#ifdef Q_OS_LINUX
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

using namespace hivewatch;

namespace {

qint64 count(const SqliteConnection &db)
{
    auto select = db.prepare("SELECT count(*) FROM t");
    if (!select || !select->step())
        return -1;
    return select->columnInt(0);
}

#ifdef Q_OS_LINUX
// cachestat(2), Linux 6.5: the page cache's view of a file, dirty pages included. Declared here:
// Debian's kernel headers predate it.
struct CacheStatRange
{
    quint64 offset = 0;
    quint64 length = 0; // 0: to the end of the file
};
struct CacheStat
{
    quint64 cached, dirty, writeback, evicted, recentlyEvicted;
};
constexpr long kCacheStatSyscall = 451; // x86_64 and aarch64 alike

// The file's pages that are dirty or under writeback, or -1 with errno set.
qint64 unwrittenPages(int fd)
{
    CacheStatRange range;
    CacheStat stat {};
    if (syscall(kCacheStatSyscall, fd, &range, &stat, 0) != 0)
        return -1;
    return qint64(stat.dirty + stat.writeback);
}
#endif

} // namespace

class TestSqlite : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString createDatabase(const QString &name)
    {
        const QString path = m_dir.filePath(name);
        auto db = SqliteConnection::open(path, SqliteConnection::Mode::ReadWriteCreate);
        if (!db || !db->exec("PRAGMA journal_mode = WAL; CREATE TABLE t (v TEXT NOT NULL)"))
            return {};
        return path;
    }

private slots:
    void openingNamesTheFileAndWhatIsWrongWithIt()
    {
        const QString missing = m_dir.filePath(QStringLiteral("missing.sqlite"));
        auto none = SqliteConnection::open(missing, SqliteConnection::Mode::ReadWrite);
        QVERIFY(!none.ok());
        QVERIFY2(none.error().toString().contains(missing), qPrintable(none.error().toString()));
        QVERIFY(!QFile::exists(missing)); // ReadWrite never creates

        const QString garbage = m_dir.filePath(QStringLiteral("garbage.sqlite"));
        QFile file(garbage);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QByteArray(4096, 'x'));
        file.close();
        auto notDb = SqliteConnection::open(garbage, SqliteConnection::Mode::ReadOnly);
        QVERIFY(!notDb.ok());
        QCOMPARE(notDb.error().message, garbage + QStringLiteral(" is not an SQLite database"));
    }

    void aWriteOnAReadOnlyConnectionSaysReadOnly()
    {
        const QString path = createDatabase(QStringLiteral("ro.sqlite"));
        QVERIFY(!path.isEmpty());
        auto db = SqliteConnection::open(path, SqliteConnection::Mode::ReadOnly);
        QVERIFY(db.ok());
        QVERIFY(!db->exec("INSERT INTO t VALUES ('x')"));
        const Error error = db->error(QStringLiteral("could not add a row"));
        QVERIFY2(error.message.contains(path + QStringLiteral(" cannot be written (read-only)")),
                 qPrintable(error.toString()));
    }

    void aLockHeldElsewhereIsToldAsSuch()
    {
        const QString path = createDatabase(QStringLiteral("busy.sqlite"));
        auto holder = SqliteConnection::open(path, SqliteConnection::Mode::ReadWrite);
        auto other = SqliteConnection::open(path, SqliteConnection::Mode::ReadWrite, 0);
        QVERIFY(holder.ok() && other.ok());
        auto held = SqliteTransaction::begin(*holder);
        QVERIFY(held.ok());
        auto refused = SqliteTransaction::begin(*other);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message.contains(QLatin1String("in use by another process")),
                 qPrintable(refused.error().toString()));
    }

    void theTransactionGuardRollsBackUnlessCommitted()
    {
        const QString path = createDatabase(QStringLiteral("tx.sqlite"));
        auto db = SqliteConnection::open(path, SqliteConnection::Mode::ReadWrite);
        QVERIFY(db.ok());
        {
            auto tx = SqliteTransaction::begin(*db);
            QVERIFY(tx.ok());
            QVERIFY(db->exec("INSERT INTO t VALUES ('dropped')"));
            auto nested = SqliteTransaction::begin(*db);
            QVERIFY(!nested.ok()); // one at a time, said so
        }
        QVERIFY(db->isAutocommit());
        QCOMPARE(count(*db), 0);
        auto tx = SqliteTransaction::begin(*db);
        QVERIFY(tx.ok());
        auto insert = db->prepare("INSERT INTO t VALUES (?1)");
        QVERIFY(insert.ok());
        SqliteStatement moved = std::move(insert).value();
        QVERIFY(moved.bindText(1, QStringLiteral("kept")).run().ok());
        QVERIFY(tx->commit().ok());
        QVERIFY(!tx->isOpen());
        QCOMPARE(count(*db), 1);
    }

    void workerThreadRunsJobsInOrderAndCancelDropsTheQueued()
    {
        WorkerThread worker(QStringLiteral("test-worker"));
        worker.start();
        QList<int> ran;
        for (int i = 0; i < 5; ++i)
            worker.post([&ran, i] { ran.append(i); });
        QCOMPARE(worker.call([&ran] { return ran.size(); }), 5);
        QCOMPARE(ran, (QList<int> {0, 1, 2, 3, 4}));

        std::promise<void> gate;
        std::shared_future<void> open = gate.get_future().share();
        std::promise<void> started;
        worker.post([&started, open] {
            started.set_value();
            open.wait();
        });
        std::atomic<int> queued {0};
        for (int i = 0; i < 3; ++i)
            worker.post([&queued] { ++queued; });
        started.get_future().wait();
        bool interrupted = false;
        worker.cancel([&] {
            interrupted = true;
            gate.set_value();
        });
        worker.wait();
        QVERIFY(interrupted);
        QCOMPARE(queued.load(), 0);
        worker.post([&queued] { ++queued; }); // still runs jobs after a cancel
        worker.shutdown(); // runs what is queued first
        QCOMPARE(queued.load(), 1);
    }

    void workerThreadsGoBelowTheCallerOnlyWhenAskedTo()
    {
#ifdef Q_OS_LINUX
        const auto niceOfJob = [](const QString &name) {
            WorkerThread worker(name);
            worker.start();
            return worker.call([] {
                errno = 0;
                return getpriority(PRIO_PROCESS, gettid());
            });
        };
        errno = 0;
        const int own = getpriority(PRIO_PROCESS, gettid());
        if (own >= 10)
            QSKIP("this test runs at nice 10 or more already: nothing lower to see");
        QCOMPARE(niceOfJob(QStringLiteral("test-foreground")), own);
        ThreadPriority::setWorkersInBackground(true);
        const int background = niceOfJob(QStringLiteral("test-background"));
        ThreadPriority::setWorkersInBackground(false);
        QCOMPARE(background, 10);
        QCOMPARE(getpriority(PRIO_PROCESS, gettid()), own); // the caller's thread is untouched
        QCOMPARE(niceOfJob(QStringLiteral("test-foreground-again")), own);
#else
        QSKIP("thread nice values are Linux's");
#endif
    }

    // WalWriteback hands a WAL's dirty pages to the disk without anyone syncing: the kernel
    // alone would leave them dirty for 30 s (dirty_expire_centisecs).
    void walWritebackWritesTheWalsDirtyPages()
    {
#ifdef Q_OS_LINUX
        const QString database = m_dir.filePath(QStringLiteral("writeback.sqlite"));
        WalWriteback writeback(database);
        writeback.start(); // no WAL yet: nothing to do, and nothing goes wrong
        QFile wal(database + QStringLiteral("-wal"));
        QVERIFY(wal.open(QIODevice::WriteOnly));
        const QByteArray block(1 << 20, 'w');
        for (int i = 0; i < 16; ++i)
            QCOMPARE(wal.write(block), qint64(block.size()));
        QVERIFY(wal.flush()); // into the page cache, not to disk
        const int fd = wal.handle();
        const qint64 before = unwrittenPages(fd);
        if (before < 0 && errno == ENOSYS)
            QSKIP("cachestat(2) needs Linux 6.5: no way to see a file's dirty pages");
        QVERIFY2(before > 0, "the test's writes were not dirty in the page cache");
        writeback.start();
        QTRY_COMPARE_WITH_TIMEOUT(unwrittenPages(fd), qint64(0), 10000);
#else
        QSKIP("WalWriteback starts writeback on Linux only");
#endif
    }

    void interruptEndsAStatementRunningOnTheWorker()
    {
        const QString path = createDatabase(QStringLiteral("interrupt.sqlite"));
        auto opened = SqliteConnection::open(path, SqliteConnection::Mode::ReadOnly);
        QVERIFY(opened.ok());
        const SqliteConnection db = std::move(opened).value();
        WorkerThread worker(QStringLiteral("test-sqlite"));
        worker.start();
        std::promise<Error> failed;
        std::future<Error> result = failed.get_future();
        std::promise<void> started;
        worker.post([&] {
            started.set_value();
            // Never ends by itself.
            auto endless = db.prepare("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
                                      "FROM c) SELECT count(*) FROM c");
            auto stepped = endless ? endless->step() : Result<bool>(endless.error());
            failed.set_value(stepped ? Error(QStringLiteral("ended by itself"))
                                     : db.error(QStringLiteral("could not count")));
        });
        started.get_future().wait(); // a cancel() before would drop the job, not interrupt it
        // An interrupt only reaches a statement already running: repeat until it has.
        QTRY_VERIFY_WITH_TIMEOUT(
            (worker.cancel([&db] { db.interrupt(); }),
             result.wait_for(std::chrono::milliseconds(0)) == std::future_status::ready),
            20000);
        const Error error = result.get();
        QVERIFY2(error.message.contains(QLatin1String("cancelled")), qPrintable(error.toString()));
    }
};

QTEST_GUILESS_MAIN(TestSqlite)
#include "tst_sqlite.moc"
