#include "models/hive/SortedFilterProxy.h"

#include <QDateTime>

#include <algorithm>
#include <utility>

namespace hivewatch {

namespace {
// Invalid keys sort after every valid one (as in QSortFilterProxyModel); text compares
// case-insensitively first so "alpha" and "Beta" sort the way people read them.
int compareKeys(const QVariant &a, const QVariant &b)
{
    const bool noA = !a.isValid();
    const bool noB = !b.isValid();
    if (noA || noB)
        return noA == noB ? 0 : (noA ? 1 : -1);
    const int typeA = a.typeId();
    if (typeA == b.typeId()) {
        if (typeA == QMetaType::LongLong) {
            const qint64 x = *static_cast<const qint64 *>(a.constData());
            const qint64 y = *static_cast<const qint64 *>(b.constData());
            return x < y ? -1 : (x > y ? 1 : 0);
        }
        if (typeA == QMetaType::QString) {
            const QString &x = *static_cast<const QString *>(a.constData());
            const QString &y = *static_cast<const QString *>(b.constData());
            const int folded = x.compare(y, Qt::CaseInsensitive);
            return folded != 0 ? folded : x.compare(y);
        }
    }
    const QPartialOrdering order = QVariant::compare(a, b);
    if (order == QPartialOrdering::Less)
        return -1;
    if (order == QPartialOrdering::Greater)
        return 1;
    if (order == QPartialOrdering::Equivalent)
        return 0;
    return a.toString().compare(b.toString());
}

// Contiguous runs of ascending numbers, as (first, count).
QList<std::pair<int, int>> runsOf(const QList<int> &sorted)
{
    QList<std::pair<int, int>> runs;
    for (int value : sorted) {
        if (!runs.isEmpty() && runs.last().first + runs.last().second == value)
            ++runs.last().second;
        else
            runs.append({value, 1});
    }
    return runs;
}
} // namespace

SortedFilterProxy::SortedFilterProxy(QObject *parent)
    : QAbstractProxyModel(parent)
{
}

void SortedFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    if (model == sourceModel())
        return;
    beginResetModel();
    for (const QMetaObject::Connection &connection : std::as_const(m_connections))
        disconnect(connection);
    m_connections.clear();
    QAbstractProxyModel::setSourceModel(model);
    if (model) {
        using M = QAbstractItemModel;
        auto beginReset = [this] {
            if (!std::exchange(m_resetting, true))
                beginResetModel();
        };
        auto endReset = [this] {
            rebuild();
            if (std::exchange(m_resetting, false))
                endResetModel();
        };
        m_connections = {
            connect(model, &M::rowsInserted, this, &SortedFilterProxy::onRowsInserted),
            connect(model, &M::rowsAboutToBeRemoved, this,
                    &SortedFilterProxy::onRowsAboutToBeRemoved),
            connect(model, &M::rowsRemoved, this, &SortedFilterProxy::onRowsRemoved),
            connect(model, &M::dataChanged, this, &SortedFilterProxy::onDataChanged),
            connect(model, &M::headerDataChanged, this, &SortedFilterProxy::onHeaderDataChanged),
            // Rare structural changes (no hive model emits them) are taken as a reset.
            connect(model, &M::modelAboutToBeReset, this, beginReset),
            connect(model, &M::modelReset, this, endReset),
            connect(model, &M::layoutAboutToBeChanged, this, beginReset),
            connect(model, &M::layoutChanged, this, endReset),
            connect(model, &M::rowsAboutToBeMoved, this, beginReset),
            connect(model, &M::rowsMoved, this, endReset),
            connect(model, &M::columnsAboutToBeInserted, this, beginReset),
            connect(model, &M::columnsInserted, this, endReset),
            connect(model, &M::columnsAboutToBeRemoved, this, beginReset),
            connect(model, &M::columnsRemoved, this, endReset),
            connect(model, &M::columnsAboutToBeMoved, this, beginReset),
            connect(model, &M::columnsMoved, this, endReset),
            connect(model, &QObject::destroyed, this,
                    [this] {
                        beginResetModel();
                        m_rows.clear();
                        m_keys.clear();
                        endResetModel();
                    }),
        };
    }
    rebuild();
    endResetModel();
}

