#include "sync/shape/ShapeSchema.h"

#include <simdjson.h>

#include <algorithm>

namespace hivewatch {

using namespace simdjson;

Result<ShapeSchema> ShapeSchema::parse(const QByteArray &headerJson)
{
    dom::parser parser;
    dom::element root;
    if (auto error = parser.parse(headerJson.constData(), size_t(headerJson.size())).get(root)) {
        return Error(QStringLiteral("the electric-schema header is not valid JSON"),
                     QString::fromUtf8(error_message(error)));
    }
    dom::object columns;
    if (root.get(columns) != SUCCESS)
        return Error(QStringLiteral("the electric-schema header is not a JSON object"));

    ShapeSchema schema;
    schema.m_json = headerJson;
    for (auto [name, info] : columns) {
        const QString column = QString::fromUtf8(name.data(), qsizetype(name.size()));
        dom::object fields;
        std::string_view type;
        if (info.get(fields) != SUCCESS || fields["type"].get(type) != SUCCESS) {
            return Error(
                QStringLiteral("the electric-schema header gives column `%1` no type").arg(column));
        }
        ColumnType columnType;
        columnType.type = QString::fromUtf8(type.data(), qsizetype(type.size()));
        int64_t number = 0;
        if (fields["dims"].get(number) == SUCCESS)
            columnType.dims = int(number);
        if (fields["pk_index"].get(number) == SUCCESS)
            columnType.pkIndex = int(number);
        bool notNull = false;
        if (fields["not_null"].get(notNull) == SUCCESS)
            columnType.notNull = notNull;
        schema.m_columns.insert(column, columnType);
    }
    return schema;
}

const ColumnType *ShapeSchema::column(const QString &name) const
{
    const auto it = m_columns.constFind(name);
    return it == m_columns.cend() ? nullptr : &it.value();
}

QStringList ShapeSchema::columnNames() const
{
    QStringList names = m_columns.keys();
    names.sort();
    return names;
}

QStringList ShapeSchema::primaryKey() const
{
    QList<QPair<int, QString>> parts;
    for (auto it = m_columns.cbegin(); it != m_columns.cend(); ++it) {
        if (it->pkIndex >= 0)
            parts.append({it->pkIndex, it.key()});
    }
    std::sort(parts.begin(), parts.end());
    QStringList names;
    for (const auto &part : parts)
        names << part.second;
    return names;
}

} // namespace hivewatch
