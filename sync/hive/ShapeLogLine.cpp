#include "sync/hive/ShapeLogLine.h"

#include "domain/LogTable.h"

#include <QUuid>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace hivewatch {

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

namespace {

// The columns of a shape row that the line itself holds (SyncedLogLine::derivedColumns).
enum Derived : int {
    DerivedId = 1,
    DerivedContent = 2,
    DerivedOutputType = 4,
    DerivedAssignmentId = 8,
    DerivedExecutionProcessId = 16,
    DerivedTimestamp = 32,
    DerivedKey = 64,
};

QByteArray bytes(QLatin1StringView column)
{
    return QByteArray(column.data(), column.size());
}

const QByteArray kId = bytes(LogTable::KeyColumn);
const QByteArray kContent = bytes(LogTable::ContentColumn);
const QByteArray kOutputType = bytes(LogTable::OutputTypeColumn);
const QByteArray kAssignmentId = bytes(LogTable::AssignmentIdColumn);
const QByteArray kExecutionProcessId = bytes(LogTable::ExecutionProcessIdColumn);
const QByteArray kTimestamp = bytes(LogTable::TimestampColumn);

QByteArray uuidText(const QUuid &uuid)
{
    return uuid.toByteArray(QUuid::WithoutBraces); // lowercase, as Postgres prints a uuid
}

// How much of the store's "YYYY-MM-DD HH:MM:SS.sss" the text Postgres prints for it keeps
// (session time zone UTC, as Electric runs it): trailing zeros of the fraction dropped, then
// "+00" follows. -1: not a stored timestamp, Postgres' text is unknown.
qsizetype postgresTimestampLength(const QByteArray &stored)
{
    if (stored.size() != 23 || stored[19] != '.')
        return -1;
    qsizetype end = 23;
    while (end > 20 && stored[end - 1] == '0')
        --end;
    return end == 20 ? 19 : end;
}

QByteArray postgresTimestamp(const QByteArray &stored)
{
    const qsizetype length = postgresTimestampLength(stored);
    return length < 0 ? QByteArray() : stored.first(length) + "+00";
}

// The checks below decide, for every line of a million-row snapshot, whether a column can be
// rebuilt from the line; building the rebuilt text to compare cost an allocation per column.
bool isPostgresTimestamp(QByteArrayView text, const QByteArray &stored)
{
    const qsizetype length = postgresTimestampLength(stored);
    if (length < 0)
        return text.isEmpty();
    return text.size() == length + 3 && text.first(length) == QByteArrayView(stored).first(length)
        && text.sliced(length) == "+00";
}

// Whether `text` is exactly what uuidText() prints for the uuid it parses to.
bool isLowercaseUuidText(QByteArrayView text)
{
    if (text.size() != 36)
        return false;
    for (qsizetype i = 0; i < 36; ++i) {
        const char c = text[i];
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

// Whether `key` is `keyPrefix` followed by the quoted `id`, without converting it to UTF-8 for
// the usual all-ASCII prefix.
bool isPrefixedKey(const QString &key, const QByteArray &keyPrefix, QByteArrayView id)
{
    if (keyPrefix.isEmpty())
        return false;
    if (std::any_of(keyPrefix.cbegin(), keyPrefix.cend(), [](char c) { return c & 0x80; })) {
        const QByteArray utf8 = key.toUtf8();
        return utf8.size() == keyPrefix.size() + id.size() + 2 && utf8.startsWith(keyPrefix)
            && utf8[keyPrefix.size()] == '"' && utf8.endsWith('"')
            && QByteArrayView(utf8).sliced(keyPrefix.size() + 1, id.size()) == id;
    }
    const QStringView view(key);
    return view.size() == keyPrefix.size() + id.size() + 2
        && view.first(keyPrefix.size()) == QLatin1StringView(keyPrefix)
        && view[keyPrefix.size()] == u'"' && view.back() == u'"'
        && view.sliced(keyPrefix.size() + 1, id.size()) == QLatin1StringView(id);
}

} // namespace

QByteArray shapeLogKeyPrefix(const QString &key, const RawRow &row)
{
    const RawField *id = findField(row, kId);
    if (!id || id->isNull)
        return {};
    const QByteArray utf8 = key.toUtf8();
    const QByteArray suffix = QByteArray('"' + id->text + '"');
    if (!utf8.endsWith(suffix) || utf8.size() == suffix.size())
        return {};
    return utf8.chopped(suffix.size());
}

std::optional<SyncedLogLine> shapeLogLine(const QString &key, const RawRow &row,
                                          const QByteArray &keyPrefix)
{
    const RawField *id = findField(row, kId);
    const RawField *execution = findField(row, kExecutionProcessId);
    int executionBit = DerivedExecutionProcessId;
    if (!execution || execution->isNull) {
        execution = findField(row, kAssignmentId);
        executionBit = DerivedAssignmentId;
    }
    if (!id || id->isNull || !execution || execution->isNull)
        return std::nullopt;
    SyncedLogLine line;
    const auto [end, ec] = std::from_chars(id->text.cbegin(), id->text.cend(), line.sourceId);
    if (ec != std::errc() || end != id->text.cend())
        return std::nullopt;
    line.executionId = QUuid::fromString(QLatin1StringView(execution->text));
    if (line.executionId.isNull())
        return std::nullopt;
    const RawField *type = findField(row, kOutputType);
    const RawField *content = findField(row, kContent);
    const RawField *timestamp = findField(row, kTimestamp);
    // log_entries keeps the node's CHECK on output_type. Like the node's from_remote_str, an
    // unknown type becomes `system` so one odd row cannot stall the whole log shape; the raw
    // value stays in the shape row.
    line.outputType = type && !type->isNull && LogTable::outputTypeName(type->text)
        ? type->text
        : QByteArray(LogTable::fallbackOutputType());
    if (content && !content->isNull)
        line.content = content->text;
    if (timestamp && !timestamp->isNull)
        line.timestamp = logTimestamp(timestamp->text);
    char idBuffer[24];
    const auto printed = std::to_chars(std::begin(idBuffer), std::end(idBuffer), line.sourceId);
    const QByteArrayView idText(idBuffer, printed.ptr - idBuffer); // as QByteArray::number
    if (isPrefixedKey(key, keyPrefix, idText))
        line.derivedColumns |= DerivedKey;
    else
        line.shapeKey = key.toUtf8();

    // The shape row keeps only what the line cannot give back byte for byte, so a line's
    // content is stored once. Each column is dropped only after checking that it can be
    // rebuilt exactly; derivedColumns says which were.
    const auto derivable = [&](const RawField &field) {
        if (field.isNull)
            return 0;
        if (field.column == kId)
            return field.text == idText ? int(DerivedId) : 0;
        if (field.column == kContent)
            return int(DerivedContent);
        if (field.column == kOutputType)
            return field.text == line.outputType ? int(DerivedOutputType) : 0;
        if (&field == execution)
            return isLowercaseUuidText(field.text) ? executionBit : 0; // it parsed to the id
        if (field.column == kTimestamp)
            return isPostgresTimestamp(field.text, line.timestamp) ? int(DerivedTimestamp) : 0;
        return 0;
    };
    RawRow rest;
    rest.reserve(row.size());
    for (const RawField &field : row) {
        if (const int bit = derivable(field))
            line.derivedColumns |= bit;
        else
            rest.append(field);
    }
    line.shapeRow = rawRowToJson(rest);
    return line;
}

Result<RawRow> shapeLogRow(const SyncedLogLine &line)
{
    auto parsed = parseRawRow(line.shapeRow);
    if (!parsed)
        return parsed.error();
    RawRow row = std::move(parsed).value();
    const int derived = line.derivedColumns;
    const auto add = [&](int bit, const QByteArray &column, const QByteArray &text) {
        if (derived & bit)
            row.append({column, text, false});
    };
    add(DerivedId, kId, QByteArray::number(line.sourceId));
    add(DerivedAssignmentId, kAssignmentId, uuidText(line.executionId));
    add(DerivedExecutionProcessId, kExecutionProcessId, uuidText(line.executionId));
    add(DerivedOutputType, kOutputType, line.outputType);
    add(DerivedContent, kContent, line.content);
    add(DerivedTimestamp, kTimestamp, postgresTimestamp(line.timestamp));
    return row;
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

std::optional<qint64> shapeLogKeyId(QByteArrayView key, const QByteArray &keyPrefix)
{
    if (keyPrefix.isEmpty() || key.size() < keyPrefix.size() + 3 || !key.startsWith(keyPrefix)
        || !key.endsWith('"') || key[keyPrefix.size()] != '"')
        return std::nullopt;
    const QByteArrayView digits = key.sliced(keyPrefix.size() + 1).chopped(1);
    qint64 value = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (ec != std::errc() || end != digits.data() + digits.size()
        || QByteArray::number(value) != digits)
        return std::nullopt;
    return value;
}

} // namespace hivewatch
