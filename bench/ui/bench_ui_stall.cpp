// Figure "Dashboard" in docs/benchmarks.md: how long the GUI event loop stalls while the
// dashboard syncs a large hive (default 100k tasks and 1M log lines) from the test shape server.
// A 5 ms QTimer probe on the GUI thread records how late each tick fires; the longest and the
// 99th-percentile lateness are the stalls a user would feel. The Overview (the first tab) stays
// current, so its trend charts repaint as the history source refreshes them during the sync.
// Every event on the GUI thread is timed (GuiThreadProfiler) and the ticks over 16 ms are
// attributed to their largest event; each event-loop iteration over 16 ms of GUI CPU is listed
// with its events summed by receiver, type and queued slot; --spy also times signals and slots.
// A late tick is split into the GUI thread's own run time, its wait for a core and its sleep
// (and what it slept in), GuiThreadWaits. Also prints the process's peak RSS, and what the
// allocator held at its highest sample (MemorySampler). Real-time watchers pinned to each CPU
// (MachinePauses) tell the stalls in which the machine stopped running even them: the VM's host
// or a kernel path held the CPU, which no program on it can avoid.
#include "app/hivewatch/Dashboard.h"
#include "app/hivewatch/DashboardProcess.h"
#include "bench/machine/MachinePauses.h"
#include "bench/ui/GuiThreadProfiler.h"
#include "bench/ui/GuiThreadWaits.h"
#include "bench/ui/MemorySampler.h"
#include "models/hive/HistorySource.h"
#include "models/hive/HiveModels.h"
#include "models/hive/ShapeStatusModel.h"
#include "models/hive/TaskModel.h"
#include "models/logs/LogExecutionModel.h"
#include "sync/pg/PgConnection.h"
#include "tests/support/ShapeServerProcess.h"
#include "ui/MainWindow.h"
#include "ui/hive/OverviewPanel.h"
#include "ui/hive/TrendCharts.h"
#include "ui/logs/LogsPanel.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QSettings>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <sched.h>
#include <sys/resource.h>

using namespace hivewatch;

namespace {
// Ticks later than this are checked against the machine's pauses after the run.
constexpr double kMachineCheckMs = 10;

int fail(const QString &message)
{
    std::fprintf(stderr, "bench_ui_stall: %s\n", qPrintable(message));
    return 1;
}

QString readSql(const QString &name)
{
    QFile file(QStringLiteral(HIVEWATCH_SOURCE_DIR "/tests/support/sql/") + name);
    return file.open(QIODevice::ReadOnly) ? QString::fromUtf8(file.readAll()) : QString();
}

// Fills the bench database once; reused while its row counts match.
Result<void> prepare(PgConnection &pg, qint64 tasks, qint64 logs)
{
    auto counts = pg.exec(QStringLiteral("SELECT (SELECT count(*) FROM shared_tasks), "
                                         "(SELECT count(*) FROM node_task_output_logs)"));
    if (counts && counts->int64(0, 0) == tasks && counts->int64(0, 1) == logs)
        return {};
    QElapsedTimer clock;
    clock.start();
    auto reset = pg.execScript(QStringLiteral("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"));
    if (!reset)
        return reset.error();
    for (const char *file : {"hive_schema.sql", "electric_setup.sql", "hive_seed.sql"}) {
        auto loaded = pg.execScript(readSql(QLatin1String(file)));
        if (!loaded)
            return loaded.error();
    }
    auto seeded = pg.exec(QStringLiteral("SELECT hive_seed(10, 100, %1, 200, %2, %3, %4)")
                              .arg(tasks)
                              .arg(tasks / 2)
                              .arg(logs)
                              .arg(tasks / 5));
    if (!seeded)
        return seeded.error();
    std::printf("seeded %lld tasks, %lld log lines in %.1f s\n", static_cast<long long>(tasks),
                static_cast<long long>(logs), clock.elapsed() / 1000.0);
    return {};
}

// CPU time of the calling thread: what the GUI thread itself spent, whatever the machine's load.
double threadCpuMs()
{
    return GuiThreadProfiler::threadCpuMs();
}

long peakRssMiB()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024;
}
} // namespace

