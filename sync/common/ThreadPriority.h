#pragma once

namespace hivewatch {

// Background work in the dashboard runs at nice 10 so that the GUI thread wins every contest for
// a core: on a busy two-core machine a worker at the same priority delays the next frame by a
// whole scheduler slice (docs/benchmarks.md, "Dashboard"). QThread priorities do nothing under
// Linux's default scheduler; a nice value does, per thread, and threads a thread starts inherit it.
namespace ThreadPriority {

// The calling thread from now on (Linux; elsewhere nothing).
void lowerCurrent();
// Whether every WorkerThread started from now on lowers itself. The dashboard sets it before it
// starts any; hivectl does not: there the writer's thread is the critical path of a sync.
void setWorkersInBackground(bool background);
bool workersInBackground();

} // namespace ThreadPriority

} // namespace hivewatch
