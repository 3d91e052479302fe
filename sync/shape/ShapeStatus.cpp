#include "sync/shape/ShapeStatus.h"

namespace hivewatch {

QString ShapeStatus::stateName(State state)
{
    switch (state) {
    case State::Idle:
        return QStringLiteral("idle");
    case State::Syncing:
        return QStringLiteral("syncing");
    case State::Live:
        return QStringLiteral("live");
    case State::BackingOff:
        return QStringLiteral("backing-off");
    case State::Failed:
        return QStringLiteral("failed");
    }
    return QStringLiteral("unknown");
}

} // namespace hivewatch
