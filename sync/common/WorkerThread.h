#pragma once

#include <QString>

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <type_traits>

namespace hivewatch {

// One thread that runs jobs in the order they were posted: the one way a job gets a thread of
// its own (issue 18 item 5). start() runs it, cancel() drops what has not started and calls the
// job's interrupt hook (e.g. sqlite3_interrupt) so the running one ends soon, shutdown() lets the
// queue run dry and joins. Whatever a job touches (a SQLite connection) belongs to this thread:
// create it with the first job and drop it with the last.
class WorkerThread
{
public:
    explicit WorkerThread(QString name);
    // shutdown()
    ~WorkerThread();
    WorkerThread(const WorkerThread &) = delete;
    WorkerThread &operator=(const WorkerThread &) = delete;

    void start();
    // Runs `job` on the thread after the jobs posted before it. Ignored after shutdown().
    void post(std::function<void()> job);
    // Runs `job` on the thread and waits for its result. Inline when called on the thread, or
    // when it is not running (not started, or shut down): then nothing else runs jobs.
    template<typename Job> auto call(Job &&job) -> std::invoke_result_t<Job>
    {
        using R = std::invoke_result_t<Job>;
        if (isCurrentThread() || !isAccepting())
            return job();
        std::packaged_task<R()> task(std::forward<Job>(job));
        std::future<R> result = task.get_future();
        post([&task] { task(); });
        return result.get();
    }
    // Blocks until every job posted so far has run.
    void wait();
    // Drops the jobs not started yet and calls `interrupt` (on the caller's thread) so that the
    // running one can end early; jobs posted afterwards run as usual.
    void cancel(const std::function<void()> &interrupt = {});
    // Runs what is queued, then ends the thread. The owner's cleanup may follow through call()
    // only before this.
    void shutdown();
    bool isCurrentThread() const { return std::this_thread::get_id() == m_id; }

private:
    bool isAccepting();
    void loop();

    QString m_name;
    std::thread m_thread;
    std::thread::id m_id;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_idle;
    std::deque<std::function<void()>> m_jobs;
    bool m_busy = false;
    bool m_stop = false;
};

} // namespace hivewatch
