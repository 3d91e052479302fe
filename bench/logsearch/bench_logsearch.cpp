// bench_logsearch [--rows N] [--executions K] [--dir DIR]
//
// The full-text index's figures for docs/benchmarks.md ("Log search"): the writer's append rate
// through LogStore into a store nobody indexes and into one whose LogIndexBuilder follows the
// writer on its own thread (store version 5), alternating segments A/B in one run, with each
// thread's CPU-seconds and how far the index lags; store size; a token search across all
// executions (first page alone, and with full counts); a jump to a time in the largest
// execution. Wall-clock medians; the machine is shared, so print `uptime` with them.

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

// One store being filled: its writer's wall and CPU time, and for the indexed one its builder.
struct Fill
{
    std::unique_ptr<LogStore> store;
    double wallMs = 0;
    double cpuSeconds = 0;
    qint64 rows = 0;
};

bool appendSegment(Fill &f, qint64 from, qint64 count, const QList<QUuid> &execs, qint64 perExec)
{
    QElapsedTimer t;
    t.start();
    const double cpu = threadCpuSeconds();
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

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption rowsOpt(QStringLiteral("rows"), QStringLiteral("Rows."),
                                     QStringLiteral("N"), QStringLiteral("1000000"));
    const QCommandLineOption execOpt(QStringLiteral("executions"), QStringLiteral("Executions."),
                                     QStringLiteral("K"), QStringLiteral("4"));
    const QCommandLineOption dirOpt(QStringLiteral("dir"), QStringLiteral("Where the stores go."),
                                    QStringLiteral("DIR"));
    parser.addOptions({rowsOpt, execOpt, dirOpt});
    parser.process(app);
    const qint64 rows = parser.value(rowsOpt).toLongLong();
    QList<QUuid> execs;
    for (int i = 0; i < std::max(1, parser.value(execOpt).toInt()); ++i)
        execs.append(QUuid::createUuid());
    QTemporaryDir tmp;
    const QString dir = parser.isSet(dirOpt) ? parser.value(dirOpt) : tmp.path();
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
    LogIndexBuilder builder(indexed, kChunkRows);
    builder.setFollow(true, 50);
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
        << "index lag: max " << maxLag << " lines while writing (sampled every 20 ms), " << lagAtEnd
        << " at a segment's end, caught up within " << qint64(catchUpMs) << " ms at most\n";
    out.flush();

    auto store = LogStore::open(indexed, LogStore::Access::ReadOnly).value();
    LogSearch search(*store);
    for (const QString &term : {QStringLiteral("rarepanic"), QStringLiteral("LogStore.cpp")}) {
        for (bool fullCounts : {false, true}) {
            LogSearchQuery q;
            q.text = term;
            q.maxLines = 200;
            q.fullCounts = fullCounts;
            qint64 hits = 0;
            const double ms = medianMs(5, [&] { hits = search.search(q)->totalHits; });
            out << "search '" << term << "' across executions, "
                << (fullCounts ? "first 200 lines + full counts: " : "first 200 lines alone: ")
                << QString::number(ms, 'f', 1) << " ms median (" << hits << " hits)\n";
            out.flush();
        }
    }
    const QUuid last = execs.last();
    const double jump = medianMs(
        21, [&] { (void)search.firstAtOrAfter(last, QStringLiteral("2026-12-06 23:59:59")); });
    out << "jump to a time past the end of the last execution (worst case): "
        << QString::number(jump, 'f', 2) << " ms median\n";
    return 0;
}
