// bench_legacy_migration generate FILE [--mb N] [--era 1|2|3]
//     writes a node database with N MB (default 1024) of legacy JSONL logs
// bench_legacy_migration migrate FILE [--via-logstore] [--dry-run]
//     migrates it in place and prints lines/s and the peak RSS of this process
//
// The two steps are separate processes so the peak RSS is the migration's alone.

#include "sync/legacy/LegacyMigrator.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QRandomGenerator>
#include <QTextStream>
#include <QTimeZone>
#include <QUuid>

#include <sqlite3.h>
#include <sys/resource.h>

#include <cstdio>
#include <string>

using namespace hivewatch;

namespace {

QTextStream out(stdout);

bool run(sqlite3 *db, const char *sql)
{
    char *error = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &error) == SQLITE_OK)
        return true;
    out << "sqlite: " << error << " in " << sql << Qt::endl;
    sqlite3_free(error);
    return false;
}

// A Claude Code stream-JSON chunk, as Stdout carried them: a JSON document escaped in a string.
std::string stdoutLine(QRandomGenerator &random, int n)
{
    std::string text(size_t(80 + random.bounded(500)), 'a');
    for (size_t i = 0; i < text.size(); i += 7)
        text[i] = char('a' + (i + size_t(n)) % 26);
    return "{\"Stdout\":\"{\\\"type\\\":\\\"assistant\\\",\\\"message\\\":{\\\"id\\\":"
        + std::to_string(n) + ",\\\"content\\\":\\\"" + text + "\\\"}}\\n\"}";
}

int generate(const QString &path, qint64 megabytes, int era)
{
    if (QFileInfo::exists(path)) {
        out << path << " exists; remove it first" << Qt::endl;
        return 1;
    }
    sqlite3 *db = nullptr;
    if (sqlite3_open(path.toUtf8().constData(), &db) != SQLITE_OK)
        return 1;
    const bool growing = era == 1;
    if (!run(db, "PRAGMA journal_mode = WAL") || !run(db, "PRAGMA synchronous = OFF")
        || !run(db,
                "CREATE TABLE execution_processes (id BLOB PRIMARY KEY, run_reason TEXT NOT NULL"
                " DEFAULT 'codingagent', status TEXT NOT NULL DEFAULT 'completed',"
                " started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')))")
        || !run(db,
                growing ? "CREATE TABLE execution_process_logs (execution_id BLOB PRIMARY KEY,"
                          " logs TEXT NOT NULL, byte_size INTEGER NOT NULL, inserted_at TEXT"
                          " NOT NULL)"
                        : "CREATE TABLE execution_process_logs (execution_id BLOB NOT NULL,"
                          " logs TEXT NOT NULL, byte_size INTEGER NOT NULL, inserted_at TEXT"
                          " NOT NULL)")
        || !run(db,
                "CREATE INDEX idx_execution_process_logs_execution_id_inserted_at"
                " ON execution_process_logs (execution_id, inserted_at)")
        || !run(db,
                "CREATE TABLE log_entries (id INTEGER PRIMARY KEY AUTOINCREMENT,"
                " execution_id BLOB NOT NULL REFERENCES execution_processes(id) ON DELETE"
                " CASCADE, output_type TEXT NOT NULL CHECK (output_type IN ('stdout', 'stderr',"
                " 'system', 'json_patch', 'session_id', 'finished', 'refresh_required')),"
                " content TEXT NOT NULL, timestamp TEXT NOT NULL DEFAULT"
                " (strftime('%Y-%m-%d %H:%M:%f', 'now')), hive_synced_at TEXT)")
        || !run(db,
                "CREATE INDEX idx_log_entries_execution_id_id ON log_entries (execution_id, id)")
        || !run(db,
                "CREATE INDEX idx_log_entries_execution_id_timestamp ON log_entries"
                " (execution_id, timestamp)")
        || !run(db, "BEGIN"))
        return 1;

    sqlite3_stmt *process = nullptr, *row = nullptr;
    sqlite3_prepare_v2(db, "INSERT INTO execution_processes (id) VALUES (?1)", -1, &process,
                       nullptr);
    sqlite3_prepare_v2(db,
                       "INSERT INTO execution_process_logs (execution_id, logs, byte_size,"
                       " inserted_at) VALUES (?1, ?2, ?3, ?4)",
                       -1, &row, nullptr);
    QRandomGenerator random(42);
    const qint64 target = megabytes * 1024 * 1024;
    const int linesPerRow = era == 2 ? 1 : 100;
    constexpr int kLinesPerExecution = 4000;
    qint64 written = 0, lines = 0, rows = 0, executions = 0;
    qint64 clockMs = 0;
    while (written < target) {
        const QByteArray key = QUuid::createUuid().toRfc4122();
        sqlite3_bind_blob(process, 1, key.constData(), int(key.size()), SQLITE_STATIC);
        sqlite3_step(process);
        sqlite3_reset(process);
        ++executions;
        std::string logs;
        int inExecution = 0;
        auto flush = [&]() {
            const std::string stamp
                = QDateTime::fromMSecsSinceEpoch(1764547200000 + clockMs, QTimeZone::utc())
                      .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"))
                      .toStdString();
            clockMs += 250;
            sqlite3_bind_blob(row, 1, key.constData(), int(key.size()), SQLITE_STATIC);
            sqlite3_bind_text(row, 2, logs.data(), int(logs.size()), SQLITE_STATIC);
            sqlite3_bind_int64(row, 3, qint64(logs.size()));
            sqlite3_bind_text(row, 4, stamp.data(), int(stamp.size()), SQLITE_STATIC);
            sqlite3_step(row);
            sqlite3_reset(row);
            written += qint64(logs.size());
            ++rows;
            logs.clear();
        };
        for (; inExecution < kLinesPerExecution && written + qint64(logs.size()) < target;
             ++inExecution) {
            const int kind = int(random.bounded(100));
            if (inExecution == 0)
                logs += "{\"SessionId\":\""
                    + QUuid::createUuid().toString(QUuid::WithoutBraces).toStdString() + "\"}";
            else if (kind < 85)
                logs += stdoutLine(random, inExecution);
            else if (kind < 97)
                logs += "{\"Stderr\":\"npm WARN deprecated package@1.0."
                    + std::to_string(inExecution) + "\\n\"}";
            else
                logs += "{\"JsonPatch\":[{\"op\":\"add\",\"path\":\"/entries/"
                    + std::to_string(inExecution)
                    + "\",\"value\":{\"type\":\"STDOUT\",\"content\":\"hello\"}}]}";
            logs += '\n';
            ++lines;
            if (!growing && (inExecution + 1) % linesPerRow == 0)
                flush();
        }
        logs += "\"Finished\"\n";
        ++lines;
        flush();
    }
    sqlite3_finalize(process);
    sqlite3_finalize(row);
    run(db, "COMMIT");
    sqlite3_close(db);
    out << "generated " << path << ": era " << era << ", " << executions << " executions, " << rows
        << " rows, " << lines << " lines, " << written / (1024 * 1024) << " MiB of logs"
        << Qt::endl;
    return 0;
}

