#pragma once

#include "sync/shape/ShapeMessage.h"
#include "sync/shape/ShapeSchema.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace hivewatch {

// Everything between two up-to-date messages, ready to be applied atomically. ShapeStream makes
// it, ShapeStore applies it: its own header so the store needs nothing of the stream.
struct ShapeUpdate
{
    bool reset = false; // these changes start from an empty shape (offset -1)
    QList<ShapeMessage> changes; // in log order
    QString handle;
    QString offset; // offset after the changes (to store with them)
    ShapeSchema schema;
    QDateTime receivedAt;
};

} // namespace hivewatch
