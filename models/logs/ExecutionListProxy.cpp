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

void ExecutionListProxy::setSourceModel(QAbstractItemModel *sourceModel)
{
    m_executions = qobject_cast<const LogExecutionModel *>(sourceModel);
    QSortFilterProxyModel::setSourceModel(sourceModel);
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
    if (m_executions && !sourceParent.isValid())
        return m_executions->isRunning(sourceRow);
    return sourceModel()
        ->index(sourceRow, 0, sourceParent)
        .data(LogExecutionModel::RunningRole)
        .toBool();
}

bool ExecutionListProxy::lessThan(const QModelIndex &left, const QModelIndex &right) const
{
    // Through the model's kept key, not its roles: sorting 50k executions compares ~800k pairs,
    // and four role lookups per pair (each resolving the assignment) held the GUI thread ~3 s.
    if (!m_executions)
        return left.row() < right.row();
    const qint64 l = m_executions->sortKey(left.row());
    const qint64 r = m_executions->sortKey(right.row());
    if (l != r)
        return l > r;
    return left.row() < right.row();
}

} // namespace hivewatch
