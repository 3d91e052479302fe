#pragma once

class QThreadPool;

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

// The pool for the product's own short background jobs (the alert rules, freeing applied
// batches); each job lowers its thread (lowerCurrent). Never Qt's global pool: Qt 6.4's raster
// engine splits every large fill across QThreadPool::globalInstance() and the GUI thread sleeps
// until the parts are done (QT_THREAD_PARALLEL_FILLS in qdrawhelper.cpp), so a global pool lowered
// to nice 10, or busy with our jobs, put the GUI thread to sleep for 100-240 ms in a paint
// (docs/benchmarks.md, "Start-up and Qt's parallel fills").
QThreadPool *backgroundPool();

} // namespace ThreadPriority

} // namespace hivewatch
