#include "tools/shape-server/ServerLog.h"

Q_LOGGING_CATEGORY(lcShapeServer, "hivewatch.shapeserver")
