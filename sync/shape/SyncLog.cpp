#include "sync/shape/SyncLog.h"

namespace hivewatch {

Q_LOGGING_CATEGORY(lcSync, "hivewatch.sync")

} // namespace hivewatch
