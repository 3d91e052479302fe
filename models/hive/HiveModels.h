#pragma once

#include "sync/shape/ShapeBatch.h"

#include <QObject>

namespace hivewatch {

class AssignmentModel;
class KeyedTableModel;
class NodeModel;
class NodeProjectModel;
class ProjectModel;
class ProgressEventModel;
class ShapeStatusModel;
class TaskModel;

// The hive's models, wired to each other (tasks resolve project names and the node running them,
// assignments resolve task titles and node names, nodes
// count active assignments, events name their assignment), and the routing of shape batches to
// them by table name. Batches of other shapes (execution logs) are not theirs and are ignored.
class HiveModels : public QObject
{
    Q_OBJECT
public:
    explicit HiveModels(QObject *parent = nullptr);

    TaskModel *tasks() const { return m_tasks; }
    NodeModel *nodes() const { return m_nodes; }
    AssignmentModel *assignments() const { return m_assignments; }
    ProgressEventModel *progressEvents() const { return m_events; }
    ShapeStatusModel *shapeStatuses() const { return m_statuses; }
    ProjectModel *projects() const { return m_projects; }
    NodeProjectModel *nodeProjects() const { return m_nodeProjects; }

    // The tables these models show; in Hivewatch a shape is named after its table.
    static QStringList tables();
    // Empties the model fed by `shapeName` (the shape was dropped from the connection).
    void clearShape(const QString &shapeName);

public slots:
    void applyBatch(const ShapeBatch &batch);
    // `changes` more rows are on their way to the model of `shapeName` (a sliced snapshot).
    void expectRows(const QString &shapeName, qsizetype changes);

private:
    KeyedTableModel *modelFor(const QString &shapeName) const;

    TaskModel *m_tasks;
    NodeModel *m_nodes;
    AssignmentModel *m_assignments;
    ProgressEventModel *m_events;
    ShapeStatusModel *m_statuses;
    ProjectModel *m_projects;
    NodeProjectModel *m_nodeProjects;
};

} // namespace hivewatch
