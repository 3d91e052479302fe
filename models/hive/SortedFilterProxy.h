#pragma once

#include "models/hive/SortKeyList.h"

#include <QAbstractProxyModel>
#include <QList>
#include <QMetaObject>
#include <QSet>
#include <QVariant>

namespace hivewatch {

// A sorting and filtering proxy for flat tables that stays cheap while a large source grows.
// QSortFilterProxyModel rebuilds its whole source-to-proxy map for every interval of inserted
// rows, so a sorted view of 100k rows paid O(rows) per slice of a live sync. This proxy keeps one
// list, the accepted source rows in sort order, plus each source row's sort key as it was when
// the row was placed:
//  - new source rows are binary-searched into place and announced as precise rowsInserted
//    ranges; a row whose sort key changes is moved (rowsMoved), one whose filter result changes
//    is inserted or removed;
//  - mapFromSource is a binary search on the cached keys, so nothing is rebuilt per change;
//  - when a change scatters over more than maxRangesPerChange() places (a slice of rows that
//    lands all over the order, a filter that drops every other row), it is announced as one
//    range at the end plus one layout change instead of thousands of single-row signals.
// Ties keep source order, so the order is total and every change has exactly one place.
//
// Hold mode (setHold) keeps the visible order still while the user points at or has selected a
// row: rows that would be inserted or would move wait (heldCount(), heldCountChanged) until
// releaseHeld() or setHold(false). Removals, data changes and the user's own sort and filter
// changes still apply at once; persistent indexes (selection, current) follow their row's key.
class SortedFilterProxy : public QAbstractProxyModel
{
    Q_OBJECT
public:
    explicit SortedFilterProxy(QObject *parent = nullptr);

    void setSourceModel(QAbstractItemModel *sourceModel) override;
    QModelIndex mapToSource(const QModelIndex &proxyIndex) const override;
    QModelIndex mapFromSource(const QModelIndex &sourceIndex) const override;
    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    bool hasChildren(const QModelIndex &parent = {}) const override;

    // column < 0: source order. Stable for equal keys.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }
    void setSortRole(int role);
    // Rows whose text (Qt::DisplayRole of any column) contains `text`, case-insensitively.
    void setFilterFixedString(const QString &text);
    QString filterText() const { return m_filterText; }

    static int maxRangesPerChange() { return 32; }

    void setHold(bool hold);
    bool isHolding() const { return m_hold; }
    // Rows waiting to be inserted or moved into place.
    int heldCount() const { return int(m_heldInserts.size() + m_heldMoves.size()); }
    // Places every waiting row; the hold itself stays as it was.
    void releaseHeld();

signals:
    void heldCountChanged(int count);

protected:
    virtual bool filterAcceptsRow(int sourceRow) const;
    // Whether a source dataChanged of these columns and roles (empty = any) can change what
    // filterAcceptsRow says. Overrides add the roles their own filter reads. A change that can
    // affect neither the filter nor the sort key is only forwarded: re-announcing a 50k-row
    // column of resolved names must not re-filter and re-place 50k rows.
    virtual bool filterMayChange(int firstColumn, int lastColumn, const QList<int> &roles) const;
    // Re-evaluates filterAcceptsRow for every source row; rows come and go with precise signals.
    void invalidateFilter();
    // For a filter that only became stricter (a time window sliding forward): only rows shown or
    // waiting to be shown can leave, so only they are re-checked, not every source row.
    void invalidateFilterNarrowed();

private:
    QVariant sortKey(int sourceRow) const;
    bool less(int a, const QVariant &keyA, int b, const QVariant &keyB) const;
    // Position in m_rows where (key, sourceRow) belongs.
    int lowerBound(int sourceRow, const QVariant &key) const;
    int proxyRow(int sourceRow) const;

    void rebuild();
    // A layout change around `reorder` (which permutes m_rows), persistent indexes following
    // their source rows.
    template<typename Reorder> void relayout(Reorder reorder);
    void mergeSorted(qsizetype sortedPrefix);
    void insertSourceRows(QList<int> sourceRows);
    void removeProxyRows(QList<int> proxyRows);
    void moveToEndAndRemove(const QList<int> &proxyRows);
    bool sortMayChange(int firstColumn, int lastColumn, const QList<int> &roles) const;
    void updateSourceRows(int first, int last, int firstColumn, int lastColumn,
                          const QList<int> &roles);
    // dataChanged for these proxy rows: one signal per run, or one spanning them all when
    // they scatter.
    void emitRowsChanged(QList<int> proxyRows, int firstColumn, int lastColumn,
                         const QList<int> &roles);
    // Moves staying rows whose sort key changed to their new places.
    void moveRekeyed(QList<std::pair<int, QVariant>> rekeyed);
    // Keeps held source rows pointing at the same rows when the source shifts.
    void shiftHeld(int first, int count);
    void dropHeld();

    void onRowsInserted(const QModelIndex &parent, int first, int last);
    void onRowsAboutToBeRemoved(const QModelIndex &parent, int first, int last);
    void onRowsRemoved(const QModelIndex &parent, int first, int last);
    void onDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight,
                       const QList<int> &roles);
    void onHeaderDataChanged(Qt::Orientation orientation, int first, int last);

    QList<int> m_rows; // accepted source rows, in sort order
    SortKeyList m_keys; // per source row: the sort key the row was placed with
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    int m_sortRole = Qt::DisplayRole;
    QString m_filterText;
    bool m_resetting = false;
    bool m_hold = false;
    QSet<int> m_heldInserts; // accepted source rows not placed yet
    QSet<int> m_heldMoves; // placed source rows whose key changed; m_keys keeps the old key
    QList<QMetaObject::Connection> m_connections;
};

} // namespace hivewatch
