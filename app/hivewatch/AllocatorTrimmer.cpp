#include "app/hivewatch/AllocatorTrimmer.h"

#include <QTimer>

#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace hivewatch {

AllocatorTrimmer::AllocatorTrimmer(int intervalMs, QObject *parent)
    : QObject(parent)
    , m_timer(new QTimer(this))
    , m_thread(QStringLiteral("allocator trim"))
{
#ifdef __GLIBC__
    m_thread.start();
    m_timer->setInterval(intervalMs);
    connect(m_timer, &QTimer::timeout, this, &AllocatorTrimmer::trim);
    m_timer->start();
#else
    Q_UNUSED(intervalMs);
#endif
}

AllocatorTrimmer::~AllocatorTrimmer()
{
    m_timer->stop();
    m_thread.shutdown();
}

void AllocatorTrimmer::trim()
{
#ifdef __GLIBC__
    // Not on the GUI thread: a trim walks every arena's free chunks and madvises their pages,
    // milliseconds with hundreds of MiB free.
    if (m_busy.exchange(true))
        return;
    m_thread.post([this] {
        malloc_trim(0);
        m_busy.store(false);
    });
#endif
}

} // namespace hivewatch
