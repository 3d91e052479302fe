#pragma once

#include "models/hive/SortedFilterProxy.h"

#include <QDateTime>
#include <QSet>

namespace hivewatch {

// The one proxy the hive views use: sorts by HiveRoles::SortRole, hides soft-deleted/archived rows
// unless asked, and optionally keeps only one status or rows pointing at a set of ids (the
// assignments of a node, the events of an assignment), plus SortedFilterProxy's text filter.
// Rows with an unknown status have their own status filter value ("?"), so a kanban board can give
// them a column: flagged, never hidden.
class HiveFilterProxy : public SortedFilterProxy
{
    Q_OBJECT
public:
    explicit HiveFilterProxy(QObject *parent = nullptr);

    void setShowHidden(bool show);
    bool showHidden() const { return m_showHidden; }
    // Empty = every status. "?" = only rows whose status is not in the vocabulary.
    void setStatusFilter(const QString &canonicalStatus);
    // Keep only rows whose HiveRoles::ForeignIdRole is in `ids`; enabled with an empty set hides
    // everything (a node with no assignments shows no events). enabled=false removes the filter.
    void setForeignIdFilter(const QSet<QString> &ids, bool enabled = true);
    // Keep only rows whose HiveRoles::IdRole is in `ids` (the nodes holding stranded work);
    // enabled=false removes the filter.
    void setIdFilter(const QSet<QString> &ids, bool enabled = true);
    bool idFilterEnabled() const { return m_idFilter; }
    // Keep only rows whose `column` (its SortRole, a QDateTime) is at or after `cutoff`; an
    // invalid cutoff removes the filter. A board's Done column shows the last day this way.
    void setNotBefore(int column, const QDateTime &cutoff);
    QDateTime notBefore() const { return m_notBefore; }

protected:
    bool filterAcceptsRow(int sourceRow) const override;
    bool filterMayChange(int firstColumn, int lastColumn, const QList<int> &roles) const override;

private:
    bool m_showHidden = false;
    QString m_status;
    QSet<QString> m_foreignIds;
    bool m_foreignFilter = false;
    QSet<QString> m_ids;
    bool m_idFilter = false;
    int m_timeColumn = -1;
    QDateTime m_notBefore;
};

} // namespace hivewatch
