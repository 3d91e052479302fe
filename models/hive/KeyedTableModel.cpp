#include "models/hive/KeyedTableModel.h"

#include "models/ModelsLog.h"
#include "models/hive/HiveValues.h"

#include <algorithm>
#include <optional>

namespace hivewatch {

namespace {

// A batch's strings were allocated on the sync thread, in that thread's malloc arena, between
// the response bodies and parsed rows it frees again. Shared into the model they pin that
// arena's pages for as long as the rows are shown, and the freed space around them is not
// returned (docs/benchmarks.md, "Dashboard peak RSS: who holds it"). Copied here they live in
// the GUI thread's arena and the sync thread's arena is reused batch after batch.
QString ownCopy(const QString &text)
{
    return text.isNull() ? QString() : QString(text.constData(), text.size());
}

QVariant ownCopy(const QVariant &value)
{
    if (value.typeId() == QMetaType::QString)
        return QVariant(ownCopy(*static_cast<const QString *>(value.constData())));
    return value;
}

} // namespace

KeyedTableModel::KeyedTableModel(QList<Field> fields, QObject *parent)
    : QAbstractTableModel(parent)
    , m_fields(std::move(fields))
    , m_hasId(!m_fields.isEmpty() && m_fields.first().column == QLatin1String("id"))
{
}

int KeyedTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int KeyedTableModel::rowForId(const QString &id) const
{
    const auto it = m_keyById.constFind(id);
    return it == m_keyById.cend() ? -1 : rowForKey(*it);
}

void KeyedTableModel::rowChanged(const Values *, const Values *) { }

KeyedTableModel::Values KeyedTableModel::convert(const ShapeRow &value) const
{
    // The rows of a batch share their column list: look the fields up once per list.
    if (value.columns() != m_convertedColumns) {
        m_convertedColumns = value.columns();
        m_fieldIndex.resize(m_fields.size());
        for (qsizetype i = 0; i < m_fields.size(); ++i)
            m_fieldIndex[i] = value.indexOf(m_fields.at(i).column);
    }
    Values values;
    values.reserve(m_fields.size());
    for (qsizetype i = 0; i < m_fields.size(); ++i) {
        const Field &field = m_fields.at(i);
        const qsizetype at = m_fieldIndex.at(i);
        const QVariant raw = at < 0 ? QVariant() : value.values().at(at);
        switch (field.type) {
        case FieldType::Raw:
            values.append(ownCopy(raw));
            break;
        case FieldType::Text:
            if (raw.isNull())
                values.append(QVariant());
            else if (raw.typeId() == QMetaType::QString)
                values.append(ownCopy(raw));
            else
                values.append(QVariant(raw.toString()));
            break;
        case FieldType::DateTime:
            values.append(HiveValues::timestamp(raw));
            break;
        }
    }
    return values;
}

void KeyedTableModel::reserve(qsizetype rows)
{
    if (rows <= m_rows.size())
        return;
    m_rows.reserve(rows);
    m_rowByKey.reserve(rows);
    if (m_hasId)
        m_keyById.reserve(rows);
}

void KeyedTableModel::clear()
{
    ShapeBatch empty;
    empty.reset = true;
    applyReset(empty);
    emit batchApplied();
}

void KeyedTableModel::applyBatch(const ShapeBatch &batch)
{
    if (batch.reset) {
        applyReset(batch);
        emit batchApplied();
        return;
    }

    // Net effect per key, in order of first appearance: nullopt = deleted.
    QHash<QString, std::optional<ShapeRow>> net;
    QStringList order;
    for (const RowChange &change : batch.changes) {
        auto it = net.find(change.key);
        if (it == net.end()) {
            it = net.insert(change.key, std::nullopt);
            order.append(change.key);
        }
        if (change.operation == RowChange::Operation::Delete)
            *it = std::nullopt;
        else
            *it = change.value;
    }

    QList<int> removed;
    QList<std::pair<QString, Values>> updated;
    QList<std::pair<QString, Values>> inserted;
    for (const QString &key : std::as_const(order)) {
        const std::optional<ShapeRow> &after = net[key];
        const int row = rowForKey(key);
        if (!after) {
            if (row >= 0)
                removed.append(row);
        } else if (row >= 0) {
            updated.append({key, convert(*after)});
        } else {
            inserted.append({ownCopy(key), convert(*after)});
        }
    }

    if (!removed.isEmpty())
        removeRows(std::move(removed));

    QList<int> changedRows;
    changedRows.reserve(updated.size());
    for (auto &[key, values] : updated) {
        const int row = rowForKey(key);
        Row &target = m_rows[row];
        rowChanged(&target.values, &values);
        if (m_hasId)
            m_keyById.insert(values.at(0).toString(), target.key);
        target.values = std::move(values);
        changedRows.append(row);
    }
    emitRowsChanged(std::move(changedRows), 0, columnCount() - 1);

    if (!inserted.isEmpty()) {
        const int first = int(m_rows.size());
        beginInsertRows({}, first, first + int(inserted.size()) - 1);
        for (auto &[key, values] : inserted) {
            rowChanged(nullptr, &values);
            m_rowByKey.insert(key, int(m_rows.size()));
            if (m_hasId)
                m_keyById.insert(values.at(0).toString(), key);
            m_rows.append({key, std::move(values)});
        }
        endInsertRows();
    }
    emit batchApplied();
}

void KeyedTableModel::applyReset(const ShapeBatch &batch)
{
    beginResetModel();
    m_rows.clear();
    m_rowByKey.clear();
    m_keyById.clear();
    rowsCleared();
    for (const RowChange &change : batch.changes) {
        const int row = rowForKey(change.key);
        if (change.operation == RowChange::Operation::Delete) {
            if (row >= 0) {
                rowChanged(&m_rows.at(row).values, nullptr);
                m_rows.removeAt(row);
                rebuildIndex(row);
            }
            continue;
        }
        Values values = convert(change.value);
        if (row >= 0) {
            rowChanged(&m_rows.at(row).values, &values);
            m_rows[row].values = std::move(values);
        } else {
            rowChanged(nullptr, &values);
            const QString key = ownCopy(change.key);
            m_rowByKey.insert(key, int(m_rows.size()));
            m_rows.append({key, std::move(values)});
        }
    }
    rebuildIndex(0);
    endResetModel();
    qCDebug(lcModels) << "reset" << batch.shapeName << "to" << m_rows.size() << "rows";
}

void KeyedTableModel::removeRows(QList<int> rows)
{
    std::sort(rows.begin(), rows.end(), std::greater<int>());
    int i = 0;
    while (i < rows.size()) {
        // A run of consecutive rows, walking downwards: rows[i] is its last row.
        int j = i;
        while (j + 1 < rows.size() && rows.at(j + 1) == rows.at(j) - 1)
            ++j;
        const int first = rows.at(j);
        const int last = rows.at(i);
        beginRemoveRows({}, first, last);
        for (int row = first; row <= last; ++row) {
            const Row &gone = m_rows.at(row);
            rowChanged(&gone.values, nullptr);
            m_rowByKey.remove(gone.key);
            if (m_hasId)
                m_keyById.remove(gone.values.at(0).toString());
        }
        m_rows.remove(first, last - first + 1);
        endRemoveRows();
        i = j + 1;
    }
    rebuildIndex(rows.last());
}

void KeyedTableModel::rebuildIndex(int fromRow)
{
    for (int row = fromRow; row < m_rows.size(); ++row) {
        m_rowByKey.insert(m_rows.at(row).key, row);
        if (m_hasId)
            m_keyById.insert(m_rows.at(row).values.at(0).toString(), m_rows.at(row).key);
    }
}

void KeyedTableModel::emitRowsChanged(QList<int> rows, int firstColumn, int lastColumn,
                                      const QList<int> &roles)
{
    if (rows.isEmpty() || lastColumn < firstColumn)
        return;
    std::sort(rows.begin(), rows.end());
    int start = rows.first();
    int previous = start;
    for (int i = 1; i <= rows.size(); ++i) {
        if (i < rows.size() && (rows.at(i) == previous + 1 || rows.at(i) == previous)) {
            previous = rows.at(i);
            continue;
        }
        emit dataChanged(index(start, firstColumn), index(previous, lastColumn), roles);
        if (i < rows.size())
            start = previous = rows.at(i);
    }
}

} // namespace hivewatch