int migrate(const QString &path, bool viaLogStore, bool dryRun)
{
    LegacySource source;
    source.path = path;
    LegacyOptions options;
    options.execute = !dryRun;
    options.useLogStoreAppend = viaLogStore;
    LegacyMigrator migrator(source, LegacyTarget {}, options);
    QElapsedTimer timer;
    timer.start();
    auto report = migrator.run();
    const double seconds = double(timer.nsecsElapsed()) / 1e9;
    if (!report) {
        out << "failed: " << report.error().toString() << Qt::endl;
        return 1;
    }
    rusage usage {}, thread {};
    getrusage(RUSAGE_SELF, &usage);
    // The migration runs on this thread; the WAL checkpointer on another. On a loaded machine
    // this thread's CPU time bounds the rate an idle machine would reach.
    getrusage(RUSAGE_THREAD, &thread);
    auto cpuSeconds = [](const rusage &u) {
        return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec)
            + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
    };
    const double threadCpu = cpuSeconds(thread);
    out << (dryRun            ? "dry run"
                : viaLogStore ? "execute via LogStore::appendInCurrentTransaction"
                              : "execute (direct insert)")
        << ": " << report->executions << " executions, " << report->rows << " rows, "
        << report->lines << " lines, " << report->bytes / (1024 * 1024) << " MiB in "
        << QString::number(seconds, 'f', 1) << " s\n"
        << "  " << qint64(double(report->lines) / seconds) << " lines/s, "
        << QString::number(double(report->bytes) / seconds / 1024 / 1024, 'f', 1) << " MiB/s\n"
        << "  migration thread CPU " << QString::number(threadCpu, 'f', 2) << " s ("
        << qint64(double(report->lines) / threadCpu) << " lines per CPU-second), process CPU "
        << QString::number(cpuSeconds(usage), 'f', 2) << " s\n"
        << "  peak RSS " << usage.ru_maxrss / 1024 << " MiB" << Qt::endl;
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 3) {
        out << "usage: bench_legacy_migration generate FILE [--mb N] [--era 1|2|3]\n"
               "       bench_legacy_migration migrate FILE [--via-logstore] [--dry-run]"
            << Qt::endl;
        return 2;
    }
    auto option = [&](const char *name, qint64 fallback) {
        const qsizetype i = args.indexOf(QLatin1String(name));
        return i > 0 && i + 1 < args.size() ? args[i + 1].toLongLong() : fallback;
    };
    if (args[1] == QLatin1String("generate"))
        return generate(args[2], option("--mb", 1024), int(option("--era", 3)));
    if (args[1] == QLatin1String("migrate"))
        return migrate(args[2], args.contains(QLatin1String("--via-logstore")),
                       args.contains(QLatin1String("--dry-run")));
    return 2;
}
