#include "sync/shape/ShapeRow.h"

namespace hivewatch {

ShapeRow::ShapeRow(Columns columns, QVariantList values)
    : m_columns(std::move(columns))
    , m_values(std::move(values))
{
    Q_ASSERT(m_columns ? m_columns->size() == m_values.size() : m_values.isEmpty());
}

ShapeRow::ShapeRow(const QVariantHash &hash)
{
    QStringList columns;
    columns.reserve(hash.size());
    m_values.reserve(hash.size());
    for (auto it = hash.cbegin(); it != hash.cend(); ++it) {
        columns.append(it.key());
        m_values.append(it.value());
    }
    m_columns = std::make_shared<const QStringList>(std::move(columns));
}

ShapeRow::ShapeRow(std::initializer_list<std::pair<QString, QVariant>> fields)
{
    QStringList columns;
    for (const auto &[column, value] : fields) {
        if (const qsizetype at = columns.indexOf(column); at >= 0) {
            m_values[at] = value; // the last one wins, as in a hash
            continue;
        }
        columns.append(column);
        m_values.append(value);
    }
    m_columns = std::make_shared<const QStringList>(std::move(columns));
}

qsizetype ShapeRow::indexOf(const QString &column) const
{
    if (!m_columns)
        return -1;
    for (qsizetype i = 0; i < m_columns->size(); ++i) {
        if (m_columns->at(i) == column)
            return i;
    }
    return -1;
}

QVariant ShapeRow::value(const QString &column) const
{
    const qsizetype at = indexOf(column);
    return at < 0 ? QVariant() : m_values.at(at);
}

QVariantHash ShapeRow::toHash() const
{
    QVariantHash hash;
    for (qsizetype i = 0; i < m_values.size(); ++i)
        hash.insert(m_columns->at(i), m_values.at(i));
    return hash;
}

bool ShapeRow::operator==(const ShapeRow &other) const
{
    if (size() != other.size())
        return false;
    if (m_columns == other.m_columns)
        return m_values == other.m_values;
    return toHash() == other.toHash();
}

} // namespace hivewatch
