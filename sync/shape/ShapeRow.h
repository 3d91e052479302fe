#pragma once

#include <QList>
#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVariantHash>

#include <initializer_list>
#include <memory>
#include <utility>

namespace hivewatch {

// One typed row as it crosses from the sync worker to the models: its values in the order of a
// column list shared by every row of a shape. At Qt 6.4 a QVariantHash per row cost ~2.6 KB
// (a hash span of 48 entries plus a key string per column): 170k hive rows were 440 MB of the
// dashboard's 930 MB heap. Read it like the hash it replaces: value(column), contains(column).
class ShapeRow
{
public:
    using Columns = std::shared_ptr<const QStringList>;

    ShapeRow() = default;
    ShapeRow(Columns columns, QVariantList values);
    // For small producers and tests; every row built this way has a column list of its own.
    ShapeRow(const QVariantHash &hash); // NOLINT(google-explicit-constructor): a drop-in
    ShapeRow(std::initializer_list<std::pair<QString, QVariant>> fields);

    // The value of `column`, or a null QVariant when the row has no such column.
    QVariant value(const QString &column) const;
    bool contains(const QString &column) const { return indexOf(column) >= 0; }
    qsizetype indexOf(const QString &column) const;
    qsizetype size() const { return m_values.size(); }
    bool isEmpty() const { return m_values.isEmpty(); }
    const Columns &columns() const { return m_columns; }
    const QVariantList &values() const { return m_values; }
    QVariantHash toHash() const;

    // Equal when both hold the same columns with the same values, in any order.
    bool operator==(const ShapeRow &other) const;

private:
    Columns m_columns;
    QVariantList m_values;
};

} // namespace hivewatch
