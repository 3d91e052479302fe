#pragma once

#include <QSortFilterProxyModel>

namespace hivewatch {

// The order an operator reads the execution list in: running executions pinned on top, then
// everything by last activity, newest first; optionally only the running ones.
class ExecutionListProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit ExecutionListProxy(QObject *parent = nullptr);

    void setRunningOnly(bool runningOnly);
    bool runningOnly() const { return m_runningOnly; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    bool m_runningOnly = false;
};

} // namespace hivewatch
