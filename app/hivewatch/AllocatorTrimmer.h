#pragma once

#include "sync/common/WorkerThread.h"

#include <QObject>

#include <atomic>

class QTimer;

namespace hivewatch {

// Hands the pages glibc's malloc holds free back to the system, every few seconds, on a thread
// of its own. While a large snapshot syncs, the sync threads' arenas free hundreds of MiB
// (response bodies, parsed batches the GUI has shown) that stay resident otherwise: glibc
// returns memory only from the top of a heap, never from the middle (docs/benchmarks.md,
// "Dashboard peak RSS: who holds it"). A trim still running when the next is due skips it.
class AllocatorTrimmer : public QObject
{
    Q_OBJECT
public:
    explicit AllocatorTrimmer(int intervalMs, QObject *parent = nullptr);
    ~AllocatorTrimmer() override;

private:
    void trim();

    QTimer *m_timer = nullptr;
    WorkerThread m_thread;
    std::atomic<bool> m_busy = false;
};

} // namespace hivewatch
