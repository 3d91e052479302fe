#pragma once

#include <QString>

namespace hivewatch {

// The bare table name as Postgres sees it: `public."node_task_output_logs"` and
// `Node_Task_Output_Logs` both name node_task_output_logs (unquoted identifiers fold to lower
// case). What a shape's configured table is compared with.
QString bareTableName(const QString &table);

} // namespace hivewatch
