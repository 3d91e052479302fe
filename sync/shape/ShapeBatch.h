#pragma once

#include "sync/shape/ShapeRow.h"

#include <QDateTime>
#include <QList>
#include <QMetaType>
#include <QString>

namespace hivewatch {

// What the shape consumer hands to everything above it: the changes between two up-to-date
// messages, applied atomically. This is the contract between the sync worker thread and the
// models on the GUI thread; it crosses threads by value through queued signals.
//
// Values are typed from electric-schema: int2/int4/int8 -> qlonglong (int8 exact), float4/float8
// -> double (NaN and infinities included), bool -> bool, json/jsonb -> QJsonValue, arrays ->
// QVariantList typed per element (NULL elements are null QVariants), every other type -> QString.
// SQL NULL is a null QVariant (QVariant()), never an empty string.
struct RowChange
{
    enum class Operation { Insert, Update, Delete };

    Operation operation = Operation::Insert;
    QString key; // Electric's row key, opaque
    ShapeRow value; // Insert/Update: the complete row after the change (partial updates are
                    // already merged). Delete: at least the primary-key columns.
};

struct ShapeBatch
{
    QString shapeName; // the consumer's name for the shape (e.g. "shared_tasks")
    bool reset = false; // the changes are a complete new snapshot: drop every row held before
                        // (first sync and after a must-refetch)
    QList<RowChange> changes; // in log order
    // Shapes whose rows live in the store rather than in batches (the execution-log table: the
    // log views page through log_entries, and a million log rows as QVariantHash values would
    // cost gigabytes on the receiving thread): `changes` stays empty and this counts the changes
    // the batch applied to the store. 0 for every other shape.
    qsizetype storedChangeCount = 0;
    QString handle; // position after the batch, for diagnostics
    QString offset;
    QDateTime receivedAt; // when the up-to-date that closed the batch arrived (UTC)
};

} // namespace hivewatch

Q_DECLARE_METATYPE(hivewatch::RowChange)
Q_DECLARE_METATYPE(hivewatch::ShapeBatch)

namespace hivewatch {

// Registers the metatypes for queued connections; call once before connecting across threads.
void registerShapeBatchMetaTypes();

} // namespace hivewatch
