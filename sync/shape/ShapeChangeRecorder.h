#pragma once

#include "domain/Result.h"
#include "sync/shape/ShapeMessage.h"
#include "sync/shape/ShapeUpdate.h"

#include <QByteArrayView>
#include <QString>

#include <functional>
#include <memory>

namespace hivewatch {

class SqliteConnection;
struct ShapeDefinition;

// Why a change was recorded: as it arrived, as part of a shape's first snapshot (the row was
// there before Hivewatch saw it), or as a difference a resync after must-refetch found.
enum class ChangeOrigin { Live = 0, Snapshot = 1, Resync = 2 };

// One applied change as ShapeStore knows it in the batch's transaction.
struct RecordedChange
{
    RowChange::Operation operation = RowChange::Operation::Insert;
    ChangeOrigin origin = ChangeOrigin::Live;
    QByteArrayView key; // the Electric key, UTF-8
    // An update or delete: the stored row before it (null when the store had none).
    const RawRow *before = nullptr;
    // An insert or update: the row after it, merged. An insert stored from its wire form only
    // (ShapeStream's insertsAsJson) has no RawRow here but afterJson.
    const RawRow *after = nullptr;
    QByteArrayView afterJson;
};

// Where the changes of one shape are recorded as they are applied (the hive's history table,
// sync/hive), beside where its rows are kept: the store calls it on its writer thread inside the
// transaction of the batch, so a failing recorder rolls the batch back. The store records only
// shapes whose rows it keeps itself (shape_rows), not a ShapeRowSink's.
class ShapeChangeRecorder
{
public:
    virtual ~ShapeChangeRecorder() = default;
    // The store's connection is open (it stays open while the store holds the recorder).
    virtual Result<void> open(const SqliteConnection &db) = 0;
    // `update`: the batch (its receivedAt and offset) the change belongs to.
    virtual Result<void> record(const QString &name, const ShapeUpdate &update,
                                const RecordedChange &change)
        = 0;
    // The connection is about to close: drop everything prepared on it.
    virtual void close() = 0;
};

// Chooses the recorder of a shape (null: its changes are not recorded). The wiring passes one in.
using ShapeChangeRecorderFactory
    = std::function<std::unique_ptr<ShapeChangeRecorder>(const ShapeDefinition &)>;

} // namespace hivewatch
