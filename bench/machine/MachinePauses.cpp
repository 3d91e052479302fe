#include "bench/machine/MachinePauses.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

namespace hivewatch {

double MachinePauses::nowS()
{
    timespec now {};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return double(now.tv_sec) + double(now.tv_nsec) / 1e9;
}

MachinePauses::MachinePauses(double thresholdMs, bool startWatchers)
    : m_thresholdS(thresholdMs / 1000)
{
    if (!startWatchers) {
        m_realTime = false;
        m_problem = "no watchers started";
        return;
    }
    const long online = sysconf(_SC_NPROCESSORS_ONLN);
    std::vector<std::string> problems(size_t(std::max(1L, online)));
    for (size_t cpu = 0; cpu < problems.size(); ++cpu)
        m_threads.emplace_back([this, cpu, &problems] { watch(int(cpu), &problems[cpu]); });
    // Each watcher reports whether it got its CPU and priority before it starts watching.
    for (;;) {
        {
            std::lock_guard lock(m_mutex);
            if (std::all_of(problems.begin(), problems.end(),
                            [](const std::string &p) { return !p.empty(); }))
                break;
        }
        usleep(1000);
    }
    for (const std::string &p : problems)
        if (p != "ok") {
            m_realTime = false;
            m_problem = p;
        }
}

MachinePauses::~MachinePauses()
{
    stop();
}

void MachinePauses::stop()
{
    m_stop = true;
    for (std::thread &thread : m_threads)
        if (thread.joinable())
            thread.join();
}

void MachinePauses::watch(int cpu, std::string *problem)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    std::string why;
    if (int error = pthread_setaffinity_np(pthread_self(), sizeof set, &set))
        why = "pinning to CPU " + std::to_string(cpu) + ": " + std::strerror(error);
    // Below the kernel's own real-time threads (priority 50-99), above every normal thread.
    sched_param param {};
    param.sched_priority = 10;
    if (why.empty())
        if (int error = pthread_setschedparam(pthread_self(), SCHED_FIFO, &param))
            why = std::string("SCHED_FIFO (needs root or CAP_SYS_NICE): ") + std::strerror(error);
    {
        std::lock_guard lock(m_mutex);
        *problem = why.empty() ? "ok" : why;
    }
    if (!why.empty())
        return;
    const timespec step {0, 1000000};
    while (!m_stop) {
        const double before = nowS();
        clock_nanosleep(CLOCK_MONOTONIC, 0, &step, nullptr);
        const double after = nowS();
        if (after - before - 0.001 > m_thresholdS) {
            std::lock_guard lock(m_mutex);
            m_pauses.push_back({cpu, before + 0.001, after});
        }
    }
}

double MachinePauses::heldOffMs(int cpu, double fromS, double toS) const
{
    std::lock_guard lock(m_mutex);
    std::map<int, double> byCpu;
    for (const Pause &pause : m_pauses) {
        if (cpu >= 0 && pause.cpu != cpu)
            continue;
        const double overlap = std::min(toS, pause.toS) - std::max(fromS, pause.fromS);
        if (overlap > 0)
            byCpu[pause.cpu] += overlap * 1000;
    }
    double most = 0;
    for (const auto &[_, ms] : byCpu)
        most = std::max(most, ms);
    return most;
}

std::vector<MachinePauses::Pause> MachinePauses::pauses() const
{
    std::lock_guard lock(m_mutex);
    return m_pauses;
}

std::string MachinePauses::summary(double overMs) const
{
    if (!m_realTime)
        return "not measured: " + m_problem;
    std::vector<int> count(m_threads.size(), 0);
    double longest = 0;
    {
        std::lock_guard lock(m_mutex);
        for (const Pause &pause : m_pauses) {
            longest = std::max(longest, pause.ms());
            if (pause.ms() > overMs)
                ++count[size_t(pause.cpu)];
        }
    }
    std::string out = "over " + std::to_string(int(overMs)) + " ms:";
    for (size_t cpu = 0; cpu < count.size(); ++cpu)
        out += " " + std::to_string(count[cpu]) + " on CPU " + std::to_string(cpu) + ";";
    char tail[64];
    std::snprintf(tail, sizeof tail, " longest %.1f ms", longest);
    return out + tail;
}

} // namespace hivewatch
