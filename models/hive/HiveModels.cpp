#include "models/hive/HiveModels.h"

#include "domain/HiveTables.h"
#include "models/hive/AssignmentModel.h"
#include "models/hive/NodeModel.h"
#include "models/hive/NodeProjectModel.h"
#include "models/hive/ProgressEventModel.h"
#include "models/hive/ProjectModel.h"
#include "models/hive/ShapeStatusModel.h"
#include "models/hive/TaskModel.h"

namespace hivewatch {

HiveModels::HiveModels(QObject *parent)
    : QObject(parent)
    , m_tasks(new TaskModel(this))
    , m_nodes(new NodeModel(this))
    , m_assignments(new AssignmentModel(this))
    , m_events(new ProgressEventModel(this))
    , m_statuses(new ShapeStatusModel(this))
    , m_projects(new ProjectModel(this))
    , m_nodeProjects(new NodeProjectModel(this))
{
    m_tasks->setProjectModel(m_projects);
    m_tasks->setAssignmentModel(m_assignments, m_nodes);
    m_tasks->setProgressEventModel(m_events);
    m_assignments->setTaskModel(m_tasks);
    m_assignments->setNodeModel(m_nodes);
    m_nodes->setAssignmentModel(m_assignments);
    m_events->setAssignmentModel(m_assignments);
}

QStringList HiveModels::tables()
{
    return HiveTables::rowModelShapes();
}

KeyedTableModel *HiveModels::modelFor(const QString &shapeName) const
{
    if (shapeName == HiveTables::Projects)
        return m_projects;
    if (shapeName == HiveTables::NodeProjects)
        return m_nodeProjects;
    if (shapeName == HiveTables::SharedTasks)
        return m_tasks;
    if (shapeName == HiveTables::Nodes)
        return m_nodes;
    if (shapeName == HiveTables::NodeTaskAssignments)
        return m_assignments;
    if (shapeName == HiveTables::NodeTaskProgressEvents)
        return m_events;
    return nullptr;
}

void HiveModels::applyBatch(const ShapeBatch &batch)
{
    if (KeyedTableModel *model = modelFor(batch.shapeName))
        model->applyBatch(batch);
}

void HiveModels::expectRows(const QString &shapeName, qsizetype changes)
{
    if (KeyedTableModel *model = modelFor(shapeName))
        model->reserve(model->rowCount() + changes);
}

void HiveModels::clearShape(const QString &shapeName)
{
    if (KeyedTableModel *model = modelFor(shapeName))
        model->clear();
    m_statuses->removeShape(shapeName);
}

} // namespace hivewatch
