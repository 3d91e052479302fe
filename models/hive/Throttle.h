#pragma once

#include <QElapsedTimer>
#include <QTimer>
#include <functional>

namespace hivewatch {

// Runs a job at most once per interval, and on the next event-loop turn when it has not run for
// a whole interval. A trailing-edge debounce would delay every change by the interval; this way a
// lone change (a node going stale, a batch after a quiet spell) shows at once, and a burst of
// changes still costs one run per interval.
class Throttle
{
public:
    Throttle(int intervalMs, std::function<void()> job);

    void request();
    // The job is about to run by other means (or now): a pending run is dropped, and the next
    // request counts its interval from here.
    void ran();
    bool isPending() const { return m_timer.isActive(); }

private:
    QTimer m_timer;
    QElapsedTimer m_sinceRun;
    int m_intervalMs;
};

} // namespace hivewatch
