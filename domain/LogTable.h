#pragma once

#include "domain/HiveTables.h"
#include "domain/StatusVocabularies.h"

#include <QByteArrayList>
#include <QByteArrayView>
#include <QLatin1StringView>
#include <QString>
#include <QStringView>

namespace hivewatch {

// The log shape's identity: the hive's execution-log table, the columns a log line is read
// from, and the node's output types (docs/hive-schema.md §1.7, §3.1). The output types are
// spelled once, in the LogOutputType vocabulary (StatusVocabularies); these read from it.
namespace LogTable {

inline constexpr QLatin1StringView Name = HiveTables::NodeTaskOutputLogs;
// The primary key: Electric's row keys end in it, and the local store keeps it as source_id.
inline constexpr QLatin1StringView KeyColumn {"id"};
inline constexpr QLatin1StringView ExecutionProcessIdColumn {"execution_process_id"};
inline constexpr QLatin1StringView AssignmentIdColumn {"assignment_id"};
inline constexpr QLatin1StringView OutputTypeColumn {"output_type"};
inline constexpr QLatin1StringView ContentColumn {"content"};
inline constexpr QLatin1StringView TimestampColumn {"timestamp"};
// The node's own table the lines land in, locally as on a node.
inline constexpr QLatin1StringView LocalTable {"log_entries"};

// Whether a shape's `table` (`name`, `schema.name` or a quoted identifier, as Postgres reads
// them: unquoted names fold to lower case) names the log table.
bool isNamedBy(const QString &table);

// The node's output types in canonical spelling, in LogOutputType order.
const QByteArrayList &outputTypes();
// The canonical spelling of `type` as a static C string (for binding without a copy), or
// nullptr when it is not one of the node's types. Exact match, as the node's CHECK.
const char *outputTypeName(QByteArrayView type);
const char *outputTypeName(QStringView type);
const char *outputTypeName(LogOutputType type);
// What an unknown type becomes when a line must be stored (the node's from_remote_str).
const char *fallbackOutputType();
// "'stdout', 'stderr', …" for an SQL CHECK (… IN (…)).
QString outputTypeSqlList();
// "'stderr'": the one spelling the store's CHECK lets a stderr line have.
QString stderrSqlLiteral();

} // namespace LogTable

} // namespace hivewatch
