#pragma once

#include "models/hive/HiveFilterProxy.h"

#include <QSet>

namespace hivewatch {

class TaskModel;

// A board column's proxy: HiveFilterProxy's filters plus the board's chips, only tasks of some
// projects and only tasks running on some nodes (empty set: no such filter).
class TaskBoardProxy : public HiveFilterProxy
{
    Q_OBJECT
public:
    explicit TaskBoardProxy(const TaskModel *tasks, QObject *parent = nullptr);

    void setProjectFilter(const QSet<QString> &projectIds);
    void setNodeFilter(const QSet<QString> &nodeIds);
    // Whether the task at `sourceRow` passes the chips (also for counting hidden tasks).
    bool passesChips(int sourceRow) const;

protected:
    bool filterAcceptsRow(int sourceRow) const override;
    bool filterMayChange(int firstColumn, int lastColumn, const QList<int> &roles) const override;

private:
    const TaskModel *m_tasks;
    QSet<QString> m_projects;
    QSet<QString> m_nodes;
};

} // namespace hivewatch
