#pragma once

#include "models/hive/KeyedTableModel.h"

#include <QHash>
#include <QTimer>
#include <QUrl>

namespace hivewatch {

class AssignmentModel;
class NodeModel;
class ProgressEventModel;
class ProjectModel;

// shared_tasks. Soft-deleted and archived rows stay in the model (HiddenRole) and are hidden by
// TaskFilterProxy; a status outside the vocabulary is kept and flagged, never dropped. The project
// is shown by name and "Running on" names the node of the task's active assignment, both resolved
// through the other models (the id, with a tooltip, until the name is known).
class TaskModel : public KeyedTableModel
{
    Q_OBJECT
public:
    enum Column { Title, Status, Project, RunningOn, Assignee, Version, Updated, ColumnCount };
    enum FieldIndex {
        FId,
        FTitle,
        FStatus,
        FProject,
        FAssignee,
        FVersion,
        FUpdated,
        FDeleted,
        FArchived,
        FDescription,
        FCreated
    };

    explicit TaskModel(QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // Visible (not deleted, not archived) tasks per status: keyed by canonical status
    // ("in-progress"), and by "unknown: <raw>" for each unknown value seen.
    QHash<QString, int> statusCounts() const { return m_counts; }
    QString titleForId(const QString &id) const;

    void setProjectModel(const ProjectModel *projects);
    void setAssignmentModel(const AssignmentModel *assignments, const NodeModel *nodes);
    // The project's name, or empty while the projects shape has not named it.
    QString projectName(int row) const;
    // The node running the task (its active assignment's node), or empty.
    QString runningOnNodeId(int row) const;
    QString runningOnName(int row) const;
    void setProgressEventModel(const ProgressEventModel *events);
    // The task's pull request: that of its newest assignment whose events name one.
    QUrl pullRequest(int row) const;

signals:
    void statusCountsChanged();

protected:
    void rowChanged(const Values *before, const Values *after) override;
    void rowsCleared() override;

private:
    void count(const Values &values, int delta);

    void refreshResolvedColumns();

    const ProjectModel *m_projects = nullptr;
    const AssignmentModel *m_assignments = nullptr;
    const NodeModel *m_nodes = nullptr;
    const ProgressEventModel *m_events = nullptr;
    // Task id → the PR of its newest assignment naming one; rebuilt on first use after an
    // assignment or event batch.
    mutable QHash<QString, QUrl> m_pullRequests;
    mutable bool m_pullRequestsStale = true;
    QHash<QString, int> m_counts;
    bool m_countsDirty = false;
    QTimer m_resolveTimer;
};

} // namespace hivewatch
