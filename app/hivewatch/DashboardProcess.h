#pragma once

namespace hivewatch {

// What the dashboard's process sets before it starts any thread or opens any connection:
// called first in main(), and by the benches and tests that run the Dashboard as the app does.
namespace DashboardProcess {

// SQLite without its memory statistics (one process-wide mutex on every allocation, shared by
// the writer, the index builder and a log search's two counting threads), and every worker
// thread below the GUI thread's priority (ThreadPriority).
void prepare();

} // namespace DashboardProcess

} // namespace hivewatch
