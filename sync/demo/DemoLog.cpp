#include "sync/demo/DemoLog.h"

namespace hivewatch {

Q_LOGGING_CATEGORY(lcDemo, "hivewatch.demo")

} // namespace hivewatch
