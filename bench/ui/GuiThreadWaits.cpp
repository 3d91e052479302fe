#include "bench/ui/GuiThreadWaits.h"

#include <QFile>

#include <cstdio>
#include <fcntl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

namespace {
qint64 monotonicNs()
{
    timespec now {};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return qint64(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

// A small /proc file in one read: QFile's buffering and size probing cost more than the read.
QByteArray readProc(const char *path)
{
    FILE *file = std::fopen(path, "re");
    if (!file)
        return {};
    char buffer[512];
    const size_t n = std::fread(buffer, 1, sizeof buffer - 1, file);
    std::fclose(file);
    return QByteArray(buffer, qsizetype(n)).trimmed();
}

const char *syscallName(long number)
{
    switch (number) {
    case SYS_futex:
        return "futex";
    case SYS_poll:
        return "poll";
    case SYS_ppoll:
        return "ppoll";
    case SYS_read:
        return "read";
    case SYS_write:
        return "write";
    case SYS_mmap:
        return "mmap";
    case SYS_munmap:
        return "munmap";
    case SYS_mprotect:
        return "mprotect";
    case SYS_madvise:
        return "madvise";
    case SYS_brk:
        return "brk";
    case SYS_recvmsg:
        return "recvmsg";
    case SYS_sendmsg:
        return "sendmsg";
    case SYS_openat:
        return "openat";
    case SYS_close:
        return "close";
    case SYS_fsync:
        return "fsync";
    case SYS_fdatasync:
        return "fdatasync";
    case SYS_rename:
        return "rename";
    case SYS_unlink:
        return "unlink";
    default:
        return nullptr;
    }
}

// glibc's non-main arenas live at the start of heaps aligned to HEAP_MAX_SIZE (64 MiB on
// 64-bit), their mutex first, right after the heap's small header.
constexpr quintptr kHeapMax = quintptr(64) << 20;
} // namespace

GuiThreadWaits::GuiThreadWaits()
    : m_tid(int(syscall(SYS_gettid)))
    , m_lastTickNs(monotonicNs())
{
    // libc's writable data and the anonymous .bss right after it hold main_arena.
    QFile maps(QStringLiteral("/proc/self/maps"));
    if (maps.open(QIODevice::ReadOnly)) {
        bool afterLibcData = false;
        for (const QByteArray &line : maps.readAll().split('\n')) {
            const QList<QByteArray> fields = line.simplified().split(' ');
            if (fields.size() < 2)
                continue;
            const QList<QByteArray> range = fields[0].split('-');
            const bool libcData = line.contains("/libc.so") && fields[1].startsWith("rw");
            if (libcData || (afterLibcData && fields.size() < 6)) {
                if (!m_libcDataBegin)
                    m_libcDataBegin = range[0].toULongLong(nullptr, 16);
                m_libcDataEnd = range[1].toULongLong(nullptr, 16);
            }
            afterLibcData = libcData;
        }
    }
    // Kept open and read from its start at each tick: opening a /proc file every 5 ms cost a
    // quarter of the GUI thread's CPU outside the sync's bursts (perf).
    m_schedstat = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
    std::printf("GUI thread waits: schedstat %s, sampler on tid %d\n",
                m_schedstat >= 0 ? "read" : "missing", m_tid);
    m_sampler = std::thread([this] { sample(); });
}

GuiThreadWaits::~GuiThreadWaits()
{
    m_stop = true;
    m_sampler.join();
    if (m_schedstat >= 0)
        close(m_schedstat);
}

void GuiThreadWaits::sample()
{
    const qint64 lateNs = qint64(kLateMs * 1e6);
    while (!m_stop.load(std::memory_order_relaxed)) {
        timespec pause {0, 1'000'000};
        nanosleep(&pause, nullptr);
        if (monotonicNs() - m_lastTickNs.load(std::memory_order_relaxed) < lateNs)
            continue;
        const QByteArray kind = classify();
        std::lock_guard lock(m_mutex);
        ++m_pending[kind];
    }
}

QByteArray GuiThreadWaits::classify() const
{
    char path[64];
    std::snprintf(path, sizeof path, "/proc/self/task/%d/stat", m_tid);
    const QByteArray stat = readProc(path);
    const qsizetype paren = stat.lastIndexOf(')');
    const char state = paren > 0 && paren + 2 < stat.size() ? stat[paren + 2] : '?';
    std::snprintf(path, sizeof path, "/proc/self/task/%d/syscall", m_tid);
    const QByteArray call = readProc(path);
    if (call.startsWith("running"))
        return QByteArray("running (") + state + ')';
    const QList<QByteArray> fields = call.split(' ');
    const long number = fields.value(0).toLong();
    std::snprintf(path, sizeof path, "/proc/self/task/%d/wchan", m_tid);
    const QByteArray wchan = readProc(path);
    QByteArray kind = QByteArray(1, state) + ' ';
    if (number == SYS_futex)
        return kind + "futex, " + futexOwner(fields.value(1).toULongLong(nullptr, 16));
    if (number < 0)
        kind += "not in a system call (a page fault?)";
    else if (const char *name = syscallName(number))
        kind += name;
    else
        kind += "syscall " + QByteArray::number(qlonglong(number));
    return wchan.isEmpty() || wchan == "0" ? kind : kind + " in " + wchan;
}

QByteArray GuiThreadWaits::futexOwner(quintptr address) const
{
    if (address >= m_libcDataBegin && address < m_libcDataEnd)
        return "in libc's data (glibc's main arena lock, or another libc lock)";
    if ((address & (kHeapMax - 1)) < 256)
        return "a malloc arena's lock (a thread arena)";
    return "another lock (Qt's or the product's)";
}

GuiThreadWaits::Split GuiThreadWaits::tick(double wallMs)
{
    Split split;
    split.wallMs = wallMs;
    char buffer[128];
    const ssize_t n = m_schedstat >= 0 ? pread(m_schedstat, buffer, sizeof buffer - 1, 0) : -1;
    const QList<QByteArray> fields = QByteArray(buffer, n > 0 ? n : 0).trimmed().split(' ');
    const double runNs = fields.value(0).toDouble();
    const double waitNs = fields.value(1).toDouble();
    split.runMs = (runNs - m_runNs) / 1e6;
    split.queueMs = (waitNs - m_waitNs) / 1e6;
    split.asleepMs = std::max(0.0, wallMs - split.runMs - split.queueMs);
    m_runNs = runNs;
    m_waitNs = waitNs;
    {
        std::lock_guard lock(m_mutex);
        split.samples.swap(m_pending);
        m_lastTickNs.store(monotonicNs(), std::memory_order_relaxed);
    }
    if (wallMs > kLateMs) {
        ++m_lateTicks;
        m_lateSum.wallMs += split.wallMs;
        m_lateSum.runMs += split.runMs;
        m_lateSum.queueMs += split.queueMs;
        m_lateSum.asleepMs += split.asleepMs;
        for (const auto &[kind, count] : split.samples)
            m_lateSum.samples[kind] += count;
    }
    return split;
}

QByteArray GuiThreadWaits::describe(const Split &split)
{
    char head[128];
    std::snprintf(head, sizeof head, "ran %.1f ms, waited for a core %.1f ms, asleep %.1f ms",
                  split.runMs, split.queueMs, split.asleepMs);
    QByteArray text(head);
    if (split.samples.empty())
        return text;
    text += " (sampled:";
    for (const auto &[kind, count] : split.samples)
        text += ' ' + QByteArray::number(count) + "x " + kind + ';';
    text.chop(1);
    return text + ')';
}

void GuiThreadWaits::print() const
{
    std::printf("GUI thread during the %d probe intervals over %.0f ms (%.0f ms in all): %s\n",
                m_lateTicks, kLateMs, m_lateSum.wallMs, describe(m_lateSum).constData());
}
