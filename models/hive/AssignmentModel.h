#pragma once

#include "models/hive/KeyedTableModel.h"

#include <QHash>
#include <QSet>
#include <QTimer>

namespace hivewatch {

class NodeModel;
class TaskModel;

// node_task_assignments, with the task title and node name resolved through the other models.
// An assignment is active while completed_at is NULL (the hive's unique index relies on that).
class AssignmentModel : public KeyedTableModel
{
    Q_OBJECT
public:
    enum Column { Task, Node, Status, Assigned, Started, Completed, ColumnCount };
    enum FieldIndex {
        FId,
        FTaskId,
        FNodeId,
        FStatus,
        FAssigned,
        FStarted,
        FCompleted,
        FNodeProjectId
    };

    explicit AssignmentModel(QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    void setTaskModel(const TaskModel *tasks);
    void setNodeModel(const NodeModel *nodes);
    int activeCountForNode(const QString &nodeId) const { return m_activeByNode.value(nodeId); }
    QStringList assignmentIdsForNode(const QString &nodeId) const;
    // The active assignments (completed_at NULL) on any of `nodeIds`, sorted: one pass over the
    // active ones rather than a scan of every assignment per node, since the Overview asks
    // several times a second while 50k assignments sync.
    QStringList activeAssignmentIdsOnNodes(const QSet<QString> &nodeIds) const;
    // Every active assignment (one per task at most), unordered.
    QList<QString> activeAssignmentIds() const { return m_activeByTask.values(); }
    // The task's assignment with completed_at NULL (the hive keeps at most one), or empty.
    QString activeAssignmentForTask(const QString &taskId) const
    {
        return m_activeByTask.value(taskId);
    }
    // Every assignment of the task, most recently assigned first.
    QStringList assignmentIdsForTask(const QString &taskId) const;
    QString taskTitle(int row) const;
    QString nodeName(int row) const;
    // "Fix login (node-a)": how other views name an assignment.
    QString describe(const QString &assignmentId) const;
    // The same from copies of the rows, for work off the GUI thread (an empty title or name
    // falls back to the id's first characters, as the columns do).
    static QString describe(const QString &taskId, const QString &taskTitle, const QString &nodeId,
                            const QString &nodeName);

    // Announces task titles and node names that changed since the last call now rather than
    // at the next throttled refresh (tests, screenshots).
    void announceResolvedColumns();

signals:
    void activeAssignmentsChanged(const QStringList &nodeIds);
    // At most a few times a second after assignments, task titles or node names changed: what
    // describe() returns may have changed.
    void namesResolved();

protected:
    void rowChanged(const Values *before, const Values *after) override;
    void reserveDerived(qsizetype rows) override;
    void rowsCleared() override;

private:
    void refreshResolvedColumn(int column);

    const TaskModel *m_tasks = nullptr;
    const NodeModel *m_nodes = nullptr;
    QHash<QString, int> m_activeByNode;
    QHash<QString, QString> m_activeByTask; // task id → active assignment id
    QSet<QString> m_touchedNodes;
    QSet<int> m_staleColumns;
    QTimer m_resolveTimer;
};

} // namespace hivewatch
