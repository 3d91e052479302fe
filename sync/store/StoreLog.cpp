#include "sync/store/StoreLog.h"

namespace hivewatch {

Q_LOGGING_CATEGORY(lcStore, "hivewatch.store")

} // namespace hivewatch
