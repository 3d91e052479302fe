#include "models/hive/TaskModel.h"

#include "models/hive/AssignmentModel.h"
#include "models/hive/HiveRoles.h"
#include "models/hive/HiveValues.h"
#include "models/hive/NodeModel.h"
#include "models/hive/ProgressEventModel.h"
#include "models/hive/ProjectModel.h"

#include <QBrush>
#include <QColor>

namespace hivewatch {

namespace {
bool isHidden(const KeyedTableModel::Values &values)
{
    return !values.at(TaskModel::FDeleted).isNull() || !values.at(TaskModel::FArchived).isNull();
}
} // namespace

TaskModel::TaskModel(QObject *parent)
    : KeyedTableModel({{QStringLiteral("id"), FieldType::Text},
                       {QStringLiteral("title"), FieldType::Text},
                       {QStringLiteral("status"), FieldType::Symbol},
                       {QStringLiteral("project_id"), FieldType::Symbol},
                       {QStringLiteral("assignee_user_id"), FieldType::Symbol},
                       {QStringLiteral("version"), FieldType::Raw},
                       {QStringLiteral("updated_at"), FieldType::DateTime},
                       {QStringLiteral("deleted_at"), FieldType::DateTime},
                       {QStringLiteral("archived_at"), FieldType::DateTime},
                       {QStringLiteral("description"), FieldType::Text},
                       {QStringLiteral("created_at"), FieldType::DateTime}},
                      parent)
{
    // Names live in other shapes that arrive before or after this one; re-announcing the two
    // columns makes proxies re-read every row, so it happens at most a few times a second.
    m_resolveTimer.setSingleShot(true);
    m_resolveTimer.setInterval(250);
    connect(&m_resolveTimer, &QTimer::timeout, this, [this] {
        if (rowCount() > 0)
            emit dataChanged(index(0, Project), index(rowCount() - 1, RunningOn),
                             {Qt::DisplayRole, Qt::ToolTipRole, HiveRoles::SortRole});
    });
    connect(this, &KeyedTableModel::batchApplied, this, [this] {
        if (m_countsDirty) {
            m_countsDirty = false;
            emit statusCountsChanged();
        }
    });
}

int TaskModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString TaskModel::titleForId(const QString &id) const
{
    const int row = rowForId(id);
    return row < 0 ? QString() : field(row, FTitle).toString();
}

void TaskModel::setProjectModel(const ProjectModel *projects)
{
    m_projects = projects;
    connect(projects, &KeyedTableModel::batchApplied, this, &TaskModel::refreshResolvedColumns);
}

void TaskModel::setAssignmentModel(const AssignmentModel *assignments, const NodeModel *nodes)
{
    m_assignments = assignments;
    m_nodes = nodes;
    connect(assignments, &KeyedTableModel::batchApplied, this,
            [this] { m_pullRequestsStale = true; });
    // Throttled by AssignmentModel: after its batches and after node names changed.
    connect(assignments, &AssignmentModel::namesResolved, this, &TaskModel::refreshResolvedColumns);
}

void TaskModel::refreshResolvedColumns()
{
    if (!m_resolveTimer.isActive())
        m_resolveTimer.start();
}

QString TaskModel::projectName(int row) const
{
    return m_projects ? m_projects->nameForId(field(row, FProject).toString()) : QString();
}

QString TaskModel::runningOnNodeId(int row) const
{
    if (!m_assignments)
        return {};
    const int a = m_assignments->rowForId(
        m_assignments->activeAssignmentForTask(field(row, FId).toString()));
    return a < 0 ? QString() : m_assignments->field(a, AssignmentModel::FNodeId).toString();
}

void TaskModel::setProgressEventModel(const ProgressEventModel *events)
{
    // Read when a card is painted (the board repaints as tasks change): an event batch does
    // not touch 100k task rows for the few cards on screen, it only marks the table stale.
    m_events = events;
    connect(events, &KeyedTableModel::batchApplied, this, [this] { m_pullRequestsStale = true; });
}

QUrl TaskModel::pullRequest(int row) const
{
    if (!m_assignments || !m_events)
        return {};
    // One pass over the assignments per change, not one per painted card.
    if (m_pullRequestsStale) {
        m_pullRequests.clear();
        QHash<QString, QDateTime> assignedAt;
        for (int a = 0; a < m_assignments->rowCount(); ++a) {
            const QUrl url = m_events->pullRequestForAssignment(
                m_assignments->field(a, AssignmentModel::FId).toString());
            if (url.isEmpty())
                continue;
            const QString task = m_assignments->field(a, AssignmentModel::FTaskId).toString();
            const QDateTime at = m_assignments->field(a, AssignmentModel::FAssigned).toDateTime();
            if (!m_pullRequests.contains(task) || at > assignedAt.value(task)) {
                m_pullRequests.insert(task, url);
                assignedAt.insert(task, at);
            }
        }
        m_pullRequestsStale = false;
    }
    return m_pullRequests.value(field(row, FId).toString());
}

QString TaskModel::runningOnName(int row) const
{
    const QString node = runningOnNodeId(row);
    if (node.isEmpty())
        return {};
    const QString name = m_nodes ? m_nodes->nameForId(node) : QString();
    return name.isEmpty() ? node.left(8) : name;
}

QVariant TaskModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Values &v = rowValues(index.row());
    if (role == HiveRoles::HiddenRole)
        return isHidden(v);
    if (role == HiveRoles::IdRole)
        return v.at(FId);
    if (role == HiveRoles::SortRole && index.column() == Updated)
        return v.at(FUpdated);
    const HiveValues::Status status = HiveValues::taskStatus(v.at(FStatus));
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Title:
            return v.at(FTitle);
        case Status:
            return status.label;
        case Project: {
            const QString name = projectName(index.row());
            return name.isEmpty() ? v.at(FProject).toString().left(8) : name;
        }
        case RunningOn:
            return runningOnName(index.row());
        case Assignee:
            return v.at(FAssignee).toString().left(8);
        case Version:
            return v.at(FVersion);
        case Updated:
            return HiveValues::displayTime(v.at(FUpdated).toDateTime());
        }
        break;
    case Qt::ToolTipRole:
        if (index.column() == Project)
            return v.at(FProject);
        if (index.column() == RunningOn)
            return runningOnNodeId(index.row());
        if (index.column() == Assignee)
            return v.at(FAssignee);
        if (!status.known)
            return tr("Status \"%1\" is not one of the hive's task statuses").arg(status.canonical);
        return v.at(FDescription).toString().left(500);
    case Qt::BackgroundRole:
        if (!status.known)
            return QBrush(QColor(255, 214, 153));
        break;
    case HiveRoles::SortRole:
        if (index.column() == Updated)
            return v.at(FUpdated);
        if (index.column() == Version)
            return v.at(FVersion);
        if (index.column() == Status) {
            const int order = int(HiveValues::taskStatuses().indexOf(status.canonical));
            return order < 0 ? 1000 : order;
        }
        return data(index, Qt::DisplayRole);
    case HiveRoles::IdRole:
        return v.at(FId);
    case HiveRoles::StatusRole:
        return status.canonical;
    case HiveRoles::UnknownStatusRole:
        return !status.known;
    case HiveRoles::HiddenRole:
        return isHidden(v);
    }
    return {};
}

QVariant TaskModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Title:
        return tr("Title");
    case Status:
        return tr("Status");
    case Project:
        return tr("Project");
    case RunningOn:
        return tr("Running on");
    case Assignee:
        return tr("Assignee");
    case Version:
        return tr("Version");
    case Updated:
        return tr("Updated");
    }
    return {};
}

void TaskModel::count(const Values &values, int delta)
{
    if (isHidden(values))
        return;
    const HiveValues::Status status = HiveValues::taskStatus(values.at(FStatus));
    const QString name = status.known ? status.canonical : status.label;
    int &n = m_counts[name];
    n += delta;
    if (n == 0)
        m_counts.remove(name);
    m_countsDirty = true;
}

void TaskModel::rowChanged(const Values *before, const Values *after)
{
    if (before)
        count(*before, -1);
    if (after)
        count(*after, +1);
}

void TaskModel::rowsCleared()
{
    m_counts.clear();
    m_countsDirty = true;
}

} // namespace hivewatch
