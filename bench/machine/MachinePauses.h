#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace hivewatch {

// Tells a stall of the program from a pause of the machine under it. One watcher thread per CPU,
// pinned to it at real-time priority (SCHED_FIFO), sleeps 1 ms at a time and records every
// wake-up held off longer than a threshold. No user-space thread of the guest can hold such a
// thread off, so a hold-off is the CPU itself not running: a VM's vCPU stopped by its host, or a
// kernel path that does not yield (these machines run PREEMPT_NONE kernels). Without permission
// for real-time priority the watchers measure nothing and realTime() says so.
// Times are CLOCK_MONOTONIC seconds, as QElapsedTimer's and `perf record -k mono`'s. Linux only.
class MachinePauses
{
public:
    struct Pause
    {
        int cpu = 0;
        double fromS = 0; // when the watcher should have woken
        double toS = 0; // when it did
        double ms() const { return (toS - fromS) * 1000; }
    };

    // Without `startWatchers` nothing is watched (to compare runs with and without watchers).
    explicit MachinePauses(double thresholdMs = 5, bool startWatchers = true);
    ~MachinePauses();
    MachinePauses(const MachinePauses &) = delete;
    MachinePauses &operator=(const MachinePauses &) = delete;

    bool realTime() const { return m_realTime; }
    const std::string &problem() const { return m_problem; } // why not real time
    int cpus() const { return int(m_threads.size()); }
    void stop();

    // How much of [fromS, toS] the watcher on `cpu` was held off; -1 for every CPU's most.
    double heldOffMs(int cpu, double fromS, double toS) const;
    std::vector<Pause> pauses() const;
    // One line: how many pauses over `overMs` on each CPU and the longest.
    std::string summary(double overMs) const;

    static double nowS();

private:
    void watch(int cpu, std::string *problem);

    const double m_thresholdS;
    std::vector<std::thread> m_threads;
    std::atomic<bool> m_stop = false;
    bool m_realTime = true;
    std::string m_problem;
    mutable std::mutex m_mutex;
    std::vector<Pause> m_pauses;
};

} // namespace hivewatch
