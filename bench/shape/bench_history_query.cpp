// bench_history_query: the chart queries of HistoryReader over a store holding CHANGES recorded
// changes (default 1M) spread over 30 days, a 7-day range in 5-minute buckets, median of RUNS
// (docs/benchmarks.md, "History"). Also prints the history's size per million changes.
// As a synced store is laid out since the first snapshot became a baseline mark: the first
// snapshot (SNAPSHOT tasks and as many assignments, half of them running, and the 20 nodes whose
// heartbeats are recorded) is in the shape rows with one mark per table, 30 days back.
//
//   bench_history_query [CHANGES] [RUNS] [SNAPSHOT] [STORE]  (defaults: 1000000, 11, 10000)
// STORE: fill this file and keep it, to try queries on by hand; when it exists, it is measured
// as it is (not filled again). The report (not a chart) runs min(RUNS, 3) times.
#include "sync/hive/HistoryReader.h"
#include "sync/hive/HiveHistoryRecorder.h"
#include "sync/shape/ShapeRowTable.h"
#include "sync/sqlite/SqliteConnection.h"
#include "sync/store/LogStore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <functional>

using namespace hivewatch;

namespace {

double cpuMs()
{
    timespec t {};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // each figure as it comes, into a file too
    const qint64 changes = argc > 1 ? QByteArray(argv[1]).toLongLong() : 1000000;
    const int runs = argc > 2 ? QByteArray(argv[2]).toInt() : 11;
    const qint64 snapshot = argc > 3 ? QByteArray(argv[3]).toLongLong() : 10000;
    QTemporaryDir dir;
    const QString path
        = argc > 4 ? QString::fromLocal8Bit(argv[4]) : dir.filePath(QStringLiteral("store.sqlite"));
    const bool reuse = argc > 4 && QFileInfo::exists(path);
    auto store = LogStore::open(path, LogStore::Access::ReadWrite);
    auto db = SqliteConnection::open(path, SqliteConnection::Mode::ReadWrite);
    if (!store || !db || !HiveHistoryRecorder::migrate(db.value())
        || !ShapeRowTable::migrate(db.value())) {
        std::fprintf(stderr, "could not create the store\n");
        return 1;
    }
    const qint64 sizeBefore = QFileInfo(path).size();
    qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 span = 30LL * 24 * 3600 * 1000;
    if (reuse) {
        // The fill's clock: its last change is one step before it.
        auto last = db->prepare("SELECT max(at_ms) FROM history");
        if (!last || !last->step())
            return 1;
        now = last->columnInt(0) + span / changes;
    }
    // A hive's mixture: per task an insert and three status changes, per assignment an insert
    // and two status changes, and the heartbeats of 20 nodes; in time order.
    const qint64 tasks = changes / 10;
    const std::string fill = R"(
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < )"
        + std::to_string(changes - 1) + R"()
        INSERT INTO history (tbl, key, at_ms, op, origin, shape_offset, status, old, new, beat_ms)
        SELECT CASE WHEN k < 4 THEN 'shared_tasks' WHEN k < 7 THEN 'node_task_assignments'
                    ELSE 'nodes' END,
               CASE WHEN k < 7 THEN printf('%08x-0000-4000-8000-%012x', i / 10, i / 10)
                    ELSE printf('node-%02d', i % 20) END,
               )"
        + std::to_string(now - span) + " + i * " + std::to_string(span / changes) + R"(,
               CASE WHEN k IN (0, 4) THEN 1 ELSE 2 END, 0, (i * 3) || '_0',
               CASE k WHEN 0 THEN 'todo' WHEN 1 THEN 'in-progress' WHEN 2 THEN 'in-review'
                      WHEN 3 THEN 'done' WHEN 4 THEN 'running' WHEN 5 THEN 'running'
                      WHEN 6 THEN 'completed' END,
               CASE WHEN k IN (0, 4) THEN NULL
                    WHEN k < 7 THEN '{"status":"todo"}'
                    ELSE '{"last_heartbeat_at":"2026-12-01 10:00:00.000+00"}' END,
               CASE WHEN k = 0 THEN '{"id":"' || printf('%08x', i / 10) || '","organization_id":"0b7e5a3c-1f00-4000-8000-000000000001","project_id":"0b7e5a3c-1f00-4000-8000-000000000002","title":"Task number ' || i || '","description":"a description of moderate length for the task","status":"todo","version":"1","created_at":"2026-12-01 10:00:00.000+00","updated_at":"2026-12-01 10:00:00.000+00"}'
                    WHEN k = 4 THEN '{"id":"' || printf('%08x', i / 10) || '","task_id":"0b7e5a3c-1f00-4000-8000-000000000003","node_id":"0b7e5a3c-1f00-4000-8000-000000000004","execution_status":"running","assigned_at":"2026-12-01 10:00:00.000+00"}'
                    WHEN k < 7 THEN '{"status":"in-progress"}'
                    ELSE '{"last_heartbeat_at":"' || strftime('%Y-%m-%d %H:%M:%f+00', ()"
        + std::to_string(now - span) + R"( + i * )" + std::to_string(span / changes)
        + R"() / 1000.0, 'unixepoch') || '"}' END,
               CASE WHEN k >= 7 THEN )"
        + std::to_string(now - span) + " + i * " + std::to_string(span / changes) + R"( - 3000 END
        FROM (SELECT i, i % 10 AS k FROM n))";
    // The first snapshot's rows as ShapeRowTable stores them (key without the shape's prefix).
    const std::string start = std::to_string(now - span - 1000);
    const std::string first = R"(
        INSERT INTO shape_ids (id, name, key_prefix) VALUES
            (1, 'shared_tasks', '"public"."shared_tasks"/'),
            (2, 'node_task_assignments', '"public"."node_task_assignments"/'),
            (3, 'nodes', '"public"."nodes"/');
        INSERT INTO history_baseline (tbl, shape, key_prefix, at_ms, shape_offset) VALUES
            ('shared_tasks', 'shared_tasks', '"public"."shared_tasks"/', )"
        + start + R"(, '0_0'),
            ('node_task_assignments', 'node_task_assignments',
             '"public"."node_task_assignments"/', )"
        + start + R"(, '0_0'),
            ('nodes', 'nodes', '"public"."nodes"/', )"
        + start + R"(, '0_0');
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < )"
        + std::to_string(snapshot - 1) + R"()
        INSERT INTO shape_row_data (shape, key, value)
        SELECT 1, '"snap-task-' || i || '"', '{"id":"snap-task-' || i || '","title":"Task ' || i
                  || '","status":"' || CASE i % 3 WHEN 0 THEN 'todo' WHEN 1 THEN 'in-progress'
                  ELSE 'done' END || '","updated_at":"2026-11-01 10:00:00.000+00"}' FROM n
        UNION ALL
        SELECT 2, '"snap-asg-' || i || '"', '{"id":"snap-asg-' || i || '","task_id":"snap-task-'
                  || i || '","node_id":"node-' || printf('%02d', i % 20)
                  || '","execution_status":"' || CASE i % 2 WHEN 0 THEN 'running'
                  ELSE 'completed' END || '"}' FROM n;
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 19)
        INSERT INTO shape_row_data (shape, key, value)
        SELECT 3, '"node-' || printf('%02d', i) || '"', '{"id":"node-' || printf('%02d', i)
                  || '","name":"node ' || i || '","status":"online","last_heartbeat_at":'
                  || '"2026-12-01 10:00:00.000+00"}' FROM n;)";
    QElapsedTimer filling;
    filling.start();
    if (!reuse
        && (!db->exec("BEGIN") || !db->exec(fill) || (snapshot > 0 && !db->exec(first))
            || !db->exec("COMMIT"))) {
        std::fprintf(stderr, "fill failed: %s\n", qPrintable(db->lastError()));
        return 1;
    }
    (void)db->exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const qint64 sizeAfter = QFileInfo(path).size();
    std::printf(
        "history: %lld changes (%lld tasks), a first snapshot of %lld tasks and assignments, "
        "in %.1f s; store +%.1f MB = %.1f MB per million changes\n",
        changes, tasks, snapshot, filling.elapsed() / 1000.0, (sizeAfter - sizeBefore) / 1e6,
        (sizeAfter - sizeBefore) / 1e6 / (double(changes) / 1e6));
    auto reader = HistoryReader::open(path);
    if (!reader) {
        std::fprintf(stderr, "%s\n", qPrintable(reader.error().toString()));
        return 1;
    }
    const qint64 to = now;
    const qint64 from = now - 7LL * 24 * 3600 * 1000;
    const qint64 bucket = 5 * 60 * 1000;
    const auto measure = [&](const char *name, const std::function<bool()> &query, int runs) {
        QList<double> wall;
        QList<double> cpu;
        for (int r = 0; r < runs; ++r) {
            QElapsedTimer t;
            t.start();
            const double c0 = cpuMs();
            if (!query()) {
                std::fprintf(stderr, "%s failed\n", name);
                return;
            }
            cpu << cpuMs() - c0;
            wall << t.nsecsElapsed() / 1e6;
        }
        std::sort(wall.begin(), wall.end());
        std::sort(cpu.begin(), cpu.end());
        std::printf("%-20s median %7.1f ms wall, %7.1f ms CPU (min %.1f, max %.1f wall)\n", name,
                    wall[runs / 2], cpu[runs / 2], wall.first(), wall.last());
    };
    measure(
        "taskFlow", [&] { return reader->taskFlow(from, to, bucket).ok(); }, runs);
    measure(
        "runningAssignments", [&] { return reader->runningAssignments(from, to, bucket).ok(); },
        runs);
    measure(
        "heartbeatLag", [&] { return reader->heartbeatLag(from, to, bucket).ok(); }, runs);
    measure(
        "report", [&] { return reader->report(from, to).ok(); }, std::min(runs, 3));
    std::printf("load %s\n",
                qPrintable(QString::fromLatin1([] {
                               FILE *f = std::fopen("/proc/loadavg", "r");
                               static char buf[64] = {};
                               if (f) {
                                   (void)!std::fgets(buf, sizeof buf, f);
                                   std::fclose(f);
                               }
                               return buf;
                           }())
                               .trimmed()));
    return 0;
}
