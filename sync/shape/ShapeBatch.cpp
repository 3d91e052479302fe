#include "ShapeBatch.h"

void registerShapeBatchMetaTypes()
{
    qRegisterMetaType<RowChange>();
    qRegisterMetaType<ShapeBatch>();
}
