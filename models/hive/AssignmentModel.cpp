#include "models/hive/AssignmentModel.h"

#include "models/hive/HiveRoles.h"
#include "models/hive/HiveValues.h"
#include "models/hive/NodeModel.h"
#include "models/hive/TaskModel.h"

#include <QBrush>
#include <QColor>

#include <algorithm>

namespace hivewatch {

AssignmentModel::AssignmentModel(QObject *parent)
    : KeyedTableModel({{QStringLiteral("id"), FieldType::Text},
                       {QStringLiteral("task_id"), FieldType::Text},
                       {QStringLiteral("node_id"), FieldType::Symbol},
                       {QStringLiteral("execution_status"), FieldType::Symbol},
                       {QStringLiteral("assigned_at"), FieldType::DateTime},
                       {QStringLiteral("started_at"), FieldType::DateTime},
                       {QStringLiteral("completed_at"), FieldType::DateTime},
                       {QStringLiteral("node_project_id"), FieldType::Symbol}},
                      parent)
{
    m_resolveTimer.setSingleShot(true);
    m_resolveTimer.setInterval(250);
    connect(&m_resolveTimer, &QTimer::timeout, this, &AssignmentModel::announceResolvedColumns);
    connect(this, &KeyedTableModel::batchApplied, this, [this] {
        // Progress events name their assignment: let them re-read it (throttled like names).
        if (!m_resolveTimer.isActive())
            m_resolveTimer.start();
        if (m_touchedNodes.isEmpty())
            return;
        const QStringList nodes(m_touchedNodes.cbegin(), m_touchedNodes.cend());
        m_touchedNodes.clear();
        emit activeAssignmentsChanged(nodes);
    });
}

int AssignmentModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

void AssignmentModel::setTaskModel(const TaskModel *tasks)
{
    m_tasks = tasks;
    connect(tasks, &KeyedTableModel::batchApplied, this, [this] { refreshResolvedColumn(Task); });
}

void AssignmentModel::setNodeModel(const NodeModel *nodes)
{
    m_nodes = nodes;
    connect(nodes, &KeyedTableModel::batchApplied, this, [this] { refreshResolvedColumn(Node); });
}

void AssignmentModel::refreshResolvedColumn(int column)
{
    // Names live in other shapes that may arrive before or after this one. Re-announcing a whole
    // column makes every proxy re-check every row, so during an initial sync (a batch per frame)
    // it is done at most a few times a second.
    m_staleColumns.insert(column);
    if (!m_resolveTimer.isActive())
        m_resolveTimer.start();
}

void AssignmentModel::announceResolvedColumns()
{
    m_resolveTimer.stop();
    const QSet<int> columns = std::exchange(m_staleColumns, {});
    if (rowCount() > 0) {
        for (int column : columns)
            emit dataChanged(index(0, column), index(rowCount() - 1, column),
                             {Qt::DisplayRole, HiveRoles::SortRole});
    }
    emit namesResolved();
}

QStringList AssignmentModel::assignmentIdsForNode(const QString &nodeId) const
{
    QStringList ids;
    for (int row = 0; row < rowCount(); ++row) {
        if (field(row, FNodeId).toString() == nodeId)
            ids.append(field(row, FId).toString());
    }
    return ids;
}

QStringList AssignmentModel::activeAssignmentIdsOnNodes(const QSet<QString> &nodeIds) const
{
    QStringList ids;
    if (nodeIds.isEmpty())
        return ids;
    for (const QString &id : m_activeByTask) {
        const int row = rowForId(id);
        if (row >= 0 && nodeIds.contains(field(row, FNodeId).toString()))
            ids.append(id);
    }
    ids.sort();
    return ids;
}

QStringList AssignmentModel::assignmentIdsForTask(const QString &taskId) const
{
    QList<int> rows;
    for (int row = 0; row < rowCount(); ++row) {
        if (field(row, FTaskId).toString() == taskId)
            rows.append(row);
    }
    std::sort(rows.begin(), rows.end(), [this](int a, int b) {
        return field(a, FAssigned).toDateTime() > field(b, FAssigned).toDateTime();
    });
    QStringList ids;
    for (int row : std::as_const(rows))
        ids.append(field(row, FId).toString());
    return ids;
}

QString AssignmentModel::taskTitle(int row) const
{
    const QString id = field(row, FTaskId).toString();
    const QString title = m_tasks ? m_tasks->titleForId(id) : QString();
    return title.isEmpty() ? id.left(8) : title;
}

QString AssignmentModel::nodeName(int row) const
{
    const QString id = field(row, FNodeId).toString();
    const QString name = m_nodes ? m_nodes->nameForId(id) : QString();
    return name.isEmpty() ? id.left(8) : name;
}

QString AssignmentModel::describe(const QString &assignmentId) const
{
    const int row = rowForId(assignmentId);
    if (row < 0)
        return assignmentId.left(8);
    const QString taskId = field(row, FTaskId).toString();
    const QString nodeId = field(row, FNodeId).toString();
    return describe(taskId, m_tasks ? m_tasks->titleForId(taskId) : QString(), nodeId,
                    m_nodes ? m_nodes->nameForId(nodeId) : QString());
}

QString AssignmentModel::describe(const QString &taskId, const QString &taskTitle,
                                  const QString &nodeId, const QString &nodeName)
{
    return QStringLiteral("%1 (%2)").arg(taskTitle.isEmpty() ? taskId.left(8) : taskTitle,
                                         nodeName.isEmpty() ? nodeId.left(8) : nodeName);
}

QVariant AssignmentModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Values &v = rowValues(index.row());
    // Roles proxies ask of every row first, before the status lookup.
    switch (role) {
    case HiveRoles::HiddenRole:
        return false;
    case HiveRoles::IdRole:
        return v.at(FId);
    case HiveRoles::ForeignIdRole:
        return v.at(FNodeId);
    }
    const HiveValues::Status status = HiveValues::assignmentStatus(v.at(FStatus));
    auto time = [&](int f) {
        return HiveValues::displayTime(v.at(f).toDateTime());
    };
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Task:
            return taskTitle(index.row());
        case Node:
            return nodeName(index.row());
        case Status:
            return status.label;
        case Assigned:
            return time(FAssigned);
        case Started:
            return time(FStarted);
        case Completed:
            return time(FCompleted);
        }
        break;
    case Qt::ToolTipRole:
        if (!status.known)
            return tr("Status \"%1\" is not one of the hive's execution statuses")
                .arg(status.canonical);
        break;
    case Qt::BackgroundRole:
        if (!status.known)
            return QBrush(QColor(255, 214, 153));
        break;
    case HiveRoles::SortRole:
        switch (index.column()) {
        case Assigned:
            return v.at(FAssigned);
        case Started:
            return v.at(FStarted);
        case Completed:
            return v.at(FCompleted);
        }
        return data(index, Qt::DisplayRole);
    case HiveRoles::StatusRole:
        return status.canonical;
    case HiveRoles::UnknownStatusRole:
        return !status.known;
    }
    return {};
}

