#pragma once

#include "sync/shape/ShapeRowSink.h"

namespace hivewatch {

// Where the hive's shapes keep their rows: the log table's in log_entries (LogShapeSink), every
// other table's in the store's shape_rows. Hand it to ShapeClient or ShapeWorker::setRowSinks.
ShapeRowSinkFactory hiveShapeRowSinks();

} // namespace hivewatch
