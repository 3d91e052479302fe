// Figure "Machine pauses" in docs/benchmarks.md: how often, and how long, this machine stops
// running a real-time thread, idle or under plain memory traffic, with no Hivewatch code in it.
// A GUI stall that coincides with such a pause on the GUI thread's CPU is the machine's, not the
// program's; bench_ui_stall runs the same watchers and says which of its stalls were.
//
//   bench_machine_pauses [--seconds 60] [--churn THREADS] [--churn-mib 400] [--over 20]
//
// --churn starts threads that map, touch (one write a page) and unmap --churn-mib MiB, over and
// over: the page-fault traffic an allocator returning memory to the kernel makes.
#include "bench/machine/MachinePauses.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <thread>
#include <unistd.h>
#include <vector>

using hivewatch::MachinePauses;

namespace {
std::string firstLine(const char *path)
{
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}
} // namespace

int main(int argc, char **argv)
{
    double seconds = 60;
    int churners = 0;
    size_t churnMiB = 400;
    double overMs = 20;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : nullptr;
        if (!value) {
            std::fprintf(stderr, "bench_machine_pauses: %s needs a value\n", arg.c_str());
            return 2;
        }
        if (arg == "--seconds")
            seconds = std::atof(value);
        else if (arg == "--churn")
            churners = std::atoi(value);
        else if (arg == "--churn-mib")
            churnMiB = size_t(std::atol(value));
        else if (arg == "--over")
            overMs = std::atof(value);
        else {
            std::fprintf(stderr, "bench_machine_pauses: unknown option %s\n", arg.c_str());
            return 2;
        }
        ++i;
    }
    utsname machine {};
    uname(&machine);
    std::printf("kernel %s, %ld CPUs online, load %s\n", machine.release,
                sysconf(_SC_NPROCESSORS_ONLN), firstLine("/proc/loadavg").c_str());

    MachinePauses watch;
    if (!watch.realTime()) {
        std::fprintf(stderr, "bench_machine_pauses: %s\n", watch.problem().c_str());
        return 1;
    }
    std::atomic<bool> stop = false;
    std::atomic<long long> touchedMiB = 0;
    std::vector<std::thread> churn;
    for (int i = 0; i < churners; ++i)
        churn.emplace_back([&] {
            const size_t bytes = churnMiB << 20;
            while (!stop) {
                void *map = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                if (map == MAP_FAILED)
                    return;
                auto *bytesAt = static_cast<volatile char *>(map);
                for (size_t at = 0; at < bytes && !stop; at += 4096)
                    bytesAt[at] = 1;
                munmap(map, bytes);
                touchedMiB += static_cast<long long>(churnMiB);
            }
        });
    const double start = MachinePauses::nowS();
    usleep(useconds_t(seconds * 1e6));
    stop = true;
    for (std::thread &thread : churn)
        thread.join();
    watch.stop();
    const double elapsed = MachinePauses::nowS() - start;

    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    if (churners > 0)
        std::printf("%d churn threads: %.0f MiB mapped, touched and unmapped a second, %ld minor "
                    "faults a second\n",
                    churners, double(touchedMiB) / elapsed, long(usage.ru_minflt / elapsed));
    const double edges[] = {5, 10, 20, 50, 90, 110, 1e9};
    int counts[6] = {};
    for (const MachinePauses::Pause &pause : watch.pauses())
        for (int b = 0; b < 6; ++b)
            if (pause.ms() >= edges[b] && pause.ms() < edges[b + 1])
                ++counts[b];
    std::printf("real-time watchers held off, in %.0f s: 5-10 ms %d, 10-20 ms %d, 20-50 ms %d, "
                "50-90 ms %d, 90-110 ms %d, 110 ms or more %d\n",
                elapsed, counts[0], counts[1], counts[2], counts[3], counts[4], counts[5]);
    std::printf("pauses %s\n", watch.summary(overMs).c_str());
    for (const MachinePauses::Pause &pause : watch.pauses())
        if (pause.ms() > overMs)
            std::printf("  CPU %d held off %.1f ms at %.3f s\n", pause.cpu, pause.ms(),
                        pause.fromS - start);
    return 0;
}
