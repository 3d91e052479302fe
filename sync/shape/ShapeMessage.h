#pragma once

#include "domain/Result.h"
#include "sync/common/JsonString.h"
#include "sync/shape/ShapeBatch.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <functional>

namespace hivewatch {

// One column value as Electric sends it: the Postgres text form, or SQL NULL. Typing happens
// later (ShapeValue), so rows can be stored and merged without losing anything.
struct RawField
{
    QByteArray column; // UTF-8 column name (implicitly shared between rows)
    QByteArray text; // UTF-8 text form; empty for NULL
    bool isNull = false;

    bool operator==(const RawField &other) const = default;
};
using RawRow = QList<RawField>;

// Returns the field named `column`, or nullptr.
const RawField *findField(const RawRow &row, QByteArrayView column);
// insert-or-replace every field of `changes` into `row` (a partial update merge, §3).
void mergeRow(RawRow &row, const RawRow &changes);

// A change message of the body (docs/electric-protocol.md §2.5). Control messages are not kept:
// the parser turns them into flags of ParsedBody.
struct ShapeMessage
{
    RowChange::Operation operation = RowChange::Operation::Insert;
    QString key;
    RawRow value;
    RawRow oldValue; // replica=full updates: old values of the changed columns
    // Set only when the body was parsed with insertsAsJson: an insert's row in its stored form
    // (what rawRowToJson(value) gives), and `value` then holds only its NULL fields (enough
    // for the NOT NULL check). Its key is then only in keyUtf8, as the store writes it.
    // materializeRow() rebuilds the full value and the key.
    QByteArray json;
    QByteArray keyUtf8; // the key as received, when the parser kept it

    // The key for messages (whichever form holds it).
    QString keyText() const { return key.isEmpty() ? QString::fromUtf8(keyUtf8) : key; }
};

// Rebuilds `value` of an insert parsed with insertsAsJson from its stored form (no-op otherwise).
Result<void> materializeRow(ShapeMessage &change);

struct ParsedBody
{
    QList<ShapeMessage> changes;
    bool upToDate = false; // an up-to-date control message was present
    bool mustRefetch = false; // a must-refetch control message was present
    int skipped = 0; // messages of kinds this client does not know (logged, ignored)
    qsizetype handedOut = 0; // changes given to ShapeBodySlices::take instead of `changes`
};

// Hands a large body's changes out while the body is parsed, `rows` at a time, so a consumer
// can store the first ones while the rest are parsed. Only once the whole body was checked to
// parse (so nothing of a body that turns out malformed is handed out) and when it holds no
// must-refetch; the changes left at the end stay in ParsedBody::changes.
struct ShapeBodySlices
{
    qsizetype rows = 0;
    std::function<void(QList<ShapeMessage> &&changes)> take;
};

// Parses one response body: a JSON array of messages. Unknown message kinds and unknown control
// messages are skipped (with a debug log); a body that is not an array of objects, or a change
// message without key/operation/value, is an error naming the message index. A body with
// kShapeBodyPadding bytes of spare capacity (QByteArray::reserve) is parsed without a copy.
// insertsAsJson: inserts carry their stored form instead of a RawRow per row, for a consumer
// that only stores them (no per-field allocations, no second serialisation).
// slices (optional): see ShapeBodySlices.
Result<ParsedBody> parseShapeBody(const QByteArray &body, bool insertsAsJson = false,
                                  const ShapeBodySlices *slices = nullptr);
inline constexpr qsizetype kShapeBodyPadding = 64;

// Serialises a raw row as a JSON object of strings/nulls (the wire form), and back. Used by the
// store; parseRawRow reports malformed input as an error.
QByteArray rawRowToJson(const RawRow &row);
Result<RawRow> parseRawRow(const QByteArray &json);

} // namespace hivewatch
