#include "LegacyLog.h"

Q_LOGGING_CATEGORY(lcLegacy, "hivewatch.legacy")
