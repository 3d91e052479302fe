#include "bench/ui/MemorySampler.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <dlfcn.h>
#include <unistd.h>

namespace hivewatch {

namespace {
using Mallctl = int (*)(const char *, void *, size_t *, void *, size_t);

Mallctl jemalloc()
{
    static const auto mallctl = reinterpret_cast<Mallctl>(dlsym(RTLD_DEFAULT, "mallctl"));
    return mallctl;
}

double mib(double bytes)
{
    return bytes / (1024.0 * 1024.0);
}

size_t readSize(Mallctl mallctl, const char *name)
{
    size_t value = 0;
    size_t size = sizeof value;
    return mallctl(name, &value, &size, nullptr, 0) == 0 ? value : 0;
}

double sqliteBytes()
{
    // Looked up, not linked: the bench reaches SQLite only through the product's libraries.
    using Status64 = int (*)(int, long long *, long long *, int);
    static const auto status64
        = reinterpret_cast<Status64>(dlsym(RTLD_DEFAULT, "sqlite3_status64"));
    long long current = 0;
    long long highest = 0;
    constexpr int kMemoryUsed = 0; // SQLITE_STATUS_MEMORY_USED
    return status64 && status64(kMemoryUsed, &current, &highest, 0) == 0 ? double(current) : 0;
}

double residentBytes()
{
    // statm's second field: resident pages. Read with stdio: no allocation of ours in the count.
    FILE *file = std::fopen("/proc/self/statm", "r");
    if (!file)
        return 0;
    unsigned long long size = 0;
    unsigned long long resident = 0;
    const int read = std::fscanf(file, "%llu %llu", &size, &resident);
    std::fclose(file);
    return read == 2 ? double(resident) * double(sysconf(_SC_PAGESIZE)) : 0;
}
} // namespace

void MemorySampler::countSqliteMemory()
{
    using Config = int (*)(int, ...);
    constexpr int kMemStatus = 9; // SQLITE_CONFIG_MEMSTATUS
    if (const auto config = reinterpret_cast<Config>(dlsym(RTLD_DEFAULT, "sqlite3_config")))
        config(kMemStatus, 1);
}

MemorySampler::MemorySampler(bool timeline)
    : m_keepTimeline(timeline)
    , m_thread([this] { run(); })
{
}

MemorySampler::~MemorySampler()
{
    stop();
}

void MemorySampler::stop()
{
    m_stop = true;
    if (m_thread.joinable())
        m_thread.join();
}

MemorySampler::Sample MemorySampler::take(double atS) const
{
    Sample sample;
    sample.atS = atS;
    sample.rssMiB = mib(residentBytes());
    sample.sqliteMiB = mib(sqliteBytes());
    if (const Mallctl mallctl = jemalloc()) {
        uint64_t epoch = 1;
        size_t size = sizeof epoch;
        mallctl("epoch", &epoch, &size, &epoch, size); // refreshes the statistics
        sample.allocatedMiB = mib(double(readSize(mallctl, "stats.allocated")));
        sample.activeMiB = mib(double(readSize(mallctl, "stats.active")));
        sample.residentMiB = mib(double(readSize(mallctl, "stats.resident")));
        sample.metadataMiB = mib(double(readSize(mallctl, "stats.metadata")));
        // All arenas' dirty pages (4096 = MALLCTL_ARENAS_ALL).
        sample.dirtyMiB = mib(double(readSize(mallctl, "stats.arenas.4096.pdirty"))
                              * double(sysconf(_SC_PAGESIZE)));
    }
    return sample;
}

void MemorySampler::run()
{
    const auto start = std::chrono::steady_clock::now();
    while (!m_stop) {
        const double atS
            = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const Sample sample = take(atS);
        if (m_keepTimeline && m_samples % 10 == 0)
            m_timeline.push_back(sample);
        ++m_samples;
        if (sample.rssMiB > m_highest.rssMiB)
            m_highest = sample;
        if (sample.allocatedMiB > m_highestAllocatedMiB)
            m_highestAllocatedMiB = sample.allocatedMiB;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
}

void MemorySampler::print(const char *label, const Sample &sample)
{
    std::printf("%s: RSS %.0f MiB at %.2f s", label, sample.rssMiB, sample.atS);
    if (sample.sqliteMiB > 0)
        std::printf("; SQLite's heap %.0f MiB", sample.sqliteMiB);
    if (sample.residentMiB > 0)
        // jemalloc's "resident" counts pages it cannot know were never touched (simdjson's
        // buffers), so it is often above the RSS: no difference between the two is printed.
        std::printf("; jemalloc: allocated %.0f, active %.0f, dirty %.0f, metadata %.0f, "
                    "resident %.0f MiB",
                    sample.allocatedMiB, sample.activeMiB, sample.dirtyMiB, sample.metadataMiB,
                    sample.residentMiB);
    std::printf("\n");
}

const char *MemorySampler::allocatorName()
{
    const Mallctl mallctl = jemalloc();
    if (!mallctl)
        return dlsym(RTLD_DEFAULT, "mi_version") ? "mimalloc" : "glibc";
    static char name[256];
    unsigned arenas = 0;
    size_t size = sizeof arenas;
    mallctl("opt.narenas", &arenas, &size, nullptr, 0);
    ssize_t dirty = 0;
    size = sizeof dirty;
    mallctl("opt.dirty_decay_ms", &dirty, &size, nullptr, 0);
    bool background = false;
    size = sizeof background;
    mallctl("opt.background_thread", &background, &size, nullptr, 0);
    std::snprintf(name, sizeof name, "jemalloc, %u arenas, dirty decay %zd ms, background %s",
                  arenas, dirty, background ? "on" : "off");
    return name;
}

} // namespace hivewatch
