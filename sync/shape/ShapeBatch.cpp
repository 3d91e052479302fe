#include "sync/shape/ShapeBatch.h"

namespace hivewatch {

void registerShapeBatchMetaTypes()
{
    qRegisterMetaType<RowChange>();
    qRegisterMetaType<ShapeBatch>();
}

} // namespace hivewatch