int main(int argc, char *argv[])
{
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // stalls show as they happen, also into a file
    qputenv("QT_QPA_PLATFORM", "offscreen");
    DashboardProcess::prepare(); // as the app's main()
    GuiThreadProfiler app(argc, argv);
    QString dsn;
    qint64 tasks = 100000;
    qint64 logs = 1000000;
    bool spy = false;
    bool memoryTimeline = false;
    bool machineWatch = true;
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        const bool hasValue = i + 1 < args.size();
        if (args[i] == QLatin1String("--spy"))
            spy = true;
        else if (args[i] == QLatin1String("--memory-timeline"))
            memoryTimeline = true;
        else if (args[i] == QLatin1String("--no-machine-watch"))
            machineWatch = false;
        else if (args[i] == QLatin1String("--dsn") && hasValue)
            dsn = args[++i];
        else if (args[i] == QLatin1String("--tasks") && hasValue)
            tasks = args[++i].toLongLong();
        else if (args[i] == QLatin1String("--logs") && hasValue)
            logs = args[++i].toLongLong();
        else
            return fail(QStringLiteral("unknown option or missing value: %1").arg(args[i]));
    }
    if (dsn.isEmpty() || tasks < 10 || logs < 10)
        return fail(QStringLiteral(
            "usage: bench_ui_stall --dsn CONNINFO [--tasks N] [--logs N] [--spy] "
            "[--memory-timeline] [--no-machine-watch]\n"
            "  --spy              also time every signal and direct slot on the GUI thread "
            "(slower)\n"
            "  --memory-timeline  print the RSS and jemalloc's figures every 100 ms\n"
            "  --no-machine-watch start no real-time watchers (bench/machine/MachinePauses.h)"));
    if (memoryTimeline)
        MemorySampler::countSqliteMemory();
    if (qEnvironmentVariableIsEmpty("HIVEWATCH_BINARY_DIR"))
        qputenv("HIVEWATCH_BINARY_DIR", QByteArrayLiteral(HIVEWATCH_BINARY_DIR));

    // A database of its own on the given cluster.
    {
        auto admin = PgConnection::connect(dsn);
        if (!admin)
            return fail(admin.error().toString());
        auto exists = (*admin)->exec(
            QStringLiteral("SELECT 1 FROM pg_database WHERE datname = 'hivewatch_bench_ui'"));
        if (exists && exists->rows() == 0) {
            auto created = (*admin)->exec(QStringLiteral("CREATE DATABASE hivewatch_bench_ui"));
            if (!created)
                return fail(created.error().toString());
        }
    }
    const QString benchDsn = dsn + QStringLiteral(" dbname=hivewatch_bench_ui");
    {
        auto pg = PgConnection::connect(benchDsn);
        if (!pg)
            return fail(pg.error().toString());
        if (auto prepared = prepare(**pg, tasks, logs); !prepared)
            return fail(prepared.error().toString());
    }

    ShapeServerProcess server;
    QString error;
    if (!server.start(benchDsn, {}, &error))
        return fail(error);

    QTemporaryDir dir;
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, dir.path());
    MainWindow window;
    Dashboard dashboard(&window, dir.filePath(QStringLiteral("store.sqlite")));
    window.resize(1280, 800);
    window.show();
    // The charts only paint while their tab is shown: keep the Overview current for the run.
    window.tabs()->setCurrentWidget(dashboard.overviewPanel());
    // Something in the product may switch tabs (a panel asking for attention): say so, and go
    // back, so the figures are always those of the charts on screen.
    int tabSwitches = 0;
    QObject::connect(window.tabs(), &QTabWidget::currentChanged, &app, [&](int index) {
        if (window.tabs()->widget(index) == dashboard.overviewPanel())
            return;
        ++tabSwitches;
        std::printf("  the product switched to the tab \"%s\"; back to the Overview\n",
                    qPrintable(window.tabs()->tabText(index)));
        QTimer::singleShot(0, &app,
                           [&] { window.tabs()->setCurrentWidget(dashboard.overviewPanel()); });
    });
    int chartRefreshes = 0;
    QObject::connect(dashboard.historySource(), &HistorySource::trendsReady, &app,
                     [&] { ++chartRefreshes; });

    QElapsedTimer total;
    // The probe: a tick every 5 ms; lateness = time since the previous tick beyond 5 ms.
    constexpr qint64 intervalNs = 5'000'000;
    std::vector<double> latenessMs;
    latenessMs.reserve(200000);
    // The GUI thread's own CPU time between two ticks: a stall the load of other processes
    // cannot inflate (waiting for a core is not counted), so figures compare across runs.
    std::vector<double> busyMs;
    busyMs.reserve(200000);
    double cpuAtTick = 0;
    QElapsedTimer sinceTick;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(5);
    GuiThreadWaits waits;
    GuiThreadWaits::Split longestSplit;
    // Each tick's span on CLOCK_MONOTONIC and the CPU the GUI thread was on at both ends, for the
    // ticks late enough to be checked against the machine's pauses after the run.
    struct LateTick
    {
        double fromS, toS, lateMs, busyMs;
        int cpuFrom, cpuTo;
    };
    std::vector<LateTick> lateTicks;
    double tickFromS = 0;
    int tickCpu = -1;
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 sinceNs = sinceTick.nsecsElapsed();
        const double nowS = MachinePauses::nowS();
        const int onCpu = sched_getcpu();
        latenessMs.push_back(std::max<qint64>(0, sinceNs - intervalNs) / 1e6);
        const double cpu = threadCpuMs();
        busyMs.push_back(cpu - cpuAtTick);
        cpuAtTick = cpu;
        app.endTick(busyMs.back());
        const GuiThreadWaits::Split split = waits.tick(sinceNs / 1e6);
        if (split.wallMs > longestSplit.wallMs)
            longestSplit = split;
        if (latenessMs.back() > 50 || busyMs.back() > 25)
            std::printf("  stall of %.0f ms (GUI thread busy %.0f ms of it) ending at %.2f s: %s\n",
                        latenessMs.back(), busyMs.back(), total.elapsed() / 1000.0,
                        GuiThreadWaits::describe(split).constData());
        if (latenessMs.back() > kMachineCheckMs)
            lateTicks.push_back(
                {tickFromS, nowS, latenessMs.back(), busyMs.back(), tickCpu, onCpu});
        tickFromS = nowS;
        tickCpu = onCpu;
        sinceTick.start();
    });

    ConnectionSettings connection;
    connection.url = server.shapeUrl();
    connection.shapes = ConnectionSettings::availableShapes();
    // Every shape the dashboard syncs, however many the hive has grown to.
    const QString allLive = QStringLiteral("%1 of %1 shapes live").arg(connection.shapes.size());

    HiveModels *models = dashboard.models();
    // Every assignment has log lines (hive_seed spreads them over all): the Logs panel lists
    // them all once the log shape is in, and that refresh is part of what the GUI does.
    const int executions = int(std::min(tasks / 2, logs));
    const LogExecutionModel *executionList = dashboard.logsPanel()->executionModel();
    double executionsListedS = 0;
    double tasksVisibleS = 0;
    // When each shape first went live: tells a slow shape from a slow GUI.
    QList<std::pair<QString, double>> liveAt;
    auto done = [&] {
        const ShapeStatus logStatus
            = models->shapeStatuses()->status(QStringLiteral("node_task_output_logs"));
        return models->tasks()->rowCount() == tasks && logStatus.rowCount == logs
            && models->shapeStatuses()->summary() == allLive
            && executionList->rowCount() == executions;
    };
    QTimer check;
    check.setInterval(50);
    // Sampled while the loop runs: quitting closes the window, so the end says nothing.
    int checks = 0;
    int chartsShown = 0;
    QObject::connect(&check, &QTimer::timeout, [&] {
        ++checks;
        if (dashboard.trendCharts()->isVisible())
            ++chartsShown;
        if (tasksVisibleS == 0 && models->tasks()->rowCount() == tasks)
            tasksVisibleS = total.elapsed() / 1000.0;
        if (executionsListedS == 0 && executionList->rowCount() == executions)
            executionsListedS = total.elapsed() / 1000.0;
        for (const QString &shape : std::as_const(connection.shapes)) {
            const bool known = std::any_of(liveAt.cbegin(), liveAt.cend(),
                                           [&](const auto &seen) { return seen.first == shape; });
            if (!known && models->shapeStatuses()->status(shape).state == ShapeStatus::State::Live)
                liveAt.append({shape, total.elapsed() / 1000.0});
        }
        if (done() || total.elapsed() > 15 * 60 * 1000) {
            // Not the quit: closing the window saves its layout with an fdatasync (up to
            // 120 ms asleep here), which is no stall of the sync.
            probe.stop();
            app.quit();
        }
    });

    MemorySampler memory(memoryTimeline);
    MachinePauses machine(5, machineWatch);
    total.start();
    sinceTick.start();
    tickFromS = MachinePauses::nowS();
    tickCpu = sched_getcpu();
    cpuAtTick = threadCpuMs();
    const double guiCpuAtStart = cpuAtTick;
    rusage guiAtStart {};
    getrusage(RUSAGE_THREAD, &guiAtStart);
    const long guiFaultsAtStart = guiAtStart.ru_minflt;
    probe.start();
    check.start();
    app.addRoot(&dashboard);
    app.addRoot(&window);
    app.trackIterations(&total);
    if (spy)
        app.enableSignalSpy();
    dashboard.connectTo(connection);
    app.exec();
    const double seconds = total.elapsed() / 1000.0;
    if (!done())
        return fail(QStringLiteral("not live after %1 s: %2; %3 of %4 executions listed")
                        .arg(seconds)
                        .arg(models->shapeStatuses()->summary())
                        .arg(executionList->rowCount())
                        .arg(executions));

    std::vector<double> sorted = latenessMs;
    std::sort(sorted.begin(), sorted.end());
    auto percentile = [&](double p) {
        return sorted[std::min(sorted.size() - 1, size_t(p * sorted.size()))];
    };
    std::printf(
        "synced %lld tasks and %lld log lines (%lld shapes live) in %.1f s; tasks all shown "
        "after %.1f s\n",
        static_cast<long long>(tasks), static_cast<long long>(logs),
        static_cast<long long>(connection.shapes.size()), seconds, tasksVisibleS);
    std::printf(
        "GUI event loop stall over %zu probe ticks (5 ms timer): longest %.1f ms, p99 %.1f ms, "
        "p50 %.2f ms\n",
        sorted.size(), sorted.back(), percentile(0.99), percentile(0.5));
    machine.stop();
    // A tick less the time the watcher on the GUI thread's CPU (at either end of the tick) was
    // held off in it: what is left is the program's (and the scheduler's) share of the stall.
    double longestLeftMs = 0;
    for (double late : latenessMs)
        if (late <= kMachineCheckMs)
            longestLeftMs = std::max(longestLeftMs, late);
    for (const LateTick &tick : lateTicks) {
        double heldMs = machine.heldOffMs(tick.cpuTo, tick.fromS, tick.toS);
        if (tick.cpuFrom >= 0 && tick.cpuFrom != tick.cpuTo)
            heldMs = std::max(heldMs, machine.heldOffMs(tick.cpuFrom, tick.fromS, tick.toS));
        const double leftMs = std::max(0.0, tick.lateMs - heldMs);
        longestLeftMs = std::max(longestLeftMs, leftMs);
        if (tick.lateMs > 50)
            std::printf("  stall of %.0f ms ending at %.2f s (GUI thread busy %.0f ms, on CPU %d "
                        "then %d): the real-time watcher there was held off %.0f ms of it, "
                        "%.0f ms left\n",
                        tick.lateMs, (tick.toS - total.msecsSinceReference() / 1000.0), tick.busyMs,
                        tick.cpuFrom, tick.cpuTo, heldMs, leftMs);
    }
    if (machine.realTime())
        std::printf("longest stall less machine pauses: %.1f ms; machine pauses %s\n",
                    longestLeftMs, machine.summary(20).c_str());
    else
        std::printf("machine pauses not measured: %s\n", machine.problem().c_str());
    std::printf("the longest probe interval (%.1f ms): %s\n", longestSplit.wallMs,
                GuiThreadWaits::describe(longestSplit).constData());
    waits.print();
    std::sort(busyMs.begin(), busyMs.end());
    std::printf("GUI thread CPU time between ticks (independent of machine load): longest %.1f ms, "
                "p99 %.1f ms\n",
                busyMs.back(), busyMs[std::min(busyMs.size() - 1, size_t(0.99 * busyMs.size()))]);
    std::printf("all %d executions listed in the Logs panel after %.1f s\n", executions,
                executionsListedS);
    std::printf("first live:");
    for (const auto &[shape, at] : std::as_const(liveAt))
        std::printf(" %s %.1f s;", qPrintable(shape), at);
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    const double processCpuS = usage.ru_utime.tv_sec + usage.ru_stime.tv_sec
        + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    std::printf("\nCPU time: whole process %.1f s, GUI thread %.1f s\n", processCpuS,
                (threadCpuMs() - guiCpuAtStart) / 1000.0);
    // Each first touch of a page costs a trap into the kernel, and on a VM the host's work too.
    rusage guiUsage {};
    getrusage(RUSAGE_THREAD, &guiUsage);
    std::printf("page faults: whole process %ld, GUI thread %ld during the sync\n",
                usage.ru_minflt + usage.ru_majflt, guiUsage.ru_minflt - guiFaultsAtStart);
    // The times above count from here: to find a stall in `perf record -k mono` samples.
    std::printf("time 0 of this run: CLOCK_MONOTONIC %.3f s\n",
                total.msecsSinceReference() / 1000.0);
    std::printf("peak RSS of the dashboard process: %ld MiB (allocator: %s)\n", peakRssMiB(),
                MemorySampler::allocatorName());
    memory.stop();
    MemorySampler::print("highest sampled (every 10 ms)", memory.highest());
    for (const MemorySampler::Sample &sample : memory.timeline())
        MemorySampler::print("  memory", sample);
    std::printf("highest jemalloc allocated: %.0f MiB (%d samples)\n", memory.highestAllocatedMiB(),
                memory.samples());
    std::printf("current tab: \"%s\" (%d switches away undone); trend charts on screen at %d of "
                "%d checks, refreshed %d times during the sync (%d history queries)\n",
                qPrintable(window.tabs()->tabText(window.tabs()->currentIndex())), tabSwitches,
                chartsShown, checks, chartRefreshes, dashboard.historySource()->trendQueriesRun());
    app.print(12);
    return 0;
}
