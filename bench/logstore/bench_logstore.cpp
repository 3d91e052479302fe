// LogStore append and paging figures for docs/benchmarks.md (see bench/README.md).
//
//   bench_logstore [--rows N] [--page-rows M] [--batch B] [--dir DIR]
//
// 1. Appends N rows (default 1,000,000) in batches of B (default 1000, one transaction each)
//    through LogStore::append() and through a raw sqlite3 prepared-statement loop over the same
//    rows, the same schema (created by LogStore) and the same pragmas, alternating twice; prints
//    rows/s of each and their ratio.
// 2. Fills one execution with M rows (default 5,000,000) and times 100-row pages at its start,
//    middle and end on a read-only connection (as the Logs panel's loader reads): median and p99.

#include "sync/store/LogStore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlDriver>
#include <QTemporaryDir>
#include <QTextStream>

#include <sqlite3.h>

#include <algorithm>
#include <ctime>

using namespace hivewatch;

namespace {

QTextStream out(stdout);

const QUuid kExec = QUuid::fromString(QStringLiteral("3f1c2b9e-7d7a-4c1e-9a52-0c1f5b0d2e11"));

QList<NewLogEntry> makeRows(qint64 first, int count, const QUuid &exec)
{
    static const QString texts[] = {
        QStringLiteral("{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\"}]}}"),
        QStringLiteral("test log_migration::splits_batched_rows ... ok"),
        QStringLiteral("npm WARN deprecated inflight@1.0.6: This module is not supported"),
        QStringLiteral("Compiling hivewatch v0.1.0 (/work/main)"),
    };
    static const QString types[] = {QStringLiteral("stdout"), QStringLiteral("stdout"),
                                    QStringLiteral("stderr"), QStringLiteral("system")};
    QList<NewLogEntry> rows;
    rows.reserve(count);
    for (int i = 0; i < count; ++i) {
        const qint64 n = first + i;
        NewLogEntry e;
        e.executionId = exec;
        e.outputType = types[n % 4];
        e.content = texts[n % 4] + QLatin1Char(' ') + QString::number(n);
        e.timestamp = QStringLiteral("2026-11-25 14:00:00.000");
        e.sourceId = n;
        rows.append(std::move(e));
    }
    return rows;
}

sqlite3 *handleOf(LogStore &store)
{
    const QVariant h = store.database().driver()->handle();
    return *static_cast<sqlite3 *const *>(h.constData());
}

// The baseline: what a hand-written loop over the same rows does, on LogStore's own connection
// (so schema, triggers and pragmas are identical): one prepared single-row upsert per row, and
// (since store version 2, whose count trigger skips lines with a source id) the execution's
// line count raised once per batch.
bool rawAppend(sqlite3 *db, const QList<NewLogEntry> &rows)
{
    sqlite3_stmt *stmt = nullptr;
    const char *sql = "INSERT INTO log_entries (execution_id, output_type, content, timestamp, "
                      "source_id) VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (source_id) DO UPDATE "
                      "SET content = excluded.content";
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK)
        return false;
    bool ok = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK;
    for (const NewLogEntry &e : rows) {
        const QByteArray id = e.executionId.toRfc4122();
        const QByteArray type = e.outputType.toUtf8();
        const QByteArray content = e.content.toUtf8();
        const QByteArray ts = e.timestamp.toUtf8();
        sqlite3_bind_blob(stmt, 1, id.constData(), int(id.size()), SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, type.constData(), int(type.size()), SQLITE_STATIC);
        sqlite3_bind_text(stmt, 3, content.constData(), int(content.size()), SQLITE_STATIC);
        sqlite3_bind_text(stmt, 4, ts.constData(), int(ts.size()), SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 5, *e.sourceId);
        ok = ok && sqlite3_step(stmt) == SQLITE_DONE;
        sqlite3_reset(stmt);
    }
    sqlite3_finalize(stmt);
    const char *count = "INSERT INTO log_execution_counts (execution_id, row_count) VALUES "
                        "(?1, ?2) ON CONFLICT (execution_id) DO UPDATE SET "
                        "row_count = row_count + excluded.row_count";
    ok = ok && sqlite3_prepare_v2(db, count, -1, &stmt, nullptr) == SQLITE_OK;
    if (ok) {
        const QByteArray id = rows.first().executionId.toRfc4122(); // one execution per batch
        sqlite3_bind_blob(stmt, 1, id.constData(), int(id.size()), SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 2, rows.size());
        ok = sqlite3_step(stmt) == SQLITE_DONE;
    }
    sqlite3_finalize(stmt);
    ok = ok && sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK;
    return ok;
}

