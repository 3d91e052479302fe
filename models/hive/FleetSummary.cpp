#include "models/hive/FleetSummary.h"

#include "domain/StatusVocabularies.h"
#include "models/hive/AssignmentModel.h"
#include "models/hive/NodeModel.h"
#include "models/hive/TaskModel.h"

namespace hivewatch {

FleetSummary::FleetSummary(const NodeModel *nodes, const AssignmentModel *assignments,
                           const TaskModel *tasks, QObject *parent)
    : QObject(parent)
    , m_nodes(nodes)
    , m_assignments(assignments)
    , m_tasks(tasks)
    , m_throttle(200, [this] { refresh(); })
{
    // The node model's dataChanged covers heartbeats ageing (its clock tick) and threshold changes.
    for (const QAbstractItemModel *model : {static_cast<const QAbstractItemModel *>(nodes),
                                            static_cast<const QAbstractItemModel *>(assignments)}) {
        connect(model, &QAbstractItemModel::dataChanged, this, &FleetSummary::schedule);
        connect(model, &QAbstractItemModel::rowsInserted, this, &FleetSummary::schedule);
        connect(model, &QAbstractItemModel::rowsRemoved, this, &FleetSummary::schedule);
        connect(model, &QAbstractItemModel::modelReset, this, &FleetSummary::schedule);
    }
    connect(tasks, &TaskModel::statusCountsChanged, this, &FleetSummary::schedule);
    refresh();
}

void FleetSummary::schedule()
{
    m_throttle.request();
}

void FleetSummary::refresh()
{
    m_throttle.ran();
    Counts counts;
    counts.nodes = m_nodes->rowCount();
    for (int row = 0; row < m_nodes->rowCount(); ++row) {
        const QString id = m_nodes->field(row, NodeModel::FId).toString();
        const auto status
            = NodeStatusValue::parse(m_nodes->field(row, NodeModel::FStatus).toString());
        const int active = m_assignments->activeCountForNode(id);
        if (m_nodes->isStale(row)) {
            ++counts.stale;
            if (active > 0) {
                counts.staleNodeIdsWithWork.append(id);
                counts.staleAssignments += active;
            }
            // A stale node is not taking work: its slots are not capacity.
            continue;
        }
        if (status == NodeStatus::Online)
            ++counts.online;
        else if (status == NodeStatus::Busy)
            ++counts.busy;
        else if (status == NodeStatus::Draining)
            ++counts.draining;
        else if (status == NodeStatus::Offline)
            ++counts.offline;
        else
            ++counts.other;
        if (status != NodeStatus::Online && status != NodeStatus::Busy
            && status != NodeStatus::Draining)
            continue;
        const NodeModel::Capacity capacity = m_nodes->capacity(row);
        if (capacity.source == NodeModel::CapacitySource::Invalid)
            counts.capacityInvalid.append(m_nodes->nameForId(id));
        else if (capacity.source == NodeModel::CapacitySource::Assumed)
            ++counts.capacityAssumed;
        counts.capacityTotal += capacity.maxTasks;
        counts.capacityUsed += active;
    }
    counts.tasksByStatus = m_tasks->statusCounts();
    if (counts == m_counts)
        return;
    m_counts = std::move(counts);
    emit changed();
}

QStringList FleetSummary::staleAssignmentIds() const
{
    return m_assignments->activeAssignmentIdsOnNodes(QSet<QString>(
        m_counts.staleNodeIdsWithWork.cbegin(), m_counts.staleNodeIdsWithWork.cend()));
}

} // namespace hivewatch
