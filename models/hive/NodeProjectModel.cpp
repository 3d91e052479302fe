#include "models/hive/NodeProjectModel.h"

#include "models/hive/HiveRoles.h"

namespace hivewatch {

NodeProjectModel::NodeProjectModel(QObject *parent)
    : KeyedTableModel({{QStringLiteral("id"), FieldType::Text},
                       {QStringLiteral("node_id"), FieldType::Symbol},
                       {QStringLiteral("project_id"), FieldType::Text},
                       {QStringLiteral("git_repo_path"), FieldType::Text},
                       {QStringLiteral("default_branch"), FieldType::Symbol},
                       {QStringLiteral("sync_status"), FieldType::Symbol}},
                      parent)
{
}

int NodeProjectModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString NodeProjectModel::describe(const QString &nodeProjectId) const
{
    const int row = rowForId(nodeProjectId);
    if (row < 0)
        return {};
    return QStringLiteral("%1 @ %2").arg(field(row, FBranch).toString(),
                                         field(row, FRepoPath).toString());
}

QVariant NodeProjectModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Values &v = rowValues(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case HiveRoles::SortRole:
        switch (index.column()) {
        case Node:
            return v.at(FNodeId);
        case Project:
            return v.at(FProjectId);
        case RepoPath:
            return v.at(FRepoPath);
        case Branch:
            return v.at(FBranch);
        case SyncStatus:
            return v.at(FSyncStatus);
        }
        break;
    case HiveRoles::IdRole:
        return v.at(FId);
    case HiveRoles::ForeignIdRole:
        return v.at(FNodeId);
    case HiveRoles::HiddenRole:
        return false;
    }
    return {};
}

QVariant NodeProjectModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Node:
        return tr("Node");
    case Project:
        return tr("Project");
    case RepoPath:
        return tr("Repository");
    case Branch:
        return tr("Branch");
    case SyncStatus:
        return tr("Sync status");
    }
    return {};
}

} // namespace hivewatch
