// bench_logsearch search [--rows N] [--executions K] [--other-rows M] [--dir DIR] [--keep]
// bench_logsearch ingest [--rows N] [--executions K] [--dir DIR] [--builder-share P]
//                        [--sqlite-backoff]
//
// The full-text index's figures for docs/benchmarks.md ("Log search", issue 16).
//
// search: the 5M-line goals in minutes. One store is filled with bulk SQL inside it (the
// lines ingest would write, as in `ingest`, but without the writer's per-row work): one
// execution of N lines (default 5,000,000) and K-1 others of M lines, interleaved in blocks of
// 1000 as concurrent executions are; indexed with LogStore::indexStep() in large chunks (its
// CPU-seconds and the store's size before and after are printed); then, on a read-only
// connection: a token search across all executions, first 200 lines alone (median of 11), with
// full counts on a fresh connection each time (median of 11; nothing cached) and again on the
// same connection (the cache); and jumps to a time in the N-line execution (median of 21).
// --keep reuses a store left by an earlier run with the same sizes.
//
// ingest: the writer's append rate through LogStore into a store nobody indexes and into one
// whose LogIndexBuilder follows the writer on its own thread (store version 5), alternating
// segments A/B in one run, with each thread's CPU-seconds and how far the index lags; store
// size; the same searches on the result. Wall-clock medians; the machine may be shared, so
// each mode prints the load average with its figures. ingest also prints how long the writer
// waited for the write lock (BEGIN IMMEDIATE) in each kind of segment. --builder-share sets the
// builder's lock share while the writer is active (100: no rest); --sqlite-backoff gives the
// writers SQLite's own busy_timeout (sleeps backing off to 100 ms) instead of the store's short
// polls, as before they were.
#include "sync/sqlite/SqliteTransaction.h"

#include "sync/sqlite/SqliteConnection.h"
#include "sync/store/LogIndexBuilder.h"
#include "sync/store/LogSearch.h"
#include "sync/store/LogStore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTextStream>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include <time.h>

using namespace hivewatch;

