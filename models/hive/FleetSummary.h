#pragma once

#include "models/hive/Throttle.h"

#include <QHash>
#include <QObject>
#include <QStringList>

namespace hivewatch {

class AssignmentModel;
class NodeModel;
class TaskModel;

// Fleet health at a glance, derived from the live models (no SQL): nodes per state, capacity in
// use, tasks per status and the active assignments on stale nodes. Recomputed at most a few
// times a second after the models change (a snapshot arrives in many batches).
class FleetSummary : public QObject
{
    Q_OBJECT
public:
    struct Counts
    {
        // Each node is in exactly one bucket; stale wins over its status (online/busy only).
        int online = 0;
        int busy = 0;
        int draining = 0;
        int stale = 0;
        int offline = 0;
        int other = 0; // pending, or a status outside the vocabulary
        int nodes = 0;
        int capacityUsed = 0; // active assignments on nodes that are online, busy or draining
        int capacityTotal = 0; // max_concurrent_tasks of those nodes
        int capacityAssumed = 0; // nodes counted with the hive's default of 1 (key missing)
        QStringList capacityInvalid; // node names whose max_concurrent_tasks is not usable
        QHash<QString, int> tasksByStatus; // TaskModel::statusCounts()
        // Active assignments on stale nodes. A count, not the ids: in a large hive tens of
        // thousands of ids rebuilt and compared at every heartbeat tick stalled the GUI.
        int staleAssignments = 0;
        QStringList staleNodeIdsWithWork;

        bool operator==(const Counts &) const = default;
    };

    FleetSummary(const NodeModel *nodes, const AssignmentModel *assignments, const TaskModel *tasks,
                 QObject *parent = nullptr);

    const Counts &counts() const { return m_counts; }
    // The ids behind counts().staleAssignments, sorted; computed when asked.
    QStringList staleAssignmentIds() const;
    // Recomputes now (tests, screenshots); otherwise it happens shortly after a change.
    void refresh();

signals:
    void changed();

private:
    void schedule();

    const NodeModel *m_nodes;
    const AssignmentModel *m_assignments;
    const TaskModel *m_tasks;
    Counts m_counts;
    Throttle m_throttle;
};

} // namespace hivewatch
