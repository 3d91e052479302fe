#include "ui/UiLog.h"

namespace hivewatch {

Q_LOGGING_CATEGORY(lcUi, "hivewatch.ui")

} // namespace hivewatch
