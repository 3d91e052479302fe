#include "models/logs/ExecutionListProxy.h"

#include "models/logs/LogExecutionModel.h"

namespace hivewatch {

ExecutionListProxy::ExecutionListProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setDynamicSortFilter(true);
    // Ascending by lessThan, which puts what should be on top first.
    sort(0, Qt::AscendingOrder);
}

void ExecutionListProxy::setRunningOnly(bool runningOnly)
{
    if (runningOnly == m_runningOnly)
        return;
    m_runningOnly = runningOnly;
    invalidateFilter();
}

bool ExecutionListProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (!m_runningOnly)
        return true;
    return sourceModel()
        ->index(sourceRow, 0, sourceParent)
        .data(LogExecutionModel::RunningRole)
        .toBool();
}

bool ExecutionListProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    // Through the model's kept key, not its roles: sorting 50k executions compares ~800k pairs,
    // and four role lookups per pair (each resolving the assignment) held the GUI thread ~3 s.
    const auto *executions = qobject_cast<const LogExecutionModel *>(sourceModel());
    if (!executions)
        return left.row() < right.row();
    const qint64 l = executions->sortKey(left.row());
    const qint64 r = executions->sortKey(right.row());
    if (l != r)
        return l > r;
    return left.row() < right.row();
}

} // namespace hivewatch
