#include "ServerLog.h"

Q_LOGGING_CATEGORY(lcShapeServer, "hivewatch.shapeserver")
