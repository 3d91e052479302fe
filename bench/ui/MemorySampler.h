#pragma once

#include <atomic>
#include <thread>
#include <vector>

namespace hivewatch {

// What the process's resident memory is made of at its highest, sampled every 10 ms on a thread
// of its own: the RSS from /proc, and when the allocator is jemalloc what the program holds
// (allocated), what jemalloc has in pages in use (active) and what it keeps resident besides
// (dirty pages not yet purged, its metadata). getrusage's peak says how high; this says whether
// the top is the program's data, the allocator's slack or neither (libraries, mappings).
class MemorySampler
{
public:
    struct Sample
    {
        double atS = 0;
        double rssMiB = 0;
        double allocatedMiB = 0; // jemalloc's figures; 0 without jemalloc
        double activeMiB = 0;
        double residentMiB = 0;
        double dirtyMiB = 0;
        double metadataMiB = 0;
        double sqliteMiB = 0; // SQLite's own heap: page caches, schemas, statements
    };

    // SQLite counts its heap only when told before its first use (Debian builds it without):
    // a mutex around each of its allocations, so only for a run that asks for the timeline.
    static void countSqliteMemory();
    // With a timeline, every 10th sample (100 ms apart) is kept for timeline().
    explicit MemorySampler(bool timeline = false);
    ~MemorySampler();
    MemorySampler(const MemorySampler &) = delete;
    MemorySampler &operator=(const MemorySampler &) = delete;

    void stop();
    Sample highest() const { return m_highest; }
    double highestAllocatedMiB() const { return m_highestAllocatedMiB; }
    int samples() const { return m_samples; }
    const std::vector<Sample> &timeline() const { return m_timeline; }
    static void print(const char *label, const Sample &sample);
    // "jemalloc, N arenas, …" with its settings, or the allocator in use instead (LD_PRELOAD may
    // swap it; the executable links jemalloc unless built without it).
    static const char *allocatorName();

private:
    void run();
    Sample take(double atS) const;

    std::atomic<bool> m_stop {false};
    Sample m_highest;
    double m_highestAllocatedMiB = 0;
    int m_samples = 0;
    bool m_keepTimeline = false;
    std::vector<Sample> m_timeline;
    std::thread m_thread;
};

} // namespace hivewatch
