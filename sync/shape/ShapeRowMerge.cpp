#include "sync/shape/ShapeRowMerge.h"

#include "sync/shape/ShapeRowSink.h"

namespace hivewatch {

namespace ShapeRowMerge {

Result<RawRow> rowAfter(const ShapeMessage &change, const StoredRow &stored)
{
    if (change.operation != RowChange::Operation::Update)
        return change.value;
    auto found = stored();
    if (!found)
        return found.error();
    if (!found.value())
        return change.value;
    RawRow row = std::move(*found.value());
    mergeRow(row, change.value);
    return row;
}

Result<std::optional<RawRow>> storedRow(ShapeRows &rows, const QByteArray &key,
                                        const QString &keyText, const QString &shape)
{
    auto json = rows.find(key);
    if (!json)
        return json.error();
    if (!json.value())
        return std::optional<RawRow>();
    auto parsed = parseRawRow(*json.value());
    if (!parsed)
        return damaged(keyText, shape, parsed.error());
    return std::optional<RawRow>(std::move(parsed).value());
}

Error damaged(const QString &keyText, const QString &shape, const Error &why)
{
    return Error(QStringLiteral("the stored row %1 of shape %2 is damaged").arg(keyText, shape),
                 why.toString());
}

} // namespace ShapeRowMerge

} // namespace hivewatch
