#include "models/hive/HiveFilterProxy.h"

#include "models/hive/HiveRoles.h"

namespace hivewatch {

HiveFilterProxy::HiveFilterProxy(QObject *parent)
    : SortedFilterProxy(parent)
{
    setSortRole(HiveRoles::SortRole);
}

void HiveFilterProxy::setShowHidden(bool show)
{
    if (show == m_showHidden)
        return;
    m_showHidden = show;
    invalidateFilter();
}

void HiveFilterProxy::setStatusFilter(const QString &canonicalStatus)
{
    if (canonicalStatus == m_status)
        return;
    m_status = canonicalStatus;
    invalidateFilter();
}

void HiveFilterProxy::setForeignIdFilter(const QSet<QString> &ids, bool enabled)
{
    // Called after every assignment batch with the same ids: re-filtering 20k events for
    // nothing was the largest GUI-thread cost of a sync.
    if (enabled == m_foreignFilter && ids == m_foreignIds)
        return;
    m_foreignIds = ids;
    m_foreignFilter = enabled;
    invalidateFilter();
}

void HiveFilterProxy::setNotBefore(int column, const QDateTime &cutoff)
{
    if (column == m_timeColumn && cutoff == m_notBefore)
        return;
    // The board slides its Done window every minute: a later cutoff can only hide rows, so the
    // column's shown rows are re-checked, not every task (a once-a-minute GUI stall at 100k).
    const bool narrowed = column == m_timeColumn && m_notBefore.isValid() && cutoff.isValid()
        && cutoff > m_notBefore;
    m_timeColumn = column;
    m_notBefore = cutoff;
    if (narrowed)
        invalidateFilterNarrowed();
    else
        invalidateFilter();
}

void HiveFilterProxy::setIdFilter(const QSet<QString> &ids, bool enabled)
{
    if (m_idFilter == enabled && (!enabled || m_ids == ids))
        return;
    m_ids = enabled ? ids : QSet<QString>();
    m_idFilter = enabled;
    invalidateFilter();
}

bool HiveFilterProxy::filterAcceptsRow(int sourceRow) const
{
    const QModelIndex index = sourceModel()->index(sourceRow, 0);
    if (m_notBefore.isValid()) {
        const QDateTime at
            = sourceModel()->index(sourceRow, m_timeColumn).data(HiveRoles::SortRole).toDateTime();
        if (!at.isValid() || at < m_notBefore)
            return false;
    }
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
    if (m_idFilter && !m_ids.contains(index.data(HiveRoles::IdRole).toString()))
        return false;
    return SortedFilterProxy::filterAcceptsRow(sourceRow);
}

bool HiveFilterProxy::filterMayChange(int firstColumn, int lastColumn,
                                      const QList<int> &roles) const
{
    using namespace HiveRoles;
    for (int role : {HiddenRole, StatusRole, UnknownStatusRole, ForeignIdRole}) {
        if (roles.contains(role))
            return true;
    }
    if (m_notBefore.isValid() && firstColumn <= m_timeColumn && m_timeColumn <= lastColumn
        && (roles.isEmpty() || roles.contains(SortRole)))
        return true;
    return SortedFilterProxy::filterMayChange(firstColumn, lastColumn, roles);
}

} // namespace hivewatch
