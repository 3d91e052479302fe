#include "sync/common/ThreadPriority.h"

#include <QThread>
#include <QThreadPool>
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

QThreadPool *backgroundPool()
{
    static QThreadPool *pool = [] {
        // Never deleted: jobs may still be queued when static destructors run, and a pool's
        // destructor waits for them.
        auto *created = new QThreadPool;
        created->setMaxThreadCount(2); // the alert rules beside a batch being freed
        created->setObjectName(QStringLiteral("hivewatch background pool"));
        return created;
    }();
    return pool;
}

} // namespace ThreadPriority

} // namespace hivewatch
