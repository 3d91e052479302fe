#include "sync/pg/PgLog.h"

namespace hivewatch {

Q_LOGGING_CATEGORY(lcPg, "hivewatch.pg")

} // namespace hivewatch
