#include "domain/HiveTables.h"

namespace hivewatch {

namespace HiveTables {

QStringList rowModelShapes()
{
    // Projects and node_projects first: they are small, and the names they carry are there by
    // the time the tasks that refer to them arrive.
    return {Projects, NodeProjects,        SharedTasks,
            Nodes,    NodeTaskAssignments, NodeTaskProgressEvents};
}

QStringList dashboardShapes()
{
    return rowModelShapes() << QString(NodeTaskOutputLogs);
}

QStringList publishedTables()
{
    // In the order the hive's Electric migration adds them (docs/hive-schema.md §1.11).
    QStringList tables;
    tables << Projects << SharedTasks << Nodes << NodeProjects << NodeTaskAssignments
           << NodeTaskOutputLogs << NodeTaskProgressEvents;
    return tables;
}

} // namespace HiveTables

} // namespace hivewatch
