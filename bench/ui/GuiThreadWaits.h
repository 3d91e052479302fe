#pragma once

#include <QByteArray>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

// What the GUI thread did during a late probe tick, when its own CPU time does not explain it:
// ran (its CPU), waited for a core (the scheduler's run-queue delay), or slept (a lock, a page
// fault, I/O). The split comes from the kernel's per-thread schedstat, read by the GUI thread
// at each tick; what it slept in comes from a sampler thread that, while a tick is overdue,
// reads the GUI thread's state, system call and kernel wait channel every millisecond. A futex
// is named by where its word lies: glibc's main arena (in libc's data), another malloc arena
// (the start of a 64 MiB-aligned heap), or elsewhere (Qt's and the product's own locks).
// Linux only; bench code.
class GuiThreadWaits
{
public:
    // Call on the GUI thread.
    GuiThreadWaits();
    ~GuiThreadWaits();

    struct Split
    {
        double wallMs = 0;
        double runMs = 0;
        double queueMs = 0;
        double asleepMs = 0;
        std::map<QByteArray, int> samples; // what the sampler saw, by kind
    };
    // Called by the probe at each tick, on the GUI thread: the split since the previous tick.
    Split tick(double wallMs);
    static QByteArray describe(const Split &split);
    // Sums over the ticks later than `lateMs` that tick() saw.
    void print() const;

    static constexpr double kLateMs = 16;

private:
    void sample();
    QByteArray classify() const;
    QByteArray futexOwner(quintptr address) const;

    int m_tid;
    int m_schedstat = -1; // the GUI thread's schedstat, open for the run
    double m_runNs = 0;
    double m_waitNs = 0;
    std::atomic<qint64> m_lastTickNs;
    std::atomic<bool> m_stop = false;
    std::thread m_sampler;
    mutable std::mutex m_mutex;
    std::map<QByteArray, int> m_pending; // samples of the current (overdue) tick
    quintptr m_libcDataBegin = 0;
    quintptr m_libcDataEnd = 0;
    Split m_lateSum;
    int m_lateTicks = 0;
};
