#include "models/hive/Throttle.h"

namespace hivewatch {

Throttle::Throttle(int intervalMs, std::function<void()> job)
    : m_intervalMs(intervalMs)
{
    m_timer.setSingleShot(true);
    m_timer.callOnTimeout([this, job = std::move(job)] {
        ran();
        job();
    });
}

void Throttle::request()
{
    if (m_timer.isActive())
        return;
    const qint64 since = m_sinceRun.isValid() ? m_sinceRun.elapsed() : m_intervalMs;
    m_timer.start(since >= m_intervalMs ? 0 : int(m_intervalMs - since));
}

void Throttle::ran()
{
    m_timer.stop();
    m_sinceRun.start();
}

} // namespace hivewatch
