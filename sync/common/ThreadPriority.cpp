#include "sync/common/ThreadPriority.h"

#include <QtGlobal>

#include <atomic>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace hivewatch {

namespace ThreadPriority {

namespace {
std::atomic<bool> g_workersInBackground {false};
}

void lowerCurrent()
{
#ifdef Q_OS_LINUX
    setpriority(PRIO_PROCESS, gettid(), 10);
#endif
}

void setWorkersInBackground(bool background)
{
    g_workersInBackground.store(background);
}

bool workersInBackground()
{
    return g_workersInBackground.load();
}

} // namespace ThreadPriority

} // namespace hivewatch