namespace {

QTextStream out(stdout);
constexpr int kChunkRows = 2000; // LogModel's kIndexChunkRows

QList<NewLogEntry> makeRows(qint64 first, int count, const QList<QUuid> &execs, qint64 perExec)
{
    static const QString texts[] = {
        QStringLiteral("{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\"}]}}"),
        QStringLiteral("test log_migration::splits_batched_rows ... ok"),
        QStringLiteral("npm WARN deprecated inflight@1.0.6: This module is not supported"),
        QStringLiteral("Compiling hivewatch v0.1.0 (/work/main/src/sync/store/LogStore.cpp)"),
    };
    QList<NewLogEntry> rows;
    rows.reserve(count);
    for (int i = 0; i < count; ++i) {
        const qint64 n = first + i;
        NewLogEntry e;
        e.executionId = execs[std::min<qint64>(n / perExec, execs.size() - 1)];
        e.outputType = n % 4 == 2 ? QStringLiteral("stderr") : QStringLiteral("stdout");
        e.content = texts[n % 4] + QLatin1Char(' ') + QString::number(n)
            + (n % 997 == 0 ? QStringLiteral(" rarepanic") : QString());
        const qint64 second = n / 50; // 50 lines a second
        e.timestamp = QStringLiteral("2026-12-06 %1:%2:%3.000")
                          .arg(second / 3600 % 24, 2, 10, QLatin1Char('0'))
                          .arg(second / 60 % 60, 2, 10, QLatin1Char('0'))
                          .arg(second % 60, 2, 10, QLatin1Char('0'));
        e.sourceId = n;
        rows.append(std::move(e));
    }
    return rows;
}

double threadCpuSeconds()
{
    timespec ts {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

// Every thread's: a count's upper half runs on a thread of its own.
double processCpuSeconds()
{
    timespec ts {};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

// One store being filled: its writer's wall and CPU time, and for the indexed one its builder.
struct Fill
{
    std::unique_ptr<LogStore> store;
    double wallMs = 0;
    double cpuSeconds = 0;
    qint64 rows = 0;
    qint64 transactions = 0;
    qint64 lockWaitNs = 0;
    qint64 busyPolls = 0;
};

bool appendSegment(Fill &f, qint64 from, qint64 count, const QList<QUuid> &execs, qint64 perExec)
{
    QElapsedTimer t;
    t.start();
    const double cpu = threadCpuSeconds();
    const auto waits = SqliteTransaction::writerWaits();
    const qint64 polls = SqliteConnection::busyPolls();
    for (qint64 at = from; at < from + count; at += 1000) {
        if (!f.store->append(
                makeRows(at, int(std::min<qint64>(1000, from + count - at)), execs, perExec))) {
            out << "append failed\n";
            return false;
        }
    }
    f.cpuSeconds += threadCpuSeconds() - cpu;
    f.wallMs += t.nsecsElapsed() / 1e6;
    f.rows += count;
    const auto after = SqliteTransaction::writerWaits();
    f.transactions += after.transactions - waits.transactions;
    f.lockWaitNs += after.waitNs - waits.waitNs;
    f.busyPolls += SqliteConnection::busyPolls() - polls;
    return true;
}

template<typename F> double medianMs(int runs, F &&f)
{
    QList<double> ms;
    for (int i = 0; i < runs; ++i) {
        QElapsedTimer t;
        t.start();
        f();
        ms.append(t.nsecsElapsed() / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    return ms[ms.size() / 2];
}

void printLoad()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    if (f.open(QIODevice::ReadOnly))
        out << "load average: " << f.readAll().trimmed() << "\n";
    out.flush();
}

qint64 fileSize(const QString &path)
{
    return QFileInfo(path).size() + QFileInfo(path + QStringLiteral("-wal")).size();
}

// Token searches across all executions and time jumps, on read-only connections as the Logs
// panel's workers have them.
bool measureSearches(const QString &path, const QUuid &big, int runs)
{
    printLoad();
    const QStringList terms = {QStringLiteral("rarepanic"), QStringLiteral("LogStore.cpp"),
                               QStringLiteral("warn deprecated")};
    for (const QString &term : terms) {
        LogSearchQuery q;
        q.text = term;
        q.maxLines = 200;
        q.fullCounts = false;
        auto store = LogStore::open(path, LogStore::Access::ReadOnly).value();
        LogSearch search(*store);
        qint64 lines = 0;
        const double pageCpu0 = threadCpuSeconds();
        const double page = medianMs(runs, [&] {
            const auto r = search.search(q);
            lines = 0;
            for (const LogSearchGroup &g : r->groups)
                lines += g.lines.size();
        });
        const double pageCpu = (threadCpuSeconds() - pageCpu0) * 1000 / runs;
        out << "search '" << term
            << "' across executions, first 200 lines alone: " << QString::number(page, 'f', 1)
            << " ms median of " << runs << " (CPU " << QString::number(pageCpu, 'f', 1)
            << " ms mean; " << lines << " lines)\n";
        out.flush();
        // Full counts with nothing cached: a fresh connection per run (not timed to open).
        q.fullCounts = true;
        QList<double> ms;
        QList<double> cpuMs; // the load-independent figure on a shared machine
        QList<double> allCpuMs; // both halves of the count
        qint64 hits = 0;
        int groups = 0;
        for (int i = 0; i < runs; ++i) {
            auto fresh = LogStore::open(path, LogStore::Access::ReadOnly).value();
            LogSearch s(*fresh);
            QElapsedTimer t;
            t.start();
            const double cpu = threadCpuSeconds();
            const double allCpu = processCpuSeconds();
            const auto r = s.search(q);
            ms.append(t.nsecsElapsed() / 1e6);
            cpuMs.append((threadCpuSeconds() - cpu) * 1000);
            allCpuMs.append((processCpuSeconds() - allCpu) * 1000);
            if (!r) {
                out << "search failed: " << r.error().toString() << "\n";
                return false;
            }
            hits = r->totalHits;
            groups = int(r->groups.size());
        }
        std::sort(ms.begin(), ms.end());
        std::sort(cpuMs.begin(), cpuMs.end());
        std::sort(allCpuMs.begin(), allCpuMs.end());
        // The same on a warm connection (the Logs panel keeps its own open), each run a new
        // spelling of the term (case-insensitive: the same hits, another cache key).
        QList<double> warmMs;
        QList<double> warmCpuMs;
        for (int i = 0; i < runs; ++i) {
            LogSearchQuery v = q;
            for (qsizetype k = 0; k < v.text.size(); ++k) {
                if ((i + 1) >> (k % 4) & 1)
                    v.text[k] = v.text[k].toUpper();
            }
            QElapsedTimer t;
            t.start();
            const double cpu = threadCpuSeconds();
            (void)search.search(v);
            warmMs.append(t.nsecsElapsed() / 1e6);
            warmCpuMs.append((threadCpuSeconds() - cpu) * 1000);
        }
        std::sort(warmMs.begin(), warmMs.end());
        std::sort(warmCpuMs.begin(), warmCpuMs.end());
        out << "  on a warm connection: " << QString::number(warmMs[runs / 2], 'f', 1)
            << " ms median (CPU " << QString::number(warmCpuMs[runs / 2], 'f', 1) << " ms)\n";
        const double cached = medianMs(runs, [&] { (void)search.search(q); });
        out << "search '" << term << "' across executions, first 200 lines + full counts: "
            << QString::number(ms[ms.size() / 2], 'f', 1) << " ms median of " << runs << " (max "
            << QString::number(ms.last(), 'f', 1) << "; CPU "
            << QString::number(cpuMs[cpuMs.size() / 2], 'f', 1) << " ms median, all threads "
            << QString::number(allCpuMs[allCpuMs.size() / 2], 'f', 1) << " ms; " << hits
            << " hits in " << groups << " executions), cached " << QString::number(cached, 'f', 2)
            << " ms\n";
        out.flush();
    }
    auto store = LogStore::open(path, LogStore::Access::ReadOnly).value();
    LogSearch search(*store);
    const auto lastLine = store->page(big, std::nullopt, PageDirection::Backward, 1).value();
    const auto firstLine = store->page(big, std::nullopt, PageDirection::Forward, 1).value();
    if (lastLine.entries.isEmpty() || firstLine.entries.isEmpty())
        return false;
    out << "time jumps in an execution of " << lastLine.totalCount << " lines ("
        << firstLine.entries.first().timestamp << " .. " << lastLine.entries.first().timestamp
        << "):";
    const QString midDay
        = firstLine.entries.first().timestamp.left(11) + QStringLiteral("12:34:56");
    const QStringList times
        = {QStringLiteral("2026-12-06 00:00:01"), midDay, lastLine.entries.first().timestamp,
           QStringLiteral("2026-12-07 23:59:59")};
    for (const QString &at : times) {
        const double jump = medianMs(21, [&] { (void)search.firstAtOrAfter(big, at); });
        out << " " << at << " " << QString::number(jump, 'f', 2) << " ms;";
    }
    out << " (median of 21 each)\n";
    out.flush();
    return true;
}

// The store filled inside SQLite: the same lines makeRows() gives the writer (the first
// execution's lines numbered 0..rows-1, the others' after them), interleaved in blocks.
bool fillBulk(LogStore &store, qint64 rows, const QList<QUuid> &execs, qint64 otherRows)
{
    const SqliteConnection &db = store.connection();
    // Which execution each block of 1000 ids belongs to: the big one's blocks with the others'
    // spread evenly between them.
    QList<int> blocks;
    const qint64 bigBlocks = (rows + 999) / 1000;
    const qint64 otherBlocks = (otherRows + 999) / 1000;
    QList<qint64> left(execs.size(), otherBlocks);
    left[0] = bigBlocks;
    const qint64 totalBlocks = bigBlocks + otherBlocks * (execs.size() - 1);
    for (qint64 b = 0; b < totalBlocks; ++b) {
        int pick = 0;
        double best = -1;
        for (int e = 0; e < execs.size(); ++e) {
            const double share
                = double(left[e]) / double(e == 0 ? bigBlocks : std::max<qint64>(1, otherBlocks));
            if (left[e] > 0 && share > best) {
                best = share;
                pick = e;
            }
        }
        --left[pick];
        blocks.append(pick);
    }
    auto ok = [&](const Result<void> &r) {
        if (!r)
            out << "fill failed: " << r.error().toString() << "\n";
        return r.ok();
    };
    if (!ok(db.exec("CREATE TEMP TABLE bench_blocks (block INTEGER PRIMARY KEY, exec BLOB, "
                    "first INTEGER, n INTEGER)")))
        return false;
    auto insert = db.prepare("INSERT INTO bench_blocks VALUES (?1, ?2, ?3, ?4)");
    QList<qint64> nextLine(execs.size(), 0);
    const QList<qint64> sizes = [&] {
        QList<qint64> v(execs.size(), otherRows);
        v[0] = rows;
        return v;
    }();
    QList<QByteArray> keys;
    for (const QUuid &e : execs)
        keys.append(e.toRfc4122());
    if (!ok(db.exec("BEGIN")))
        return false;
    for (qint64 b = 0; b < blocks.size(); ++b) {
        const int e = blocks[b];
        const qint64 first = nextLine[e];
        const qint64 n = std::min<qint64>(1000, sizes[e] - first);
        nextLine[e] += n;
        // Line numbers of the others follow the big one's, so every line's text is different.
        const qint64 base = e == 0 ? 0 : rows + (e - 1) * otherRows;
        insert->bindInt(1, b).bindBlob(2, keys[e]).bindInt(3, base + first).bindInt(4, n);
        if (!ok(insert->run()))
            return false;
    }
    // Timestamps from each line's number within its execution: 50 lines a second.
    QByteArray fill = R"(
        WITH RECURSIVE k(j) AS (SELECT 0 UNION ALL SELECT j + 1 FROM k WHERE j < 999)
        INSERT INTO log_entries (execution_id, output_type, content, timestamp, source_id)
        SELECT b.exec, CASE WHEN (b.first + k.j) % 4 = 2 THEN 'stderr' ELSE 'stdout' END,
            CASE (b.first + k.j) % 4
                WHEN 0 THEN '{"type":"assistant","message":{"content":[{"type":"text"}]}}'
                WHEN 1 THEN 'test log_migration::splits_batched_rows ... ok'
                WHEN 2 THEN 'npm WARN deprecated inflight@1.0.6: This module is not supported'
                ELSE 'Compiling hivewatch v0.1.0 (/work/main/src/sync/store/LogStore.cpp)' END
            || ' ' || (b.first + k.j)
            || CASE WHEN (b.first + k.j) % 997 = 0 THEN ' rarepanic' ELSE '' END,
            strftime('%Y-%m-%d %H:%M:%f', '2026-12-06', '+' || ((b.first + k.j
                - CASE WHEN b.first >= ?1 THEN ?1 ELSE 0 END) / 50) || ' seconds'),
            b.first + k.j
        FROM bench_blocks b JOIN k ON k.j < b.n ORDER BY b.block, k.j)";
    fill.replace("?1", QByteArray::number(rows));
    if (!ok(db.exec(std::string_view(fill.constData(), size_t(fill.size())))))
        return false;
    if (!ok(db.exec("INSERT INTO log_execution_counts (execution_id, row_count) "
                    "SELECT execution_id, count(*) FROM log_entries GROUP BY execution_id")))
        return false;
    return ok(db.exec("COMMIT"));
}

} // namespace

int runIngest(qint64 rows, const QList<QUuid> &execs, const QString &dir, int builderShare,
              bool sqliteBackoff)
{
    const QString plain = QDir(dir).filePath(QStringLiteral("plain.sqlite"));
    const QString indexed = QDir(dir).filePath(QStringLiteral("indexed.sqlite"));
    QFile::remove(plain);
    QFile::remove(indexed);

    // A/B in one run, segment by segment, so both see the same load. The builder follows the
    // indexed store's writer as the app's does (LogModel's chunk size, nice 10); after each indexed
    // segment it is given time to catch up (not timed), so a plain segment runs beside an idle
    // builder and an indexed one carries all of its builder's work.
    Fill plainFill {LogStore::open(plain, LogStore::Access::ReadWrite).value()};
    Fill indexedFill {LogStore::open(indexed, LogStore::Access::ReadWrite).value()};
    if (sqliteBackoff) {
        for (Fill *f : {&plainFill, &indexedFill})
            (void)f->store->connection().exec("PRAGMA busy_timeout = 30000");
    }
    LogIndexBuilder builder(indexed, kChunkRows);
    builder.setFollow(true, 50);
    if (builderShare > 0)
        builder.setWriterShare(builderShare);
    double builderCpu = 0;
    std::thread indexer([&] {
        builder.run();
        builderCpu = threadCpuSeconds();
    });
    const qint64 perExec = (rows + execs.size() - 1) / execs.size();
    const qint64 segment = std::max<qint64>(1000, std::min<qint64>(250000, rows / 8) / 1000 * 1000);
    qint64 maxLag = 0;
    qint64 lagAtEnd = 0;
    double catchUpMs = 0;
    for (qint64 at = 0; at < rows; at += segment) {
        const qint64 n = std::min(segment, rows - at);
        if (!appendSegment(plainFill, at, n, execs, perExec))
            return 1;
        std::atomic<bool> sampling {true};
        std::thread sampler([&] {
            // Its own connection: the lag as the store has it (lines above the mark).
            auto reader = LogStore::open(indexed, LogStore::Access::ReadOnly).value();
            while (sampling.load()) {
                maxLag = std::max(maxLag, reader->indexProgress()->tail());
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        });
        const bool ok = appendSegment(indexedFill, at, n, execs, perExec);
        sampling.store(false);
        sampler.join();
        if (!ok)
            return 1;
        // The builder's view of the lag is up to one poll old: ask the store.
        lagAtEnd = indexedFill.store->indexProgress()->tail();
        QElapsedTimer t;
        t.start();
        builder.wake();
        while (!indexedFill.store->indexProgress()->ready()) {
            if (t.elapsed() > 600000) {
                out << "the index builder did not catch up within 10 minutes\n";
                return 1;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        catchUpMs = std::max(catchUpMs, t.nsecsElapsed() / 1e6);
    }
    builder.stop();
    indexer.join();
    for (Fill *f : {&plainFill, &indexedFill}) {
        QSqlQuery(f->store->database()).exec(QStringLiteral("PRAGMA wal_checkpoint(TRUNCATE)"));
        f->store.reset();
    }
    const double plainRate = plainFill.rows * 1000.0 / plainFill.wallMs;
    const double indexedRate = indexedFill.rows * 1000.0 / indexedFill.wallMs;
    const qint64 plainSize = QFileInfo(plain).size();
    const qint64 indexedSize = QFileInfo(indexed).size();
    out << "rows " << rows << " executions " << execs.size() << " segments of " << segment << "\n"
        << "append without index: " << qint64(plainRate) << " rows/s (writer "
        << QString::number(plainFill.cpuSeconds, 'f', 2) << " CPU-s), " << plainSize / 1048576
        << " MiB\n"
        << "append with index:    " << qint64(indexedRate) << " rows/s (writer "
        << QString::number(indexedFill.cpuSeconds, 'f', 2) << " CPU-s, builder "
        << QString::number(builderCpu, 'f', 2) << " CPU-s), " << indexedSize / 1048576 << " MiB\n"
        << "writer's rate cost " << QString::number((1 - indexedRate / plainRate) * 100, 'f', 1)
        << "%, size +" << QString::number((indexedSize - plainSize) * 100.0 / plainSize, 'f', 1)
        << "%\n"
        << "writer's lock waits: without index " << plainFill.lockWaitNs / 1000000 << " ms in "
        << plainFill.transactions << " transactions, with index "
        << indexedFill.lockWaitNs / 1000000 << " ms in " << indexedFill.transactions << " ("
        << QString::number(indexedFill.lockWaitNs * 100.0 / (indexedFill.wallMs * 1e6), 'f', 1)
        << "% of the writer's wall time); busy-handler polls " << plainFill.busyPolls << " / "
        << indexedFill.busyPolls << "\n"
        << "index lag: max " << maxLag << " lines while writing (sampled every 20 ms), " << lagAtEnd
        << " at a segment's end, caught up within " << qint64(catchUpMs) << " ms at most\n";
    out.flush();

    printLoad();
    return measureSearches(indexed, execs.last(), 5) ? 0 : 1;
}

int runSearch(qint64 rows, const QList<QUuid> &execs, qint64 otherRows, const QString &dir,
              bool keep)
{
    const QString path = QDir(dir).filePath(
        QStringLiteral("search-%1-%2x%3.sqlite").arg(rows).arg(execs.size() - 1).arg(otherRows));
    QList<QUuid> ids = execs;
    if (keep && QFileInfo::exists(path)) {
        // The executions of the kept store, the big one first.
        auto store = LogStore::open(path, LogStore::Access::ReadOnly).value();
        auto list = store->executions().value();
        std::sort(
            list.begin(), list.end(),
            [](const ExecutionSummary &a, const ExecutionSummary &b) { return a.rows > b.rows; });
        ids.clear();
        for (const ExecutionSummary &e : list)
            ids.append(e.executionId);
        out << "kept " << path << "\n";
        store.reset();
        // A store of an older version is migrated, and its index and run map brought up to date
        // (store version 6 maps an older store's indexed lines first).
        auto writable = LogStore::open(path, LogStore::Access::ReadWrite).value();
        QElapsedTimer t;
        t.start();
        const double cpu = threadCpuSeconds();
        bool caughtUp = false;
        while (!caughtUp) {
            const auto p = writable->indexStep(200000);
            if (!p) {
                out << "indexing failed: " << p.error().toString() << "\n";
                return 1;
            }
            caughtUp = p->ready();
        }
        (void)writable->connection().exec("PRAGMA wal_checkpoint(TRUNCATE)");
        out << "brought up to date in " << QString::number(t.elapsed() / 1000.0, 'f', 1) << " s, "
            << QString::number(threadCpuSeconds() - cpu, 'f', 1) << " CPU-s; "
            << fileSize(path) / 1048576 << " MiB\n";
        out.flush();
    } else {
        QFile::remove(path);
        QFile::remove(path + QStringLiteral("-wal"));
        QFile::remove(path + QStringLiteral("-shm"));
        auto store = LogStore::open(path, LogStore::Access::ReadWrite).value();
        QElapsedTimer t;
        t.start();
        double cpu = threadCpuSeconds();
        if (!fillBulk(*store, rows, execs, otherRows))
            return 1;
        (void)store->connection().exec("PRAGMA wal_checkpoint(TRUNCATE)");
        const qint64 plainSize = fileSize(path);
        out << "filled " << rows + otherRows * (execs.size() - 1) << " lines (" << execs.size()
            << " executions) in " << QString::number(t.elapsed() / 1000.0, 'f', 1) << " s, "
            << QString::number(threadCpuSeconds() - cpu, 'f', 1) << " CPU-s; "
            << plainSize / 1048576 << " MiB without the index\n";
        out.flush();
        t.restart();
        cpu = threadCpuSeconds();
        for (;;) {
            const auto p = store->indexStep(200000);
            if (!p) {
                out << "indexing failed: " << p.error().toString() << "\n";
                return 1;
            }
            if (p->ready())
                break;
        }
        const double indexCpu = threadCpuSeconds() - cpu;
        (void)store->connection().exec("PRAGMA wal_checkpoint(TRUNCATE)");
        const qint64 indexedSize = fileSize(path);
        out << "indexed in " << QString::number(t.elapsed() / 1000.0, 'f', 1) << " s, "
            << QString::number(indexCpu, 'f', 1) << " CPU-s ("
            << QString::number(indexCpu * 1e6 / double(rows + otherRows * (execs.size() - 1)), 'f',
                               1)
            << " CPU-s per million lines); " << indexedSize / 1048576 << " MiB with it (+"
            << QString::number((indexedSize - plainSize) * 100.0 / plainSize, 'f', 1) << "%)\n";
        out.flush();
    }
    return measureSearches(path, ids.first(), 11) ? 0 : 1;
}

int main(int argc, char *argv[])
{
    // As hivectl does: otherwise every SQLite allocation of every connection takes one
    // process-wide mutex, and a count's two halves spend their time waiting on each other.
    SqliteConnection::skipMemoryStatistics();
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("mode"), QStringLiteral("search or ingest"));
    const QCommandLineOption rowsOpt(QStringLiteral("rows"),
                                     QStringLiteral("Lines (search: of the big execution)."),
                                     QStringLiteral("N"));
    const QCommandLineOption execOpt(QStringLiteral("executions"), QStringLiteral("Executions."),
                                     QStringLiteral("K"), QStringLiteral("4"));
    const QCommandLineOption otherOpt(QStringLiteral("other-rows"),
                                      QStringLiteral("search: lines of each other execution."),
                                      QStringLiteral("M"), QStringLiteral("100000"));
    const QCommandLineOption dirOpt(QStringLiteral("dir"), QStringLiteral("Where the stores go."),
                                    QStringLiteral("DIR"));
    const QCommandLineOption keepOpt(QStringLiteral("keep"),
                                     QStringLiteral("search: reuse the store of an earlier run."));
    const QCommandLineOption shareOpt(
        QStringLiteral("builder-share"),
        QStringLiteral(
            "ingest: the builder's lock share while the writer is active (100: no rest)."),
        QStringLiteral("P"));
    const QCommandLineOption backoffOpt(
        QStringLiteral("sqlite-backoff"),
        QStringLiteral("ingest: the writers use SQLite's busy_timeout back-off, not short polls."));
    parser.addOptions({rowsOpt, execOpt, otherOpt, dirOpt, keepOpt, shareOpt, backoffOpt});
    parser.process(app);
    const QString mode = parser.positionalArguments().value(0, QStringLiteral("search"));
    const bool search = mode == QLatin1String("search");
    if (!search && mode != QLatin1String("ingest")) {
        out << "unknown mode " << mode << ": search or ingest\n";
        return 2;
    }
    const qint64 rows
        = parser.isSet(rowsOpt) ? parser.value(rowsOpt).toLongLong() : (search ? 5000000 : 1000000);
    QList<QUuid> execs;
    for (int i = 0; i < std::max(1, parser.value(execOpt).toInt()); ++i)
        execs.append(QUuid::createUuid());
    QTemporaryDir tmp;
    const QString dir = parser.isSet(dirOpt) ? parser.value(dirOpt) : tmp.path();
    if (search)
        return runSearch(rows, execs, parser.value(otherOpt).toLongLong(), dir,
                         parser.isSet(keepOpt));
    return runIngest(rows, execs, dir, parser.value(shareOpt).toInt(), parser.isSet(backoffOpt));
}
