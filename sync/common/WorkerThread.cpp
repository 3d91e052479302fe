#include "sync/common/WorkerThread.h"

#include "sync/common/ThreadPriority.h"

#include <QThread>

namespace hivewatch {

WorkerThread::WorkerThread(QString name)
    : m_name(std::move(name))
{
}

WorkerThread::~WorkerThread()
{
    shutdown();
}

void WorkerThread::start()
{
    const std::lock_guard lock(m_mutex);
    if (m_thread.joinable() || m_stop)
        return;
    m_thread = std::thread([this] { loop(); });
    m_id = m_thread.get_id();
}

bool WorkerThread::isAccepting()
{
    const std::lock_guard lock(m_mutex);
    return m_thread.joinable() && !m_stop;
}

void WorkerThread::post(std::function<void()> job)
{
    {
        const std::lock_guard lock(m_mutex);
        if (m_stop)
            return;
        m_jobs.push_back(std::move(job));
    }
    m_wake.notify_one();
}

void WorkerThread::wait()
{
    if (isCurrentThread())
        return; // the caller is the running job: everything before it has run
    std::unique_lock lock(m_mutex);
    m_idle.wait(lock, [this] { return m_jobs.empty() && !m_busy; });
}

void WorkerThread::cancel(const std::function<void()> &interrupt)
{
    std::deque<std::function<void()>> dropped;
    {
        const std::lock_guard lock(m_mutex);
        dropped.swap(m_jobs);
        if (m_busy && interrupt)
            interrupt();
    }
    m_idle.notify_all();
}

void WorkerThread::shutdown()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_one();
    if (m_thread.joinable() && !isCurrentThread())
        m_thread.join();
}

void WorkerThread::loop()
{
    QThread::currentThread()->setObjectName(m_name);
    if (ThreadPriority::workersInBackground())
        ThreadPriority::lowerCurrent();
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stop || !m_jobs.empty(); });
        if (m_jobs.empty()) // stopping, and the queue ran dry
            break;
        std::function<void()> job = std::move(m_jobs.front());
        m_jobs.pop_front();
        m_busy = true;
        lock.unlock();
        job();
        lock.lock();
        m_busy = false;
        if (m_jobs.empty())
            m_idle.notify_all();
    }
    m_idle.notify_all();
}

} // namespace hivewatch
