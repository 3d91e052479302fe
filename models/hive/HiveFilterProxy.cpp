#include "HiveFilterProxy.h"

#include "HiveRoles.h"

HiveFilterProxy::HiveFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(HiveRoles::SortRole);
    setFilterCaseSensitivity(Qt::CaseInsensitive);
    setFilterKeyColumn(-1);
}

void HiveFilterProxy::setShowHidden(bool show)
{
    if (show == m_showHidden)
        return;
    m_showHidden = show;
    invalidateRowsFilter();
}

void HiveFilterProxy::setStatusFilter(const QString &canonicalStatus)
{
    if (canonicalStatus == m_status)
        return;
    m_status = canonicalStatus;
    invalidateRowsFilter();
}

void HiveFilterProxy::setForeignIdFilter(const QSet<QString> &ids, bool enabled)
{
    m_foreignIds = ids;
    m_foreignFilter = enabled;
    invalidateRowsFilter();
}

bool HiveFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0, sourceParent);
    if (!m_showHidden && index.data(HiveRoles::HiddenRole).toBool())
        return false;
    if (!m_status.isEmpty()) {
        const bool unknown = index.data(HiveRoles::UnknownStatusRole).toBool();
        if (m_status == QLatin1String("?")
                ? !unknown
                : index.data(HiveRoles::StatusRole).toString() != m_status)
            return false;
    }
    if (m_foreignFilter && !m_foreignIds.contains(index.data(HiveRoles::ForeignIdRole).toString()))
        return false;
    return QSortFilterProxyModel::filterAcceptsRow(sourceRow, sourceParent);
}
