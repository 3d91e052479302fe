#include "PgLog.h"

Q_LOGGING_CATEGORY(lcPg, "hivewatch.pg")
