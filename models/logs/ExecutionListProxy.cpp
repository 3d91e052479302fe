#include "models/logs/ExecutionListProxy.h"

#include "models/logs/LogExecutionModel.h"

#include <QDateTime>

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
    const bool leftRunning = left.siblingAtColumn(0).data(LogExecutionModel::RunningRole).toBool();
    const bool rightRunning
        = right.siblingAtColumn(0).data(LogExecutionModel::RunningRole).toBool();
    if (leftRunning != rightRunning)
        return leftRunning;
    const QDateTime l
        = left.siblingAtColumn(0).data(LogExecutionModel::LastActivityRole).toDateTime();
    const QDateTime r
        = right.siblingAtColumn(0).data(LogExecutionModel::LastActivityRole).toDateTime();
    if (l != r)
        return l > r;
    return left.row() < right.row();
}

} // namespace hivewatch
