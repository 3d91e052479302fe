#pragma once

#include "sync/shape/ShapeMessage.h"
#include "sync/store/LogStore.h"

#include <optional>

namespace hivewatch {

// How a row of the hive's execution-log table (node_task_output_logs) becomes a log line of the
// local store (docs/hive-schema.md §1.7 and §3.1).

// The line a row holds, or nullopt when it lacks what log_entries needs (its id, an execution:
// execution_process_id, else assignment_id). An output type outside the node's set becomes
// `system`, as the node's from_remote_str does; timestamps become the node's
// "YYYY-MM-DD HH:MM:SS.sss". shapeRow holds the columns the line cannot give back exactly
// (derivedColumns names the others), so the content is stored once. When the key is keyPrefix
// followed by the quoted id, shapeKey is left empty: shapeLogKey() gives it back.
std::optional<SyncedLogLine> shapeLogLine(const QString &key, const RawRow &row,
                                          const QByteArray &keyPrefix = {});
// What Electric puts before the quoted id in the keys of this row's relation
// ("\"public\".\"node_task_output_logs\"/"), or empty when the key has another form.
QByteArray shapeLogKeyPrefix(const QString &key, const RawRow &row);
// The shape row of a stored line: shapeRow plus the derived columns, rebuilt exactly.
Result<RawRow> shapeLogRow(const SyncedLogLine &line);
// The hive row id of a change (Electric always sends the primary key), or nullopt.
std::optional<qint64> shapeLogSourceId(const RawRow &row);
// The id N when key is exactly keyPrefix + "N" (N as QByteArray::number prints it): the only
// key a log_entries line with source_id N may stand for. nullopt for any other key.
std::optional<qint64> shapeLogKeyId(QByteArrayView key, const QByteArray &keyPrefix);

} // namespace hivewatch