std::unique_ptr<LogStore> openStore(const QString &path, LogStore::Access access)
{
    auto store = LogStore::open(path, access);
    if (!store) {
        QTextStream(stderr) << "bench_logstore: " << store.error().toString() << "\n";
        std::exit(1);
    }
    return std::move(store.value());
}

qint64 cpuNs()
{
    timespec ts {};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

struct Rate
{
    double wall = 0; // rows per second of elapsed time
    double cpu = 0; // rows per second of CPU time (steadier on a busy machine)
};

// Appends `total` rows in batches into a fresh store.
Rate appendRun(const QString &path, qint64 total, int batch, bool raw)
{
    QFile::remove(path);
    QFile::remove(path + QStringLiteral("-wal"));
    QFile::remove(path + QStringLiteral("-shm"));
    auto store = openStore(path, LogStore::Access::ReadWrite);
    QElapsedTimer timer;
    qint64 elapsedNs = 0;
    qint64 cpu = 0;
    for (qint64 first = 0; first < total; first += batch) {
        const auto rows = makeRows(first, int(std::min<qint64>(batch, total - first)), kExec);
        timer.start(); // only the store's work is timed, not building the input
        const qint64 cpuStart = cpuNs();
        const bool ok = raw ? rawAppend(handleOf(*store), rows) : store->append(rows).ok();
        cpu += cpuNs() - cpuStart;
        elapsedNs += timer.nsecsElapsed();
        if (!ok) {
            QTextStream(stderr) << "bench_logstore: append failed\n";
            std::exit(1);
        }
    }
    if (store->countByExecution(kExec).value() != total) {
        QTextStream(stderr) << "bench_logstore: row count mismatch\n";
        std::exit(1);
    }
    return {double(total) / (double(elapsedNs) / 1e9), double(total) / (double(cpu) / 1e9)};
}

struct Latency
{
    double medianUs;
    double p99Us;
};

Latency timePages(LogStore &store, std::optional<qint64> cursor, PageDirection dir, int runs)
{
    QList<double> us;
    QElapsedTimer timer;
    for (int i = 0; i < runs; ++i) {
        timer.start();
        const auto page = store.page(kExec, cursor, dir, 100);
        us.append(double(timer.nsecsElapsed()) / 1000.0);
        if (!page || page->entries.size() != 100) {
            QTextStream(stderr) << "bench_logstore: page failed\n";
            std::exit(1);
        }
    }
    std::sort(us.begin(), us.end());
    return {us[us.size() / 2], us[std::min<qsizetype>(us.size() - 1, qsizetype(us.size() * 0.99))]};
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("LogStore append and paging benchmark"));
    parser.addHelpOption();
    const QCommandLineOption rowsOpt(QStringLiteral("rows"), QStringLiteral("Rows to append."),
                                     QStringLiteral("N"), QStringLiteral("1000000"));
    const QCommandLineOption pageRowsOpt(QStringLiteral("page-rows"),
                                         QStringLiteral("Rows in the paged execution (0: skip)."),
                                         QStringLiteral("M"), QStringLiteral("5000000"));
    const QCommandLineOption batchOpt(QStringLiteral("batch"), QStringLiteral("Rows per batch."),
                                      QStringLiteral("B"), QStringLiteral("1000"));
    const QCommandLineOption dirOpt(QStringLiteral("dir"),
                                    QStringLiteral("Where the store files go (default: a temporary "
                                                   "directory)."),
                                    QStringLiteral("DIR"));
    parser.addOptions({rowsOpt, pageRowsOpt, batchOpt, dirOpt});
    parser.process(app);
    const qint64 rows = parser.value(rowsOpt).toLongLong();
    const qint64 pageRows = parser.value(pageRowsOpt).toLongLong();
    const int batch = parser.value(batchOpt).toInt();
    QTemporaryDir tmp(parser.isSet(dirOpt) ? parser.value(dirOpt) + QStringLiteral("/bench-XXXXXX")
                                           : QDir::tempPath() + QStringLiteral("/bench-XXXXXX"));
    const QString appendPath = tmp.filePath(QStringLiteral("append.sqlite"));

    out << "sqlite " << sqlite3_libversion() << ", " << rows << " rows in batches of " << batch
        << "\n";
    Rate bestStore, bestRaw;
    for (int round = 1; round <= 2; ++round) {
        const Rate raw = appendRun(appendPath, rows, batch, true);
        const Rate store = appendRun(appendPath, rows, batch, false);
        out << "round " << round << ": raw sqlite3 loop " << qRound64(raw.wall) << " rows/s ("
            << qRound64(raw.cpu) << " per CPU-s), LogStore::append " << qRound64(store.wall)
            << " rows/s (" << qRound64(store.cpu) << " per CPU-s)" << Qt::endl;
        bestRaw = {std::max(bestRaw.wall, raw.wall), std::max(bestRaw.cpu, raw.cpu)};
        bestStore = {std::max(bestStore.wall, store.wall), std::max(bestStore.cpu, store.cpu)};
    }
    out << "append best: LogStore " << qRound64(bestStore.wall) << " rows/s, raw "
        << qRound64(bestRaw.wall) << " rows/s, ratio "
        << QString::number(bestStore.wall / bestRaw.wall, 'f', 2)
        << " (CPU time: " << QString::number(bestStore.cpu / bestRaw.cpu, 'f', 2) << ")"
        << Qt::endl;

    if (pageRows <= 0)
        return 0;
    const QString pagePath = tmp.filePath(QStringLiteral("pages.sqlite"));
    {
        auto writer = openStore(pagePath, LogStore::Access::ReadWrite);
        for (qint64 first = 0; first < pageRows; first += 10000) {
            if (!writer->append(
                    makeRows(first, int(std::min<qint64>(10000, pageRows - first)), kExec))) {
                QTextStream(stderr) << "bench_logstore: fill failed\n";
                return 1;
            }
        }
        // Another execution around it, so the index range matters.
        const QUuid other
            = QUuid::fromString(QStringLiteral("8a41d0c2-5b6e-4f7a-9c3d-2e1f0a9b8c7d"));
        auto rowsOther = makeRows(pageRows, 100000, other);
        if (!writer->append(rowsOther)) {
            QTextStream(stderr) << "bench_logstore: fill failed\n";
            return 1;
        }
    }
    auto reader = openStore(pagePath, LogStore::Access::ReadOnly);
    const int runs = 1000;
    const Latency start = timePages(*reader, std::nullopt, PageDirection::Forward, runs);
    const Latency middle = timePages(*reader, pageRows / 2, PageDirection::Forward, runs);
    const Latency end = timePages(*reader, std::nullopt, PageDirection::Backward, runs);
    out << "100-row page of a " << pageRows << "-row execution (" << runs << " runs each):\n";
    const auto line = [](const char *where, const Latency &l) {
        out << "  " << where << ": median " << QString::number(l.medianUs, 'f', 1) << " us, p99 "
            << QString::number(l.p99Us, 'f', 1) << " us\n";
    };
    line("start  (forward, no cursor)", start);
    line("middle (forward from the middle id)", middle);
    line("end    (backward, no cursor)", end);
    out << "store file: " << QFileInfo(pagePath).size() / (1024 * 1024) << " MiB" << Qt::endl;
    return 0;
}
