#include "HiveTables.h"

namespace HiveTables {

QStringList rowModelShapes()
{
    return {SharedTasks, Nodes, NodeTaskAssignments, NodeTaskProgressEvents};
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
