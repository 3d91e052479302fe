#include "models/ModelsLog.h"

namespace hivewatch {

Q_LOGGING_CATEGORY(lcModels, "hivewatch.models")

} // namespace hivewatch
