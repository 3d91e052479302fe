#include "models/hive/TaskBoardProxy.h"

#include "models/hive/TaskModel.h"

namespace hivewatch {

TaskBoardProxy::TaskBoardProxy(const TaskModel *tasks, QObject *parent)
    : HiveFilterProxy(parent)
    , m_tasks(tasks)
{
}

void TaskBoardProxy::setProjectFilter(const QSet<QString> &projectIds)
{
    if (projectIds == m_projects)
        return;
    m_projects = projectIds;
    invalidateFilter();
}

void TaskBoardProxy::setNodeFilter(const QSet<QString> &nodeIds)
{
    if (nodeIds == m_nodes)
        return;
    m_nodes = nodeIds;
    invalidateFilter();
}

bool TaskBoardProxy::passesChips(int sourceRow) const
{
    if (!m_projects.isEmpty()
        && !m_projects.contains(m_tasks->field(sourceRow, TaskModel::FProject).toString()))
        return false;
    if (!m_nodes.isEmpty() && !m_nodes.contains(m_tasks->runningOnNodeId(sourceRow)))
        return false;
    return true;
}

bool TaskBoardProxy::filterAcceptsRow(int sourceRow) const
{
    return passesChips(sourceRow) && HiveFilterProxy::filterAcceptsRow(sourceRow);
}

bool TaskBoardProxy::filterMayChange(int firstColumn, int lastColumn, const QList<int> &roles) const
{
    // The node running a task changes with its assignments, announced on the RunningOn column.
    if ((!m_nodes.isEmpty() || !m_projects.isEmpty()) && firstColumn <= TaskModel::RunningOn
        && lastColumn >= TaskModel::Project)
        return true;
    return HiveFilterProxy::filterMayChange(firstColumn, lastColumn, roles);
}

} // namespace hivewatch
