#include "sync/shape/ShapeMessage.h"

#include "sync/common/HugePages.h"
#include "sync/shape/SyncLog.h"

#include <simdjson.h>

#include <cstdint>
#include <string_view>

namespace hivewatch {

using namespace simdjson;

static_assert(kShapeBodyPadding >= qsizetype(SIMDJSON_PADDING));

namespace {

// Column names repeat on every row: share one QByteArray per name instead of allocating one per
// field. Rows of one shape list columns in the same order, so the slot at the same position is
// almost always the match.
class ColumnNames
{
public:
    QByteArray intern(std::string_view name, qsizetype position)
    {
        const auto view = [](const QByteArray &b) {
            return std::string_view(b.constData(), size_t(b.size()));
        };
        if (position < m_names.size() && view(m_names[position]) == name)
            return m_names[position];
        for (const QByteArray &known : m_names) {
            if (view(known) == name)
                return known;
        }
        QByteArray created(name.data(), qsizetype(name.size()));
        if (m_names.size() < 512)
            m_names.append(created);
        return created;
    }

private:
    QList<QByteArray> m_names;
};

// Buffers up to this size stay allocated for the next body.
constexpr qsizetype kKeptParserBytes = 1 << 20;

dom::parser &threadParser()
{
    thread_local dom::parser parser;
    return parser;
}

QString indexed(qsizetype index, const char *what)
{
    return QStringLiteral("message %1 of the response %2").arg(index).arg(QLatin1String(what));
}

// Values are strings or null on the wire; anything else is kept as its JSON text so a
// non-conforming server loses nothing.
bool readRow(dom::element element, RawRow &row, ColumnNames &names)
{
    dom::object object;
    if (element.get(object) != SUCCESS)
        return false;
    row.reserve(qsizetype(object.size()));
    qsizetype position = 0;
    for (auto [name, value] : object) {
        RawField field;
        field.column = names.intern(name, position++);
        std::string_view text;
        if (value.is_null()) {
            field.isNull = true;
        } else if (value.get(text) == SUCCESS) {
            field.text = QByteArray(text.data(), qsizetype(text.size()));
        } else {
            const std::string json = simdjson::minify(value);
            field.text = QByteArray(json.data(), qsizetype(json.size()));
        }
        row.append(std::move(field));
    }
    return true;
}

// The stored form of a row straight from the parse: the bytes rawRowToJson() would give for
// the RawRow readRow() builds, so a store written either way is byte-identical. NULL fields
// also go into `nulls` (the NOT NULL check reads them).
bool writeRowJson(dom::element element, QByteArray &out, RawRow &nulls, ColumnNames &names)
{
    dom::object object;
    if (element.get(object) != SUCCESS)
        return false;
    out.reserve(qsizetype(object.size()) * 24 + 64);
    out.append('{');
    qsizetype position = 0;
    for (auto [name, value] : object) {
        if (position > 0)
            out.append(',');
        appendJsonString(out, QByteArrayView(name.data(), qsizetype(name.size())));
        out.append(':');
        std::string_view text;
        if (value.is_null()) {
            out.append("null");
            nulls.append({names.intern(name, position), QByteArray(), true});
        } else if (value.get(text) == SUCCESS) {
            appendJsonString(out, QByteArrayView(text.data(), qsizetype(text.size())));
        } else {
            const std::string json = simdjson::minify(value);
            appendJsonString(out, QByteArrayView(json.data(), qsizetype(json.size())));
        }
        ++position;
    }
    out.append('}');
    return true;
}

// Whether parseShapeBody's loop below gets through `messages` without an error and meets no
// must-refetch: the same checks, without building anything (a few ms for a 10 MiB chunk).
bool parsesWhole(dom::array messages)
{
    for (dom::element element : messages) {
        dom::object message;
        if (element.get(message) != SUCCESS)
            return false;
        dom::object headers;
        const bool hasHeaders = message["headers"].get(headers) == SUCCESS;
        std::string_view key;
        const auto keyError = message["key"].get(key);
        if (keyError == NO_SUCH_FIELD) {
            std::string_view control;
            if (hasHeaders && headers["control"].get(control) == SUCCESS
                && control == "must-refetch")
                return false;
            continue;
        }
        std::string_view operationName;
        if (keyError != SUCCESS || !hasHeaders
            || headers["operation"].get(operationName) != SUCCESS)
            return false;
        const bool isDelete = operationName == "delete";
        dom::element value;
        if (message["value"].get(value) == SUCCESS) {
            if (!value.is_object())
                return false;
        } else if (!isDelete) {
            return false;
        }
        dom::element oldValue;
        if (message["old_value"].get(oldValue) == SUCCESS && !oldValue.is_null()
            && !oldValue.is_object())
            return false;
    }
    return true;
}

std::optional<RowChange::Operation> operationFrom(std::string_view name)
{
    if (name == "insert")
        return RowChange::Operation::Insert;
    if (name == "update")
        return RowChange::Operation::Update;
    if (name == "delete")
        return RowChange::Operation::Delete;
    return std::nullopt;
}

} // namespace

const RawField *findField(const RawRow &row, QByteArrayView column)
{
    for (const RawField &field : row) {
        if (field.column == column)
            return &field;
    }
    return nullptr;
}

void mergeRow(RawRow &row, const RawRow &changes)
{
    for (const RawField &change : changes) {
        bool replaced = false;
        for (RawField &field : row) {
            if (field.column == change.column) {
                field = change;
                replaced = true;
                break;
            }
        }
        if (!replaced)
            row.append(change);
    }
}

Result<void> materializeRow(ShapeMessage &change)
{
    if (change.json.isEmpty())
        return {};
    auto row = parseRawRow(change.json);
    if (!row)
        return row.error();
    change.value = std::move(row).value();
    change.json = QByteArray();
    change.key = QString::fromUtf8(change.keyUtf8);
    return {};
}

Result<ParsedBody> parseShapeBody(const QByteArray &body, bool insertsAsJson,
                                  const ShapeBodySlices *slices)
{
    // A body with SIMDJSON_PADDING spare bytes is parsed in place; any other is first copied
    // into the parser's padded buffer (10 MiB for Electric's chunks).
    const bool padded = body.capacity() - body.size() >= qsizetype(SIMDJSON_PADDING);
    // The parser grows its buffers to each larger document exactly; a snapshot's next chunk is
    // often a few bytes larger, and fresh buffers fault in again: grown with room to spare.
    dom::parser &parser = threadParser();
    // (The document, its tape and strings, is the larger part; parse() grows only what lacks.)
    const size_t size = size_t(body.size());
    if ((size > parser.capacity() || size > parser.doc.capacity())
        && body.size() > kKeptParserBytes) {
        const size_t room = size + size / 8;
        auto error = parser.allocate(room);
        if (!error)
            error = parser.doc.allocate(room);
        if (error)
            return Error(QStringLiteral("the shape response could not be parsed"),
                         QString::fromUtf8(error_message(error)));
        // The first 10 MiB chunk faults ~40 MB of these in, 4 KiB at a time, before its first
        // row exists (most of its parse time on this VM): huge pages where the kernel has them.
        // The lengths stay within what simdjson allocated (it rounds up).
        adviseHugePages(parser.implementation->structural_indexes.get(), room * sizeof(uint32_t));
        adviseHugePages(parser.doc.tape.get(), room * sizeof(uint64_t));
        adviseHugePages(parser.doc.string_buf.get(), room);
    }
    dom::element root;
    if (auto error = parser.parse(body.constData(), size_t(body.size()), !padded).get(root)) {
        return Error(QStringLiteral("the shape response is not valid JSON"),
                     QString::fromUtf8(error_message(error)));
    }
    dom::array messages;
    if (root.get(messages) != SUCCESS)
        return Error(QStringLiteral("the shape response is not a JSON array of messages"));

    const bool slicing = slices && slices->rows > 0 && slices->take
        && qsizetype(messages.size()) > slices->rows && parsesWhole(messages);
    ParsedBody parsed;
    parsed.changes.reserve(slicing ? slices->rows : qsizetype(messages.size()));
    ColumnNames names;
    qsizetype index = 0;
    for (dom::element element : messages) {
        dom::object message;
        if (element.get(message) != SUCCESS)
            return Error(indexed(index, "is not a JSON object"));
        dom::object headers;
        const bool hasHeaders = message["headers"].get(headers) == SUCCESS;
        std::string_view key;
        const auto keyError = message["key"].get(key);
        if (keyError != NO_SUCH_FIELD) {
            if (keyError != SUCCESS)
                return Error(indexed(index, "has a key that is not a string"));
            std::string_view operationName;
            if (!hasHeaders || headers["operation"].get(operationName) != SUCCESS)
                return Error(indexed(index, "is a change without headers.operation"));
            const auto operation = operationFrom(operationName);
            if (!operation) {
                qCDebug(lcSync) << "skipping a change with unknown operation"
                                << QByteArrayView(operationName.data(),
                                                  qsizetype(operationName.size()));
                ++parsed.skipped;
                ++index;
                continue;
            }
            ShapeMessage change;
            change.operation = *operation;
            change.keyUtf8 = QByteArray(key.data(), qsizetype(key.size()));
            const bool asJson = insertsAsJson && *operation == RowChange::Operation::Insert;
            if (!asJson)
                change.key = QString::fromUtf8(change.keyUtf8);
            dom::element value;
            if (message["value"].get(value) == SUCCESS) {
                if (!(asJson ? writeRowJson(value, change.json, change.value, names)
                             : readRow(value, change.value, names)))
                    return Error(indexed(index, "has a value that is not a JSON object"));
            } else if (*operation != RowChange::Operation::Delete) {
                return Error(indexed(index, "is an insert or update without a value"));
            }
            dom::element oldValue;
            if (message["old_value"].get(oldValue) == SUCCESS && !oldValue.is_null()
                && !readRow(oldValue, change.oldValue, names)) {
                return Error(indexed(index, "has an old_value that is not a JSON object"));
            }
            parsed.changes.append(std::move(change));
            if (slicing && parsed.changes.size() >= slices->rows) {
                parsed.handedOut += parsed.changes.size();
                slices->take(std::exchange(parsed.changes, QList<ShapeMessage>()));
                parsed.changes.reserve(slices->rows);
            }
        } else {
            std::string_view control;
            if (hasHeaders && headers["control"].get(control) == SUCCESS) {
                if (control == "up-to-date") {
                    parsed.upToDate = true;
                } else if (control == "must-refetch") {
                    parsed.mustRefetch = true;
                } else if (control != "snapshot-end") {
                    qCDebug(lcSync) << "skipping unknown control message"
                                    << QByteArrayView(control.data(), qsizetype(control.size()));
                    ++parsed.skipped;
                }
            } else {
                qCDebug(lcSync) << "skipping a message of unknown kind at index" << index;
                ++parsed.skipped;
            }
        }
        ++index;
    }
    // The parser sizes its buffers to the largest document it has seen (about 14 bytes per byte
    // of JSON) and keeps them: after 10 MiB snapshot chunks that is ~140 MB per syncing thread,
    // which live mode's small bodies never need. Released at the up-to-date that ends a
    // snapshot, not after each large chunk, which would fault them in again for every chunk.
    // Nothing parsed refers to the buffers any more.
    if (parsed.upToDate && threadParser().capacity() > size_t(kKeptParserBytes))
        threadParser() = dom::parser();
    return parsed;
}

QByteArray rawRowToJson(const RawRow &row)
{
    QByteArray out;
    qsizetype size = 2;
    for (const RawField &field : row)
        size += field.column.size() + field.text.size() + 8;
    out.reserve(size);
    out.append('{');
    bool first = true;
    for (const RawField &field : row) {
        if (!first)
            out.append(',');
        first = false;
        appendJsonString(out, field.column);
        out.append(':');
        if (field.isNull)
            out.append("null");
        else
            appendJsonString(out, field.text);
    }
    out.append('}');
    return out;
}

Result<RawRow> parseRawRow(const QByteArray &json)
{
    dom::element root;
    if (auto error = threadParser().parse(json.constData(), size_t(json.size())).get(root))
        return Error(QStringLiteral("a stored shape row is not valid JSON"),
                     QString::fromUtf8(error_message(error)));
    RawRow row;
    ColumnNames names;
    if (!readRow(root, row, names))
        return Error(QStringLiteral("a stored shape row is not a JSON object"));
    return row;
}

} // namespace hivewatch
