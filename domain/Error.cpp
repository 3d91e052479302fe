#include "domain/Error.h"

namespace hivewatch {

QString Error::toString() const
{
    if (detail.isEmpty() || detail == message)
        return message;
    return message + QStringLiteral(" (") + detail + QStringLiteral(")");
}

} // namespace hivewatch