QModelIndex SortedFilterProxy::mapToSource(const QModelIndex &proxyIndex) const
{
    if (!proxyIndex.isValid() || !sourceModel() || proxyIndex.row() >= m_rows.size())
        return {};
    return sourceModel()->index(m_rows.at(proxyIndex.row()), proxyIndex.column());
}

QModelIndex SortedFilterProxy::mapFromSource(const QModelIndex &sourceIndex) const
{
    if (!sourceIndex.isValid() || sourceIndex.model() != sourceModel()
        || sourceIndex.parent().isValid())
        return {};
    const int row = proxyRow(sourceIndex.row());
    return row < 0 ? QModelIndex() : createIndex(row, sourceIndex.column());
}

QModelIndex SortedFilterProxy::index(int row, int column, const QModelIndex &parent) const
{
    if (parent.isValid() || row < 0 || row >= m_rows.size() || column < 0
        || column >= columnCount())
        return {};
    return createIndex(row, column);
}

QModelIndex SortedFilterProxy::parent(const QModelIndex &) const
{
    return {};
}

int SortedFilterProxy::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int SortedFilterProxy::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() || !sourceModel() ? 0 : sourceModel()->columnCount();
}

bool SortedFilterProxy::hasChildren(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_rows.isEmpty() && columnCount() > 0;
}