QVariant AssignmentModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Task:
        return tr("Task");
    case Node:
        return tr("Node");
    case Status:
        return tr("Status");
    case Assigned:
        return tr("Assigned");
    case Started:
        return tr("Started");
    case Completed:
        return tr("Completed");
    }
    return {};
}

void AssignmentModel::rowChanged(const Values *before, const Values *after)
{
    auto count = [this](const Values &values, int delta) {
        if (!values.at(FCompleted).isNull())
            return;
        const QString task = values.at(FTaskId).toString();
        if (delta > 0)
            m_activeByTask.insert(task, values.at(FId).toString());
        else if (m_activeByTask.value(task) == values.at(FId).toString())
            m_activeByTask.remove(task);
        const QString node = values.at(FNodeId).toString();
        int &n = m_activeByNode[node];
        n += delta;
        if (n == 0)
            m_activeByNode.remove(node);
        m_touchedNodes.insert(node);
    };
    if (before)
        count(*before, -1);
    if (after)
        count(*after, +1);
}

void AssignmentModel::reserveDerived(qsizetype rows)
{
    // Most of a hive's assignments can be active at once: at 50k the doubling from 32k buckets
    // took ~25 ms of one snapshot slice on the GUI thread.
    m_activeByTask.reserve(rows);
}

void AssignmentModel::rowsCleared()
{
    for (auto it = m_activeByNode.cbegin(); it != m_activeByNode.cend(); ++it)
        m_touchedNodes.insert(it.key());
    m_activeByNode.clear();
    m_activeByTask.clear();
}

} // namespace hivewatch
