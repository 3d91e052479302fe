#pragma once

#include <QLatin1StringView>
#include <QStringList>

namespace hivewatch {

// The hive's Postgres tables the app reads, as the hive spells them (docs/hive-schema.md §1).
// Every layer names a table through these, so a renamed or added table is one edit here.
namespace HiveTables {

inline constexpr QLatin1StringView Projects {"projects"};
inline constexpr QLatin1StringView SharedTasks {"shared_tasks"};
inline constexpr QLatin1StringView Nodes {"nodes"};
inline constexpr QLatin1StringView NodeProjects {"node_projects"};
inline constexpr QLatin1StringView NodeTaskAssignments {"node_task_assignments"};
inline constexpr QLatin1StringView NodeTaskProgressEvents {"node_task_progress_events"};
// The execution log; its identity (key, columns) is LogTable's.
inline constexpr QLatin1StringView NodeTaskOutputLogs {"node_task_output_logs"};

// What the dashboard syncs as shapes, in the order it lists them: the row tables, then the log.
QStringList dashboardShapes();
// The shapes whose rows the hive models hold in memory (the log is paged from the store).
QStringList rowModelShapes();
// What the Electric publication must hold for the dashboard: its shapes plus the tables they
// refer to (projects, node_projects).
QStringList publishedTables();

} // namespace HiveTables

} // namespace hivewatch
