#pragma once

#include "domain/Result.h"
#include "sync/shape/ShapeMessage.h"
#include "sync/shape/ShapeUpdate.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace hivewatch {

class SqliteConnection;
struct ShapeDefinition;

// A change after it was applied: for inserts and updates the complete merged row.
struct AppliedChange
{
    RowChange::Operation operation = RowChange::Operation::Insert;
    QString key;
    RawRow row;
};

// The rows ShapeStore keeps itself for one shape (shape_rows, in wire form): where a sink puts
// a row it cannot take, so no change is ever lost. Valid during the sink call it is given to.
class ShapeRows
{
public:
    virtual Result<std::optional<QByteArray>> find(const QByteArray &key) = 0;
    virtual Result<void> put(const QByteArray &key, const QByteArray &json) = 0;
    virtual Result<void> erase(const QByteArray &key) = 0;
    // Whether the shape has any row here.
    virtual Result<bool> any() = 0;

protected:
    ~ShapeRows() = default;
};

// What a sink works out from an update without the store, on the thread that receives it, while
// the store's writer thread may still apply the previous one (see ShapeRowSink::prepare).
class ShapeSinkPart
{
public:
    virtual ~ShapeSinkPart() = default;
};

// Where the rows of one shape go when they do not go to the store's generic shape_rows: the
// seam between ShapeStore (which keeps every shape's position and transaction) and a table of
// its own for a shape (the hive's log table keeps its rows in log_entries, sync/hive). The store
// owns it from ShapeStore::load() on and calls it on its writer thread, inside the transaction
// that saves the shape's position, so a failing sink rolls the batch back and the position does
// not move. Only prepare() runs on the caller's thread.
//
// A sink's rows of one kind are the store's one copy of them: a reset of one shape of a kind
// takes them from every other shape saved with that kind, which resyncs when started again.
class ShapeRowSink
{
public:
    virtual ~ShapeRowSink() = default;

    // Saved with the shape's position; a shape saved with another kind (0: shape_rows only,
    // which older stores hold) starts over rather than read rows from the wrong place. Not 0.
    virtual int kind() const = 0;
    // Whether ShapeWorker's batches carry this shape's rows. A sink whose readers read its own
    // table (the log views page log_entries) says no: its batches only count the changes.
    virtual bool batchesCarryRows() const = 0;

    // The store's connection is open (it stays open while the store holds the sink).
    virtual Result<void> open(const SqliteConnection &db) = 0;
    // The shape's position was found saved with `state` (what state() returned at its last
    // commit); `checked` is whether this sink accepted it before. False: the stored rows cannot
    // be trusted and the shape starts over (the store forgets it and calls reset()).
    virtual Result<bool> resume(const QString &name, const QByteArray &state, bool checked) = 0;
    // Saved with each commit and given back to resume().
    virtual QByteArray state() const = 0;

    // The caller's thread: what apply() will need that takes no store (may be null).
    virtual std::shared_ptr<const ShapeSinkPart> prepare(const ShapeUpdate &update) = 0;
    // Applies `update` (`part`: prepare()'s result for it) in the store's open transaction,
    // putting in `rows` what it does not keep itself; `applied` (optional) receives the merged
    // rows in log order. Returns by how many rows the sink's own count changed.
    virtual Result<qint64> apply(const QString &name, const ShapeUpdate &update,
                                 const ShapeSinkPart *part, ShapeRows &rows,
                                 QList<AppliedChange> *applied)
        = 0;
    // The shape starts from empty (a reset update, or it is forgotten): the sink's rows go.
    virtual Result<void> reset(const QString &name) = 0;
    // The shape stopped half-way through a snapshot: the part the sink holds goes.
    virtual Result<void> dropPartial(const QString &name) = 0;
    // Each row the sink holds for the shape as last committed (`state`: what state() was then),
    // sorted by key (UTF-8, bytewise); a visit that fails ends the walk with its error. May be
    // called without resume() (ShapeStore::attach).
    virtual Result<void>
    forEachRow(const QString &name, const QByteArray &state,
               const std::function<Result<void>(const QByteArray &key, const RawRow &row)> &visit)
        = 0;
    // The connection is about to close: drop everything prepared on it.
    virtual void close() = 0;
};

// Chooses the sink of a shape (null: the store's shape_rows). The wiring passes one in.
using ShapeRowSinkFactory = std::function<std::unique_ptr<ShapeRowSink>(const ShapeDefinition &)>;

} // namespace hivewatch