void SortedFilterProxy::sort(int column, Qt::SortOrder order)
{
    if (column == m_sortColumn && order == m_sortOrder)
        return;
    // The user's own change: whatever waits is placed by it too.
    releaseHeld();
    m_sortColumn = column;
    m_sortOrder = order;
    if (!sourceModel())
        return;
    emit layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    QList<int> sourceRows;
    sourceRows.reserve(before.size());
    for (const QModelIndex &index : before)
        sourceRows.append(m_rows.at(index.row()));
    for (int row : std::as_const(m_rows))
        m_keys.set(row, sortKey(row));
    std::sort(m_rows.begin(), m_rows.end(),
              [this](int a, int b) { return less(a, m_keys.at(a), b, m_keys.at(b)); });
    QModelIndexList after;
    after.reserve(before.size());
    for (qsizetype i = 0; i < before.size(); ++i)
        after.append(createIndex(proxyRow(sourceRows.at(i)), before.at(i).column()));
    changePersistentIndexList(before, after);
    emit layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

void SortedFilterProxy::setSortRole(int role)
{
    if (role == m_sortRole)
        return;
    m_sortRole = role;
    const int column = std::exchange(m_sortColumn, -2);
    sort(column, m_sortOrder);
}

void SortedFilterProxy::setFilterFixedString(const QString &text)
{
    if (text == m_filterText)
        return;
    m_filterText = text;
    invalidateFilter();
}

bool SortedFilterProxy::filterAcceptsRow(int sourceRow) const
{
    if (m_filterText.isEmpty())
        return true;
    const QAbstractItemModel *model = sourceModel();
    for (int column = 0; column < model->columnCount(); ++column) {
        if (model->index(sourceRow, column)
                .data()
                .toString()
                .contains(m_filterText, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

void SortedFilterProxy::invalidateFilter()
{
    if (!sourceModel())
        return;
    releaseHeld();
    const int sourceRows = sourceModel()->rowCount();
    QList<bool> present(sourceRows, false);
    QList<int> gone;
    for (int row = 0; row < m_rows.size(); ++row) {
        present[m_rows.at(row)] = true;
        if (!filterAcceptsRow(m_rows.at(row)))
            gone.append(row);
    }
    removeProxyRows(std::move(gone));
    QList<int> added;
    for (int row = 0; row < sourceRows; ++row) {
        if (!present.at(row) && filterAcceptsRow(row)) {
            m_keys.set(row, sortKey(row));
            added.append(row);
        }
    }
    // The rows a changed filter lets in are placed at once: holding is for rows arriving live
    // under the user's pointer or selection, not for what the user just asked to see.
    const bool hold = std::exchange(m_hold, false);
    insertSourceRows(std::move(added));
    m_hold = hold;
}

void SortedFilterProxy::invalidateFilterNarrowed()
{
    if (!sourceModel())
        return;
    const int heldBefore = heldCount();
    m_heldInserts.removeIf([this](int source) { return !filterAcceptsRow(source); });
    QList<int> gone;
    for (int row = 0; row < m_rows.size(); ++row) {
        if (!filterAcceptsRow(m_rows.at(row))) {
            gone.append(row);
            m_heldMoves.remove(m_rows.at(row));
        }
    }
    removeProxyRows(std::move(gone));
    if (heldCount() != heldBefore)
        emit heldCountChanged(heldCount());
}

QVariant SortedFilterProxy::sortKey(int sourceRow) const
{
    if (m_sortColumn < 0)
        return {};
    const QVariant value = sourceModel()->index(sourceRow, m_sortColumn).data(m_sortRole);
    // Timestamps compare as plain numbers: QDateTime comparison is far slower, and this runs
    // ~17 times per row placed.
    if (value.typeId() == QMetaType::QDateTime) {
        const QDateTime time = value.toDateTime();
        return time.isValid() ? QVariant(qint64(time.toMSecsSinceEpoch())) : QVariant();
    }
    return value;
}

bool SortedFilterProxy::less(int a, const QVariant &keyA, int b, const QVariant &keyB) const
{
    if (m_sortColumn >= 0) {
        const int order = compareKeys(keyA, keyB);
        if (order != 0)
            return m_sortOrder == Qt::AscendingOrder ? order < 0 : order > 0;
    }
    return a < b;
}

int SortedFilterProxy::lowerBound(int sourceRow, const QVariant &key) const
{
    const auto it
        = std::lower_bound(m_rows.cbegin(), m_rows.cend(), sourceRow, [&](int element, int value) {
              return less(element, m_keys.at(element), value, key);
          });
    return int(it - m_rows.cbegin());
}

int SortedFilterProxy::proxyRow(int sourceRow) const
{
    if (sourceRow < 0 || sourceRow >= m_keys.size())
        return -1;
    const int row = lowerBound(sourceRow, m_keys.at(sourceRow));
    return row < m_rows.size() && m_rows.at(row) == sourceRow ? row : -1;
}

void SortedFilterProxy::rebuild()
{
    dropHeld();
    m_rows.clear();
    m_keys.clear();
    if (!sourceModel())
        return;
    const int sourceRows = sourceModel()->rowCount();
    m_keys.resize(sourceRows);
    for (int row = 0; row < sourceRows; ++row) {
        if (filterAcceptsRow(row)) {
            m_keys.set(row, sortKey(row));
            m_rows.append(row);
        }
    }
    if (m_sortColumn >= 0)
        std::sort(m_rows.begin(), m_rows.end(),
                  [this](int a, int b) { return less(a, m_keys.at(a), b, m_keys.at(b)); });
}

template<typename Reorder> void SortedFilterProxy::relayout(Reorder reorder)
{
    emit layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    const QModelIndexList before = persistentIndexList();
    QList<int> sourceRows;
    sourceRows.reserve(before.size());
    for (const QModelIndex &index : before)
        sourceRows.append(m_rows.at(index.row()));
    reorder();
    if (!before.isEmpty()) {
        QList<int> rowOfSource(m_keys.size(), -1);
        for (int row = 0; row < m_rows.size(); ++row)
            rowOfSource[m_rows.at(row)] = row;
        QModelIndexList after;
        after.reserve(before.size());
        for (qsizetype i = 0; i < before.size(); ++i)
            after.append(createIndex(rowOfSource.at(sourceRows.at(i)), before.at(i).column()));
        changePersistentIndexList(before, after);
    }
    emit layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

void SortedFilterProxy::mergeSorted(qsizetype sortedPrefix)
{
    const auto byKey = [this](int a, int b) {
        return less(a, m_keys.at(a), b, m_keys.at(b));
    };
    std::sort(m_rows.begin() + sortedPrefix, m_rows.end(), byKey);
    std::inplace_merge(m_rows.begin(), m_rows.begin() + sortedPrefix, m_rows.end(), byKey);
}

void SortedFilterProxy::insertSourceRows(QList<int> sourceRows)
{
    if (sourceRows.isEmpty())
        return;
    if (m_hold) {
        for (int row : std::as_const(sourceRows))
            m_heldInserts.insert(row);
        emit heldCountChanged(heldCount());
        return;
    }
    std::sort(sourceRows.begin(), sourceRows.end(),
              [this](int a, int b) { return less(a, m_keys.at(a), b, m_keys.at(b)); });
    // Where each new row goes in the current order; rows sharing a place form one range.
    QList<int> places;
    places.reserve(sourceRows.size());
    int ranges = 0;
    for (int row : std::as_const(sourceRows)) {
        const int place = lowerBound(row, m_keys.at(row));
        ranges += places.isEmpty() || places.last() != place;
        places.append(place);
    }
    if (ranges > maxRangesPerChange()) {
        // Scattered all over the order: one range at the end, then one layout change.
        const qsizetype first = m_rows.size();
        beginInsertRows({}, int(first), int(first + sourceRows.size() - 1));
        m_rows.append(sourceRows);
        endInsertRows();
        relayout([&] { mergeSorted(first); });
        return;
    }
    // Bottom up, so the places of the ranges above stay valid.
    qsizetype end = sourceRows.size();
    while (end > 0) {
        qsizetype start = end - 1;
        while (start > 0 && places.at(start - 1) == places.at(end - 1))
            --start;
        const int place = places.at(start);
        beginInsertRows({}, place, int(place + end - start - 1));
        m_rows.insert(place, end - start, 0);
        std::copy(sourceRows.cbegin() + start, sourceRows.cbegin() + end, m_rows.begin() + place);
        endInsertRows();
        end = start;
    }
}

void SortedFilterProxy::removeProxyRows(QList<int> proxyRows)
{
    if (proxyRows.isEmpty())
        return;
    std::sort(proxyRows.begin(), proxyRows.end());
    const QList<std::pair<int, int>> runs = runsOf(proxyRows);
    if (runs.size() > maxRangesPerChange()) {
        moveToEndAndRemove(proxyRows);
        return;
    }
    for (auto it = runs.crbegin(); it != runs.crend(); ++it) {
        beginRemoveRows({}, it->first, it->first + it->second - 1);
        m_rows.remove(it->first, it->second);
        endRemoveRows();
    }
}

void SortedFilterProxy::moveToEndAndRemove(const QList<int> &proxyRows)
{
    // One layout change moves the leaving rows behind the staying ones (both keep their
    // order), then one removal drops that tail.
    relayout([&] {
        QList<int> staying;
        QList<int> leaving;
        staying.reserve(m_rows.size() - proxyRows.size());
        leaving.reserve(proxyRows.size());
        qsizetype next = 0;
        for (int row = 0; row < m_rows.size(); ++row) {
            if (next < proxyRows.size() && proxyRows.at(next) == row) {
                leaving.append(m_rows.at(row));
                ++next;
            } else {
                staying.append(m_rows.at(row));
            }
        }
        m_rows = staying + leaving;
    });
    const int first = int(m_rows.size() - proxyRows.size());
    beginRemoveRows({}, first, int(m_rows.size()) - 1);
    m_rows.resize(first);
    endRemoveRows();
}

void SortedFilterProxy::onRowsInserted(const QModelIndex &parent, int first, int last)
{
    if (parent.isValid() || m_resetting)
        return;
    const int count = last - first + 1;
    if (first < m_keys.size()) {
        shiftHeld(first, count);
        // Not an append: later source rows moved down. Adding the same amount to every shifted
        // row keeps the list's order.
        for (int &row : m_rows) {
            if (row >= first)
                row += count;
        }
    }
    m_keys.insert(first, count);
    QList<int> accepted;
    for (int row = first; row <= last; ++row) {
        if (filterAcceptsRow(row)) {
            m_keys.set(row, sortKey(row));
            accepted.append(row);
        }
    }
    insertSourceRows(std::move(accepted));
}

void SortedFilterProxy::onRowsAboutToBeRemoved(const QModelIndex &parent, int first, int last)
{
    if (parent.isValid() || m_resetting)
        return;
    QList<int> rows;
    if (last - first < 64) {
        for (int source = first; source <= last; ++source) {
            if (const int row = proxyRow(source); row >= 0)
                rows.append(row);
        }
    } else {
        for (int row = 0; row < m_rows.size(); ++row) {
            if (m_rows.at(row) >= first && m_rows.at(row) <= last)
                rows.append(row);
        }
    }
    removeProxyRows(std::move(rows));
}

void SortedFilterProxy::onRowsRemoved(const QModelIndex &parent, int first, int last)
{
    if (parent.isValid() || m_resetting)
        return;
    const int count = last - first + 1;
    shiftHeld(first, -count);
    m_keys.remove(first, count);
    for (int &row : m_rows) {
        if (row > last)
            row -= count;
    }
}

void SortedFilterProxy::onDataChanged(const QModelIndex &topLeft, const QModelIndex &bottomRight,
                                      const QList<int> &roles)
{
    if (topLeft.parent().isValid() || m_resetting || !topLeft.isValid())
        return;
    updateSourceRows(topLeft.row(), bottomRight.row(), topLeft.column(), bottomRight.column(),
                     roles);
}

bool SortedFilterProxy::filterMayChange(int, int, const QList<int> &roles) const
{
    return roles.isEmpty() || (!m_filterText.isEmpty() && roles.contains(Qt::DisplayRole));
}

bool SortedFilterProxy::sortMayChange(int firstColumn, int lastColumn,
                                      const QList<int> &roles) const
{
    // Sort values are often derived from the display text, so a display change counts.
    return m_sortColumn >= firstColumn && m_sortColumn <= lastColumn
        && (roles.isEmpty() || roles.contains(m_sortRole) || roles.contains(Qt::DisplayRole));
}

void SortedFilterProxy::emitRowsChanged(QList<int> proxyRows, int firstColumn, int lastColumn,
                                        const QList<int> &roles)
{
    if (proxyRows.isEmpty())
        return;
    std::sort(proxyRows.begin(), proxyRows.end());
    const QList<std::pair<int, int>> runs = runsOf(proxyRows);
    if (runs.size() > maxRangesPerChange()) {
        emit dataChanged(index(proxyRows.first(), firstColumn), index(proxyRows.last(), lastColumn),
                         roles);
        return;
    }
    for (const auto &[row, count] : runs)
        emit dataChanged(index(row, firstColumn), index(row + count - 1, lastColumn), roles);
}

void SortedFilterProxy::updateSourceRows(int first, int last, int firstColumn, int lastColumn,
                                         const QList<int> &roles)
{
    const bool refilter = filterMayChange(firstColumn, lastColumn, roles);
    const bool resort = sortMayChange(firstColumn, lastColumn, roles);
    if (!refilter && !resort) {
        QList<int> rows;
        if (qsizetype(last - first + 1) * 16 > m_rows.size()) {
            for (int row = 0; row < m_rows.size(); ++row) {
                if (m_rows.at(row) >= first && m_rows.at(row) <= last)
                    rows.append(row);
            }
        } else {
            for (int source = first; source <= last; ++source) {
                if (const int row = proxyRow(source); row >= 0)
                    rows.append(row);
            }
        }
        emitRowsChanged(std::move(rows), firstColumn, lastColumn, roles);
        return;
    }

    const int heldBefore = heldCount();
    QList<int> staying; // source rows
    QList<int> leaving; // proxy rows
    QList<int> arriving; // source rows
    QList<std::pair<int, QVariant>> rekeyed; // staying rows whose sort key changed
    for (int source = first; source <= last; ++source) {
        const int row = proxyRow(source);
        if (row < 0 && m_heldInserts.contains(source)) {
            // Placed (and re-checked) when the hold releases it.
            continue;
        }
        const bool accepted = refilter ? filterAcceptsRow(source) : row >= 0;
        if (row < 0) {
            if (accepted) {
                m_keys.set(source, sortKey(source));
                arriving.append(source);
            }
        } else if (!accepted) {
            leaving.append(row);
            m_heldMoves.remove(source);
        } else {
            staying.append(source);
            if (!resort)
                continue;
            QVariant key = sortKey(source);
            if (compareKeys(key, m_keys.at(source)) == 0)
                continue;
            if (m_hold)
                m_heldMoves.insert(source); // keeps its old key, so its place stays valid
            else
                rekeyed.append({source, std::move(key)});
        }
    }
    removeProxyRows(std::move(leaving));

    moveRekeyed(std::move(rekeyed));

    insertSourceRows(std::move(arriving));
    if (m_hold && heldCount() != heldBefore)
        emit heldCountChanged(heldCount());

    QList<int> changed;
    changed.reserve(staying.size());
    for (int source : std::as_const(staying))
        changed.append(proxyRow(source));
    emitRowsChanged(std::move(changed), firstColumn, lastColumn, roles);
}

void SortedFilterProxy::onHeaderDataChanged(Qt::Orientation orientation, int first, int last)
{
    if (orientation == Qt::Horizontal)
        emit headerDataChanged(orientation, first, last);
    else if (!m_rows.isEmpty())
        emit headerDataChanged(orientation, 0, int(m_rows.size()) - 1);
}

void SortedFilterProxy::moveRekeyed(QList<std::pair<int, QVariant>> rekeyed)
{
    if (rekeyed.size() > maxRangesPerChange()) {
        relayout([&] {
            QList<int> moving;
            for (const auto &[source, key] : std::as_const(rekeyed))
                moving.append(source);
            std::sort(moving.begin(), moving.end());
            m_rows.removeIf([&](int source) {
                return std::binary_search(moving.cbegin(), moving.cend(), source);
            });
            for (auto &[source, key] : rekeyed)
                m_keys.set(source, key);
            const qsizetype kept = m_rows.size();
            m_rows.append(moving);
            mergeSorted(kept);
        });
    } else {
        for (auto &[source, key] : rekeyed) {
            // The list is sorted by the cached keys, this row's old one included.
            const int from = proxyRow(source);
            const int place = lowerBound(source, key);
            const int to = place > from ? place - 1 : place;
            if (to != from) {
                beginMoveRows({}, from, from, {}, to > from ? to + 1 : to);
                m_rows.move(from, to);
                m_keys.set(source, key);
                endMoveRows();
            } else {
                m_keys.set(source, key);
            }
        }
    }
}

void SortedFilterProxy::setHold(bool hold)
{
    if (hold == m_hold)
        return;
    m_hold = hold;
    if (!hold)
        releaseHeld();
}

void SortedFilterProxy::releaseHeld()
{
    if (m_heldInserts.isEmpty() && m_heldMoves.isEmpty())
        return;
    const bool hold = std::exchange(m_hold, false);
    QList<std::pair<int, QVariant>> rekeyed;
    for (int source : std::as_const(m_heldMoves)) {
        if (proxyRow(source) < 0)
            continue;
        QVariant key = sortKey(source);
        if (compareKeys(key, m_keys.at(source)) != 0)
            rekeyed.append({source, std::move(key)});
    }
    QList<int> arriving;
    for (int source : std::as_const(m_heldInserts)) {
        if (filterAcceptsRow(source)) {
            m_keys.set(source, sortKey(source));
            arriving.append(source);
        }
    }
    m_heldMoves.clear();
    m_heldInserts.clear();
    moveRekeyed(std::move(rekeyed));
    insertSourceRows(std::move(arriving));
    m_hold = hold;
    emit heldCountChanged(0);
}

void SortedFilterProxy::shiftHeld(int first, int count)
{
    if (m_heldInserts.isEmpty() && m_heldMoves.isEmpty())
        return;
    const int before = heldCount();
    // count < 0: rows first … first-count-1 are gone, later ones move up.
    const auto shifted = [first, count](const QSet<int> &rows) {
        QSet<int> result;
        result.reserve(rows.size());
        for (int row : rows) {
            if (row < first)
                result.insert(row);
            else if (count > 0 || row >= first - count)
                result.insert(row + count);
        }
        return result;
    };
    m_heldInserts = shifted(m_heldInserts);
    m_heldMoves = shifted(m_heldMoves);
    if (heldCount() != before)
        emit heldCountChanged(heldCount());
}

void SortedFilterProxy::dropHeld()
{
    if (m_heldInserts.isEmpty() && m_heldMoves.isEmpty())
        return;
    m_heldInserts.clear();
    m_heldMoves.clear();
    emit heldCountChanged(0);
}

} // namespace hivewatch
