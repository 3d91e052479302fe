#include "ShapeLogLine.h"

#include <QUuid>

#include <charconv>
#include <cstring>

namespace {

// Postgres timestamptz text as Electric sends it (UTC, "2025-12-02 10:11:12.123456+00") to the
// store's "YYYY-MM-DD HH:MM:SS.sss".
QByteArray logTimestamp(QByteArrayView text)
{
    if (text.size() < 19)
        return text.toByteArray();
    QByteArray out(23, '0');
    std::memcpy(out.data(), text.data(), 19);
    out[10] = ' ';
    out[19] = '.';
    if (text.size() > 20 && text[19] == '.') {
        for (qsizetype i = 20; i < text.size() && i < 23 && text[i] >= '0' && text[i] <= '9'; ++i)
            out[i] = text[i];
    }
    return out;
}

} // namespace

std::optional<SyncedLogLine> shapeLogLine(const QString &key, const RawRow &row)
{
    const RawField *id = findField(row, "id");
    const RawField *execution = findField(row, "execution_process_id");
    if (!execution || execution->isNull)
        execution = findField(row, "assignment_id");
    if (!id || id->isNull || !execution || execution->isNull)
        return std::nullopt;
    SyncedLogLine line;
    const auto [end, ec] = std::from_chars(id->text.cbegin(), id->text.cend(), line.sourceId);
    if (ec != std::errc() || end != id->text.cend())
        return std::nullopt;
    line.executionId = QUuid::fromString(QLatin1StringView(execution->text));
    if (line.executionId.isNull())
        return std::nullopt;
    const RawField *type = findField(row, "output_type");
    const RawField *content = findField(row, "content");
    const RawField *timestamp = findField(row, "timestamp");
    // log_entries keeps the node's CHECK on output_type. Like the node's from_remote_str, an
    // unknown type becomes `system` so one odd row cannot stall the whole log shape; the raw
    // value stays in the shape row.
    static const QByteArrayList kNodeOutputTypes = {
        "stdout", "stderr", "system", "json_patch", "session_id", "finished", "refresh_required"};
    line.outputType = type && !type->isNull && kNodeOutputTypes.contains(type->text)
        ? type->text
        : QByteArrayLiteral("system");
    if (content && !content->isNull)
        line.content = content->text;
    if (timestamp && !timestamp->isNull)
        line.timestamp = logTimestamp(timestamp->text);
    line.shapeKey = key.toUtf8();
    return line;
}

std::optional<qint64> shapeLogSourceId(const RawRow &row)
{
    const RawField *id = findField(row, "id");
    qint64 value = 0;
    if (!id || id->isNull)
        return std::nullopt;
    const auto [end, ec] = std::from_chars(id->text.cbegin(), id->text.cend(), value);
    if (ec != std::errc() || end != id->text.cend())
        return std::nullopt;
    return value;
}
