#include "DemoLog.h"

Q_LOGGING_CATEGORY(lcDemo, "hivewatch.demo")
