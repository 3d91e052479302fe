#pragma once

#include <QColor>

namespace hivewatch {

// The one colour the hive's panels use for "something is wrong": open alerts in the tray icon,
// a stale heartbeat line, work beyond the fleet's reported slots.
inline QColor alertColor()
{
    return QColor(0xb0, 0x00, 0x20);
}

} // namespace hivewatch
