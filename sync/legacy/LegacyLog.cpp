#include "sync/legacy/LegacyLog.h"

namespace hivewatch {

Q_LOGGING_CATEGORY(lcLegacy, "hivewatch.legacy")

} // namespace hivewatch
