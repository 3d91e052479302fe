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
    const int row = m_rowById.value(id, -1);
    return row >= 0 ? row : m_ownRowById.value(id, -1);
}

int KeyedTableModel::rowForKey(const QString &key) const
{
    if (const auto it = m_rowByOwnKey.constFind(key); it != m_rowByOwnKey.cend())
        return *it;
    const qsizetype idLength = key.size() - m_keyPrefix.size() - 1;
    if (m_keyPrefix.isEmpty() || idLength <= 0 || !key.startsWith(m_keyPrefix)
        || !key.endsWith(QLatin1Char('"')))
        return -1;
    return m_rowById.value(key.mid(m_keyPrefix.size(), idLength), -1);
}

QString KeyedTableModel::key(int row) const
{
    const Row &r = m_rows.at(row);
    return r.key.isNull() ? m_keyPrefix + idOf(r.values) + QLatin1Char('"') : r.key;
}

QString KeyedTableModel::idOf(const Values &values) const
{
    if (!m_hasId || values.isEmpty() || values.first().typeId() != QMetaType::QString)
        return {};
    return *static_cast<const QString *>(values.first().constData());
}

bool KeyedTableModel::derivesKey(const QString &key, const Values &values)
{
    const QString id = idOf(values);
    if (id.isEmpty() || key.size() < id.size() + 3 || !key.endsWith(QLatin1Char('"')))
        return false;
    const qsizetype prefixLength = key.size() - id.size() - 1;
    if (key.at(prefixLength - 1) != QLatin1Char('"')
        || QStringView(key).mid(prefixLength, id.size()) != id)
        return false;
    if (m_keyPrefix.isEmpty())
        m_keyPrefix = ownCopy(key.left(prefixLength));
    return QStringView(key).left(prefixLength) == m_keyPrefix;
}

int KeyedTableModel::findRow(const QString &key, const Values *values)
{
    if (values && derivesKey(key, *values))
        return m_rowById.value(idOf(*values), -1);
    return rowForKey(key);
}

void KeyedTableModel::indexRow(int row)
{
    const Row &r = m_rows.at(row);
    const QString id = idOf(r.values);
    if (r.key.isNull()) {
        m_rowById.insert(id, row);
        return;
    }
    m_rowByOwnKey.insert(r.key, row);
    if (!id.isNull())
        m_ownRowById.insert(id, row);
}

void KeyedTableModel::unindexRow(int row)
{
    const Row &r = m_rows.at(row);
    const QString id = idOf(r.values);
    if (r.key.isNull()) {
        m_rowById.remove(id);
        return;
    }
    m_rowByOwnKey.remove(r.key);
    if (const auto it = m_ownRowById.constFind(id); it != m_ownRowById.cend() && *it == row)
        m_ownRowById.erase(it);
}

void KeyedTableModel::appendRow(const QString &key, Values values)
{
    const bool derived = derivesKey(key, values);
    m_rows.append({derived ? QString() : ownCopy(key), std::move(values)});
    indexRow(int(m_rows.size()) - 1);
}

QString KeyedTableModel::intern(const QString &text)
{
    // Bounded, so a column declared Symbol that turns out to hold ids costs a copy per row,
    // as a Text field does, rather than a set that only grows.
    constexpr qsizetype kMaxSymbols = 4096;
    if (const auto it = m_symbols.constFind(text); it != m_symbols.cend())
        return *it;
    QString copy = ownCopy(text);
    if (m_symbols.size() < kMaxSymbols)
        m_symbols.insert(copy);
    return copy;
}

void KeyedTableModel::rowChanged(const Values *, const Values *) { }

KeyedTableModel::Values KeyedTableModel::convert(const ShapeRow &value)
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
        case FieldType::Symbol:
            if (raw.isNull())
                values.append(QVariant());
            else
                values.append(QVariant(intern(raw.toString())));
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
    if (m_hasId)
        m_rowById.reserve(rows);
    else
        m_rowByOwnKey.reserve(rows);
    reserveDerived(rows);
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
    net.reserve(batch.changes.size());
    QStringList order;
    order.reserve(batch.changes.size());
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
        if (!after) {
            if (const int row = rowForKey(key); row >= 0)
                removed.append(row);
            continue;
        }
        Values values = convert(*after);
        if (findRow(key, &values) >= 0)
            updated.append({key, std::move(values)});
        else
            inserted.append({key, std::move(values)});
    }

    if (!removed.isEmpty())
        removeRows(std::move(removed));

    QList<int> changedRows;
    changedRows.reserve(updated.size());
    for (auto &[key, values] : updated) {
        const int row = findRow(key, &values);
        rowChanged(&m_rows.at(row).values, &values);
        replaceValues(row, key, std::move(values));
        changedRows.append(row);
    }
    emitRowsChanged(std::move(changedRows), 0, columnCount() - 1);

    if (!inserted.isEmpty()) {
        const int first = int(m_rows.size());
        beginInsertRows({}, first, first + int(inserted.size()) - 1);
        for (auto &[key, values] : inserted) {
            rowChanged(nullptr, &values);
            appendRow(key, std::move(values));
        }
        endInsertRows();
    }
    emit batchApplied();
}

void KeyedTableModel::replaceValues(int row, const QString &key, Values values)
{
    Row &target = m_rows[row];
    if (target.key.isNull() && derivesKey(key, values)) { // same id: the indexes stand
        target.values = std::move(values);
        return;
    }
    unindexRow(row);
    target.key = derivesKey(key, values) ? QString() : ownCopy(key);
    target.values = std::move(values);
    indexRow(row);
}

void KeyedTableModel::applyReset(const ShapeBatch &batch)
{
    beginResetModel();
    m_rows.clear();
    m_rowById.clear();
    m_rowByOwnKey.clear();
    m_ownRowById.clear();
    rowsCleared();
    for (const RowChange &change : batch.changes) {
        if (change.operation == RowChange::Operation::Delete) {
            if (const int row = rowForKey(change.key); row >= 0) {
                rowChanged(&m_rows.at(row).values, nullptr);
                unindexRow(row);
                m_rows.removeAt(row);
                rebuildIndex(row);
            }
            continue;
        }
        Values values = convert(change.value);
        if (const int row = findRow(change.key, &values); row >= 0) {
            rowChanged(&m_rows.at(row).values, &values);
            replaceValues(row, change.key, std::move(values));
        } else {
            rowChanged(nullptr, &values);
            appendRow(change.key, std::move(values));
        }
    }
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
            rowChanged(&m_rows.at(row).values, nullptr);
            unindexRow(row);
        }
        m_rows.remove(first, last - first + 1);
        endRemoveRows();
        i = j + 1;
    }
    rebuildIndex(rows.last());
}

void KeyedTableModel::rebuildIndex(int fromRow)
{
    for (int row = fromRow; row < m_rows.size(); ++row)
        indexRow(row);
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
