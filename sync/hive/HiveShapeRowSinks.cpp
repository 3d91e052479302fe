#include "sync/hive/HiveShapeRowSinks.h"

#include "domain/LogTable.h"
#include "sync/hive/LogShapeSink.h"
#include "sync/shape/ShapeDefinition.h"

namespace hivewatch {

ShapeRowSinkFactory hiveShapeRowSinks()
{
    return [](const ShapeDefinition &definition) -> std::unique_ptr<ShapeRowSink> {
        if (LogTable::isNamedBy(definition.table))
            return std::make_unique<LogShapeSink>();
        return nullptr;
    };
}

} // namespace hivewatch
