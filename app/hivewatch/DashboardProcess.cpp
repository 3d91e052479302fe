#include "app/hivewatch/DashboardProcess.h"

#include "sync/common/ThreadPriority.h"
#include "sync/sqlite/SqliteConnection.h"

namespace hivewatch {

namespace DashboardProcess {

void prepare()
{
    SqliteConnection::skipMemoryStatistics();
    ThreadPriority::setWorkersInBackground(true);
}

} // namespace DashboardProcess

} // namespace hivewatch
