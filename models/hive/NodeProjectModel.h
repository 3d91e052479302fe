#pragma once

#include "models/hive/KeyedTableModel.h"

namespace hivewatch {

// node_projects: which node hosts which project, and where (repository path, default branch).
// The row an assignment's node_project_id points at.
class NodeProjectModel : public KeyedTableModel
{
    Q_OBJECT
public:
    enum Column { Node, Project, RepoPath, Branch, SyncStatus, ColumnCount };
    enum FieldIndex { FId, FNodeId, FProjectId, FRepoPath, FBranch, FSyncStatus };

    explicit NodeProjectModel(QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    // "main @ /srv/repos/app" for the detail views; empty when the row is unknown.
    QString describe(const QString &nodeProjectId) const;
};

} // namespace hivewatch
